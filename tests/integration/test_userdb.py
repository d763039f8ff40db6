"""The encrypted user DB, users and login, settings and tags, against the real node, with the
stock SQLCipher shell (OpenSSL provider) as the independent reader and writer of the format."""
import asyncio
import http.client
import json
import os
import signal
import subprocess
import threading
import time

import websockets

from harness import SLOW, Node, check, main, percentile, ping_latencies, sqlcipher_shell, test, ws_messages_during

DRIVERS = ("threaded", "sliced")


def shell(db, password, sql):
    """Runs SQL in the stock sqlcipher shell keyed with the password; returns stdout."""
    p = subprocess.run([sqlcipher_shell(), db], input=f"PRAGMA key='{password}';\n{sql}\n", capture_output=True,
                       text=True, timeout=60)
    return p.stdout.replace("ok\n", "", 1) if p.stdout.startswith("ok\n") else p.stdout, p.stderr, p.returncode


def create(n, name="alice", password="s3cret", **extra):
    body = {"name": name, "password": password}
    body.update(extra)
    return n.call("PUT", "/api/1/users", body, timeout=30)


def login(n, name="alice", password="s3cret", **kw):
    return n.call("POST", f"/api/1/users/{name}", {"password": password}, timeout=60, **kw)


def logout(n, name="alice"):
    return n.call("PATCH", f"/api/1/users/{name}", {"action": "logout"}, timeout=30)


TAG = {"name": "hw", "description": "hardware wallet", "background_color": "fafafa", "foreground_color": "ffffff"}


# ---------------------------------------------------------------------------- users
@test
def create_logout_login_keeps_the_data():
    for driver in DRIVERS:
        with Node("--db-driver", driver) as n:
            st, res, msg = create(n, initial_settings={"ui_floating_precision": 4, "main_currency": "EUR"})
            check(st == 200, (driver, st, msg))
            check(res["exchanges"] == [] and res["settings"]["version"] == 53, res)
            check(res["settings"]["ui_floating_precision"] == 4 and res["settings"]["main_currency"] == "EUR", res)
            check(n.call("GET", "/api/1/users")[1] == {"alice": "loggedin"})
            st, tags, _ = n.call("PUT", "/api/1/tags", TAG)
            check(st == 200 and tags["hw"] == TAG and "Contract" in tags, tags)
            check(create(n, name="bob")[0] == 409, "a second user while one is logged in")
            check(logout(n) == (200, True, ""))
            check(n.call("GET", "/api/1/users")[1] == {"alice": "loggedout"})
            st, _, msg = n.call("GET", "/api/1/settings")
            check(st == 401 and msg == "No user is currently logged in", (st, msg))
            check(create(n)[0] == 409, "a user that exists")
            st, _, msg = login(n, name="nobody")
            check(st == 409 and "does not exist" in msg, (st, msg))
            st, res, msg = login(n)
            check(st == 200 and res["settings"]["ui_floating_precision"] == 4, (st, msg))
            st, tags, _ = n.call("GET", "/api/1/tags")
            check(tags.get("hw") == TAG, tags)
            st, _, msg = login(n)
            check(st == 409 and "already logged in" in msg, (st, msg))


