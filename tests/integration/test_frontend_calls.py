"""The calls rotki's web app makes (docs/frontend-calls.md) against the real node: each route this
round added, its answer checked key by key against the shapes rotki documents (docs/api.rst,
written out here in our own words), the app's start-up and login sequence in its order with no
404/405, the session-cookie variant of login (authenticate) beyond loopback, and every call the
doc marks answered or answered-empty asked with its method after login."""
import http.client
import json
import os
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import Node, check, main, test

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "frontend-calls.md")
NOT_FOUND = "The requested URL was not found on the server"
ADDR = "0x9531C059098e3d194fF87FebB587aB07B30B1306"


def create(n, name="alice", password="s3cret", **kw):
    st, res, msg = n.call("PUT", "/api/1/users", {"name": name, "password": password}, timeout=60, **kw)
    check(st == 200, (st, msg))
    return res


def routed(st, js):
    """False for the router's own 'no such route' (404 with its message) and 405."""
    return st != 405 and not (st == 404 and NOT_FOUND in ((js or {}).get("message") or ""))


def wait_task(n, task):
    for _ in range(400):
        st, res, _ = n.call("GET", f"/api/1/tasks/{task}")
        if st == 200 and res and res.get("status") == "completed":
            return res["outcome"]
        time.sleep(0.05)
    raise AssertionError(f"task {task} did not complete")


def keys(obj, expected, what):
    check(isinstance(obj, dict) and set(obj) == set(expected), (what, obj))


class Oracle:
    """A CoinGecko-shaped price server on 127.0.0.1: bitcoin 60000 USD / 50000 EUR."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                prices = {"bitcoin": {"usd": 60000, "eur": 50000, "gbp": 40000}, "ethereum": {"usd": 3000, "eur": 2500}}
                ids, vs = q.get("ids", [""])[0].split(","), q.get("vs_currencies", [""])[0].split(",")
                body = json.dumps({i: {v: prices[i][v] for v in vs if v in prices[i]} for i in ids if i in prices}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------- the doc's tables
def doc_rows(table_header):
    """The rows of the markdown table whose header starts with table_header, as lists of cells."""
    rows, inside = [], False
    with open(DOC) as f:
        for line in f:
            if line.startswith("| " + table_header):
                inside = True
                continue
            if inside and line.startswith("|---"):
                continue
            if inside and line.startswith("|"):
                rows.append([c.strip() for c in line.strip().strip("|").split("|")])
            elif inside:
                break
    return rows


PARAMS = {"username": "alice", "blockchain": "eth", "chain": "eth", "chainType": "evm", "location": "kraken",
          "id": "999999", "timestamp": "1700000000", "name": "kraken1", "module": "uniswap", "source": "coingecko",
          "reportId": "1", "payload_reportId": "1", "payload_location": "kraken"}


def concrete(path):
    p = re.sub(r"<([^>]+)>", lambda m: PARAMS.get(m.group(1), "x"), path)
    if p.startswith("/colibri/assets/icon"):
        p += "?asset_id=ETH"
    if p.startswith("/colibri/assets/collections"):
        p += "?collection_id=1"
    return p


@test
def every_call_marked_answered_is_answered():
    rows = doc_rows("screen |")
    check(len(rows) > 250, len(rows))
    marked = [(r[1], r[2].strip("`")) for r in rows if r[3] in ("answered", "answered-empty")]
    check(len(marked) > 80, len(marked))
    with Node() as n:
        create(n)
        failures = []
        # logout and the session's own calls last: the rest needs the user
        marked.sort(key=lambda mp: ("/logout" in mp[1] or mp[1].startswith("/api/1/users"), mp))
        for method, path in marked:
            body = None if method in ("GET", "HEAD") else {}
            st, js, _ = n.request(method, concrete(path), body=body, timeout=30)
            if not routed(st, js):
                failures.append((method, path, st))
        check(not failures, failures)
        # what the doc calls unanswered really is, so the doc stays honest both ways
        unanswered = [(r[1], r[2].strip("`")) for r in rows if r[3] == "not answered"]
        answered_anyway = []
        for method, path in unanswered:
            st, js, _ = n.request(method, concrete(path), body=None if method in ("GET", "HEAD") else {}, timeout=30)
            if routed(st, js):
                answered_anyway.append((method, path, st))
        check(not answered_anyway, ("marked not answered but answered", answered_anyway))


@test
def startup_and_login_sequence_in_order():
    """The doc's phase table, in order, as the app asks: nothing 404/405 that the doc marks answered."""
    rows = doc_rows("phase |")
    check([r[0] for r in rows] == sorted(r[0] for r in rows) and {r[0] for r in rows} == {"a", "b", "c"}, rows)
    with Oracle() as o, Node(env={"PIPIT_COINGECKO_API_URL": o.url}) as n:
        seen = []
        task = None
        for phase, method, path, status in rows:
            path = path.strip("`")
            body, query = None, ""
            if (method, path) == ("PUT", "/api/1/users"):
                body = {"name": "alice", "password": "s3cret", "async_query": True, "initial_settings": {"main_currency": "EUR"}}
            elif (method, path) == ("POST", "/api/1/users/<username>/authenticate"):
                body = {"password": "s3cret"}
            elif (method, path) == ("POST", "/api/1/users/<username>"):
                body = {"password": "s3cret", "async_query": True}  # already logged in by the create: 409, as rotki
            elif path == "/colibri/user":
                body = {"username": "alice", "password": "s3cret"}
            elif path == "/api/1/settings" and method == "PUT":
                body = {"settings": {"frontend_settings": "{}"}}
            elif path == "/api/1/exchange_rates":
                query = "?currencies=EUR&currencies=BTC&async_query=true"
            elif path.endswith("/xpub"):
                query = "?xpub=xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj"
            elif path == "/api/1/assets/prices/historical":
                body = {"assets_timestamp": [["BTC", 1700000000]], "target_asset": "USD", "only_cache_period": 21600}
            elif method != "GET":
                body = {}
            if path == "/api/1/tasks/<id>":
                path = f"/api/1/tasks/{task}"
            st, js, _ = n.request(method, concrete(path) + query, body=body, timeout=60)
            seen.append((method, path, st))
            if status in ("answered", "answered-empty"):
                check(routed(st, js), (method, path, st, js))
            res = (js or {}).get("result")
            if (method, path) == ("PUT", "/api/1/users"):
                check(st == 200 and "task_id" in res, js)
                task = res["task_id"]
                outcome = wait_task(n, task)
                check(outcome["result"]["settings"]["main_currency"] == "EUR", outcome)
            if (method, path) == ("POST", "/colibri/user"):
                check(st == 200 and res is True, js)
            if path == "/api/1/exchange_rates":
                rates = wait_task(n, res["task_id"])["result"]
                # what a dollar buys: 1 / the USD price (EUR: 60000 / 50000 = 1.2 USD)
                check(rates == {"EUR": "0." + "8" * 1 + "3" * 77, "BTC": "0.0000" + "1" + "6" * 76 + "7"}, rates)
        check(len(seen) == len(rows))


