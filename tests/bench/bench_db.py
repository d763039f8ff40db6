"""make bench, the user DB part: 8 clients reading settings and tags while one client writes
balance history (snapshot imports of 20,000 rows each), with the threaded and the sliced
driver; plus the time of a login (SQLCipher 4's 256,000-round key derivation)."""
import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402

READERS = 8
SECONDS = 10
ROWS = 20000


def write_snapshot(directory, ts, rows):
    b = os.path.join(directory, f"b{ts}.csv")
    loc = os.path.join(directory, f"l{ts}.csv")
    with open(b, "w") as f:
        f.write("timestamp,category,asset_identifier,amount,usd_value\n")
        f.writelines(f"{ts},asset,TOKEN{i},{i + 1}.5,{i * 2}.25\n" for i in range(rows))
    with open(loc, "w") as f:
        f.write(f"timestamp,location,usd_value\n{ts},total,{rows}\n")
    return {"balances_snapshot_file": b, "location_data_snapshot_file": loc}


def run(driver, pipit):
    harness.PIPIT = pipit
    with harness.Node("--db-driver", driver) as n, tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        n.call("PUT", "/api/1/users", {"name": "bench", "password": "bench pass"}, timeout=60)
        create_s = time.perf_counter() - t0
        n.call("PATCH", "/api/1/users/bench", {"action": "logout"})
        t0 = time.perf_counter()
        st, _, _ = n.call("POST", "/api/1/users/bench", {"password": "bench pass"}, timeout=60)
        login_s = time.perf_counter() - t0
        assert st == 200
        n.call("PUT", "/api/1/tags", {"name": "hw", "background_color": "000000", "foreground_color": "ffffff"})
        files = [write_snapshot(d, 1700000000 + k, ROWS) for k in range(40)]
        stop = threading.Event()
        lat, written = [], []

        def reader(k):
            conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
            mine = []
            path = "/api/1/settings" if k % 2 else "/api/1/tags"
            while not stop.is_set():
                t = time.perf_counter()
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                assert r.status == 200, r.status
                mine.append((time.perf_counter() - t) * 1000)
            lat.extend(mine)

        def writer():
            conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=120)
            for f in files:
                if stop.is_set():
                    break
                conn.request("PUT", "/api/1/snapshots", body=json.dumps(f), headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    written.append(ROWS)
        threads = [threading.Thread(target=reader, args=(k,)) for k in range(READERS)] + [threading.Thread(target=writer)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(SECONDS)
        stop.set()
        for t in threads:
            t.join()
        secs = time.perf_counter() - t0
        print(f"{driver:8s}: reads {len(lat) / secs:7.0f} req/s, p50 {harness.percentile(lat, 50):6.2f} ms, "
              f"p99 {harness.percentile(lat, 99):6.2f} ms; writes {sum(written) / secs:7.0f} rows/s "
              f"({len(written)} imports of {ROWS} rows); create {create_s * 1000:.0f} ms, login {login_s * 1000:.0f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipit", default="build/linux/pipit")
    args = ap.parse_args()
    print(f"user DB: {READERS} clients reading settings/tags for {SECONDS} s while one imports balance snapshots "
          f"[tests/bench/bench_db.py]")
    for driver in ("threaded", "sliced"):
        run(driver, args.pipit)


if __name__ == "__main__":
    main()
