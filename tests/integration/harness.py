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
_tests = []


def test(fn):
    _tests.append(fn)
    return fn


class Node:
    """One pipit process with its own data dir; stderr is collected for assertions."""

    def __init__(self, *args, env=None, wrapper=None):
        self.data_dir = tempfile.mkdtemp(prefix="pipit-it-")
        cmd = list(wrapper or []) + [PIPIT, "--rest-api-port", "0", "--data-dir", self.data_dir] + list(args)
        e = dict(os.environ)
        e.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
        self.log = []
        self._ready = threading.Event()
        self.port = None
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._ready.wait(30 if wrapper else 10) or self.port is None:
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

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def info(self):
        st, js, _ = self.get("/api/1/info")
        assert st == 200, (st, js)
        return js["result"]["pipit"]

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def check(cond, msg=""):
    if not cond:
        raise AssertionError(msg)


def run(only=None):
    passed = failed = 0
    for fn in _tests:
        if only and only not in fn.__name__:
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print(f"ok {fn.__name__} ({time.time() - t0:.1f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"not ok {fn.__name__}", flush=True)
            for line in traceback.format_exc().splitlines():
                print("    " + line, flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else None
    sys.exit(run(only))