@test
def a_bodyless_post_that_answers_later_is_answered_once():
    """The app POSTs without a body (Content-Length: 0) to routes that answer after a DB read; lws
    also reports that empty body's completion, which must not run the handler a second time (the
    second answer went to a freed request: the node aborted, found by sending the doc's calls)."""
    with Node() as n:
        create(n)
        for _ in range(40):
            check(n.call("POST", "/api/1/assets/prices/latest/all")[:2] == (200, []))
            check(n.call("POST", "/api/1/notes")[0] == 200)
            check(n.call("POST", "/api/1/assets/prices/latest/all", {"from_asset": "BTC"})[0] == 200)
        check(n.alive())


# ---------------------------------------------------------------------------- colibri
@test
def colibri_user_handle_and_routes():
    with Node() as n:
        check(n.call("POST", "/colibri/user", {"username": "alice", "password": "s3cret"})[0] == 400)  # nobody logged in
        create(n)
        st, res, msg = n.call("POST", "/colibri/user", {"username": "bob", "password": "x"})
        check(st == 400 and "alice" in msg, (st, msg))  # colibri serves the logged-in user's DB only
        check(n.call("POST", "/colibri/user", {"username": "alice"})[0] == 400)  # both fields required
        check(n.call("POST", "/colibri/user", {"username": "alice", "password": "s3cret"})[1:] == (True, ""))
        st, res, msg = n.call("POST", "/colibri/user", {"username": "alice", "password": "s3cret"})
        check((st, msg) == (400, "The DB is already unlocked"), (st, msg))  # what the app retries after a logout
        # the ignored assets come from the user DB (rotki's multisettings rows)
        st, res, msg = n.call("GET", "/colibri/assets/ignored")
        check((st, res) == (200, []), (st, res, msg))
        check(n.call("POST", "/colibri/user/logout")[:2] == (200, True))
        st, _, msg = n.call("POST", "/colibri/user/logout")
        check((st, msg) == (400, "DB not unlocked"), (st, msg))
        st, _, msg = n.call("GET", "/colibri/assets/ignored")
        check(st == 400 and "No client found" in msg, (st, msg))
        check(n.call("POST", "/colibri/user", {"username": "alice", "password": "s3cret"})[:2] == (200, True))
        # a new login holds the DB again (a resumed session never unlocks colibri)
        check(n.call("PATCH", "/api/1/users/alice", {"action": "logout"})[0] == 200)
        check(n.call("GET", "/colibri/assets/ignored")[0] == 400)  # colibri's "no client"
        check(n.call("POST", "/api/1/users/alice", {"password": "s3cret"}, timeout=60)[0] == 200)
        check(n.call("GET", "/colibri/assets/ignored")[:2] == (200, []))
        # health is text, as colibri's
        c = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
        c.request("GET", "/colibri/health")
        r = c.getresponse()
        check((r.status, r.read()) == (200, b"healthy"))
        # icons: 404 with no body (the app draws the initials), HEAD alike, asset_id required
        c.request("HEAD", "/colibri/assets/icon?asset_id=ETH")
        r = c.getresponse()
        check(r.status == 404 and r.read() == b"", r.status)
        c.request("GET", "/colibri/assets/icon?asset_id=ETH")
        r = c.getresponse()
        check(r.status == 404 and r.read() == b"")
        c.request("GET", "/colibri/assets/icon")
        r = c.getresponse()
        check(r.status == 400, r.status)
        r.read()
        c.request("POST", "/api/1/cache/icons/clear", body=b'{"entries": null}', headers={"Content-Type": "application/json"})
        r = c.getresponse()
        check(r.status == 200 and json.loads(r.read())["result"] is True, r.status)
        c.request("PATCH", "/api/1/assets/icon/modify", body=b'{"asset": "ETH"}', headers={"Content-Type": "application/json"})
        r = c.getresponse()
        check(r.status == 409, r.status)
        r.read()
        c.request("HEAD", "/api/1/ping")  # another route's HEAD: 405, headers only
        r = c.getresponse()
        check(r.status == 405 and r.read() == b"", r.status)
        c.close()
        check(n.call("GET", "/colibri/assets/collections?collection_id=3")[:2] == (200, []))
        check(n.call("GET", "/colibri/assets/collections?collection_id=x")[0] == 400)
        st, res, _ = n.call("GET", "/colibri/prices/oracle?from_asset=BTC")
        check(st == 200, st)
        keys(res, ["entries", "entries_found", "entries_total", "entries_limit"], "oracle prices")
        check(res["entries"] == [] and res["entries_found"] == 0 and res["entries_limit"] == -1, res)
        check(n.call("POST", "/colibri/prices/oracle/existence", {"identifiers": ["BTC", "ETH"]})[1] == {"BTC": False, "ETH": False})
        # the asset routes are core's: forwarded (404 until core serves them, never 405)
        st, js, _ = n.request("POST", "/colibri/assets/mappings", body={"identifiers": ["ETH"]})
        check(st != 405, st)


