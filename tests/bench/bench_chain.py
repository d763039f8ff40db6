"""make bench, the EVM part: 100 addresses × 20 tokens (100 ETH + 2,000 token balances) read
from a local ganache three ways — pipit, ethers.js with one call per (address, token) under
Promise.all (ethers batches them, 100 per HTTP request), ethers.js packing the reads into
Multicall3 aggregate3 calls — each straight to the node and through a proxy that behaves like
a public RPC node (+50 ms per HTTP request, at most 50 calls per second, each batch item
counted). Prints wall time, HTTP round trips and calls charged side by side; every way's
balances are checked against the node's."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "integration"))
import chainpeers  # noqa: E402
import harness  # noqa: E402


def timed_query(n, info):
    """A query whose balances are checked against the node's (it also warms the connection)."""
    st, res, msg = n.call("POST", "/api/1/balances/blockchains/eth", {}, timeout=600)
    assert st == 200, msg
    per = res["per_account"]["eth"]
    for acc in info["accounts"]:
        for k, v in info["balances"][acc].items():
            key = "ETH" if k == "ETH" else f"eip155:{info['chain_id']}/erc20:{k}"
            got = per.get(acc, {"assets": {}})["assets"].get(key, {"address": {"amount": "0"}})["address"]["amount"]
            assert got == v, (acc, key, got, v)


def ethers_way(way, url, fixture_path):
    out = subprocess.run(["node", os.path.join(here, "..", "chain", "bench_ethers.js"), "--rpc", url,
                          "--fixture", fixture_path, "--way", way.replace("ethers-", "")], capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"bench_ethers.js {way} failed: {out.stderr[-2000:]}")
    for line in out.stdout.splitlines():
        r = json.loads(line)
        if r.get("way") == way:
            assert r["ok"], r
            return r["wall_s"]
    raise RuntimeError("no figure from bench_ethers.js")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipit", default="build/linux/pipit")
    a = ap.parse_args()
    chainpeers.install()
    c = chainpeers.start_chain(accounts=100, tokens=20, multicall=True)
    fixture = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(c.info, fixture)
    fixture.close()
    rows = []
    try:
        for label, delay, cps in (("straight", 0, 10 ** 9), ("public-node proxy", 50, 50)):
            proxy = chainpeers.start_proxy(c.url, delay_ms=delay, cps=cps)
            try:
                for way in ("pipit", "ethers-naive", "ethers-multicall3"):
                    if way == "pipit":
                        # a checked first query, then the timed one (its round trips only)
                        harness.PIPIT = a.pipit
                        with harness.Node() as n:
                            setup(n, c.info, proxy.url)
                            timed_query(n, c.info)
                            proxy.reset()
                            wall = timed_query_once(n)
                    else:
                        proxy.reset()
                        wall = ethers_way(way, proxy.url, fixture.name)
                    s = proxy.stats()
                    rows.append((label, way, wall, s["round_trips"], s["calls"]))
                    print(f"evm balances, {label:18s} {way:18s} {wall:8.2f} s  {s['round_trips']:5d} round trips  "
                          f"{s['calls']:5d} calls charged", flush=True)
            finally:
                proxy.stop()
    finally:
        c.stop()
        os.unlink(fixture.name)
    by = {(r[0], r[1]): r for r in rows}
    p, naive, mc = (by[("public-node proxy", w)] for w in ("pipit", "ethers-naive", "ethers-multicall3"))
    sp, snaive, smc = (by[("straight", w)] for w in ("pipit", "ethers-naive", "ethers-multicall3"))
    print(f"evm balances: through the proxy pipit takes {p[2] / naive[2]:.3f}× naive ethers.js' time (target ≤ 0.25) and "
          f"{p[2] / mc[2]:.2f}× ethers.js + Multicall3's (target ≤ 1), {p[3]} round trips (target ≤ 5); "
          f"straight {sp[2] / min(snaive[2], smc[2]):.2f}× the faster ethers.js way (target ≤ 1.2)")


def setup(n, info, url):
    st, _, msg = n.call("PUT", "/api/1/users", {"name": "bench", "password": "pw"}, timeout=60)
    assert st == 200, msg
    st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes",
                        {"name": "node", "endpoint": url, "owned": True, "weight": "100", "active": True})
    assert st == 200, msg
    toks = [{"address": t["address"], "chain_id": info["chain_id"], "symbol": t["symbol"], "name": t["name"],
             "decimals": t["decimals"]} for t in info["tokens"]]
    st, _, msg = n.call("PUT", "/api/1/blockchains/eth/tokens", {"tokens": toks})
    assert st == 200, msg
    st, _, msg = n.call("PUT", "/api/1/blockchains/eth/accounts",
                        {"accounts": [{"address": a} for a in info["accounts"]]}, timeout=60)
    assert st == 200, msg


def timed_query_once(n):
    t0 = time.perf_counter()
    st, res, msg = n.call("POST", "/api/1/balances/blockchains/eth", {}, timeout=600)
    assert st == 200, msg
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
