"""A bounded soak of one node: mixed load for a given time — REST reads and writes, idle
WebSocket clients and broadcasts, balance queries against ganache, wrong passwords —
printing heap, RSS, open fds and p99 latency each interval, then checking that heap and fds go
back to their baseline once the load stops. `make bench` runs it for 10 minutes with 1,000
WebSocket clients (tests/bench/bench_soak.py), `make test` for 60 s (test_soak.py)."""
import asyncio
import http.client
import json
import os
import threading
import time

import websockets

import chainpeers
from harness import Node, check, percentile

READS = ("/api/1/settings", "/api/1/tags", "/api/1/balances/manual", "/api/1/statistics/netvalue",
         "/api/1/blockchains/eth/accounts", "/api/1/ping")


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Client:
    """One keep-alive connection that reconnects after an error; records (latency ms, status)."""

    def __init__(self, port, samples, lock):
        self.port, self.samples, self.lock = port, samples, lock
        self.conn = None

    def call(self, method, path, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            payload = r.read()
            status = r.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            status, payload = 0, b""
        with self.lock:
            self.samples.append(((time.perf_counter() - t0) * 1000, status, path))
        return status, payload

    def close(self):
        if self.conn:
            self.conn.close()


def soak(seconds, ws_clients, interval, out=print):
    """Runs the soak; returns a summary dict. Fails (AssertionError) on a 5xx other than a
    503, a dropped node, or heap/fds that do not return to their baseline."""
    chain = chainpeers.start_chain(accounts=5, tokens=2, multicall=True)
    n = Node("--max-connections", str(ws_clients + 200))
    try:
        pid = n.proc.pid
        st, _, msg = n.call("PUT", "/api/1/users", {"name": "alice", "password": "s3cret"}, timeout=60)
        check(st == 200, (st, msg))
        info = chain.info
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes", {"name": "ganache", "endpoint": chain.url,
                                                                   "owned": True, "weight": "100", "active": True})
        check(st == 200, msg)
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/accounts",
                            {"accounts": [{"address": a.lower()} for a in info["accounts"]]}, timeout=60)
        check(st == 200, msg)
        st, _, msg = n.call("PUT", "/api/1/balances/manual", {"balances": [
            {"asset": "BTC", "label": "cold", "amount": "1.5", "location": "blockchain"}]})
        check(st in (200, 404), msg)  # 404: a tree without manual balances yet

        samples, lock, stop = [], threading.Lock(), threading.Event()
        counts = {"writes": 0, "balance_queries": 0, "bad_logins": 0, "broadcasts": 0}

        def reader(k):
            c = Client(n.port, samples, lock)
            i = k
            while not stop.is_set():
                c.call("GET", READS[i % len(READS)])
                i += 1
            c.close()

        def writer():
            c = Client(n.port, samples, lock)
            i = 0
            while not stop.is_set():
                c.call("PUT", "/api/1/tags", {"name": f"soak{i % 50}", "description": "x" * 100,
                                              "background_color": "ffffff", "foreground_color": "000000"})
                c.call("DELETE", "/api/1/tags", {"name": f"soak{(i + 25) % 50}"})
                c.call("PUT", "/api/1/settings", {"settings": {"ui_floating_precision": i % 8}})
                with lock:
                    counts["writes"] += 3
                i += 1
                time.sleep(0.01)
            c.close()

        def balances():
            c = Client(n.port, samples, lock)
            while not stop.is_set():
                c.call("POST", "/api/1/balances/blockchains/eth", {})
                with lock:
                    counts["balance_queries"] += 1
                stop.wait(2)
            c.close()

        def bad_logins():
            """Wrong passwords, each checked by a key derivation (alice is logged in, so a login
            would be refused before any check: the password change checks the current one)."""
            c = Client(n.port, samples, lock)
            while not stop.is_set():
                st, _ = c.call("PATCH", "/api/1/users/alice/password",
                               {"current_password": "wrong", "new_password": "other"})
                with lock:
                    counts["bad_logins"] += 1
                    if st not in (401, 0):
                        counts.setdefault("bad_login_answers", []).append(st)
            c.close()

        def broadcaster():
            c = Client(n.port, samples, lock)
            while not stop.is_set():
                c.call("PUT", "/api/1/messages", {"verbosity": "warning", "value": "soak " + "w" * 500})
                with lock:
                    counts["broadcasts"] += 1
                stop.wait(0.2)
            c.close()

        ws_state = {"connected": 0, "received": 0}

        async def ws_main():
            async def one():
                try:
                    async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None,
                                                  open_timeout=30, close_timeout=5) as ws:
                        ws_state["connected"] += 1
                        while not stop.is_set():
                            try:
                                await asyncio.wait_for(ws.recv(), 0.5)
                                ws_state["received"] += 1
                            except asyncio.TimeoutError:
                                pass
                except Exception:
                    pass
            await asyncio.gather(*[one() for _ in range(ws_clients)])

        # warm-up: each kind of request once, so caches and route counters exist before the baseline
        warm = Client(n.port, [], threading.Lock())
        for p in READS:
            warm.call("GET", p)
        warm.call("POST", "/api/1/balances/blockchains/eth", {})
        warm.close()
        time.sleep(1)
        base_heap, base_fds, base_rss = n.info()["allocator"]["live"], fds(pid), rss_kib(pid)
        out(f"    soak baseline: heap {base_heap} B, rss {base_rss} KiB, fds {base_fds}")

        threads = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
        threads += [threading.Thread(target=f) for f in (writer, balances, bad_logins, broadcaster)]
        threads.append(threading.Thread(target=lambda: asyncio.run(ws_main())))
        for t in threads:
            t.start()
        t_start, rows = time.time(), []
        next_report = t_start + interval
        while time.time() < t_start + seconds:
            time.sleep(min(1, max(0, next_report - time.time())))
            if time.time() >= next_report:
                with lock:
                    lat = [s[0] for s in samples]
                    bad = [s for s in samples if s[1] >= 500 and s[1] != 503 or s[1] == 0]
                    samples.clear()
                check(n.alive(), "the node died:\n" + "".join(n.log)[-3000:])
                row = {"t": round(time.time() - t_start), "heap": n.info()["allocator"]["live"], "rss": rss_kib(pid),
                       "fds": fds(pid), "requests": len(lat), "p99_ms": round(percentile(lat, 99), 1) if lat else 0,
                       "ws": ws_state["connected"], "errors": len(bad)}
                rows.append(row)
                out(f"    t={row['t']:4d}s heap {row['heap']:8d} B  rss {row['rss']:6d} KiB  fds {row['fds']:5d}  "
                    f"requests {row['requests']:6d}  p99 {row['p99_ms']:7.1f} ms  ws {row['ws']}  errors {row['errors']}")
                check(not bad, f"failed requests: {bad[:5]}")
                next_report += interval
        stop.set()
        for t in threads:
            t.join(90)
        # everything the load held is given back
        t_end = time.time() + 30
        while time.time() < t_end:
            heap, nfds = n.info()["allocator"]["live"], fds(pid)
            if heap <= base_heap + 64 * 1024 and nfds <= base_fds + 2:
                break
            time.sleep(0.5)
        out(f"    soak end: heap {heap} B (baseline {base_heap}), fds {nfds} (baseline {base_fds}), "
            f"rss {rss_kib(pid)} KiB; {counts}")
        check(heap <= base_heap + 64 * 1024, f"heap {heap} B after the soak, {base_heap} B before")
        check(nfds <= base_fds + 2, f"{nfds} fds after the soak, {base_fds} before")
        check(ws_state["connected"] >= ws_clients * 9 // 10, ws_state)
        check(counts["balance_queries"] >= 1 and counts["bad_logins"] >= 1 and counts["writes"] >= 10, counts)
        check("bad_login_answers" not in counts, counts)  # a wrong password is a 401
        return {"rows": rows, "counts": counts, "base_heap": base_heap, "end_heap": heap}
    finally:
        n.stop()
        chain.stop()