@test
def configuration_core_and_colibri():
    with Node() as n:
        st, res, _ = n.call("GET", "/api/1/settings/configuration")
        check(st == 200, st)
        keys(res, ["max_size_in_mb_all_logs", "max_logfiles_num", "sqlite_instructions", "loglevel"], "configuration")
        for v in res.values():
            keys(v, ["value", "is_default"], "configuration value")
        check(res["loglevel"] == {"value": "INFO", "is_default": True}, res)
        st, res, _ = n.call("PUT", "/colibri/settings/configuration", {"loglevel": "DEBUG"})
        check(st == 200 and res == {"loglevel": {"value": "DEBUG", "is_default": False}}, res)
        check(n.call("GET", "/api/1/settings/configuration")[1]["loglevel"]["value"] == "DEBUG")  # one process
        check(n.call("PUT", "/api/1/settings/configuration", {"loglevel": "LOUD"})[0] == 400)
        check(n.call("PUT", "/api/1/settings/configuration", {"loglevel": "INFO"})[1]["loglevel"]["is_default"] is True)


# ---------------------------------------------------------------------------- authenticate
@test
def authenticate_sets_the_session_cookie():
    with Node() as n:  # loopback: no sessions, a no-op as rotki's without a session key
        st, res, resp = n.request("POST", "/api/1/users/alice/authenticate", body={"password": "s3cret"})
        check(st == 200 and res["result"] == {} and resp.getheader("Set-Cookie") is None, (st, res))
        check(n.call("POST", "/api/1/users/alice/authenticate", {})[0] == 400)  # password required
    with Node("--api-host", "0.0.0.0") as n:
        st, js, resp = n.request("POST", "/api/1/users/alice/authenticate", body={"password": "s3cret"}, timeout=60)
        check(st == 401 and js["message"] == "Wrong username/password combination", (st, js))  # no such user, as rotki
        create(n)
        st, js, resp = n.request("POST", "/api/1/users/alice/authenticate", body={"password": "wrong"}, timeout=60)
        check(st == 401 and js["message"] == "Wrong username/password combination", (st, js))
        st, js, resp = n.request("POST", "/api/1/users/alice/authenticate", body={"password": "s3cret"}, timeout=60)
        cookie = resp.getheader("Set-Cookie")
        check(st == 200 and js["result"] == {} and cookie and cookie.startswith("rotki_session="), (st, js, cookie))
        token = cookie.split(";")[0]
        check(n.request("GET", "/api/1/settings", headers={"Cookie": token})[0] == 200)
        check(n.request("GET", "/colibri/assets/ignored", headers={"Cookie": token})[0] == 200)
        # with the valid cookie: re-issued, the session stays
        st, _, resp = n.request("POST", "/api/1/users/alice/authenticate", body={"password": "anything"}, headers={"Cookie": token})
        check(st == 200 and resp.getheader("Set-Cookie"), st)
        check(n.request("GET", "/api/1/settings", headers={"Cookie": token})[0] == 200)
        # another user while alice is in: 409
        check(n.request("POST", "/api/1/users/bob/authenticate", body={"password": "s3cret"})[0] == 409)
        # logged out: authenticate is the login, the app then finds alice logged in and resumes
        check(n.request("PATCH", "/api/1/users/alice", body={"action": "logout"}, headers={"Cookie": token})[0] == 200)
        st, js, resp = n.request("POST", "/api/1/users/alice/authenticate", body={"password": "s3cret"}, timeout=60)
        check(st == 200 and js["result"] == {}, (st, js))
        fresh = resp.getheader("Set-Cookie").split(";")[0]
        check(n.request("POST", "/api/1/users/alice/authenticate", body={"password": "bad"}, headers={"Cookie": "x"}, timeout=60)[0] == 401)
        check(n.call("GET", "/api/1/users")[1] == {"alice": "loggedin"})
        check(n.request("GET", "/api/1/settings", headers={"Cookie": fresh})[0] == 200)
        check(n.request("GET", "/api/1/settings", headers={"Cookie": token})[0] == 401)  # the old session is gone