@test
def wrong_password_is_401_and_slowed_down_per_address():
    with Node() as n:
        create(n)
        logout(n)
        st, _, msg = login(n, password="nope")
        check(st == 401 and msg == "Wrong password or invalid/corrupt database for user", (st, msg))

        def timed(name="nobody", source=None):
            """A login for a user that does not exist: no key derivation, so its time is the delay."""
            t0 = time.time()
            conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=60, source_address=(source, 0) if source else None)
            conn.request("POST", f"/api/1/users/{name}", body=json.dumps({"password": "x"}), headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            check(r.status == 409, r.status)
            return time.time() - t0
        one = timed()
        for _ in range(2):
            check(login(n, password="nope")[0] == 401)
        three = timed()
        other = timed(source="127.0.0.2")
        # 250 ms after one failure, 1 s after three; another address waits for nothing
        check(0.25 <= one < 1.0, one)
        check(1.0 <= three < 2.5, three)
        check(other < 0.25, other)
        # meanwhile: another address is not held up, and ping stays quick while one waits
        stop = threading.Event()
        lat = []
        waiter = threading.Thread(target=lambda: login(n, password="nope"))
        waiter.start()
        pinger = threading.Thread(target=lambda: lat.extend(ping_latencies(n.port, seconds=1.0)))
        pinger.start()
        time.sleep(0.1)
        t0 = time.time()
        conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=60, source_address=("127.0.0.2", 0))
        conn.request("POST", "/api/1/users/alice", body=json.dumps({"password": "s3cret"}), headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        other = time.time() - t0
        body = json.loads(r.read())
        waiter.join()
        pinger.join()
        stop.set()
        # the throttled attempt sleeps 2 s; the other address gets in right away (one key derivation)
        check(r.status == 200, body)
        check(other < 1.8, other)
        check(percentile(lat, 99) < 20 * SLOW, percentile(lat, 99))
        logout(n)
        # the throttled address still gets in with the right password, once its delay is over
        t0 = time.time()
        check(login(n, password="s3cret")[0] == 200)
        check(time.time() - t0 >= 1.0, time.time() - t0)


@test
def password_change_then_only_the_new_one_opens():
    for driver in DRIVERS:
        with Node("--db-driver", driver) as n:
            create(n)
            n.call("PUT", "/api/1/tags", TAG)
            st, _, msg = n.call("PATCH", "/api/1/users/alice/password", {"current_password": "bad", "new_password": "x"}, timeout=30)
            check(st == 401 and msg == "Provided current password is not correct", (st, msg))
            st, res, msg = n.call("PATCH", "/api/1/users/alice/password", {"current_password": "s3cret", "new_password": "n3w pass'"}, timeout=60)
            check(st == 200 and res is True, (st, msg))
            # the session goes on with the re-keyed DB: reads and writes both work
            check(n.call("GET", "/api/1/tags")[1]["hw"] == TAG)
            check(n.call("PUT", "/api/1/settings", {"settings": {"ui_floating_precision": 6}})[0] == 200)
            logout(n)
            check(login(n)[0] == 401)
            st, res, _ = login(n, password="n3w pass'")
            check(st == 200 and res["settings"]["ui_floating_precision"] == 6, res)
            # the stock shell agrees: the new password opens it
            out, _, _ = shell(os.path.join(n.data_dir, "users/alice/rotkehlchen.db"), "n3w pass''", "SELECT name FROM tags ORDER BY name;")
            check("hw" in out, out)


# ---------------------------------------------------------------------------- settings, tags
@test
def settings_validate_every_field_and_write_nothing_on_error():
    with Node() as n:
        create(n)
        st, before, _ = n.call("GET", "/api/1/settings")
        check(st == 200 and before["have_premium"] is False and before["main_currency"] == "USD", before)
        for bad, field in (({"ui_floating_precision": 9}, "ui_floating_precision"),
                           ({"ui_floating_precision": "2"}, "ui_floating_precision"),
                           ({"include_gas_costs": 1}, "include_gas_costs"),
                           ({"version": 54}, "version"),
                           ({"no_such_setting": True}, "no_such_setting"),
                           ({"main_currency": "EUR", "balance_save_frequency": 0}, "balance_save_frequency")):
            st, _, msg = n.call("PUT", "/api/1/settings", {"settings": bad})
            check(st == 400 and field in msg, (bad, st, msg))
        check(n.call("GET", "/api/1/settings")[1] == before, "a rejected PUT changed something")
        st, after, _ = n.call("PUT", "/api/1/settings", {"settings": {"main_currency": "EUR", "taxfree_after_period": -1,
                                                                       "current_price_oracles": ["coingecko", "kraken"]}})
        check(st == 200 and after["main_currency"] == "EUR" and after["taxfree_after_period"] is None, after)
        check(after["current_price_oracles"] == ["coingecko", "kraken"] and after["last_write_ts"] > 0, after)
        check(n.call("PUT", "/api/1/settings", {"nope": {}})[0] == 400)


@test
def tags_add_edit_delete_like_rotki():
    with Node() as n:
        create(n)
        check(n.call("PUT", "/api/1/tags", TAG)[0] == 200)
        st, _, msg = n.call("PUT", "/api/1/tags", dict(TAG, name="HW"))
        check(st == 409 and "already exists" in msg, (st, msg))
        st, _, msg = n.call("PUT", "/api/1/tags", dict(TAG, background_color="red"))
        check(st == 400 and "background_color" in msg, (st, msg))
        st, _, msg = n.call("PATCH", "/api/1/tags", {"name": "hw"})
        check(st == 400, (st, msg))
        st, _, msg = n.call("PATCH", "/api/1/tags", {"name": "nope", "description": "x"})
        check(st == 409 and "does not exist" in msg, (st, msg))
        st, tags, _ = n.call("PATCH", "/api/1/tags", {"name": "hw", "new_name": "cold", "description": None})
        check(st == 200 and "hw" not in tags and tags["cold"]["description"] is None, tags)
        st, tags, _ = n.call("DELETE", "/api/1/tags", {"name": "cold"})
        check(st == 200 and list(tags) == ["Contract"], tags)
        st, _, msg = n.call("DELETE", "/api/1/tags", {"name": "cold"})
        check(st == 409 and "does not exist" in msg, (st, msg))


# ---------------------------------------------------------------------------- the file format
@test
def the_file_is_sqlcipher4_and_interoperates_with_the_stock_provider():
    with Node() as n:
        create(n)
        n.call("PUT", "/api/1/tags", TAG)
        logout(n)
        db = os.path.join(n.data_dir, "users/alice/rotkehlchen.db")
        p = subprocess.run(["sqlite3", db, "SELECT count(*) FROM sqlite_master;"], capture_output=True, text=True)
        check(p.returncode != 0 and "not a database" in p.stderr, (p.returncode, p.stderr))
        with open(db, "rb") as f:
            check(b"SQLite format 3" not in f.read(4096))
        out, err, _ = shell(db, "s3cret", "PRAGMA cipher_provider; SELECT name FROM sqlite_master WHERE type='table';"
                                          " SELECT value FROM settings WHERE name='version'; PRAGMA integrity_check;")
        for t in ("openssl", "settings", "tags", "tag_mappings", "blockchain_accounts", "manually_tracked_balances",
                  "user_credentials", "history_events", "timed_balances", "rpc_nodes", "53", "ok"):
            check(t in out.split(), (t, out, err))
        # a DB the stock shell makes with rotki's schema opens in pipit
        schema, _, _ = shell(db, "s3cret", ".schema")
        bob_dir = os.path.join(n.data_dir, "users/bob")
        os.makedirs(bob_dir)
        script = ("PRAGMA foreign_keys=OFF;\nBEGIN;\n" + schema.replace("CREATE TABLE sqlite_sequence(name,seq);", "") +
                  "\nINSERT INTO location VALUES('A',1),('B',2),('E',5),('H',8);"
                  "\nINSERT INTO tags VALUES('Contract','System tag for smart contract addresses','9370DB','FFFFFF');"
                  "\nINSERT INTO tags VALUES('made-by-shell',NULL,'000000','ffffff');"
                  "\nINSERT INTO settings VALUES('version','53');\nCOMMIT;")
        _, err, rc = shell(os.path.join(bob_dir, "rotkehlchen.db"), "b0b", script)
        check(rc == 0 and not err.strip(), err)
        st, res, msg = login(n, name="bob", password="b0b")
        check(st == 200 and res["settings"]["version"] == 53, (st, msg))
        check("made-by-shell" in n.call("GET", "/api/1/tags")[1])


@test
def a_failed_upgrade_leaves_the_original_db_usable():
    with Node() as n:
        create(n)
        n.call("PUT", "/api/1/tags", TAG)
        logout(n)
        db = os.path.join(n.data_dir, "users/alice/rotkehlchen.db")
        # a DB that says v52 but has v53's tables: rotki's v52->v53 step cannot apply to it
        _, err, rc = shell(db, "s3cret", "UPDATE settings SET value='52' WHERE name='version';")
        check(rc == 0, err)
        with open(db, "rb") as f:
            before = f.read()

        (st, _, msg), msgs = ws_messages_during(n, lambda: login(n), quiet=1)
        check(st == 409 and "Failed to upgrade the database from version 52" in msg and "restored" in msg, (st, msg))
        up = [m for m in msgs if m["type"] == "db_upgrade_status"]
        check(up and up[0]["data"]["start_version"] == 52 and up[0]["data"]["target_version"] == 53 and
              up[0]["data"]["current_upgrade"]["to_version"] == 53, msgs)
        backups = [f for f in os.listdir(os.path.dirname(db)) if f.endswith("_rotkehlchen_db_v52.backup")]
        check(len(backups) == 1, os.listdir(os.path.dirname(db)))
        with open(db, "rb") as f:
            check(f.read() == before, "the restored DB differs from the original")
        out, err, _ = shell(db, "s3cret", "SELECT value FROM settings WHERE name='version'; SELECT name FROM tags WHERE name='hw'; PRAGMA integrity_check;")
        check(out.split() == ["52", "hw", "ok"], (out, err))
        check(n.call("GET", "/api/1/users")[1] == {"alice": "loggedout"})
        # and a DB newer than pipit is refused without touching it
        shell(db, "s3cret", "UPDATE settings SET value='54' WHERE name='version';")
        st, _, msg = login(n)
        check(st == 409 and "newer" in msg, (st, msg))


# ---------------------------------------------------------------------------- never blocking
@test
def ping_stays_fast_while_logins_derive_keys():
    for driver in DRIVERS:
        with Node("--db-driver", driver) as n:
            create(n)
            logout(n)
            stop = threading.Event()
            lat = []
            pinger = threading.Thread(target=lambda: lat.extend(ping_latencies(n.port, stop=stop)))
            pinger.start()
            t0 = time.time()
            for _ in range(3):
                check(login(n)[0] == 200)
                check(logout(n)[0] == 200)
            took = time.time() - t0
            stop.set()
            pinger.join()
            p99 = percentile(lat, 99)
            print(f"    {driver}: 3 logins in {took:.1f}s, {len(lat)} pings, p99 {p99:.2f} ms")
            check(p99 < 20 * SLOW, (driver, p99))


@test
def ping_stays_fast_during_a_200k_row_write():
    import tempfile
    for driver in DRIVERS:
        with Node("--db-driver", driver) as n, tempfile.TemporaryDirectory() as d:
            create(n)
            b, loc = os.path.join(d, "b.csv"), os.path.join(d, "l.csv")
            with open(b, "w") as f:
                f.write("timestamp,category,asset_identifier,amount,usd_value\n")
                f.writelines(f"1700000000,asset,TOKEN{i},{i}.5,{i}.25\n" for i in range(200000))
            with open(loc, "w") as f:
                f.write("timestamp,location,usd_value\n1700000000,total,1\n")
            stop = threading.Event()
            lat = []
            pinger = threading.Thread(target=lambda: lat.extend(ping_latencies(n.port, stop=stop)))
            pinger.start()
            time.sleep(0.2)
            t0 = time.time()
            st, res, msg = n.call("PUT", "/api/1/snapshots", {"balances_snapshot_file": b, "location_data_snapshot_file": loc}, timeout=120)
            took = time.time() - t0
            time.sleep(0.2)
            stop.set()
            pinger.join()
            check(st == 200 and res is True, (st, msg))
            out, _, _ = shell(os.path.join(n.data_dir, "users/alice/rotkehlchen.db"), "s3cret", "SELECT count(*) FROM timed_balances;")
            check(out.strip() == "200000", out)
            p99 = percentile(lat, 99)
            print(f"    {driver}: 200,000 rows in {took:.1f}s, {len(lat)} pings, p99 {p99:.2f} ms, max {max(lat):.1f} ms")
            check(p99 < 20 * SLOW, (driver, p99))


@test
def acknowledged_writes_survive_kill_9():
    with Node() as n:
        create(n)
        data_dir = n.data_dir
        acked = []
        stop = threading.Event()

        def writer():
            conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
            i = 0
            try:
                while not stop.is_set():
                    name = f"t{i}"
                    conn.request("PUT", "/api/1/tags", body=json.dumps(dict(TAG, name=name)), headers={"Content-Type": "application/json"})
                    r = conn.getresponse()
                    r.read()
                    if r.status == 200:
                        acked.append(name)
                    i += 1
            except (OSError, http.client.HTTPException):
                pass
        w = threading.Thread(target=writer)
        w.start()
        time.sleep(1.5)
        n.proc.send_signal(signal.SIGKILL)
        n.proc.wait()
        stop.set()
        w.join()
        check(len(acked) > 20, len(acked))
        n.own_dir = False  # keep the data for the restart
    with Node(data_dir=data_dir) as n2:
        n2.own_dir = True
        check(login(n2)[0] == 200)
        tags = n2.call("GET", "/api/1/tags")[1]
        missing = [t for t in acked if t not in tags]
        check(not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}")
        logout(n2)
        out, err, _ = shell(os.path.join(data_dir, "users/alice/rotkehlchen.db"), "s3cret", "PRAGMA integrity_check;")
        check(out.strip() == "ok", (out, err))


# ---------------------------------------------------------------------------- sessions
@test
def sessions_are_required_beyond_loopback():
    with Node("--api-host", "0.0.0.0") as n:
        check(n.call("GET", "/api/1/ping")[0] == 200)
        check(n.call("GET", "/api/1/users")[0] == 200)
        st, res, _ = create(n)
        check(st == 200)
        st, _, msg = n.call("GET", "/api/1/settings")
        check(st == 401 and msg == "Authentication required", (st, msg))
        logout_st = n.call("PATCH", "/api/1/users/alice", {"action": "logout"})[0]
        check(logout_st == 401)
        st, _, resp = n.request("POST", "/api/1/users/alice", body={"password": "s3cret"}, timeout=60)
        check(st == 409, st)  # still logged in: the create's session was not ours to end
        # log in afresh on a new node run to get a cookie from login itself
    with Node("--api-host", "0.0.0.0") as n:
        st, _, resp = n.request("PUT", "/api/1/users", body={"name": "alice", "password": "s3cret"}, timeout=60)
        cookie = resp.getheader("Set-Cookie")
        check(st == 200 and cookie and cookie.startswith("rotki_session=") and "HttpOnly" in cookie, cookie)
        token = cookie.split(";")[0]
        st, _, _ = n.request("GET", "/api/1/settings", headers={"Cookie": token})
        check(st == 200, st)
        forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        check(n.request("GET", "/api/1/settings", headers={"Cookie": forged})[0] == 401)

        async def ws(cookie_value):
            try:
                async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", extra_headers={"Cookie": cookie_value} if cookie_value else None,
                                              open_timeout=5, ping_interval=None) as c:
                    await c.send("hi")
                    return await asyncio.wait_for(c.recv(), 5) == "hi"
            except Exception:
                return False
        check(asyncio.run(ws(None)) is False, "/ws without the session cookie")
        check(asyncio.run(ws(token)) is True, "/ws with the session cookie")
        st, _, _ = n.request("PATCH", "/api/1/users/alice", body={"action": "logout"}, headers={"Cookie": token})
        check(st == 200)
        check(n.request("GET", "/api/1/tags", headers={"Cookie": token})[0] == 401)


if __name__ == "__main__":
    main()
