"""make bench: the bounded soak — 10 minutes of mixed load (REST reads and writes, 1,000 WebSocket
clients, balance queries against ganache, logins with wrong passwords), heap, RSS, fds and p99
printed each minute (tests/integration/soak.py)."""
import argparse
import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import chainpeers  # noqa: E402
import harness  # noqa: E402
from soak import soak  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--pipit", default="build/linux/pipit")
ap.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "10")))
ap.add_argument("--ws-clients", type=int, default=1000)
a = ap.parse_args()
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # this process holds the clients' sockets
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * a.ws_clients + 256)), hard))
harness.PIPIT = a.pipit
chainpeers.install()
print(f"soak: {a.minutes:g} min, {a.ws_clients} WebSocket clients   [tests/bench/bench_soak.py]", flush=True)
r = soak(seconds=int(a.minutes * 60), ws_clients=a.ws_clients, interval=60, out=lambda s: print(s, flush=True))
print(f"soak: heap {r['base_heap']} -> {r['end_heap']} bytes; {r['counts']}", flush=True)