# ---------------------------------------------------------------------------- premium off
@test
def premium_answers_of_a_free_user():
    with Node() as n:
        check(n.call("GET", "/api/1/premium/capabilities")[0] == 401)
        create(n)
        st, res, _ = n.call("GET", "/api/1/premium/capabilities")
        check(st == 200, st)
        features = ["eth_staking_view", "graphs_view", "event_analysis_view", "asset_movement_matching", "gnosispay", "monerium", "mcp"]
        keys(res, ["current_tier", "limit_of_devices", "pnl_events_limit", "max_backup_size_mb", "history_events_limit",
                   "reports_lookup_limit", "eth_staked_limit"] + features, "capabilities")
        check(res["current_tier"] == "Free" and res["history_events_limit"] == 1000 and res["pnl_events_limit"] == 1000 and
              res["reports_lookup_limit"] == 20 and res["limit_of_devices"] == 0, res)
        for f in features:
            check(res[f] == {"enabled": False, "minimum_tier": None}, (f, res[f]))
        st, _, msg = n.call("GET", "/api/1/services/gnosispay/migration")
        check((st, msg) == (403, "Gnosis Pay is not available for your current subscription tier"), (st, msg))
        st, _, msg = n.call("GET", "/api/1/services/monerium")
        check((st, msg) == (403, "Monerium is not available for your current subscription tier"), (st, msg))
        st, _, msg = n.call("GET", "/api/1/premium/devices")
        check((st, msg) == (403, "Currently logged in user alice does not have a premium subscription"), (st, msg))
        check(n.call("POST", "/api/1/balances/historical/asset", {})[0] == 403)
        check(n.call("PUT", "/api/1/premium/sync", {"action": "upload"})[1:] == (False, "Upload failed."))
        check(n.call("PUT", "/api/1/premium/sync", {"action": "download"})[0] == 502)
        check(n.call("PUT", "/api/1/premium/sync", {"action": "sideways"})[0] == 400)
        st, res, _ = n.call("POST", "/api/1/tasks/trigger", {"task": "historical_balance_processing", "async_query": True})
        check(wait_task(n, res["task_id"])["result"] is True)
        check(n.call("POST", "/api/1/tasks/trigger", {"task": "bridge_matching"})[0] == 403)
        check(n.call("POST", "/api/1/tasks/trigger", {"task": "nap"})[0] == 400)


# ---------------------------------------------------------------------------- chains
@test
def supported_chains_and_untracked_ones():
    with Node() as n:
        st, res, _ = n.call("GET", "/api/1/blockchains/supported")
        check(st == 200 and len(res) == 18, (st, res))
        ids = [c["id"] for c in res]
        check(ids[:4] == ["eth", "eth2", "btc", "bch"] and "solana" in ids and "polygon_pos" in ids, ids)
        for c in res:
            keys(c, ["id", "name", "type", "native_token", "image"] + (["evm_chain_name"] if c["type"] == "evm" else []), c["id"])
        eth = res[0]
        check(eth == {"id": "eth", "name": "ethereum", "type": "evm", "native_token": "ETH", "image": "ethereum.svg",
                      "evm_chain_name": "ethereum"}, eth)
        st, res, _ = n.call("GET", "/api/1/blockchains/evm/all")
        check(st == 200 and {"id": 137, "name": "polygon_pos", "label": "Polygon POS"} in res, res)
        create(n)
        for chain in ids:
            st, res, msg = n.call("GET", f"/api/1/blockchains/{chain}/accounts")
            check(st == 200, (chain, st, msg))
            check(res == ({"standalone": [], "xpubs": []} if chain in ("btc", "bch") else []), (chain, res))
        check(n.call("GET", "/api/1/blockchains/dogecoin/accounts")[0] == 400)  # no chain at all
        # the app's "all EVM chains" add: to eth, in rotki's per-chain result shape
        st, res, msg = n.call("PUT", "/api/1/blockchains/evm/accounts", {"accounts": [{"address": ADDR.lower(), "label": "mine"}]}, timeout=30)
        check(st == 200, (st, msg))
        check(res == {"added": {ADDR: ["eth"]}, "failed": {}, "existed": {}, "no_activity": {}, "evm_contracts": {}, "eth_contracts": []}, res)
        check(n.call("GET", "/api/1/blockchains/eth/accounts")[1] == [{"address": ADDR, "label": "mine", "tags": None}])
        check(n.call("PUT", "/api/1/blockchains/evm/accounts", {"accounts": []})[0] == 400)
        check(n.call("POST", "/api/1/blockchains/evm/accounts", {})[:2] == (200, True))
        st, _, msg = n.call("PUT", "/api/1/blockchains/optimism/accounts", {"accounts": [{"address": ADDR}]})
        check(st == 400 and "does not track" in msg and "optimism" in msg, (st, msg))
        check(n.call("GET", "/api/1/blockchains/optimism/nodes")[:2] == (200, []))
        check(n.call("PUT", "/api/1/blockchains/optimism/nodes", {"name": "x", "endpoint": "http://127.0.0.1:1"})[0] == 400)
        check(n.call("POST", "/api/1/blockchains/eth/nodes", {})[:2] == (200, True))
        st, res, _ = n.call("GET", "/api/1/blockchains/eth2/validators")
        check((st, res) == (200, {"entries": [], "entries_found": 0, "entries_limit": -1}), res)
        check(n.call("PUT", "/api/1/blockchains/eth2/validators", {"validator_index": 1})[0] == 400)
        st, res, _ = n.call("GET", "/api/1/blockchains/btc/xpub?xpub=xpub6Bos")
        check((st, res) == (200, {"per_account": {}, "totals": {"assets": {}, "liabilities": {}}}), res)
        check(n.call("GET", "/api/1/blockchains/btc/xpub")[0] == 400)  # xpub required
        check(n.call("GET", "/api/1/blockchains/eth/xpub?xpub=x")[0] == 400)
        check(n.call("PUT", "/api/1/blockchains/bch/xpub", {"xpub": "xpub6Bos"})[0] == 400)


