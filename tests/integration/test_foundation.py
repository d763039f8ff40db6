"""The runtime foundation against the real binary: REST envelope and errors, CORS, feature
flags, the /ws notifier (broadcast to 200 clients, slow clients, echo, keep-alive), the heap
budget answered with 503 and recovered from, clean shutdown (also under valgrind)."""
import asyncio
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import threading
import time

import websockets

from harness import Node, check, main, test


# ---------------------------------------------------------------------------- REST basics
@test
def ping_and_info_have_rotki_shapes():
    with Node() as n:
        st, js, resp = n.get("/api/1/ping")
        check(st == 200 and js == {"result": True, "message": ""}, js)
        check(resp.getheader("Content-Type") == "application/json")
        st, js, _ = n.get("/api/1/info")
        r = js["result"]
        check(st == 200 and js["message"] == "", js)
        for key in ("version", "data_directory", "log_level", "accept_unauthenticated_api", "session_auth",
                    "backend_default_arguments"):
            check(key in r, key)
        check(r["version"]["our_version"] and r["data_directory"] == n.data_dir, r)
        check(r["log_level"] == "INFO")
        a = r["pipit"]["allocator"]
        check(a["budget"] == 16 << 20 and 0 < a["live"] <= a["peak"] <= a["budget"], a)
        check("lws" in a["tags"] and a["tags"]["lws"]["live"] > 0, a)
        check(r["pipit"]["flags"]["notifier"] is True)
        st, js, _ = n.get("/api/1/info?check_for_updates=maybe")
        check(st == 400 and "check_for_updates" in js["message"] and js["result"] is None, js)
        st, js, _ = n.get("/api/1/info?check_for_updates=true")
        check(st == 200, js)


@test
def errors_are_enveloped_with_the_right_codes():
    with Node("--max-body-size", "4K") as n:
        st, js, _ = n.get("/api/1/no/such/route")
        check(st == 404 and js["result"] is None and "not found" in js["message"], (st, js))
        st, js, _ = n.request("DELETE", "/api/1/ping")
        check(st == 405 and "DELETE" in js["message"], (st, js))
        for bad, needle in ((b'{"flags": {"a": tru}}', "byte"), (b'{"flags" {}}', "':'"),
                            (b'{"flags": {}} trailing', "byte"), (b'{"a": "\\x"}', "escape"),
                            (b'{"flags": {', "end of input"), (b'\xff\xfe', "byte")):
            st, js, _ = n.request("PUT", "/api/1/flags", raw_body=bad, headers={"Content-Type": "application/json"})
            check(st == 400 and js["message"].startswith("Malformed JSON") and needle in js["message"],
                  (bad, st, js))
        st, js, _ = n.request("PUT", "/api/1/flags", raw_body=b"[1, 2]", headers={"Content-Type": "application/json"})
        check(st == 400 and "object" in js["message"], (st, js))
        # a body that is not declared JSON is not taken (what a cross-site form could send)
        st, js, _ = n.request("PUT", "/api/1/flags", raw_body=b'{"flags": {}}')
        check(st == 415 and "application/json" in js["message"], (st, js))
        # 413: announced too large, and refused before the body is read
        conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
        conn.putrequest("PUT", "/api/1/flags")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(10 << 20))
        conn.endheaders()
        resp = conn.getresponse()
        js = json.loads(resp.read())
        check(resp.status == 413 and js["result"] is None and "4096" in js["message"], (resp.status, js))
        conn.close()
        # a body just under the limit is fine
        st, js, _ = n.request("PUT", "/api/1/flags", body={"flags": {"api.info": True}, "pad": "x" * 3000})
        check(st == 400 and "Unknown field" in js["message"], (st, js))
        check(n.alive())
        st, js, _ = n.get("/api/1/ping")
        check(st == 200)


@test
def cors_follows_the_configured_origins():
    with Node("--api-cors", "http://localhost:*,https://app.example") as n:
        st, _, resp = n.request("OPTIONS", "/api/1/ping", headers={
            "Origin": "http://localhost:8080", "Access-Control-Request-Method": "PUT"})
        check(st == 204, st)
        check(resp.getheader("access-control-allow-origin") == "http://localhost:8080")
        check("PUT" in (resp.getheader("access-control-allow-methods") or ""))
        st, _, resp = n.get("/api/1/ping", headers={"Origin": "https://app.example"})
        check(st == 200 and resp.getheader("access-control-allow-origin") == "https://app.example")
        st, _, resp = n.get("/api/1/ping", headers={"Origin": "https://evil.example"})
        check(st == 200 and resp.getheader("access-control-allow-origin") is None)


