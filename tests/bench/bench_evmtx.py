"""make bench, EVM transactions (issue 14): about 1,000 transactions of 10 tracked addresses on a
local ganache (tests/chain/txscenario.js, 250 to a block), fetched and decoded into history
events by pipit from each source — the node itself and an Etherscan-shaped indexer of the same
chain (tests/integration/evmtxpeers.py) — straight and through a public-node-like proxy
(tests/chain/proxy.js: +50 ms per HTTP request, at most 50 JSON-RPC calls a second, each batch
item charged; the indexer then answers 50 ms later and allows 5 requests a second, answering
"Max rate limit reached" beyond, as Etherscan's free tier). Prints wall time of the refresh
(POST /blockchains/transactions until its task ends), the node's HTTP round trips and calls,
the indexer's requests and pipit's outbound HTTP requests (/api/1/metrics); every run's events
are checked against the chain's truth. Target: through the proxy, from the node, ≤ 10 s and
≤ 50 round trips."""
import argparse
import collections
import http.client
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "integration"))
import chainpeers  # noqa: E402
import evmtxpeers  # noqa: E402
import harness  # noqa: E402

KEY = "pipit-bench-key"


def outbound(n):
    """pipit_httpc_requests_total from /api/1/metrics."""
    conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
    conn.request("GET", "/api/1/metrics")
    body = conn.getresponse().read().decode()
    conn.close()
    m = re.search(r"^pipit_httpc_requests_total (\d+)", body, re.M)
    return int(m.group(1)) if m else -1


def run(pipit, sc, want, source, label, delay, cps):
    proxy = chainpeers.start_proxy(sc.url, delay_ms=delay, cps=cps) if label != "straight" else None
    es = None
    try:
        args = []
        if source == "indexer":
            es = evmtxpeers.start_etherscan(sc.url, KEY, delay_ms=delay, calls_per_second=5 if proxy else 0)
            args = ["--etherscan-url", es.url]
        harness.PIPIT = pipit
        with harness.Node(*args) as n:
            evmtxpeers.setup_user(n, sc.info, proxy.url if proxy else sc.url, source, KEY if es else None)
            for peer in (proxy, sc, es):
                if peer:
                    peer.reset()
            out0 = outbound(n)
            code, outcome, secs = evmtxpeers.refresh(n, timeout=900)
            assert code == 200 and outcome.get("result") is True, (code, outcome)
            node = (proxy or sc).stats()
            idx = es.stats() if es else {"requests": 0, "rate_limited": 0}
            httpc = outbound(n) - out0
            got = collections.Counter(evmtxpeers.event_of(e) for e in evmtxpeers.events(n, page=1000))
            assert got == want, (f"{source} {label}: {sum(got.values())} events, the chain {sum(want.values())}; "
                                 f"missing {list((want - got).elements())[:3]}, unexpected {list((got - want).elements())[:3]}")
            return {"source": source, "label": label, "wall": secs, "round_trips": node["round_trips"],
                    "calls": node["calls"], "indexer": idx["requests"], "limited": idx["rate_limited"], "httpc": httpc}
    finally:
        if proxy:
            proxy.stop()
        if es:
            es.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipit", default="build/linux/pipit")
    ap.add_argument("--txs", type=int, default=1150)  # about 1,000 of them concern the tracked addresses
    a = ap.parse_args()
    chainpeers.install()
    sc = evmtxpeers.start_scenario(txs=a.txs, per_block=250)
    rows = []
    try:
        index = evmtxpeers.ChainIndex(sc.url)
        index.sync()
        want, hashes = evmtxpeers.truth(index, sc.info["tracked"], sc.info["chain_id"])
        blocks = sc.info["scenario"]["last_block"] + 1
        print(f"evm transactions: {len(hashes)} transactions of 10 tracked addresses in {blocks} blocks, "
              f"{sum(want.values())} events", flush=True)
        for label, delay, cps in (("straight", 0, 10 ** 9), ("public-node proxy", 50, 50)):
            for source in ("node", "indexer"):
                try:
                    r = run(a.pipit, sc, want, source, label, delay, cps)
                except Exception as e:  # one way failing still prints the others
                    print(f"evm transactions, {label:18s} {source:8s} FAILED: {str(e)[:400]}", flush=True)
                    continue
                rows.append(r)
                print(f"evm transactions, {label:18s} {source:8s} {r['wall']:7.2f} s  {r['round_trips']:5d} node round trips  "
                      f"{r['calls']:6d} node calls  {r['indexer']:4d} indexer requests ({r['limited']} rate-limited)  "
                      f"{r['httpc']:5d} pipit outbound requests", flush=True)
    finally:
        sc.stop()
    by = {(r["label"], r["source"]): r for r in rows}
    p = by.get(("public-node proxy", "node"))
    if p:
        ok = p["wall"] <= 10 and p["round_trips"] <= 50
        print(f"evm transactions: through the proxy from the node {p['wall']:.2f} s (target ≤ 10) and {p['round_trips']} "
              f"round trips (target ≤ 50): {'met' if ok else 'MISSED'}", flush=True)
    else:
        print("evm transactions: through the proxy from the node: no figure (failed)", flush=True)


if __name__ == "__main__":
    main()
