"""make bench, the exchange part: 10 exchange accounts (5 Kraken, 5 Binance) on the local test
servers (tests/exchanges, HTTPS, every signature checked) with 50 ms of added latency per
request, their balances queried at once by one GET /api/1/exchanges/balances, against the sum
of the times each account takes alone; plus the heap the concurrent query needed."""
import argparse
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "integration"))
import exchangepeers as xp  # noqa: E402
import harness  # noqa: E402

PER_EXCHANGE = 5
LATENCY_MS = 50


def add(n, location, name, acct):
    body = {"name": name, "location": location, "api_key": acct["key"], "api_secret": acct["secret"]}
    if location == "kraken":
        body["kraken_account_type"] = "pro"
    st, _, msg = n.call("PUT", "/api/1/exchanges", body, timeout=60)
    assert st == 200, msg


def timed_balances(n, path="/api/1/exchanges/balances?ignore_cache=true"):
    t0 = time.perf_counter()
    st, res, msg = n.call("GET", path, timeout=120)
    assert st == 200, msg
    return time.perf_counter() - t0, res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipit", default="build/linux/pipit")
    a = ap.parse_args()
    harness.PIPIT = a.pipit
    xp.install()
    kr = [xp.make_account("kraken", 100 + i, trades=20, tier="pro") for i in range(PER_EXCHANGE)]
    bn = [xp.make_account("binance", 200 + i, trades=20) for i in range(PER_EXCHANGE)]
    k = xp.start("kraken", accounts=kr, latency_ms=LATENCY_MS)
    b = xp.start("binance", accounts=bn, latency_ms=LATENCY_MS)
    cg = xp.start("coingecko")
    env = {"PIPIT_CA_FILE": xp.ca().ca_cert, "PIPIT_KRAKEN_API_URL": k.url, "PIPIT_BINANCE_API_URL": b.url,
           "PIPIT_COINGECKO_API_URL": cg.url}
    accounts = [("kraken", f"kraken{i}", x) for i, x in enumerate(kr)] + [("binance", f"binance{i}", x) for i, x in enumerate(bn)]
    try:
        # each account alone: its own user, so the query holds only that account
        singles = []
        with harness.Node(env=env) as n:
            for i, (loc, name, acct) in enumerate(accounts):
                st, _, msg = n.call("PUT", "/api/1/users", {"name": f"solo{i}", "password": "pw"}, timeout=60)
                assert st == 200, msg
                add(n, loc, name, acct)
                timed_balances(n)  # warm: the TLS set-up of the first request, prices
                singles.append(timed_balances(n)[0])
                n.call("PATCH", f"/api/1/users/solo{i}", {"action": "logout"}, timeout=60)
        # all ten at once, on a fresh node so the heap figures are this query's
        with harness.Node(env=env) as n:
            st, _, msg = n.call("PUT", "/api/1/users", {"name": "all", "password": "pw"}, timeout=60)
            assert st == 200, msg
            for loc, name, acct in accounts:
                add(n, loc, name, acct)
            timed_balances(n)
            before = n.info()["allocator"]
            wall, res = timed_balances(n)
            after = n.info()["allocator"]
            assert set(res) == {"kraken", "binance"}, res
        s = k.stats()
        tags = after["tags"]
        out_peak = sum(tags.get(t, {}).get("peak", 0) for t in ("client", "tls", "lws"))
        print(f"exchanges: 10 accounts (5 Kraken, 5 Binance, +{LATENCY_MS} ms per request): at once {wall:.3f} s; "
              f"alone {sum(singles):.3f} s summed (each {min(singles):.3f}-{max(singles):.3f} s); "
              f"{sum(singles) / wall:.1f}x faster at once", flush=True)
        print(f"exchanges: heap live before {before['live'] / 1024:.0f} KiB, after {after['live'] / 1024:.0f} KiB; "
              f"peak of the outbound tags (client+tls+lws) {out_peak / 1024:.0f} KiB, whole-process peak "
              f"{after['peak'] / 1024:.0f} KiB (includes login); Kraken server saw at most "
              f"{s['max_concurrent_connections']} connections at once", flush=True)
    finally:
        for p in (k, b, cg):
            p.stop()


if __name__ == "__main__":
    main()