@test
def feature_flags_switch_endpoints_and_services_at_run_time():
    with Node("--disable", "api.messages") as n:
        st, js, _ = n.get("/api/1/flags")
        check(st == 200 and js["result"]["api.messages"] is False and js["result"]["api.info"] is True, js)
        st, js, _ = n.get("/api/1/messages")
        check(st == 404 and "api.messages" in js["message"], (st, js))
        # all or nothing: one unknown flag and the valid change is not made either
        st, js, _ = n.request("PUT", "/api/1/flags", body={"flags": {"api.info": False, "nope": True}})
        check(st == 400 and "nope" in js["message"], (st, js))
        st, js, _ = n.request("PUT", "/api/1/flags", body={"flags": {"api.info": "no"}})
        check(st == 400 and "api.info" in js["message"], (st, js))
        check(n.get("/api/1/info")[0] == 200)
        st, js, _ = n.request("PUT", "/api/1/flags", body={"flags": {"api.info": False, "api.messages": True}})
        check(st == 200 and js["result"]["api.info"] is False, js)
        check(n.get("/api/1/info")[0] == 404)
        check(n.get("/api/1/messages")[0] == 200)
        n.request("PUT", "/api/1/flags", body={"flags": {"api.info": True}})
        check(n.get("/api/1/info")[0] == 200)

        async def notifier_off():
            async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None) as ws:
                await asyncio.to_thread(n.request, "PUT", "/api/1/flags", {"flags": {"notifier": False}})
                try:
                    await asyncio.wait_for(ws.recv(), 5)
                    return None
                except websockets.ConnectionClosed as e:
                    return e.code
        check(asyncio.run(notifier_off()) == 1001)
        try:
            asyncio.run(websockets.connect(f"ws://127.0.0.1:{n.port}/ws", open_timeout=5).__aenter__())
            refused = False
        except Exception:
            refused = True
        check(refused, "/ws must refuse clients while the notifier is off")


@test
def bad_start_options_are_refused_clearly():
    import subprocess
    from harness import PIPIT, RUN
    for args, needle in ((["--rest-api-port", "99999"], "rest-api-port"), (["--heap-budget", "lots"], "heap-budget"),
                         (["--disable", "no.such.flag"], "no.such.flag"), (["--frobnicate", "1"], "frobnicate")):
        p = subprocess.run(RUN + [PIPIT, "--data-dir", "/tmp/pipit-it-bad"] + args, capture_output=True, timeout=60)
        check(p.returncode == 2 and needle in p.stderr.decode(), (args, p.returncode, p.stderr))
    p = subprocess.run(RUN + [PIPIT, "--help"], capture_output=True, timeout=60)
    check(p.returncode == 0 and b"--rest-api-port" in p.stdout)
    p = subprocess.run(RUN + [PIPIT, "--version"], capture_output=True, timeout=60)
    check(p.returncode == 0 and p.stdout.startswith(b"pipit "))
    shutil.rmtree("/tmp/pipit-it-bad", ignore_errors=True)


# ---------------------------------------------------------------------------- WebSocket
@test
def broadcast_reaches_200_concurrent_clients():
    with Node() as n:
        async def go():
            url = f"ws://127.0.0.1:{n.port}/ws"
            clients = await asyncio.gather(*[websockets.connect(url, ping_interval=None, open_timeout=20)
                                             for _ in range(200)])
            info = await asyncio.to_thread(n.info)
            check(info["notifier"]["clients"] == 200, info["notifier"])
            st, js, _ = await asyncio.to_thread(n.request, "PUT", "/api/1/messages",
                                                {"verbosity": "error", "value": "disk almost full"})
            check(st == 200 and js["result"]["clients"] == 200, js)
            got = await asyncio.gather(*[asyncio.wait_for(c.recv(), 10) for c in clients])
            for g in got:
                check(json.loads(g) == {"type": "legacy", "data": {"verbosity": "error", "value": "disk almost full"}}, g)
            await asyncio.gather(*[c.close() for c in clients])
        asyncio.run(go())
        time.sleep(0.3)
        check(n.info()["notifier"]["clients"] == 0)


