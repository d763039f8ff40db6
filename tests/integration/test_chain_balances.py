"""EVM balances against a real Ethereum JSON-RPC node (ganache, started here on 127.0.0.1 with
our own ERC-20 and Multicall3-ABI contracts): exact balances of 100 funded addresses × 20
tokens, the batched fallback without multicall, failover from a dead node, a garbage-answering
node, an HTTPS node behind nginx with our own CA (and refused certificates), invalid input."""
import os
import subprocess
import tempfile
import time

import chainpeers
from harness import SLOW, Node, check, main, sqlcipher_shell, test, ws_messages_during

chainpeers.install()
_chain = None


def chain():
    """One 100 × 20 fixture shared by the tests that only read it."""
    global _chain
    if _chain is None:
        _chain = chainpeers.start_chain(accounts=100, tokens=20, multicall=True)
    return _chain


def login(n, name="alice", password="s3cret"):
    st, res, msg = n.call("PUT", "/api/1/users", {"name": name, "password": password}, timeout=60)
    check(st == 200, (st, msg))


def setup_user(n, info, nodes, accounts=None):
    """Nodes (list of (name, url, owned, weight)), the fixture's tokens and accounts."""
    for name, url, owned, weight in nodes:
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes",
                            {"name": name, "endpoint": url, "owned": owned, "weight": weight, "active": True})
        check(st == 200, ("add node", name, st, msg))
    toks = [{"address": t["address"], "chain_id": info["chain_id"], "symbol": t["symbol"], "name": t["name"],
             "decimals": t["decimals"]} for t in info["tokens"]]
    if toks:
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/tokens", {"tokens": toks})
        check(st == 200, ("add tokens", st, msg))
    accs = info["accounts"] if accounts is None else accounts
    st, res, msg = n.call("PUT", "/api/1/blockchains/eth/accounts",
                          {"accounts": [{"address": a.lower()} for a in accs]}, timeout=60)
    check(st == 200 and sorted(res) == sorted(accs), ("add accounts", st, msg))


def token_id(info, addr):
    return f"eip155:{info['chain_id']}/erc20:{addr}"


def compare(info, result, accounts=None):
    """pipit's per-account balances against the node's, exactly (absent = zero)."""
    per = result["per_account"].get("eth", {})
    for acc in accounts or info["accounts"]:
        want = {("ETH" if k == "ETH" else token_id(info, k)): v for k, v in info["balances"][acc].items() if v != "0"}
        got = {k: v["address"]["amount"] for k, v in per.get(acc, {"assets": {}})["assets"].items()}
        check(got == want, (acc, "pipit", got, "node", want))


def query(n, body=None, timeout=120):
    st, res, msg = n.call("POST", "/api/1/balances/blockchains/eth", body or {}, timeout=timeout)
    return st, res, msg


@test
def balances_of_100_accounts_and_20_tokens_equal_the_node():
    c = chain()
    info = c.info
    proxy = chainpeers.start_proxy(c.url, delay_ms=0, cps=1000000)  # counts round trips only
    try:
        with Node() as n:
            login(n)
            setup_user(n, info, [("ganache", proxy.url, True, "100")])
            proxy.reset()

            (st, res, msg), msgs = ws_messages_during(n, lambda: query(n))
            check(st == 200, (st, msg))
            compare(info, res)
            stats = proxy.stats()
            check(stats["round_trips"] <= 3, ("round trips", stats))
            prog = [m["data"] for m in msgs if m["type"] == "progress_updates" and m["data"]["subtype"] == "evm_balances_query"]
            check(prog and prog[-1]["processed"] == prog[-1]["total"] == 100 * 21, prog[-3:])
            # totals: the exact sum over accounts
            eth_total = res["totals"]["assets"]["ETH"]["address"]["amount"]
            from decimal import Decimal, getcontext
            getcontext().prec = 120
            want = sum(Decimal(info["balances"][a]["ETH"]) for a in info["accounts"])
            check(Decimal(eth_total) == want, (eth_total, want))
            # the cached answer (GET) is the same, without asking the node
            proxy.reset()
            st, again, _ = n.call("GET", "/api/1/balances/blockchains/eth")
            check(st == 200 and again == res and proxy.stats()["round_trips"] == 0, proxy.stats())
            # async_query: the task's outcome carries the same result
            st, task, _ = n.call("POST", "/api/1/balances/blockchains/eth", {"async_query": True})
            check(st == 200 and "task_id" in task, task)
            out = None
            for _ in range(600):
                st, out, _ = n.call("GET", f"/api/1/tasks/{task['task_id']}")
                if out and out.get("status") == "completed":
                    break
                time.sleep(0.1)
            check(out["status"] == "completed" and out["status_code"] == 200, out)
            compare(info, out["outcome"]["result"])
            # one account only
            one = info["accounts"][7]
            st, res1, msg = query(n, {"addresses": [one]})
            check(st == 200 and list(res1["per_account"]["eth"]) == [one], (st, msg))
            # aggregated /balances has the same totals
            st, agg, msg = n.call("GET", "/api/1/balances", timeout=60)
            check(st == 200 and Decimal(agg["assets"]["ETH"]["amount"]) == want, (st, msg))
            # a snapshot was stored (rotki's tables), readable by the stock sqlcipher shell
            db = os.path.join(n.data_dir, "users/alice/rotkehlchen.db")
            p = subprocess.run([sqlcipher_shell(), db], input="PRAGMA key='s3cret';\n"
                               "SELECT currency, amount FROM timed_balances WHERE currency='ETH';\n"
                               "SELECT location FROM timed_location_data ORDER BY location;\n",
                               capture_output=True, text=True, timeout=60)
            rows = [line for line in p.stdout.splitlines() if line and line != "ok"]
            check(any(r.startswith("ETH|") and Decimal(r.split("|")[1]) == want for r in rows), rows)
            check("H" in rows and "J" in rows, rows)
    finally:
        proxy.stop()


