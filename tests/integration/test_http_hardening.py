"""HTTP and WebSocket input as an attacker on the LAN sends it (make test runs it against the
plain and the ASan+UBSan node): pipelined requests with
and without bodies answered in order, bodies framed by a bad Content-Length or by chunks,
cross-site writes, lenient request lines, unmasked WebSocket frames, a header flood. Each test
ends with the node alive and its log free of sanitizer reports."""
import asyncio
import json
import os
import socket
import struct
import time

import harness
from harness import Node, check, main, test

SAN_ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0", "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
SAN_REPORT = harness.SAN_REPORT


def node(*args):
    return Node(*args, env=SAN_ENV)


def clean_stop(n):
    """Stops the node and checks it was alive and reported nothing."""
    check(n.alive(), "the node died:\n" + "".join(n.log)[-3000:])
    rc = n.stop()
    log = "".join(n.log)
    check(not SAN_REPORT.search(log), "sanitizer report:\n" + log[-4000:])
    check(rc == 0, f"exit {rc}:\n" + log[-2000:])


def exchange(port, raw, timeout=3.0, until_closed=False, expect=None):
    """Sends raw bytes in one write; returns what came back (until `expect` responses, the
    peer closing, or the timeout)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(raw)
    out = read_all(s, b"", timeout, None if until_closed else expect)
    s.close()
    return out


def read_all(s, out, timeout, expect=None):
    """Reads from s onto out until the peer closes, `expect` HTTP responses are in, or timeout."""
    s.settimeout(timeout)
    t_end = time.time() + timeout
    try:
        while time.time() < t_end:
            if expect is not None and len(responses(out)) >= expect:
                break
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def responses(data):
    """Splits an HTTP/1.1 response stream (Content-Length framed) into (status, headers, body)."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        n = int(hdrs.get("content-length", "0"))
        if len(rest) < n:
            break
        out.append((status, hdrs, rest[:n]))
        data = rest[n:]
    return out