@test
def token_detection_answers_from_the_last_balance_query():
    with Node() as n:
        create(n)
        check(n.call("PUT", "/api/1/blockchains/eth/accounts", {"accounts": [{"address": ADDR}]}, timeout=30)[0] == 200)
        st, res, _ = n.call("POST", "/api/1/blockchains/eth/tokens/detect", {})
        # no balance query yet: rotki's null pair
        check((st, res) == (200, {ADDR: {"tokens": None, "last_update_timestamp": None}}), (st, res))
        st, res, _ = n.call("POST", "/api/1/blockchains/eth/tokens/detect", {"addresses": [ADDR.lower()], "only_cache": True})
        check(res == {ADDR: {"tokens": None, "last_update_timestamp": None}}, res)
        check(n.call("POST", "/api/1/blockchains/eth/tokens/detect", {"addresses": ["0x12"]})[0] == 400)
        check(n.call("POST", "/api/1/blockchains/optimism/tokens/detect", {})[:2] == (200, {}))
        check(n.call("POST", "/api/1/blockchains/btc/tokens/detect", {})[0] == 400)
        st, res, _ = n.call("POST", "/api/1/blockchains/eth/tokens/detect", {"async_query": True})
        check(wait_task(n, res["task_id"])["result"] == {ADDR: {"tokens": None, "last_update_timestamp": None}})


@test
def token_detection_and_connected_node_after_a_balance_query():
    """Against a real chain (ganache, tests/chain): what the balance query found is the detection."""
    import chainpeers
    chainpeers.install()
    c = chainpeers.start_chain(accounts=3, tokens=3, multicall=True)
    try:
        info = c.info
        with Node() as n:
            create(n)
            check(n.call("PUT", "/api/1/blockchains/eth/nodes", {"name": "ganache", "endpoint": c.url, "owned": True,
                                                                  "weight": 100, "active": True})[0] == 200)
            toks = [{"address": t["address"], "chain_id": info["chain_id"], "symbol": t["symbol"], "name": t["name"],
                     "decimals": t["decimals"]} for t in info["tokens"]]
            check(n.call("PUT", "/api/1/blockchains/eth/tokens", {"tokens": toks})[0] == 200)
            accs = info["accounts"]
            check(n.call("PUT", "/api/1/blockchains/eth/accounts", {"accounts": [{"address": a} for a in accs]}, timeout=60)[0] == 200)
            check(n.call("GET", "/api/1/periodic")[1]["connected_nodes"] == {})
            before = int(time.time())
            st, _, msg = n.call("POST", "/api/1/balances/blockchains/eth", {}, timeout=120)
            check(st == 200, (st, msg))
            st, res, _ = n.call("POST", "/api/1/blockchains/eth/tokens/detect", {"only_cache": True})
            check(st == 200 and sorted(res) == sorted(accs), res)
            for a in accs:
                want = sorted(f"eip155:{info['chain_id']}/erc20:{t}" for t, v in info["balances"][a].items() if t != "ETH" and v != "0")
                check(sorted(res[a]["tokens"]) == want and res[a]["last_update_timestamp"] >= before, (a, res[a], want))
            check(n.call("GET", "/api/1/periodic")[1]["connected_nodes"] == {"eth": ["ganache"]})
    finally:
        c.stop()