@test
def without_multicall_batched_calls_give_the_same_balances():
    c = chainpeers.start_chain(accounts=12, tokens=3, multicall=False)
    try:
        with Node() as n:
            login(n)
            setup_user(n, c.info, [("ganache", c.url, True, "100")])
            st, res, msg = query(n)
            check(st == 200, (st, msg))
            compare(c.info, res)
    finally:
        c.stop()


@test
def an_added_account_is_not_hidden_by_the_cached_answer():
    c = chain()
    accs = c.info["accounts"][:2]
    with Node() as n:
        login(n)
        setup_user(n, c.info, [("ganache", c.url, True, "100")], accounts=accs)
        st, res, msg = n.call("GET", "/api/1/balances/blockchains/eth", timeout=60)
        check(st == 200 and sorted(res["per_account"]["eth"]) == sorted(accs), (st, msg))
        new = c.info["accounts"][2]
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/accounts", {"accounts": [{"address": new.lower()}]}, timeout=60)
        check(st == 200, msg)
        # the cache is minutes fresh, but no longer complete: GET asks the node again
        st, res, msg = n.call("GET", "/api/1/balances/blockchains/eth", timeout=60)
        check(st == 200 and new in res["per_account"]["eth"], (st, msg, list(res["per_account"]["eth"]) if res else None))
        compare(c.info, res, accs + [new])


@test
def a_dead_first_node_fails_over_to_the_second():
    c = chain()
    accs = c.info["accounts"][:5]
    with Node() as n:
        login(n)
        setup_user(n, c.info, [("deadnode", chainpeers.dead_url(), True, "100"), ("ganache", c.url, False, "50")],
                   accounts=accs)
        st, res, msg = query(n)
        check(st == 200, (st, msg))
        compare(c.info, res, accs)
        check(any("deadnode" in line and "failed" in line for line in n.log), "the dead node's failure is logged")


@test
def a_node_answering_garbage_is_a_clear_error_then_failed_over():
    c = chain()
    accs = c.info["accounts"][:3]
    for kind in ("text", "truncated", "wrong_ids"):
        g = chainpeers.start_garbage_rpc(kind)
        try:
            with Node() as n:
                login(n)
                setup_user(n, c.info, [("junk", g.url, True, "100")], accounts=accs)
                st, res, msg = query(n)
                check(st == 502 and "junk" in msg and "all 1 RPC node(s) failed" in msg, (kind, st, msg))
                check(n.alive())
                st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes",
                                    {"name": "ganache", "endpoint": c.url, "owned": False, "weight": "10", "active": True})
                check(st == 200, msg)
                st, res, msg = query(n)
                check(st == 200, (kind, st, msg))
                compare(c.info, res, accs)
        finally:
            g.stop()


@test
def https_node_works_with_our_ca_and_bad_certificates_are_refused():
    c = chain()
    accs = c.info["accounts"][:3]
    d = tempfile.mkdtemp(prefix="pipit-ca-")
    ca = chainpeers.make_ca(d)
    good = chainpeers.start_tls_front(ca.localhost_cert, ca.localhost_key, c.url)
    wrong_name = chainpeers.start_tls_front(ca.other_cert, ca.other_key, c.url)
    unknown_ca = chainpeers.start_tls_front(ca.selfsigned_cert, ca.selfsigned_key, c.url)
    try:
        with Node(env={"PIPIT_CA_FILE": ca.ca_cert}) as n:
            login(n)
            setup_user(n, c.info, [("tls", good.url, True, "100")], accounts=accs)
            st, res, msg = query(n)
            check(st == 200, (st, msg))
            compare(c.info, res, accs)
            for name, front in (("wrongname", wrong_name), ("unknownca", unknown_ca)):
                st, nodes, _ = n.call("GET", "/api/1/blockchains/eth/nodes")
                for node in nodes:
                    n.call("DELETE", "/api/1/blockchains/eth/nodes", {"identifier": node["identifier"]})
                st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes",
                                    {"name": name, "endpoint": front.url, "owned": True, "weight": "100", "active": True})
                check(st == 200, msg)
                st, res, msg = query(n)
                check(st == 502 and name in msg, (name, st, msg))
        # without our CA even the right name is refused
        with Node() as n:
            login(n)
            setup_user(n, c.info, [("tls", good.url, True, "100")], accounts=accs)
            st, res, msg = query(n)
            check(st == 502 and "tls" in msg, (st, msg))
    finally:
        for f in (good, wrong_name, unknown_ca):
            f.stop()


