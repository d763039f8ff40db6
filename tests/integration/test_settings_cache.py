"""GET /api/1/settings is answered from an in-memory copy (services/settings.c): every write must
be visible to the next read — on a new connection, on the same keep-alive connection, pipelined
behind the write on one socket, while other clients read at full speed, after a write through
another route (rotki's last_write_ts), and across logout and the login of another user."""
import http.client
import json
import socket
import threading
import time

from harness import Node, check, main, test

DRIVERS = ("threaded", "sliced")
KEY = "query_retry_limit"  # an integer setting without an upper bound: a counter


def create(n, name="alice", password="s3cret", **extra):
    body = dict(name=name, password=password, **extra)
    st, res, msg = n.call("PUT", "/api/1/users", body, timeout=60)
    check(st == 200, (st, msg))
    return res


def put(conn, settings):
    conn.request("PUT", "/api/1/settings", body=json.dumps({"settings": settings}),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    body = json.loads(r.read())
    check(r.status == 200, (r.status, body))
    return body["result"]


def get(conn, path="/api/1/settings"):
    conn.request("GET", path)
    r = conn.getresponse()
    body = json.loads(r.read())
    check(r.status == 200, (r.status, body))
    return body["result"]


@test
def a_write_is_seen_by_the_next_read_on_any_connection():
    for driver in DRIVERS:
        with Node("--db-driver", driver) as n:
            create(n)
            keep = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
            for i in range(1, 201):
                check(put(keep, {KEY: i})[KEY] == i)
                check(get(keep)[KEY] == i, (driver, i, "keep-alive"))
                fresh = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
                check(get(fresh)[KEY] == i, (driver, i, "new connection"))
                fresh.close()
            # the async form (a task) reads the same copy
            st, res, _ = n.call("GET", "/api/1/settings?async_query=true")
            check(st == 200 and "task_id" in res, res)
            end = time.time() + 30
            while time.time() < end:
                st, t, _ = n.call("GET", f"/api/1/tasks/{res['task_id']}")
                if t["status"] == "completed":
                    break
                time.sleep(0.02)
            check(t["status"] == "completed" and t["outcome"]["result"][KEY] == 200, t)


def read_response(f):
    """One HTTP/1.1 response from a socket file: (status, parsed body)."""
    status = int(f.readline().split()[1])
    length = 0
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode().partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    return status, json.loads(f.read(length))


@test
def a_read_pipelined_behind_a_write_sees_it():
    with Node() as n:
        create(n)
        s = socket.create_connection(("127.0.0.1", n.port), timeout=30)
        f = s.makefile("rb")
        for i in range(1, 201):
            # the write, a read, another write and a read, in one send
            wire = b""
            for k in (i, i + 1000):
                body = json.dumps({"settings": {KEY: k}}).encode()
                wire += (b"PUT /api/1/settings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                wire += b"GET /api/1/settings HTTP/1.1\r\nHost: x\r\n\r\n"
            s.sendall(wire)
            for k in (i, i + 1000):
                st, w = read_response(f)
                check(st == 200 and w["result"][KEY] == k, (st, w))
                st, r = read_response(f)
                check(st == 200 and r["result"][KEY] == k, (i, k, r["result"][KEY]))
        s.close()


@test
def reads_under_load_never_go_back_behind_an_answered_write():
    with Node() as n:
        create(n)
        answered = [0]  # the last value whose PUT was answered
        stop = threading.Event()
        errors = []

        def reader():
            conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
            while not stop.is_set():
                floor = answered[0]
                v = get(conn)[KEY]
                if v < floor:
                    errors.append((floor, v))
        threads = [threading.Thread(target=reader) for _ in range(6)]
        for t in threads:
            t.start()
        conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
        try:
            for i in range(1, 301):
                put(conn, {KEY: i})
                answered[0] = i
        finally:
            stop.set()
            for t in threads:
                t.join()
        check(not errors, errors[:5])
        check(get(conn)[KEY] == 300)


@test
def a_write_through_another_route_is_seen_in_last_write_ts():
    with Node() as n:
        create(n)
        conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
        before = get(conn)["last_write_ts"]
        for k in range(3):
            time.sleep(1.1)  # last_write_ts counts seconds
            t0 = int(time.time())
            st, _, msg = n.call("PUT" if k % 2 == 0 else "DELETE", "/api/1/assets/ignored", {"assets": ["BTC"]})
            check(st == 200, msg)
            now = get(conn)["last_write_ts"]
            check(now >= t0 and now > before, (before, now, t0))
            before = now


@test
def each_login_reads_its_own_users_settings():
    with Node() as n:
        res = create(n, initial_settings={"main_currency": "EUR", KEY: 7})
        check(res["settings"]["main_currency"] == "EUR")
        conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
        check(get(conn)["main_currency"] == "EUR")
        for round_ in range(3):
            check(n.call("PATCH", "/api/1/users/alice", {"action": "logout"})[0] == 200)
            st, _, msg = n.call("GET", "/api/1/settings")
            check(st == 401, (st, msg))
            if round_ == 0:
                create(n, name="bob", password="pw2")
            else:
                check(n.call("POST", "/api/1/users/bob", {"password": "pw2"}, timeout=60)[0] == 200)
            s = get(conn)
            check(s["main_currency"] == "USD" and s[KEY] == 5 + round_, (round_, s["main_currency"], s[KEY]))
            put(conn, {KEY: 6 + round_})  # bob's next login reads 6 + round_
            check(n.call("PATCH", "/api/1/users/bob", {"action": "logout"})[0] == 200)
            check(n.call("POST", "/api/1/users/alice", {"password": "s3cret"}, timeout=60)[0] == 200)
            s = get(conn)
            check(s["main_currency"] == "EUR" and s[KEY] == 7, (round_, s["main_currency"], s[KEY]))


if __name__ == "__main__":
    main()
