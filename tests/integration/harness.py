"""Integration-test harness: starts the real pipit binary on a free loopback port, talks to it
with real clients, and prints "ok"/"not ok" per test and a closing "N passed, N failed"."""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

PIPIT = os.environ.get("PIPIT_BIN", "build/linux/pipit")
# an emulator the binary runs under on other ports, e.g. "qemu-aarch64-static -L /usr/aarch64-linux-gnu" or "wine"
RUN = os.environ.get("PIPIT_RUN", "").split()
# ports: extra node options before each test's own (which win), e.g. "--heap-budget 2M --db-cache 256K",
# and tests a port cannot run (comma-separated names), e.g. PIPIT_SKIP=no_leaks_or_memory_errors_under_valgrind
ARGS = os.environ.get("PIPIT_ARGS", "").split()
SKIP = {s.strip() for s in os.environ.get("PIPIT_SKIP", "").split(",") if s.strip()}
# the signal Node.stop() sends by default; wine (Windows port) maps only SIGINT to a console
# control event (CTRL_C_EVENT), its SIGTERM kills the process outright
STOP_SIGNAL = getattr(signal, os.environ.get("PIPIT_STOP_SIGNAL", "SIGTERM"))
# PIPIT_SANITIZED=1: the binary is an ASan+UBSan build (make test's second integration run); a
# report in a node's log fails the test that ran it. Sanitized code runs slower: SLOW stretches
# the start-up and stop waits.
SANITIZED = os.environ.get("PIPIT_SANITIZED") == "1"
SLOW = 3 if SANITIZED else 1
SAN_REPORT = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:")
_tests = []


def test(fn):
    _tests.append(fn)
    return fn


class Node:
    """One pipit process with its own data dir; stderr is collected for assertions."""

    def __init__(self, *args, env=None, wrapper=None, data_dir=None):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="pipit-it-")
        cmd = list(wrapper or []) + RUN + [PIPIT, "--rest-api-port", "0", "--data-dir", self.data_dir] + ARGS + list(args)
        e = dict(os.environ)
        # remote services only ever on loopback: a test that wants one passes its own URL
        for var in ("PIPIT_COINGECKO_API_URL", "PIPIT_KRAKEN_API_URL", "PIPIT_BINANCE_API_URL"):
            e.setdefault(var, "http://127.0.0.1:9")
        e.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
        self.log = []
        self.reported = False
        self._ready = threading.Event()
        self.port = None
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._ready.wait((30 if wrapper or RUN else 10) * SLOW) or self.port is None:
            self.stop()
            raise AssertionError("pipit did not start: " + "".join(self.log))

    def _read_log(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace")
            self.log.append(line)
            m = re.search(r"serving http://[^:]+:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                self._ready.set()
        self._ready.set()

    def request(self, method, path, body=None, headers=None, timeout=10, raw_body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        parsed = json.loads(payload) if payload else None
        return resp.status, parsed, resp

    def call(self, method, path, body=None, **kw):
        """request() for JSON APIs: (status, result, message)."""
        st, js, _ = self.request(method, path, body=body, **kw)
        return st, (js or {}).get("result"), (js or {}).get("message")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def info(self):
        st, js, _ = self.get("/api/1/info")
        assert st == 200, (st, js)
        return js["result"]["pipit"]

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=None, timeout=20):
        sig = sig or STOP_SIGNAL
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        if SANITIZED and not self.reported:
            self.reported = True  # once: a test may stop a node again
            time.sleep(0.1)  # the log reader thread drains stderr
            log = "".join(self.log)
            if SAN_REPORT.search(log):
                raise AssertionError("sanitizer report from the node:\n" + log[-6000:])
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def sqlcipher_shell():
    """The OpenSSL-provider sqlcipher shell the dependency build makes for tests."""
    out = subprocess.run(["ports/deps/sqlcipher-shell.sh"], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def ws_messages_during(n, fn, quiet=0.5):
    """fn() run while a WebSocket client of node n listens: (fn's result, every message received
    until none came for `quiet` seconds after it)."""
    import asyncio

    import websockets

    async def watching():
        async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None) as ws:
            result = await asyncio.to_thread(fn)
            msgs = []
            try:
                while True:
                    msgs.append(json.loads(await asyncio.wait_for(ws.recv(), quiet)))
            except asyncio.TimeoutError:
                pass
            return result, msgs
    return asyncio.run(watching())


def user_db_rows(n, query, name="alice", password="s3cret"):
    """The rows the stock shell reads from a user's DB on node n, as lists of strings."""
    db = os.path.join(n.data_dir, "users", name, "rotkehlchen.db")
    p = subprocess.run([sqlcipher_shell(), db], input=f"PRAGMA key='{password}';\n{query}\n", capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0 and not p.stderr.strip(), p.stderr)
    lines = p.stdout.splitlines()
    return [line.split("|") for line in (lines[1:] if lines[:1] == ["ok"] else lines)]


def snapshot_import_body(dirpath, ts, assets):
    """Writes rotki's two snapshot CSV exports for timestamp ts (assets TOKEN0.. with amounts and
    values) into dirpath; returns the body of PUT /api/1/snapshots importing them."""
    b, loc = os.path.join(dirpath, f"balances-{ts}.csv"), os.path.join(dirpath, f"locations-{ts}.csv")
    with open(b, "w") as f:
        f.write("timestamp,category,asset_identifier,amount,usd_value\n")
        f.writelines(f"{ts},asset,TOKEN{i},{i}.5,{i}.25\n" for i in range(assets))
    with open(loc, "w") as f:
        f.write(f"timestamp,location,usd_value\n{ts},total,1\n")
    return {"balances_snapshot_file": b, "location_data_snapshot_file": loc}


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def ping_latencies(port, seconds=None, count=None, stop=None, source=None):
    """Times /api/1/ping over one keep-alive connection until `stop` is set, `seconds` pass or
    `count` pings are done; returns the latencies in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0) if source else None)
    lat = []
    t_end = time.time() + seconds if seconds else None
    while (stop is None or not stop.is_set()) and (t_end is None or time.time() < t_end) and (count is None or len(lat) < count):
        t0 = time.perf_counter()
        conn.request("GET", "/api/1/ping")
        r = conn.getresponse()
        r.read()
        lat.append((time.perf_counter() - t0) * 1000)
        assert r.status == 200, r.status
        time.sleep(0.002)
    conn.close()
    return lat


class Skip(Exception):
    """Raised by a test whose tool truly cannot run on this machine: run() prints the reason
    and counts it as skipped (never passed)."""


def check(cond, msg=""):
    if not cond:
        raise AssertionError(msg)


def run(only=None):
    passed = failed = skipped = 0
    for fn in _tests:
        if only and only not in fn.__name__:
            continue
        if fn.__name__ in SKIP:
            skipped += 1
            print(f"skip {fn.__name__} (PIPIT_SKIP)", flush=True)
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print(f"ok {fn.__name__} ({time.time() - t0:.1f}s)", flush=True)
        except Skip as e:
            skipped += 1
            print(f"skip {fn.__name__} ({e})", flush=True)
        except Exception:
            failed += 1
            print(f"not ok {fn.__name__}", flush=True)
            for line in traceback.format_exc().splitlines():
                print("    " + line, flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""), flush=True)
    return 0 if failed == 0 else 1


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else None
    sys.exit(run(only))