@test
def echo_and_wrong_ws_path():
    with Node() as n:
        async def go():
            async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws/", ping_interval=None) as ws:
                big = "é" * 20000  # spans several frames' worth of receive buffer
                await ws.send("hello")
                check(await asyncio.wait_for(ws.recv(), 5) == "hello")
                await ws.send(big)
                check(await asyncio.wait_for(ws.recv(), 5) == big)
            try:
                async with websockets.connect(f"ws://127.0.0.1:{n.port}/api/1/ping", open_timeout=5):
                    return False
            except Exception:
                return True
        check(asyncio.run(go()), "an upgrade on another path must be refused")


def raw_ws_connect(port, rcvbuf=4096):
    """A WebSocket client that does the handshake and then reads nothing."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(1)
    assert b" 101 " in buf.split(b"\r\n")[0], buf
    return s


def ws_frame(payload: bytes):
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


@test
def slow_client_is_dropped_and_does_not_stall_others():
    with Node("--ws-queue-max", "64", "--ws-queue-bytes", "256K") as n:
        slow = raw_ws_connect(n.port)
        # make the slow client's own echo traffic pile up on the server: it sends, never reads
        chunk = ws_frame(b"x" * 60000)
        stop = threading.Event()

        def pump():
            slow.settimeout(0.5)
            try:
                for _ in range(400):
                    if stop.is_set():
                        break
                    slow.sendall(chunk)
            except OSError:
                pass
        pumper = threading.Thread(target=pump, daemon=True)
        pumper.start()
        total = 1500

        async def fast():
            async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None, max_queue=None) as ws:
                def sender():
                    conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
                    for i in range(total):
                        conn.request("PUT", "/api/1/messages", body=json.dumps({"value": f"m{i} " + "y" * 900}), headers={"Content-Type": "application/json"})
                        r = conn.getresponse()
                        r.read()
                        assert r.status == 200, r.status
                    conn.close()
                t0 = time.time()
                send_task = asyncio.create_task(asyncio.to_thread(sender))
                seen = 0
                while seen < total:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    check(msg["data"]["value"].startswith(f"m{seen} "), (seen, msg["data"]["value"][:10]))
                    seen += 1
                await send_task
                return time.time() - t0
        took = asyncio.run(fast())
        stop.set()
        pumper.join(10)
        check(took < 30, f"the fast client needed {took:.1f}s")
        deadline = time.time() + 10
        while time.time() < deadline and n.info()["notifier"]["clients_dropped_slow"] < 1:
            time.sleep(0.2)
        info = n.info()["notifier"]
        check(info["clients_dropped_slow"] >= 1, info)
        slow.close()
        check(n.alive())


@test
def messages_fall_back_to_polling_without_clients():
    with Node() as n:
        st, js, _ = n.request("PUT", "/api/1/messages", body={"verbosity": "warning", "value": "nobody listens"})
        check(st == 200 and js["result"]["clients"] == 0, js)
        n.request("PUT", "/api/1/messages", body={"verbosity": "error", "value": "still nobody"})
        st, js, _ = n.get("/api/1/messages")
        check(js["result"] == {"warnings": ["nobody listens"], "errors": ["still nobody"]}, js)
        st, js, _ = n.get("/api/1/messages")
        check(js["result"] == {"warnings": [], "errors": []}, js)
        st, js, _ = n.request("PUT", "/api/1/messages", body={"verbosity": "shout", "value": "x"})
        check(st == 400 and "verbosity" in js["message"], js)
        st, js, _ = n.request("PUT", "/api/1/messages", body={"value": ""})
        check(st == 400 and "value" in js["message"], js)


@test
def websocket_keepalive_pings_and_drops_silent_peers():
    with Node("--ws-ping-interval", "1") as n:
        async def answered():
            async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None) as ws:
                await asyncio.sleep(4.5)  # websockets answers pings itself: stays connected
                await ws.send("still here")
                return await asyncio.wait_for(ws.recv(), 5)
        check(asyncio.run(answered()) == "still here")
        s = raw_ws_connect(n.port, rcvbuf=65536)  # reads, but never answers a ping
        s.settimeout(8)
        got_ping, closed = False, False
        t0 = time.time()
        try:
            while time.time() - t0 < 8:
                b = s.recv(4096)
                if not b:
                    closed = True
                    break
                if b[0] & 0x0F == 0x9:
                    got_ping = True
        except (socket.timeout, ConnectionResetError):
            closed = True
        check(got_ping, "the server never pinged")
        check(closed and time.time() - t0 < 8, "a peer that never answers pings must be dropped")


# ---------------------------------------------------------------------------- memory budget
@test
def budget_exhaustion_answers_503_and_recovers():
    with Node("--heap-budget", "2M", "--max-body-size", "512K") as n:
        base = n.info()["allocator"]["live"]
        results = []
        body = json.dumps({"verbosity": "warning", "value": "z" * 200000}).encode()
        gate = threading.Barrier(40)

        def client():
            try:
                s = socket.create_connection(("127.0.0.1", n.port), timeout=30)
                s.sendall(b"PUT /api/1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
                s.sendall(body[:150000])
                gate.wait(20)  # everyone holds a big body at the same time
                time.sleep(0.3)
                s.sendall(body[150000:])
                resp = b""
                while b"\r\n\r\n" not in resp:
                    part = s.recv(65536)
                    if not part:
                        break
                    resp += part
                head, _, rest = resp.partition(b"\r\n\r\n")
                length = int([ln.split(b":")[1] for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length")][0])
                while len(rest) < length:
                    rest += s.recv(65536)
                results.append((int(head.split(b" ")[1]), json.loads(rest)))
                s.close()
            except Exception as e:  # noqa: BLE001 - recorded and asserted below
                results.append((None, repr(e)))
        threads = [threading.Thread(target=client) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        codes = [c for c, _ in results]
        check(None not in codes, [r for r in results if r[0] is None][:3])
        check(codes.count(503) >= 1, f"no 503 under a 2M budget: {codes}")
        for c, js in results:
            check(set(js) == {"result", "message"} and js["result"] is None and js["message"], js)
            if c == 503:
                check("memory" in js["message"], js)
        check(set(codes) <= {400, 503}, codes)  # 400: the value is too long, once read
        check(n.alive())
        # load gone: the node serves again and its heap is back where it was
        check(n.get("/api/1/ping")[0] == 200)
        info = n.info()["allocator"]
        check(info["live"] < base + 64 * 1024, (base, info["live"]))
        check(info["peak"] <= 2 << 20, info)
        check(info["tags"]["http"]["failures"] >= 1, info["tags"]["http"])


# ---------------------------------------------------------------------------- shutdown
@test
def sigterm_closes_clients_and_exits_cleanly():
    n = Node()

    async def go():
        clients = [await websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None) for _ in range(5)]
        n.proc.send_signal(signal.SIGTERM)
        codes = []
        for c in clients:
            try:
                await asyncio.wait_for(c.recv(), 5)
            except websockets.ConnectionClosed as e:
                codes.append(e.code)
        return codes
    codes = asyncio.run(go())
    rc = n.proc.wait(10)
    log = "".join(n.log)
    n.stop()
    check(codes == [1001] * 5, codes)
    check(rc == 0, rc)
    check("stopped" in log and "still allocated" not in log, log)


@test
def no_leaks_or_memory_errors_under_valgrind():
    if not shutil.which("valgrind"):
        raise AssertionError("valgrind is not installed (make test installs it)")
    n = Node("--loglevel", "info", wrapper=["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                                            "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99"])

    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None, open_timeout=20) as ws:
            await asyncio.to_thread(n.request, "PUT", "/api/1/messages", {"value": "under valgrind"}, None, 30)
            await asyncio.wait_for(ws.recv(), 20)
            await ws.send("echo")
            await asyncio.wait_for(ws.recv(), 20)
    asyncio.run(go())
    for path in ("/api/1/ping", "/api/1/info", "/api/1/nope", "/api/1/flags"):
        n.get(path, timeout=30)
    n.request("PUT", "/api/1/flags", raw_body=b"{broken", headers={"Content-Type": "application/json"}, timeout=30)
    n.proc.send_signal(signal.SIGTERM)
    rc = n.proc.wait(60)
    time.sleep(0.2)
    log = "".join(n.log)
    n.stop()
    check(rc == 0, f"valgrind exit {rc}:\n" + log[-3000:])


if __name__ == "__main__":
    main()