def req(method, path, body=None, headers=None):
    h = {"Host": "127.0.0.1"}
    h.update(headers or {})
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
        h["Content-Length"] = str(len(data))
    return (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n").encode() + data


PING = req("GET", "/api/1/ping")
USERS = req("GET", "/api/1/users")  # answered from a worker job: pending for a while
MSG = req("PUT", "/api/1/messages", {"verbosity": "warning", "value": "hi"})
FLAGS_GET = req("GET", "/api/1/flags")
FLAGS_BAD = req("PUT", "/api/1/flags", {"flags": {"nope": True}})
FLAGS_EMPTY_POST = req("POST", "/api/1/flags", {"flags": {}})  # a method the route does not take


def expect_in_order(n, parts, wanted):
    got = responses(exchange(n.port, b"".join(parts), expect=len(wanted)))
    check([g[0] for g in got] == [w[0] for w in wanted], (got, wanted))
    for (st, _, body), (_, needle) in zip(got, wanted):
        check(needle in body, (st, body, needle))


@test
def pipelined_requests_with_bodies_are_all_answered_in_order():
    n = node()
    try:
        ping, msg = (200, b'"result":true'), (200, b'"clients":0')
        expect_in_order(n, [PING, MSG], [ping, msg])  # was a heap use after free
        expect_in_order(n, [MSG, MSG], [msg, msg])    # was no answer at all
        expect_in_order(n, [MSG, PING], [msg, ping])
        expect_in_order(n, [MSG] * 50, [msg] * 50)
        expect_in_order(n, [PING, FLAGS_BAD, MSG, FLAGS_GET, FLAGS_EMPTY_POST, PING, MSG],
                        [ping, (400, b"nope"), msg, (200, b'"api.info":true'), (405, b"POST"), ping, msg])
        # behind an answer that comes later (a worker job): lws closed the connection
        users = (200, b'"result":{}')
        expect_in_order(n, [USERS, PING, MSG, USERS, USERS, PING], [users, ping, msg, users, users, ping])
        expect_in_order(n, [USERS, PING] * 20, [users, ping] * 20)
        # bodies split across writes still frame right
        s = socket.create_connection(("127.0.0.1", n.port))
        raw = MSG + PING + MSG
        for i in range(0, len(raw), 7):
            s.sendall(raw[i:i + 7])
            time.sleep(0.002)
        s.settimeout(5)
        out = b""
        while len(responses(out)) < 3:
            out += s.recv(65536)
        s.close()
        check([r[0] for r in responses(out)] == [200, 200, 200], out)
        clean_stop(n)
    finally:
        n.stop()


@test
def request_framing_is_strict():
    n = node()
    try:
        for cl in (b"abc", b"-1", b"1e3", b"5 5", b"5, 5", b"99999999999999999999"):
            raw = b"PUT /api/1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + cl + b"\r\n\r\n{}"
            got = responses(exchange(n.port, raw, until_closed=True))
            check(len(got) == 1 and got[0][0] == 400 and b"Content-Length" in got[0][2] and
                  got[0][1].get("connection") == "close", (cl, got))
        # lws takes all of these; refused now
        for line in (b"GET /api/1/ping HTTP/1.1junk", b"GET /api/1/ping", b"GET /api/1/ping HTTP/2.0"):
            got = responses(exchange(n.port, line + b"\r\nHost: x\r\n\r\n", until_closed=True))
            check(len(got) == 1 and got[0][0] == 400 and b"request line" in got[0][2], (line, got))
        for line in (b"get /api/1/ping HTTP/1.1", b"Get /api/1/ping HTTP/1.1", b"pUT /api/1/messages HTTP/1.1"):
            out = exchange(n.port, line + b"\r\nHost: x\r\n\r\n", until_closed=True)
            check(b" 200 " not in out, (line, out))
        check(responses(exchange(n.port, PING, expect=1))[0][0] == 200)
        clean_stop(n)
    finally:
        n.stop()


def chunked(method, path, chunks, trailer=b"", headers=b"Content-Type: application/json\r\n"):
    body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n" + trailer + b"\r\n"
    return (f"{method} {path} HTTP/1.1\r\nHost: x\r\n".encode() + headers + b"Transfer-Encoding: chunked\r\n\r\n" + body)


@test
def chunked_uploads_are_accepted_within_the_limit():
    n = node("--max-body-size", "4K")
    try:
        body = json.dumps({"verbosity": "warning", "value": "chunked"}).encode()
        got = responses(exchange(n.port, chunked("PUT", "/api/1/messages", [body[:5], body[5:20], body[20:]]),
                                 until_closed=True))
        check(len(got) == 1 and got[0][0] == 200 and b'"clients":0' in got[0][2], got)
        check(got[0][1].get("connection") == "close", got)  # lws would read on as body
        st, js, _ = n.get("/api/1/messages")
        check(st == 200 and "chunked" in json.dumps(js["result"]), js)
        # chunk extensions and trailers are skipped
        raw = chunked("PUT", "/api/1/messages", [body], trailer=b"X-Checksum: 1\r\n").replace(
            b"%x\r\n" % len(body), b"%x;ext=1\r\n" % len(body), 1)
        check(responses(exchange(n.port, raw, until_closed=True))[0][0] == 200)
        # the chunks add up past the body limit: 413, and the connection ends
        got = responses(exchange(n.port, chunked("PUT", "/api/1/messages", [b"x" * 3000, b"y" * 3000]), until_closed=True))
        check(len(got) == 1 and got[0][0] == 413, got)
        for raw, status in (
                (chunked("PUT", "/api/1/messages", [body]).replace(b"\r\n0\r\n", b"\n0\r\n"), 400),  # bare LF
                (chunked("PUT", "/api/1/messages", [body]).replace(b"%x\r\n" % len(body), b"zz\r\n"), 400),
                (chunked("DELETE", "/api/1/tags", [b"{}"]), 411),
                (chunked("PUT", "/api/1/messages", [body]).replace(b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip"), 501),
                (chunked("PUT", "/api/1/messages", [body]).replace(b"Transfer-Encoding", b"Content-Length: 5\r\nTransfer-Encoding"), 400),
                (chunked("PUT", "/api/1/messages", [body], headers=b"Content-Type: text/plain\r\n"), 415)):
            got = responses(exchange(n.port, raw, until_closed=True))
            check(len(got) == 1 and got[0][0] == status, (raw[:120], got))
        check(responses(exchange(n.port, PING, expect=1))[0][0] == 200)
        clean_stop(n)
    finally:
        n.stop()


@test
def cross_site_writes_are_refused():
    with Node("--api-cors", "https://app.example", env=SAN_ENV) as n:
        # login CSRF: a page elsewhere posts a text/plain body (no preflight needed for that)
        raw = req("POST", "/api/1/users/alice", b'{"password": "x"}',
                  {"Origin": "https://evil.example", "Content-Type": "text/plain"})
        got = responses(exchange(n.port, raw, expect=1))
        check(got[0][0] == 403 and b"evil.example" in got[0][2], got)
        for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                        {"Origin": "https://" + "e" * 400 + ".example"}):
            st, js, _ = n.request("PUT", "/api/1/users", body={"name": "mallory", "password": "x"}, headers=headers)
            check(st == 403 and "Cross-site" in js["message"], (headers, st, js))
        st, users, _ = n.call("GET", "/api/1/users")
        check(st == 200 and users == {}, users)  # nothing was created
        # no type, or a form, is not JSON even without an Origin
        for ctype in (None, "text/plain", "application/x-www-form-urlencoded", "application/jsonx"):
            h = {"Content-Type": ctype} if ctype else {}
            st, js, _ = n.request("PUT", "/api/1/messages", raw_body=b'{"value": "x"}', headers=h)
            check(st == 415, (ctype, st, js))
        # allowed: this node's own origin, a --api-cors origin, a JSON body with parameters
        for origin in (f"http://127.0.0.1:{n.port}", "https://app.example"):
            st, js, _ = n.request("PUT", "/api/1/messages", body={"value": "x"},
                                  headers={"Origin": origin, "Host": f"127.0.0.1:{n.port}"})
            check(st == 200, (origin, st, js))
        st, js, _ = n.request("PUT", "/api/1/messages", raw_body=b'{"value": "x"}',
                              headers={"Content-Type": "Application/JSON; charset=utf-8"})
        check(st == 200, (st, js))
        # reads stay open to any origin (CORS decides what a page may see)
        st, _, _ = n.get("/api/1/ping", headers={"Origin": "https://evil.example"})
        check(st == 200)
        clean_stop(n)


@test
def unmasked_websocket_frames_fail_the_connection():
    n = node()
    try:
        s = socket.create_connection(("127.0.0.1", n.port))
        s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        s.settimeout(5)
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(4096)
        check(b" 101 " in head, head)
        s.sendall(b"\x81\x05hello")  # FIN + text, no mask bit
        data = read_all(s, head.partition(b"\r\n\r\n")[2], 5)
        s.close()
        check(len(data) >= 4 and data[0] == 0x88, data)  # a close frame
        code = struct.unpack(">H", data[2:4])[0]
        check(code == 1002, (code, data))
        # a masked frame is still echoed to a well-behaved client
        import websockets

        async def echo():
            async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None) as ws:
                await ws.send("echo me")
                return await asyncio.wait_for(ws.recv(), 10)
        check(asyncio.run(echo()) == "echo me")
        clean_stop(n)
    finally:
        n.stop()


@test
def a_header_flood_does_not_flood_the_log():
    n = node()
    try:
        big = b"GET /api/1/ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
        for _ in range(60):
            out = exchange(n.port, big, timeout=2, until_closed=True)
            check(b" 200 " not in out, out[:200])
        check(responses(exchange(n.port, PING, expect=1))[0][0] == 200)
        errors = [line for line in n.log if "ERROR" in line]
        check(len(errors) <= 12, f"{len(errors)} error lines:\n" + "".join(errors[:20]))
        clean_stop(n)
    finally:
        n.stop()


if __name__ == "__main__":
    main()
