"""make bench: the foundation's figures — ping throughput and latency under wrk, idle RSS,
RSS and heap with 1,000 idle WebSocket clients. Prints each figure with the command behind it."""
import argparse
import asyncio
import json
import re
import resource
import subprocess
import sys
import time
import os

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402
import websockets  # noqa: E402


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(port, conns=64, secs=10, threads=1):
    # One wrk thread: pipit is one thread, so the two share the machine's two cores fairly.
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{secs}s", "--latency", f"http://127.0.0.1:{port}/api/1/ping"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=secs + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def lat(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return " ".join(cmd), rps, lat(50), lat(99), int(errors.group(1)) if errors else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipit", default="build/linux/pipit")
    ap.add_argument("--clients", type=int, default=1000)
    args = ap.parse_args()
    harness.PIPIT = args.pipit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    print("pipit foundation benchmark")
    with harness.Node() as n:
        n.get("/api/1/ping")
        time.sleep(0.5)
        idle_rss = rss_kib(n.proc.pid)
        idle_heap = n.info()["allocator"]["live"]
        print(f"idle RSS: {idle_rss} KiB ({idle_rss / 1024:.2f} MiB; target <= 4 MiB)   [/proc/PID/status VmRSS after start]")
        print(f"idle heap (allocator live): {idle_heap} bytes")

        subprocess.run(["wrk", "-t1", "-c8", "-d2s", f"http://127.0.0.1:{n.port}/api/1/ping"], capture_output=True)
        cmd, rps, p50, p99, errs = wrk(n.port)
        print(f"ping: {rps:.0f} req/s, p50 {p50:.3f} ms, p99 {p99:.3f} ms (target p99 <= 5 ms), non-2xx {errs}   [{cmd}]")
        cmd, rps, p50, p99, errs = wrk(n.port, threads=2)
        print(f"ping, wrk with 2 threads on the same 2 cores: {rps:.0f} req/s, p50 {p50:.3f} ms, p99 {p99:.3f} ms   [{cmd}]")
        print(f"RSS after wrk: {rss_kib(n.proc.pid)} KiB; heap peak {n.info()['allocator']['peak']} bytes")

        async def idle_clients():
            url = f"ws://127.0.0.1:{n.port}/ws"
            clients = []
            for i in range(0, args.clients, 100):
                clients += await asyncio.gather(*[websockets.connect(url, ping_interval=None, open_timeout=30)
                                                  for _ in range(min(100, args.clients - i))])
            await asyncio.sleep(1.0)
            info = await asyncio.to_thread(n.info)
            rss = rss_kib(n.proc.pid)
            await asyncio.gather(*[c.close() for c in clients])
            return info, rss
        before_rss = rss_kib(n.proc.pid)
        before_heap = n.info()["allocator"]["live"]
        info, rss = asyncio.run(idle_clients())
        clients = info["notifier"]["clients"]
        heap = info["allocator"]["live"]
        per_client = (heap - before_heap) / max(clients, 1)
        print(f"{clients} idle WebSocket clients: RSS {rss} KiB ({rss / 1024:.2f} MiB, +{rss - before_rss} KiB), "
              f"heap +{heap - before_heap} bytes = {per_client:.0f} bytes/client (target <= 4096)   "
              f"[python3-websockets clients on /ws; allocator live from /api/1/info]")
        print("heap by tag with the clients connected: " +
              ", ".join(f"{k} {v['live']}" for k, v in info["allocator"]["tags"].items()))


if __name__ == "__main__":
    main()