# ---------------------------------------------------------------------------- locations, status, periodic
@test
def locations_status_and_periodic():
    with Node() as n:
        st, res, _ = n.call("GET", "/api/1/locations/all")
        check(st == 200, st)
        keys(res, ["locations"], "locations")
        loc = res["locations"]
        check(len(loc) == 60 and "total" not in loc, len(loc))
        check(loc["kraken"] == {"image": "kraken.svg", "exchange_details": {"is_exchange_with_key": True}}, loc["kraken"])
        check(loc["binance"]["exchange_details"] == {"is_exchange_with_key": True})
        check(loc["coinbase"] == {"image": "coinbase.svg", "is_exchange": True}, loc["coinbase"])
        check(loc["external"] == {"icon": "lu-book-text"} and loc["polygon pos"] == {"image": "polygon_pos.svg"}, loc)
        check(loc["bitcoin cash"] == {"image": "bitcoin-cash.svg", "label": "Bitcoin Cash"}, loc["bitcoin cash"])
        check(n.call("GET", "/api/1/history/status/summary")[0] == 401)
        create(n)
        st, res, _ = n.call("GET", "/api/1/history/status/summary")
        check(st == 200, st)
        check(res == {"evm_last_queried_ts": 0, "exchanges_last_queried_ts": 0, "undecoded_tx_count": 0,
                      "has_evm_accounts": False, "has_exchanges_accounts": False}, res)
        # an event at kraken with a label makes the location associated and the label known
        ev = {"entry_type": "history event", "timestamp": 1700000000000, "location": "kraken", "location_label": "kraken1",
              "asset": "BTC", "amount": "1", "event_type": "deposit", "event_subtype": "deposit asset", "sequence_index": 0,
              "group_identifier": "g1"}
        st, _, msg = n.call("PUT", "/api/1/history/events", ev)
        check(st == 200, (st, msg))
        check(n.call("PUT", "/api/1/blockchains/eth/accounts", {"accounts": [{"address": ADDR}]}, timeout=30)[0] == 200)
        check(n.call("GET", "/api/1/locations/associated")[1] == ["kraken"])
        check(n.call("GET", "/api/1/locations/labels")[1] == [{"location_label": "kraken1", "location": "kraken"}])
        res = n.call("GET", "/api/1/history/status/summary")[1]
        check(res["has_evm_accounts"] is True and res["has_exchanges_accounts"] is False, res)
        st, res, _ = n.call("GET", "/api/1/periodic")
        check((st, res) == (200, {"last_balance_save": 0, "connected_nodes": {}, "last_data_upload_ts": 0}), res)
        # a snapshot sets last_balance_save
        d = n.data_dir
        with open(os.path.join(d, "b.csv"), "w") as f:
            f.write("timestamp,category,asset_identifier,amount,usd_value\n1700000000,asset,BTC,2,60000\n")
        with open(os.path.join(d, "l.csv"), "w") as f:
            f.write("timestamp,location,usd_value\n1700000000,total,60000\n")
        st, _, msg = n.call("PUT", "/api/1/snapshots", {"balances_snapshot_file": os.path.join(d, "b.csv"),
                                                         "location_data_snapshot_file": os.path.join(d, "l.csv")}, timeout=30)
        check(st == 200, (st, msg))
        check(n.call("GET", "/api/1/periodic")[1]["last_balance_save"] == 1700000000)
        # historical prices from the snapshot: 60000 / 2, within the window only; USD itself is 1
        q = {"assets_timestamp": [["BTC", 1700000100], ["BTC", "1700100000"], ["USD", 1600000000], ["ETH", 1700000000]],
             "target_asset": "USD"}
        st, res, _ = n.call("POST", "/api/1/assets/prices/historical", q)
        check((st, res) == (200, {"assets": {"BTC": {"1700000100": "30000"}, "USD": {"1600000000": "1"}}, "target_asset": "USD"}), res)
        q["only_cache_period"] = 200000
        check(n.call("POST", "/api/1/assets/prices/historical", q)[1]["assets"]["BTC"] == {"1700000100": "30000", "1700100000": "30000"})
        q["target_asset"] = "EUR"
        check(n.call("POST", "/api/1/assets/prices/historical", q)[1] == {"assets": {}, "target_asset": "EUR"})
        for bad in ({"target_asset": "USD"}, {"assets_timestamp": [], "target_asset": "USD"},
                    {"assets_timestamp": [["BTC", 4102444800]], "target_asset": "USD"},
                    {"assets_timestamp": [["BTC"]], "target_asset": "USD"}, {"assets_timestamp": [["BTC", 1]]}):
            check(n.call("POST", "/api/1/assets/prices/historical", bad)[0] == 400, bad)
        check(n.call("GET", "/api/1/assets/prices/historical")[:2] == (200, []))
        check(n.call("PUT", "/api/1/assets/prices/historical", {})[0] == 409)


@test
def exchange_rates_from_the_price_layer():
    with Oracle() as o, Node(env={"PIPIT_COINGECKO_API_URL": o.url}) as n:
        st, res, _ = n.call("GET", "/api/1/exchange_rates?currencies=EUR,GBP&currencies=USD")
        # rotki's rate: how much of it one dollar buys, 1 / its USD price (EUR 1.2 USD, GBP 1.5 USD)
        check((st, res) == (200, {"EUR": "0.8" + "3" * 77, "GBP": "0." + "6" * 77 + "7", "USD": "1"}), (st, res))
        st, res = n.request("GET", "/api/1/exchange_rates", body={"currencies": ["EUR", "NOPE"]})[:2]
        check(res["result"] == {"EUR": "0.8" + "3" * 77, "NOPE": "0"}, res)  # no price: "0", as rotki
        check(n.call("GET", "/api/1/exchange_rates")[0] == 400)
        check(n.call("GET", "/api/1/exchange_rates?currencies=")[0] == 400)


