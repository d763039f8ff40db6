"""A small heap budget under load (--heap-budget 2M, as on the smallest ports): DB reads that run
out of memory answer 503 (not rotki's 409 for a DB error), /ping keeps answering through the
load, and once the load stops the heap goes back to where it was before it."""
import asyncio
import http.client
import json
import threading
import time

import websockets

from harness import Node, check, main, test

USER = {"name": "alice", "password": "s3cret"}


def heap_live(n):
    return n.info()["allocator"]["live"]


def reader(port, stop, statuses):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    paths = ("/api/1/settings", "/api/1/tags", "/api/1/history/events/type_mappings", "/api/1/blockchains/eth/nodes")
    i = 0
    while not stop.is_set():
        try:
            conn.request("GET", paths[i % len(paths)])
            r = conn.getresponse()
            body = r.read()
            statuses.append((r.status, body[:200]))
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i += 1
    conn.close()


def broadcaster(port, stop):
    """Fills the WebSocket clients' queues with large operator messages."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"verbosity": "warning", "value": "z" * 60000})
    while not stop.is_set():
        try:
            conn.request("PUT", "/api/1/messages", body=body, headers={"Content-Type": "application/json"})
            conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        time.sleep(0.01)
    conn.close()


async def idle_clients(port, count, stop):
    """WebSocket clients that never read (their queues fill and they get dropped)."""
    clients = []
    for _ in range(count):
        try:
            clients.append(await websockets.connect(f"ws://127.0.0.1:{port}/ws", ping_interval=None,
                                                    max_size=None, read_limit=2 ** 16, open_timeout=10))
        except Exception:
            pass
    while not stop.is_set():
        await asyncio.sleep(0.1)
    for c in clients:
        c.transport.abort()


@test
def a_2m_budget_under_load_keeps_ping_up_and_gives_memory_back():
    with Node("--heap-budget", "2M") as n:
        st, _, msg = n.call("PUT", "/api/1/users", USER, timeout=60)
        check(st == 200, (st, msg))
        # big answers: 300 tags of 200-byte descriptions (~100 KB per /tags read)
        for i in range(300):
            st, _, msg = n.call("PUT", "/api/1/tags", {"name": f"tag{i}", "description": "d" * 200,
                                                       "background_color": "ffffff", "foreground_color": "000000"})
            check(st == 200, (st, msg))
        # warm up what the load will use (page cache, route statistics), then the baseline
        for path in ("/api/1/settings", "/api/1/tags", "/api/1/history/events/type_mappings", "/api/1/blockchains/eth/nodes"):
            st, _, _ = n.get(path)
            check(st == 200, (path, st))
        time.sleep(0.5)
        base = heap_live(n)

        stop = threading.Event()
        statuses = []
        threads = [threading.Thread(target=reader, args=(n.port, stop, statuses)) for _ in range(16)]
        threads.append(threading.Thread(target=broadcaster, args=(n.port, stop)))
        ws_thread = threading.Thread(target=lambda: asyncio.run(idle_clients(n.port, 40, stop)))
        for t in threads + [ws_thread]:
            t.start()
        ping_ok_seconds, seconds = 0, 12
        conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
        for _ in range(seconds):
            t_end, ok = time.time() + 1, False
            while time.time() < t_end:
                try:
                    conn.request("GET", "/api/1/ping")
                    r = conn.getresponse()
                    r.read()
                    ok = ok or r.status == 200
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
                time.sleep(0.02)
            ping_ok_seconds += ok
        conn.close()
        stop.set()
        for t in threads + [ws_thread]:
            t.join(60)
        check(n.alive(), "".join(n.log)[-2000:])
        check(ping_ok_seconds == seconds, f"/ping answered in only {ping_ok_seconds} of {seconds} seconds")
        codes = {s for s, _ in statuses}
        check(codes <= {200, 503}, (codes, [s for s in statuses if s[0] not in (200, 503)][:3]))
        for st, body in statuses:
            if st == 503:
                check(b"out of memory" in body, body)
        # every queue and buffer of the load is given back
        t_end = time.time() + 10
        live = heap_live(n)
        while live > base + 64 * 1024 and time.time() < t_end:
            time.sleep(0.5)
            live = heap_live(n)
        check(live <= base + 64 * 1024, f"heap {live} bytes after the load, {base} before")
        print(f"    2M budget: {len(statuses)} reads ({sum(1 for s, _ in statuses if s == 503)} answered 503), "
              f"ping up {ping_ok_seconds}/{seconds} s, heap {base} -> {live} bytes", flush=True)


if __name__ == "__main__":
    main()
