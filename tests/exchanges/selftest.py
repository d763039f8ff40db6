#!/usr/bin/env python3
"""selftest.py — checks the exchange test servers end to end and prints their figures.

    python3 tests/exchanges/selftest.py

Starts Kraken, Binance and CoinGecko servers through tests/integration/exchangepeers.py (HTTPS,
this run's test CA), runs selftest.js (ccxt as the client: signatures, nonces, timestamps, paging,
rate limits, faults, throughput), then checks the Python wrapper itself (deterministic accounts and
histories, plain HTTP, clean-up when the test process dies). Prints "ok"/"not ok" per check and a
closing "N passed, N failed"; exits 1 on any failure."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import exchangepeers as xp  # noqa: E402

passed = 0
failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok - {name}", flush=True)
    except Exception as e:  # noqa: BLE001 - report any failure
        failed += 1
        print(f"not ok - {name}: {type(e).__name__}: {e}", flush=True)


def timed(fn):
    t = time.monotonic()
    v = fn()
    return v, time.monotonic() - t


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main():
    _, secs = timed(xp.install)
    print(f"figure: install.sh: {secs:.1f} s", flush=True)
    _, secs = timed(xp.ca)
    print(f"figure: test CA and localhost certificate: {secs:.2f} s", flush=True)

    K = {
        "main": xp.make_account("kraken", 11, trades=150, tier="unlimited"),
        "starter": xp.make_account("kraken", 12, trades=3, tier="starter"),
        "pro": xp.make_account("kraken", 13, trades=3, tier="pro"),
        "nonce": xp.make_account("kraken", 14, trades=3, tier="unlimited"),
        "bench": [xp.make_account("kraken", 100 + i, trades=40, tier="unlimited") for i in range(8)],
    }
    B = {
        "main": xp.make_account("binance", 21, trades=400, deposits=30, withdrawals=20),
        "limited": xp.make_account("binance", 22, trades=3, weight_limit=100),
        "bench": [xp.make_account("binance", 200 + i, trades=200, weight_limit=10 ** 9) for i in range(8)],
    }
    flat = lambda d: [v for k, v in d.items() if k != "bench"] + d["bench"]  # noqa: E731
    kr, secs = timed(lambda: xp.start("kraken", flat(K)))
    print(f"figure: kraken server, {len(flat(K))} accounts: ready in {secs:.2f} s", flush=True)
    bn, secs = timed(lambda: xp.start("binance", flat(B)))
    print(f"figure: binance server, {len(flat(B))} accounts: ready in {secs:.2f} s", flush=True)
    cg, secs = timed(lambda: xp.start("coingecko"))
    print(f"figure: coingecko server: ready in {secs:.2f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="pipit-exsel-") as d:
        cfg = os.path.join(d, "config.json")
        with open(cfg, "w") as f:
            json.dump({"ca": kr.ca_file, "kraken": dict(K, url=kr.url), "binance": dict(B, url=bn.url),
                       "coingecko": {"url": cg.url}}, f)
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=kr.ca_file)
        r = subprocess.Popen([xp.NODE, os.path.join(HERE, "selftest.js"), cfg], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        global passed, failed
        for line in r.stdout:
            line = line.rstrip("\n")
            if line.startswith("ok - ") or line.startswith("not ok - ") or line.startswith("  "):
                print(line, flush=True)
            elif line.startswith("bench: "):
                print("figure: " + line[len("bench: "):], flush=True)
            elif " passed, " in line:
                p, f = line.split(" passed, ")
                passed += int(p)
                failed += int(f.split()[0])
            else:
                print("selftest.js: " + line, flush=True)
        r.wait(600)
    if r.returncode != 0 and failed == 0:
        failed += 1
        print(f"not ok - selftest.js exited {r.returncode}")
    for peer in (kr, bn):
        if peer.log:
            print(f"{peer.exchange} server stderr:\n" + "".join(peer.log))

    def wrapper_basics():
        st = kr.stats()
        assert st["exchange"] == "kraken" and st["requests"]["POST /0/private/Ledgers"] > 0, st["requests"]
        assert kr.fault("rate_limit", n=1)["ok"]
        kr.reset()
        st = kr.stats()
        assert st["requests"] == {} and st["rejected"] == {} and st["nonces"] == {}, st
        exp = kr.expected(K["main"]["key"])
        assert len(exp["trades"]) == 150, len(exp["trades"])
        assert sum(1 for e in exp["ledger"] if e["type"] == "trade") == 300
        exp = bn.expected(B["main"]["key"])
        assert len(exp["trades"]) == 400 and len(exp["deposits"]) >= 30 and len(exp["withdrawals"]) == 20
        assert cg.expected()["prices"]["bitcoin"]["usd"] > 0
    check("exchangepeers: stats, fault, reset and expected through the wrapper", wrapper_basics)

    def accounts_deterministic():
        a, b = xp.make_account("kraken", 5), xp.make_account("kraken", 5)
        assert a == b and a["key"] != xp.make_account("kraken", 6)["key"]
        assert len(a["key"]) == 56 and len(__import__("base64").b64decode(a["secret"])) == 64
        c = xp.make_account("binance", 5)
        assert len(c["key"]) == 64 and c["key"].isalnum() and len(c["secret"]) == 64 and c["secret"].isalnum()
        # the same account gives the same history in another server process; another seed another
        with xp.start("kraken", [a, xp.make_account("kraken", 6)], trades=60, tls=False) as p:
            assert p.url.startswith("http://127.0.0.1:")
            e1, e2 = p.expected(a["key"]), p.expected(xp.make_account("kraken", 6)["key"])
        assert kr.add_accounts([dict(a, trades=60)])["keys"]
        assert kr.expected(a["key"]) == e1
        assert e1["ledger"] != e2["ledger"]
        with xp.start("binance", [c], trades=50) as p:
            b1 = p.expected()
        with xp.start("binance", [c], trades=50) as p:
            assert p.expected() == b1
        settled = xp.make_account("binance", 7, trades=100, deposits=10, withdrawals=8, unsettled=False)
        with xp.start("binance", [settled, dict(settled, key="K" * 64, unsettled=True)]) as p:
            e, u = p.expected(), p.expected("K" * 64)
        assert {d["status"] for d in e["deposits"]} == {1} and {w["status"] for w in e["withdrawals"]} == {6}
        assert {d["status"] for d in u["deposits"]} == {0, 1} and {w["status"] for w in u["withdrawals"]} == {1, 6}
    check("exchangepeers: seeded keys in each exchange's format; same seed, same history (across processes)",
          accounts_deterministic)

    def latency_and_clock():
        import http.client
        import ssl
        ctx = ssl.create_default_context(cafile=bn.ca_file)

        def server_time():
            port = int(bn.url.rsplit(":", 1)[1])
            conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
            t = time.monotonic()
            conn.request("GET", "/api/v3/time")
            resp = conn.getresponse()
            body = json.loads(resp.read())
            conn.close()
            assert resp.status == 200 and "x-mbx-used-weight-1m" in {k.lower() for k in resp.headers}, resp.status
            return body["serverTime"], time.monotonic() - t
        st, secs = server_time()
        assert abs(st - time.time() * 1000) < 2000 and secs < 0.15, (st, secs)
        bn.fault("latency", ms=300)
        bn.fault("clock_offset", ms=-3_600_000)
        st, secs = server_time()
        assert 0.3 <= secs < 1.0, secs
        assert abs(st - (time.time() * 1000 - 3_600_000)) < 2000, st
        bn.reset()
        st, secs = server_time()
        assert abs(st - time.time() * 1000) < 2000 and secs < 0.15, (st, secs)
        with xp.start("kraken", latency_ms=200, tls=False) as p:
            import urllib.request
            t = time.monotonic()
            out = json.loads(urllib.request.urlopen(p.url + "/0/private/Balance", data=b"nonce=1", timeout=10).read())
            assert out == {"error": ["EAPI:Invalid key"]} and time.monotonic() - t >= 0.2, out
    check("exchangepeers: --latency-ms and the latency / clock_offset faults", latency_and_clock)

    def keep_alive():
        import socket
        for ms, closed in ((300, True), (None, False)):
            with xp.start("coingecko", tls=False, keep_alive_ms=ms) as p:
                host, port = p.url[len("http://"):].split(":")
                s = socket.create_connection((host, int(port)), timeout=5)
                s.sendall(b"GET /api/v3/simple/price?ids=bitcoin&vs_currencies=usd HTTP/1.1\r\nHost: x\r\n\r\n")
                head = s.recv(65536)
                assert head.startswith(b"HTTP/1.1 200") and b"bitcoin" in head, head[:200]
                time.sleep(1.8)  # node closes about 1 s after keepAliveTimeout
                s.settimeout(0.5)
                try:
                    eof = s.recv(1) == b""
                except socket.timeout:
                    eof = False
                s.close()
                assert eof == closed, (ms, eof)
                assert p.stats()["connections"] == 1
    check("exchangepeers: keep_alive_ms closes idle connections (default: kept open)", keep_alive)

    def dies_with_parent():
        code = ("import sys; sys.path.insert(0, %r); import exchangepeers as xp; p = xp.start('kraken', tls=False); "
                "print(p.proc.pid, flush=True); import time; time.sleep(60)") % os.path.dirname(xp.__file__)
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        pid = int(child.stdout.readline())
        assert pid_alive(pid)
        child.send_signal(signal.SIGKILL)  # no atexit: the server must notice its stdin closing
        child.wait()
        t_end = time.monotonic() + 10
        while pid_alive(pid) and time.monotonic() < t_end:
            time.sleep(0.05)
        assert not pid_alive(pid), f"server {pid} outlived its parent"
    check("exchangepeers: a server exits when the test process is killed", dies_with_parent)

    def startup_big():
        accts = [xp.make_account("kraken", 300 + i, trades=2000) for i in range(10)]
        p, secs = timed(lambda: xp.start("kraken", accts))
        print(f"figure: kraken server, 10 accounts x 2000 trades (~{len(p.expected()['ledger'])} ledger entries each): "
              f"ready in {secs:.2f} s", flush=True)
        p.stop()
        accts = [xp.make_account("binance", 300 + i, trades=5000) for i in range(10)]
        p, secs = timed(lambda: xp.start("binance", accts))
        print(f"figure: binance server, 10 accounts x 5000 trades: ready in {secs:.2f} s", flush=True)
        pid = p.proc.pid
        p.stop()
        assert not pid_alive(pid)
    check("exchangepeers: large accounts start, stop() ends the server", startup_big)

    for peer in (kr, bn, cg):
        peer.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