@test
def settings_names_and_history_screens():
    with Node() as n:
        create(n)
        # external services: rotki's table, the whole map after each change, unknown names refused
        check(n.call("GET", "/api/1/external_services")[:2] == (200, {}))
        st, res, _ = n.call("PUT", "/api/1/external_services", {"services": [{"name": "etherscan", "api_key": "k1"},
                                                                              {"name": "monerium", "api_key": "ben", "api_secret": "pw"}]})
        check((st, res) == (200, {"etherscan": {"api_key": "k1"}, "monerium": {"username": "ben", "password": "pw"}}), (st, res))
        check(n.call("PUT", "/api/1/external_services", {"services": [{"name": "nope", "api_key": "x"}]})[0] == 400)
        check(n.call("PUT", "/api/1/external_services", {"services": [{"name": "etherscan", "api_key": ""}]})[0] == 400)
        check(n.call("DELETE", "/api/1/external_services", {"services": ["monerium"]})[1] == {"etherscan": {"api_key": "k1"}})
        # address names: account labels are the private address book
        check(n.call("PUT", "/api/1/blockchains/eth/accounts", {"accounts": [{"address": ADDR, "label": "my wallet"}]}, timeout=30)[0] == 200)
        st, res, _ = n.call("POST", "/api/1/names/addressbook/private", {})
        check(st == 200 and res == {"entries": [{"address": ADDR, "name": "my wallet", "blockchain": "eth"}],
                                    "entries_found": 1, "entries_total": 1}, (st, res))
        res = n.call("POST", "/api/1/names/addressbook/private", {"name_substring": "nothing"})[1]
        check(res == {"entries": [], "entries_found": 0, "entries_total": 1}, res)
        check(n.call("POST", "/api/1/names/addressbook/global", {})[1] == {"entries": [], "entries_found": 0, "entries_total": 0})
        check(n.call("POST", "/api/1/names/addressbook/other", {})[0] == 400)
        st, res, _ = n.call("POST", "/api/1/names", {"addresses": [{"address": ADDR.lower(), "blockchain": "eth"},
                                                                   {"address": "0x8A4973ABBCEd48596D6D79ac6B53Ceda65e342CD"}]})
        check((st, res) == (200, {ADDR: "my wallet"}), (st, res))
        check(n.call("POST", "/api/1/names", {})[0] == 400)
        # the private book's edits: all or nothing, as rotki's 409s
        other = "0x8A4973ABBCEd48596D6D79ac6B53Ceda65e342CD"
        book = "/api/1/names/addressbook/private"
        check(n.call("PUT", book, {"entries": [{"address": other.lower(), "name": "Frank"},
                                               {"address": "bc1qexample", "blockchain": "btc", "name": "cold"}]})[:2] == (200, True))
        check(n.call("PUT", book, {"entries": [{"address": other, "name": "again"}]})[0] == 409)  # exists
        check(n.call("PUT", book, {"entries": [{"address": "bc1qother", "name": "no chain"}]})[0] == 409)  # unknown ecosystem
        check(n.call("PUT", "/api/1/names/addressbook/global", {"entries": [{"address": other, "name": "x"}]})[0] == 409)
        res = n.call("POST", book, {})[1]
        check({(e["address"], e["name"], e["blockchain"]) for e in res["entries"]} ==
              {(ADDR, "my wallet", "eth"), (other, "Frank", None), ("bc1qexample", "cold", "btc")}, res)
        check(n.call("POST", "/api/1/names", {"addresses": [{"address": other}]})[1] == {other: "Frank"})
        check(n.call("PATCH", book, {"entries": [{"address": other, "name": "Frank N."}, {"address": "0x" + "1" * 40, "name": "x"}]})[0] == 409)
        check(n.call("POST", "/api/1/names", {"addresses": [{"address": other}]})[1] == {other: "Frank"})  # nothing changed
        check(n.call("PATCH", book, {"entries": [{"address": other, "name": "Frank N."}]})[:2] == (200, True))
        check(n.call("POST", "/api/1/names", {"addresses": [{"address": other}]})[1] == {other: "Frank N."})
        check(n.call("DELETE", book, {"addresses": [{"address": other}, {"address": "bc1qexample", "blockchain": "btc"}]})[:2] == (200, True))
        check(n.call("DELETE", book, {"addresses": [{"address": other}]})[0] == 409)
        check(n.call("POST", book, {})[1]["entries_total"] == 1)
        # accounting rules (none in a new DB) and what their properties link to
        check(n.call("POST", "/api/1/accounting/rules", {"limit": 10, "offset": 0})[1] ==
              {"entries": [], "entries_found": 0, "entries_total": 0, "entries_limit": -1})
        check(n.call("GET", "/api/1/data_issues?state=open")[::2] == (404, "Data issues are disabled"))
        check(n.call("PATCH", "/api/1/data_issues/3/dismiss")[::2] == (404, "Data issues are disabled"))
        st, res, _ = n.call("GET", "/api/1/accounting/rules/info")
        keys(res, ["taxable", "count_entire_amount_spend", "count_cost_basis_pnl"], "rules info")
        check(res["taxable"] == ["include_gas_costs", "include_crypto2crypto"], res)
        # rotki's modules: none activated, the per-module address lists kept as rotki keeps them
        st, _, msg = n.call("GET", "/api/1/blockchains/eth/modules/uniswap/v2/balances")
        check((st, msg) == (409, "uniswap module is not activated"), (st, msg))
        check(n.call("GET", "/api/1/blockchains/eth/modules/liquity/stats")[2] == "liquity module is not activated")
        check(n.call("DELETE", "/api/1/blockchains/eth/modules/uniswap/data")[:2] == (200, True))
        check(n.call("GET", "/api/1/nfts/balances")[::2] == (409, "nfts module is not activated"))
        check(n.call("DELETE", "/api/1/blockchains/eth/modules/nope/data")[0] == 400)
        check(n.call("GET", "/api/1/queried_addresses")[:2] == (200, {}))
        st, res, _ = n.call("PUT", "/api/1/queried_addresses", {"module": "uniswap", "address": ADDR.lower()})
        check((st, res) == (200, {"uniswap": [ADDR]}), (st, res))
        check(n.call("PUT", "/api/1/queried_addresses", {"module": "uniswap", "address": ADDR})[0] == 409)
        check(n.call("PUT", "/api/1/queried_addresses", {"module": "aave", "address": ADDR})[0] == 400)
        check(n.call("DELETE", "/api/1/queried_addresses", {"module": "uniswap", "address": ADDR})[:2] == (200, {}))
        check(n.call("DELETE", "/api/1/queried_addresses", {"module": "uniswap", "address": ADDR})[0] == 409)
        check(n.call("GET", "/api/1/protocols/data/refresh")[:2] == (200, []))
        check(n.call("GET", "/api/1/oracles/coingecko/cache")[:2] == (200, []))
        check(n.call("GET", "/api/1/exchanges/binance/pairs/b1?location=binance")[:2] == (200, []))
        check(n.call("GET", "/api/1/exchanges/binance/pairs/b1?location=binanceus")[0] == 400)
        # the history screen's side calls
        check(n.call("GET", "/api/1/history/skipped_external_events")[1] == {"locations": {}, "total": 0})
        st, cps, _ = n.call("GET", "/api/1/history/events/counterparties")
        check(st == 200 and {"identifier": "gas", "label": "gas", "icon": "lu-flame"} in cps and
              {c["identifier"] for c in cps} == {"gas", "kraken", "binance"}, cps)
        check(n.call("GET", "/api/1/history/events/match/asset_movements")[:2] == (200, []))
        mv = {"entry_type": "asset movement event", "timestamp": 1700000000000, "location": "kraken", "asset": "BTC",
              "amount": "1", "event_subtype": "receive", "fee": "0.1", "fee_asset": "BTC"}
        st, _, msg = n.call("PUT", "/api/1/history/events", mv)
        check(st == 200, (st, msg))
        st, res, _ = n.call("GET", "/api/1/history/events/match/asset_movements")
        check(st == 200 and len(res) == 1 and re.fullmatch("[0-9a-f]{64}", res[0]), res)  # one group, its fee row not apart
        check(n.call("GET", "/api/1/history/events/match/asset_movements?only_ignored=true")[1] == [])
        check(n.call("GET", "/api/1/history/events/match/bridges")[:2] == (200, []))
        check(n.call("PUT", "/api/1/history/events/match/asset_movements", {})[0] == 403)  # matching itself is premium
        check(n.call("GET", "/api/1/history/events/duplicates/customized")[1] ==
              {"auto_fix_group_ids": [], "manual_review_group_ids": [], "ignored_group_ids": []})
        res = n.call("GET", "/api/1/blockchains/transactions/internal/conflicts")[1]
        check(res == {"entries": [], "entries_found": 0, "entries_total": 0, "entries_limit": -1}, res)