class RateLimitedFront:
    """Forwards JSON-RPC to ganache, but answers the first `limited` requests 429 with
    Retry-After: 1, as public nodes do."""

    def __init__(self, upstream, limited=1):
        import http.server
        import threading
        import urllib.request
        front = self
        self.hits = []

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                front.hits.append(time.time())
                if len(front.hits) <= limited:
                    out, code, extra = b'{"error": "rate limited"}', 429, [("Retry-After", "1")]
                else:
                    req = urllib.request.Request(upstream, data=body, headers={"Content-Type": "application/json"})
                    out, code, extra = urllib.request.urlopen(req, timeout=60).read(), 200, []
                self.send_response(code)
                for k, v in extra + [("Content-Type", "application/json"), ("Content-Length", str(len(out)))]:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}/"

    def stop(self):
        self.srv.shutdown()


@test
def a_429_is_waited_out_on_a_timer_and_calls_are_paced():
    from harness import percentile, ping_latencies
    c = chain()
    accs = c.info["accounts"][:4]
    front = RateLimitedFront(c.url, limited=1)
    try:
        with Node() as n:
            login(n)
            setup_user(n, c.info, [("limited", front.url, True, "100")], accounts=accs)
            import threading
            stop = threading.Event()
            lat = []
            pinger = threading.Thread(target=lambda: lat.extend(ping_latencies(n.port, stop=stop)))
            pinger.start()
            t0 = time.time()
            st, res, msg = query(n)
            took = time.time() - t0
            stop.set()
            pinger.join()
            check(st == 200, (st, msg))
            compare(c.info, res, accs)
            check(took >= 0.9, took)
            check(front.hits[1] - front.hits[0] >= 0.9, front.hits[:3])  # waited out Retry-After
            check(any("limited" in line and "429" in line for line in n.log), "the 429 is logged with the node's name")
            check(len(lat) > 50 and percentile(lat, 99) < 20 * SLOW, (len(lat), percentile(lat, 99) if lat else None))
    finally:
        front.stop()
    # --rpc-rate-limit 1: the probe (3 calls) then the reads (one aggregate3 call) may start
    # only once the calls before them are paid for beyond the first second's burst: ≈ 1 s + 1 s
    proxy = chainpeers.start_proxy(c.url, delay_ms=0, cps=1000000)
    try:
        with Node("--rpc-rate-limit", "1") as n:
            login(n)
            setup_user(n, c.info, [("paced", proxy.url, True, "100")], accounts=accs)
            t0 = time.time()
            st, res, msg = query(n, timeout=60)
            took = time.time() - t0
            check(st == 200, (st, msg))
            compare(c.info, res, accs)
            check(1.8 <= took <= 15, took)
    finally:
        proxy.stop()


@test
def an_invalid_address_is_a_400_and_changes_nothing():
    with Node() as n:
        login(n)
        for bad in ("0x123", "0xZZ1bde05977b3631167028862bE2a173976CA11", "cA11bde05977b3631167028862bE2a173976CA11",
                    "0xcA11bde05977b3631167028862bE2a173976ca11"):  # the last: wrong EIP-55 checksum
            st, _, msg = n.call("POST", "/api/1/balances/blockchains/eth", {"addresses": [bad]})
            check(st == 400 and "not an ethereum address" in msg, (bad, st, msg))
            st, _, msg = n.call("PUT", "/api/1/blockchains/eth/accounts", {"accounts": [{"address": bad}]})
            check(st == 400, (bad, st, msg))
        st, accs, _ = n.call("GET", "/api/1/blockchains/eth/accounts")
        check(st == 200 and accs == [], accs)
        st, _, msg = n.call("POST", "/api/1/balances/blockchains/btc", {})
        check(st == 400, (st, msg))
        # no node configured: a clear 502, not a hang
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/accounts",
                            {"accounts": [{"address": "0xcA11bde05977b3631167028862bE2a173976CA11"}]})
        check(st == 200, msg)
        st, _, msg = query(n)
        check(st == 502 and "no RPC node" in msg, (st, msg))


if __name__ == "__main__":
    try:
        main()
    finally:
        if _chain:
            _chain.stop()
