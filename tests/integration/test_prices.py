"""The price layer against a CoinGecko-shaped server started here on 127.0.0.1 (it answers
/api/v3/simple/price and counts requests): rotki's manual latest prices (set, list, delete,
persistence across logins, the stored row), oracle prices and fiat rates in one request, the
cache and its TTL, two queries sharing one request, and an oracle that is down, answers
garbage, fails or rate-limits: values "0" and a warning, never a failed query."""
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import PIPIT, RUN, Node, check, main, test, user_db_rows

LATEST = "/api/1/assets/prices/latest"
USDC = "eip155:1/erc20:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
SHIB = "eip155:1/erc20:0x95aD61b0a150d79219dCF64E1E6Cc01f0B64C4cE"
# the answer CoinGecko would give (numbers as JSON numbers, SHIB's with an exponent)
PRICES = {"bitcoin": {"usd": 60000, "eur": 50000}, "ethereum": {"usd": 3000.5, "eur": 2500.4},
          "usd-coin": {"usd": 1.0001}, "shiba-inu": {"usd": 1.234e-05}}


class Gecko:
    """The oracle: mode "ok", "garbage", "500" or "429" (with Retry-After); delay seconds."""

    def __init__(self):
        self.mode, self.delay, self.retry_after = "ok", 0.0, 2
        self.requests = []  # (ids, vs_currencies) per request
        self.lock = threading.Lock()
        gecko = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                u = urllib.parse.urlparse(self.path)
                q = urllib.parse.parse_qs(u.query)
                ids = q.get("ids", [""])[0].split(",")
                vs = q.get("vs_currencies", [""])[0].split(",")
                with gecko.lock:
                    gecko.requests.append((ids, vs))
                if gecko.delay:
                    time.sleep(gecko.delay)
                headers = {}
                if u.path != "/api/v3/simple/price":
                    status, body = 404, b'{"error": "not found"}'
                elif gecko.mode == "garbage":
                    status, body = 200, b"<html>surprise</html>"
                elif gecko.mode == "500":
                    status, body = 500, b'{"error": "boom"}'
                elif gecko.mode == "429":
                    status, body = 429, b'{"status": {"error_code": 429}}'
                    headers["Retry-After"] = str(gecko.retry_after)
                else:
                    ans = {i: {v: PRICES[i][v] for v in vs if v in PRICES[i]} for i in ids if i in PRICES}
                    status, body = 200, json.dumps(ans).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self):
        with self.lock:
            return len(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def node(url, *args):
    return Node(*args, env={"PIPIT_COINGECKO_API_URL": url})


def login(n, name="alice", password="s3cret"):
    st, _, msg = n.call("PUT", "/api/1/users", {"name": name, "password": password}, timeout=60)
    check(st == 200, (st, msg))


def relogin(n, name="alice", password="s3cret"):
    st, _, msg = n.call("PATCH", f"/api/1/users/{name}", {"action": "logout"})
    check(st == 200, (st, msg))
    st, _, msg = n.call("POST", f"/api/1/users/{name}", {"password": password}, timeout=60)
    check(st == 200, (st, msg))


def latest(n, assets, target="USD", **kw):
    st, res, msg = n.call("POST", LATEST, dict(assets=assets, target_asset=target, **kw), timeout=30)
    check(st == 200, (st, res, msg))
    check(res["target_asset"] == target and res["oracles"]["coingecko"] == 1 and res["oracles"]["manualcurrent"] == 5
          and res["oracles"]["fiat"] == 7 and res["oracles"]["blockchain"] == 6, res)
    return res["assets"]


def warnings(n):
    st, js, _ = n.get("/api/1/messages")
    check(st == 200, (st, js))
    return js["result"]["warnings"]


def manual(n, body=None):
    st, res, msg = n.call("POST", LATEST + "/all", body or {})
    check(st == 200, (st, res, msg))
    return sorted((e["from_asset"], e["to_asset"], e["price"]) for e in res)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@test
def manual_prices_set_list_delete_and_persist():
    with Gecko() as g, node(g.url) as n:
        st, _, msg = n.call("PUT", LATEST, {"from_asset": "BTC", "to_asset": "USD", "price": "50000"})
        check(st == 401, (st, msg))
        login(n)
        check(manual(n) == [], "no manual prices yet")
        for body in ({"from_asset": "BTC", "to_asset": "USD", "price": "50000.10"},
                     {"from_asset": "FOO", "to_asset": "EUR", "price": 2},
                     {"from_asset": "BAR", "to_asset": "FOO", "price": "1e-3"}):
            st, res, msg = n.call("PUT", LATEST, body)
            check(st == 200 and res is True, (body, st, res, msg))
        want = [("BAR", "FOO", "0.001"), ("BTC", "USD", "50000.1"), ("FOO", "EUR", "2")]
        check(manual(n) == want, manual(n))
        check(manual(n, {"to_asset": "EUR"}) == [("FOO", "EUR", "2")], "to_asset filter")
        check(manual(n, {"from_asset": "BTC"}) == [("BTC", "USD", "50000.1")], "from_asset filter")
        # a new price replaces the old one
        st, _, _ = n.call("PUT", LATEST, {"from_asset": "BTC", "to_asset": "USD", "price": "51000"})
        want = [("BAR", "FOO", "0.001"), ("BTC", "USD", "51000"), ("FOO", "EUR", "2")]
        check(st == 200 and manual(n) == want, manual(n))
        # bad input: 400 naming the field, nothing written
        for body, field in (({"to_asset": "USD", "price": "1"}, "from_asset"),
                            ({"from_asset": "ETH", "price": "1"}, "to_asset"),
                            ({"from_asset": "ETH", "to_asset": "USD"}, "price"),
                            ({"from_asset": "ETH", "to_asset": "USD", "price": "-1"}, "price"),
                            ({"from_asset": "ETH", "to_asset": "USD", "price": "abc"}, "price"),
                            ({"from_asset": "ETH", "to_asset": "USD", "price": "1" * 48}, "price"),
                            ({"from_asset": "ETH", "to_asset": "ETH", "price": "1"}, "from_asset"),
                            ({"from_asset": 5, "to_asset": "USD", "price": "1"}, "from_asset"),
                            ({"from_asset": "", "to_asset": "USD", "price": "1"}, "from_asset"),
                            ({"from_asset": "X" * 200, "to_asset": "USD", "price": "1"}, "from_asset"),
                            ({"from_asset": "ETH", "to_asset": "USD", "price": "1", "extra": 1}, "extra")):
            st, res, msg = n.call("PUT", LATEST, body)
            check(st == 400 and res is None and field in msg, (body, st, msg))
        st, _, msg = n.call("DELETE", LATEST, {})
        check(st == 400 and "asset" in msg, (st, msg))
        check(manual(n) == want, ("nothing changed", manual(n)))
        # the stored rows: rotki's key_value_cache, pipit_price:<asset> → {to_asset, price, updated}
        rows = dict(user_db_rows(n, "SELECT name, value FROM key_value_cache WHERE name LIKE 'pipit_price:%';"))
        check(set(rows) == {"pipit_price:BAR", "pipit_price:BTC", "pipit_price:FOO"}, rows)
        v = json.loads(rows["pipit_price:FOO"])
        check(v["to_asset"] == "EUR" and v["price"] == "2" and isinstance(v["updated"], int)
              and abs(v["updated"] - time.time()) < 120, v)
        # across logout and login
        relogin(n)
        check(manual(n) == want, manual(n))
        st, res, msg = n.call("DELETE", LATEST, {"asset": "BTC"})
        check(st == 200 and res is True, (st, res, msg))
        st, res, msg = n.call("DELETE", LATEST, {"asset": "BTC"})
        check(st == 409 and "BTC" in msg, (st, msg))
        check(manual(n) == [("BAR", "FOO", "0.001"), ("FOO", "EUR", "2")], manual(n))
        relogin(n)
        check(manual(n) == [("BAR", "FOO", "0.001"), ("FOO", "EUR", "2")], manual(n))


@test
def oracle_prices_fiat_rates_and_manual_ones_in_one_request():
    with Gecko() as g, node(g.url) as n:
        login(n)
        warnings(n)  # drop anything from the login
        res = latest(n, ["BTC", "ETH", USDC, SHIB, "EUR", "USD", "UNKNOWN1"])
        check(res == {"BTC": ["60000", 1], "ETH": ["3000.5", 1], USDC: ["1.0001", 1], SHIB: ["0.00001234", 1],
                      "EUR": ["1.2", 7], "USD": ["1", 5], "UNKNOWN1": ["0", 6]}, res)
        check(g.count() == 1, g.requests)
        ids, vs = g.requests[0]
        check(sorted(ids) == ["bitcoin", "ethereum", "shiba-inu", "usd-coin"] and sorted(vs) == ["eur", "usd"], g.requests)
        w = warnings(n)
        check(len(w) == 1 and "UNKNOWN1" in w[0] and "BTC" not in w[0], w)
        # in another target: divided by the target's USD price
        res = latest(n, ["BTC", "EUR", "USD"], target="EUR")
        check(res["BTC"] == ["50000", 1] and res["EUR"] == ["1", 5], res)
        check(res["USD"][0].startswith("0.83333333333") and len(res["USD"][0]) == 80 and res["USD"][1] == 7, res)
        check(g.count() == 1, ("all from the cache", g.requests))
        # manual prices win, in USD or converted from another asset's USD price
        for body in ({"from_asset": "BTC", "to_asset": "USD", "price": "50000"},
                     {"from_asset": "FOO", "to_asset": "EUR", "price": "2"},
                     {"from_asset": "BAR", "to_asset": "FOO", "price": "0.5"},
                     {"from_asset": "BAZ", "to_asset": "NOPRICE", "price": "3"}):
            check(n.call("PUT", LATEST, body)[0] == 200, body)
        res = latest(n, ["BTC", "FOO", "BAR", "BAZ"])
        check(res == {"BTC": ["50000", 5], "FOO": ["2.4", 5], "BAR": ["1.2", 5], "BAZ": ["0", 6]}, res)
        w = warnings(n)
        check(len(w) == 1 and "BAZ" in w[0] and "FOO" not in w[0], w)
        # the same query with async_query, through the task manager
        st, res, msg = n.call("POST", LATEST, {"assets": "BTC,ETH", "target_asset": "USD", "async_query": True})
        check(st == 200 and "task_id" in res, (st, res, msg))
        task = res["task_id"]
        for _ in range(200):
            st, res, _ = n.call("GET", f"/api/1/tasks/{task}")
            if res["status"] == "completed":
                break
            time.sleep(0.05)
        check(res["status"] == "completed" and res["outcome"]["result"]["assets"] == {"BTC": ["50000", 5], "ETH": ["3000.5", 1]},
              res)
        # bad queries: 400, and no request
        before = g.count()
        for body, field in (({"target_asset": "USD"}, "assets"), ({"assets": [], "target_asset": "USD"}, "assets"),
                            ({"assets": ["BTC", 3], "target_asset": "USD"}, "assets"), ({"assets": ["BTC"]}, "target_asset"),
                            ({"assets": ["BTC"], "target_asset": "USD", "ignore_cache": "maybe"}, "ignore_cache"),
                            ({"assets": {"BTC": 1}, "target_asset": "USD"}, "assets"),
                            ({"assets": ["BTC"], "target_asset": "USD", "extra": 1}, "extra")):
            st, res, msg = n.call("POST", LATEST, body)
            check(st == 400 and field in msg, (body, st, msg))
        check(g.count() == before, g.requests)


@test
def cache_ttl_ignore_cache_and_shared_requests():
    with Gecko() as g, node(g.url, "--price-ttl", "2") as n:
        login(n)
        latest(n, ["BTC", "ETH"])
        latest(n, ["ETH", "BTC"])
        check(g.count() == 1, ("cached", g.requests))
        latest(n, ["ETH"], ignore_cache=True)
        check(g.count() == 2 and g.requests[1][0] == ["ethereum"], ("ignore_cache asks again", g.requests))
        time.sleep(2.2)
        res = latest(n, ["BTC", "ETH"])
        check(g.count() == 3 and res["BTC"] == ["60000", 1], ("expired", g.requests))
        # two queries at once, while the oracle is slow: one request between them
        g.delay = 1.0
        out = {}

        def ask(k, assets):
            out[k] = latest(n, assets, ignore_cache=True)

        ts = [threading.Thread(target=ask, args=(0, ["BTC", "ETH", SHIB])),
              threading.Thread(target=ask, args=(1, [SHIB, "BTC"]))]
        ts[0].start()
        time.sleep(0.3)
        ts[1].start()
        for t in ts:
            t.join()
        check(g.count() == 4, ("shared", g.requests))
        check(out[0][SHIB] == ["0.00001234", 1] and out[1] == {SHIB: ["0.00001234", 1], "BTC": ["60000", 1]}, out)


@test
def an_oracle_that_fails_gives_zero_values_and_a_warning():
    dead = f"http://127.0.0.1:{free_port()}"
    with node(dead) as n:
        login(n)
        warnings(n)
        res = latest(n, ["BTC", "ETH"])
        check(res == {"BTC": ["0", 6], "ETH": ["0", 6]}, res)
        w = warnings(n)
        check(len(w) == 1 and "BTC" in w[0] and "ETH" in w[0] and "price oracle" in w[0], w)
        # a manual price still counts
        check(n.call("PUT", LATEST, {"from_asset": "ETH", "to_asset": "USD", "price": "2000"})[0] == 200)
        check(latest(n, ["BTC", "ETH"]) == {"BTC": ["0", 6], "ETH": ["2000", 5]})
    with Gecko() as g, node(g.url) as n:
        login(n)
        for mode in ("garbage", "500"):
            g.mode = mode
            warnings(n)
            res = latest(n, ["BTC", "USD"], ignore_cache=True)
            check(res == {"BTC": ["0", 6], "USD": ["1", 5]}, (mode, res))
            w = warnings(n)
            check(len(w) == 1 and "BTC" in w[0], (mode, w))
        # 429: no request until Retry-After has passed, then prices again
        g.mode, g.retry_after = "429", 2
        before = g.count()
        check(latest(n, ["BTC"], ignore_cache=True) == {"BTC": ["0", 6]})
        check(g.count() == before + 1, g.requests)
        g.mode = "ok"
        res = latest(n, ["BTC"], ignore_cache=True)
        check(res == {"BTC": ["0", 6]} and g.count() == before + 1, ("backing off", res, g.requests))
        w = warnings(n)
        check(w and "rate limited" in w[-1], w)
        time.sleep(2.2)
        check(latest(n, ["BTC"], ignore_cache=True) == {"BTC": ["60000", 1]} and g.count() == before + 2, g.requests)
    # while the oracle is slow the node serves: a ping is answered at once
    with Gecko() as g, node(g.url) as n:
        login(n)
        g.delay = 0.5
        t0 = time.time()
        th = threading.Thread(target=latest, args=(n, ["BTC"]))
        th.start()
        time.sleep(0.1)
        check(n.get("/api/1/ping")[0] == 200 and time.time() - t0 < 0.4, "the loop is not blocked")
        th.join()


@test
def a_bad_coingecko_url_stops_the_node():
    with tempfile.TemporaryDirectory(prefix="pipit-it-") as d:
        for bad in ("ftp://example.org", "http://", "https://api.coingecko.com?x=1", "coingecko.com"):
            p = subprocess.run(RUN + [PIPIT, "--rest-api-port", "0", "--data-dir", d],
                               env=dict(os.environ, PIPIT_COINGECKO_API_URL=bad), capture_output=True, text=True, timeout=30)
            check(p.returncode == 1 and "PIPIT_COINGECKO_API_URL" in p.stderr, (bad, p.returncode, p.stderr))


if __name__ == "__main__":
    main()