@test
def user_notes():
    with Node() as n:
        check(n.call("POST", "/api/1/notes", {})[0] == 401)
        create(n)
        empty = {"entries": [], "entries_found": 0, "entries_total": 0, "entries_limit": -1}
        check(n.call("POST", "/api/1/notes", {})[1] == empty)
        st, a, msg = n.call("PUT", "/api/1/notes", {"title": "#1", "content": "Hello", "location": "manual balances", "is_pinned": True})
        check(st == 200 and isinstance(a, int), (st, a, msg))
        st, b, _ = n.call("PUT", "/api/1/notes", {"title": "other", "content": "Hi", "location": "", "is_pinned": False})
        check(st == 200 and b > a, (st, a, b))
        check(n.call("PUT", "/api/1/notes", {"title": "", "content": "x", "location": "", "is_pinned": False})[0] == 400)
        check(n.call("PUT", "/api/1/notes", {"title": "t", "content": "x", "location": ""})[0] == 400)
        st, res, _ = n.call("POST", "/api/1/notes", {"title_substring": "#", "limit": 10, "offset": 0})
        check(st == 200 and res["entries_found"] == 1 and res["entries_total"] == 2 and res["entries_limit"] == -1, res)
        e = res["entries"][0]
        keys(e, ["identifier", "title", "content", "location", "last_update_timestamp", "is_pinned"], "note")
        check((e["identifier"], e["title"], e["content"], e["location"], e["is_pinned"]) == (a, "#1", "Hello", "manual balances", True), e)
        check(abs(e["last_update_timestamp"] - time.time()) < 60, e)
        check(len(n.call("POST", "/api/1/notes", {"location": "manual balances"})[1]["entries"]) == 1)
        check(n.call("PATCH", "/api/1/notes", dict(e, title="#1 edited", is_pinned=False))[:2] == (200, True))
        check(n.call("POST", "/api/1/notes", {"title_substring": "edited"})[1]["entries"][0]["is_pinned"] is False)
        check(n.call("PATCH", "/api/1/notes", dict(e, identifier=999))[0] == 409)
        check(n.call("DELETE", "/api/1/notes", {"identifier": a})[:2] == (200, True))
        st, _, msg = n.call("DELETE", "/api/1/notes", {"identifier": a})
        check((st, msg) == (409, f"User note with identifier {a} not found in database"), (st, msg))
        check(n.call("POST", "/api/1/notes", {})[1]["entries_total"] == 1)


@test
def database_info():
    with Node() as n:
        st, res, _ = n.call("GET", "/api/1/database/info")
        check((st, res) == (200, {"globaldb": {"globaldb_assets_version": 0, "globaldb_schema_version": 0}, "userdb": {}}), res)
        create(n)
        d = os.path.join(n.data_dir, "users", "alice")
        with open(os.path.join(d, "1700000000_rotkehlchen_db_v52.backup"), "wb") as f:
            f.write(b"x" * 1234)
        with open(os.path.join(d, "notes.txt"), "w") as f:
            f.write("not a backup")
        st, res, _ = n.call("GET", "/api/1/database/info")
        check(st == 200, st)
        keys(res["userdb"], ["info", "backups"], "userdb")
        info = res["userdb"]["info"]
        check(info["filepath"] == os.path.join(d, "rotkehlchen.db") and info["version"] == 53 and
              info["size"] == os.path.getsize(info["filepath"]), info)
        check(res["userdb"]["backups"] == [{"size": 1234, "time": 1700000000, "version": 52}], res)


if __name__ == "__main__":
    main()
