"""Async queries and the task manager, /api/1/metrics, and the periodic jobs, against the real
node: task ids and outcomes as rotki has them, 1,000 tasks at once under the concurrency cap,
cancellation that writes nothing, Prometheus text that a real parser reads, periodic runs that
never overlap and stop when switched off."""
import asyncio
import http.client
import json
import os
import tempfile
import threading
import time

import websockets
from prometheus_client.parser import text_string_to_metric_families

from harness import SLOW, Node, check, main, percentile, ping_latencies, test


def wait_task(n, task_id, timeout=60):
    """Polls a task until it completes; returns (seen_pending, status_code, outcome)."""
    seen_pending = False
    end = time.time() + timeout
    while time.time() < end:
        st, res, msg = n.call("GET", f"/api/1/tasks/{task_id}")
        check(st == 200, (st, res, msg))
        if res["status"] == "pending":
            seen_pending = True
            check(res["outcome"] is None and f"id {task_id} is still pending" in msg, (res, msg))
            time.sleep(0.02)
            continue
        check(res["status"] == "completed", res)
        wait_task.last = res
        return seen_pending, res["status_code"], res["outcome"]
    raise AssertionError(f"task {task_id} did not complete")


def write_snapshot(directory, ts, rows):
    """rotki's snapshot export files for import: balances and location data."""
    b = os.path.join(directory, f"balances_{ts}.csv")
    loc = os.path.join(directory, f"location_{ts}.csv")
    with open(b, "w") as f:
        f.write("timestamp,category,asset_identifier,amount,usd_value\n")
        for i in range(rows):
            f.write(f"{ts},asset,TOKEN{i},{i + 1}.5,{i * 2}.25\n")
    with open(loc, "w") as f:
        f.write("timestamp,location,usd_value\n")
        f.write(f"{ts},total,{rows * 3}\n{ts},kraken,{rows}\n")
    return {"balances_snapshot_file": b, "location_data_snapshot_file": loc}


def metrics(n):
    """Scrapes /api/1/metrics and parses it with prometheus_client's own parser."""
    conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
    conn.request("GET", "/api/1/metrics")
    r = conn.getresponse()
    text = r.read().decode()
    conn.close()
    check(r.status == 200 and r.getheader("Content-Type").startswith("text/plain"), r.status)
    samples = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


@test
def async_query_gives_a_task_id_then_the_outcome_with_its_status_code():
    with Node() as n:
        st, res, _ = n.call("PUT", "/api/1/users", {"name": "alice", "password": "pw", "async_query": True})
        check(st == 200 and set(res) == {"task_id"}, res)
        pending, code, outcome = wait_task(n, res["task_id"])
        check(pending, "the creation (a key derivation) should have been seen pending")
        check(code == 200 and outcome["message"] == "" and outcome["result"]["settings"]["version"] == 53, outcome)
        # the task's own use of the allocator (its handler, its DB jobs, their completions)
        acct = wait_task.last["pipit"]
        check(acct["allocated_bytes"] > 10000 and acct["allocations"] > 10 and acct["run_ms"] > 0, acct)
        # read once: then it is gone, as in rotki
        st, res2, msg = n.call("GET", f"/api/1/tasks/{res['task_id']}")
        check(st == 404 and res2 == {"status": "not-found", "outcome": None} and "No task with id" in msg, (st, res2))
        st, _, _ = n.call("GET", "/api/1/tasks/123456")
        check(st == 404)
        check(n.call("GET", "/api/1/tasks/abc")[0] == 404)
        # a failing endpoint keeps its own status code
        n.call("PATCH", "/api/1/users/alice", {"action": "logout"})
        st, res, _ = n.call("POST", "/api/1/users/alice?async_query=true", {"password": "wrong"})
        _, code, outcome = wait_task(n, res["task_id"])
        check(code == 401 and outcome == {"result": None, "message": "Wrong password or invalid/corrupt database for user"}, outcome)
        st, lists, _ = n.call("GET", "/api/1/tasks")
        check(lists == {"pending": [], "completed": []}, lists)
        check(n.call("GET", "/api/1/settings?async_query=maybe")[0] == 400)


@test
def a_thousand_tasks_run_under_the_cap_while_ping_stays_fast():
    with Node("--max-tasks", "3", "--db-driver", "sliced") as n:
        n.call("PUT", "/api/1/users", {"name": "alice", "password": "pw"}, timeout=30)
        stop = threading.Event()
        lat = []
        pinger = threading.Thread(target=lambda: lat.extend(ping_latencies(n.port, stop=stop)))
        pinger.start()
        t_start = time.time()
        ids = []

        def submit(k):
            conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=30)
            for _ in range(k):
                # a read that is a DB job each time (GET /settings is answered from memory)
                conn.request("GET", "/api/1/balances/manual?async_query=true")
                r = conn.getresponse()
                ids.append(json.loads(r.read())["result"]["task_id"])
            conn.close()
        subs = [threading.Thread(target=submit, args=(250,)) for _ in range(4)]
        for s in subs:
            s.start()
        for s in subs:
            s.join()
        check(len(set(ids)) == 1000, len(set(ids)))
        end = time.time() + 60
        while time.time() < end:
            lists = n.call("GET", "/api/1/tasks")[1]
            if not lists["pending"]:
                break
            time.sleep(0.1)
        time.sleep(max(0.0, 2.0 - (time.time() - t_start)))  # enough pings for a p99
        stop.set()
        pinger.join()
        check(sorted(lists["completed"]) == sorted(ids), (len(lists["completed"]), len(lists["pending"])))
        m = metrics(n)
        check(m[("pipit_tasks_running_max", ())] == 3, m[("pipit_tasks_running_max", ())])
        check(m[("pipit_tasks_submitted_total", ())] >= 1000)
        for i in ids[:50]:
            _, code, outcome = wait_task(n, i)
            check(code == 200 and outcome["result"]["balances"] == [], (code, outcome))
        p99 = percentile(lat, 99)
        print(f"    {len(lat)} pings during 1,000 tasks: p99 {p99:.2f} ms")
        check(p99 < 20 * SLOW, p99)


@test
def a_cancelled_task_writes_nothing():
    with Node("--max-tasks", "1", "--db-driver", "sliced") as n:
        n.call("PUT", "/api/1/users", {"name": "alice", "password": "pw"}, timeout=30)
        with tempfile.TemporaryDirectory() as d:
            big = write_snapshot(d, 1700000000, 200000)
            small = write_snapshot(d, 1700000100, 10)
            st, r1, msg = n.call("PUT", "/api/1/snapshots", dict(big, async_query=True))
            check(st == 200, (st, msg))
            st, r2, _ = n.call("PUT", "/api/1/snapshots", dict(small, async_query=True))
            time.sleep(0.5)  # the big import is running, the small one waits for the one slot
            check(n.call("DELETE", f"/api/1/tasks/{r2['task_id']}") == (200, True, ""))
            check(n.call("DELETE", f"/api/1/tasks/{r1['task_id']}") == (200, True, ""))
            st, _, msg = n.call("DELETE", f"/api/1/tasks/{r1['task_id']}")
            check(st == 404 and "could not be found" in msg, (st, msg))
            time.sleep(1.0)
            check(n.call("GET", "/api/1/tasks")[1] == {"pending": [], "completed": []})
            for ts in (1700000000, 1700000100):
                st, res, msg = n.call("GET", f"/api/1/snapshots/{ts}")
                check(st == 404 and msg == "No snapshot data found for the given timestamp.", (ts, st, msg))
            # not cancelled, the same import goes through
            st, r3, _ = n.call("PUT", "/api/1/snapshots", dict(small, async_query=True))
            _, code, outcome = wait_task(n, r3["task_id"])
            check(code == 200 and outcome["result"] is True, outcome)
            st, res, _ = n.call("GET", "/api/1/snapshots/1700000100")
            check(len(res["balances_snapshot"]) == 10, res)


@test
def metrics_parse_and_move():
    with Node() as n:
        m0 = metrics(n)
        for _ in range(5):
            n.call("GET", "/api/1/ping")
        n.call("GET", "/api/1/nope")
        m1 = metrics(n)
        key = ("pipit_http_requests_total", (("code", "2xx"), ("method", "GET"), ("route", "/api/1/ping")))
        check(m1.get(key, 0) - m0.get(key, 0) == 5, (m0.get(key), m1.get(key)))
        check(m1[("pipit_http_requests_total", (("code", "4xx"), ("method", "GET"), ("route", "unmatched")))] >= 1)
        check(m1[("pipit_loop_turn_duration_seconds_count", ())] > m0[("pipit_loop_turn_duration_seconds_count", ())])
        check(("pipit_http_request_duration_seconds_bucket",
               (("le", "+Inf"), ("method", "GET"), ("route", "/api/1/ping"))) in m1)
        check(m1[("pipit_heap_live_bytes", (("tag", "lws"),))] > 0)
        check(m1[("pipit_ws_clients", ())] == 0)
        check(("pipit_db_jobs_queued", (("conn", "writer"),)) in m1)


@test
def periodic_job_never_overlaps_reports_in_order_and_obeys_its_flag():
    with Node("--db-maintenance-interval", "1", "--db-driver", "sliced") as n:
        n.call("PUT", "/api/1/users", {"name": "alice", "password": "pw"}, timeout=30)

        async def watch(seconds):
            msgs = []
            async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None) as ws:
                end = time.time() + seconds
                while time.time() < end:
                    try:
                        m = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, end - time.time())))
                    except asyncio.TimeoutError:
                        break
                    if m["type"] == "progress_updates" and m["data"]["subtype"] == "db_maintenance":
                        msgs.append(m["data"])
            return msgs
        msgs = asyncio.run(watch(3.5))
        steps = [m["step"] for m in msgs]
        check(len(steps) >= 4, steps)
        start = steps.index("checkpoint")
        runs = steps[start:start + 4]
        check(runs == ["checkpoint", "optimize", "integrity_check", "done"], steps)
        check([m["processed"] for m in msgs[start:start + 4]] == [0, 1, 2, 3], msgs)
        # keep the writer busy far longer than the period: the next run waits, ticks are skipped
        with tempfile.TemporaryDirectory() as d:
            bigs = [write_snapshot(d, 1700000000 + k, 200000) for k in range(3)]
            result = {}

            def imports():
                for b in bigs:
                    result["r"] = n.call("PUT", "/api/1/snapshots", b, timeout=120)
            t = threading.Thread(target=imports)
            t.start()
            seen_running = 0
            while t.is_alive():
                job = n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]
                seen_running += job["running"]
                time.sleep(0.1)
            t.join()
            check(result["r"][0] == 200, result)
        job = n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]
        check(job["skipped_busy"] >= 1 and seen_running > 0, job)
        check(job["failures"] == 0, job)
        # switched off at run time: no run starts after the one under way
        st, flags, _ = n.call("PUT", "/api/1/flags", {"flags": {"task.db_maintenance": False}})
        check(st == 200 and flags["task.db_maintenance"] is False)
        time.sleep(1.5)
        runs_off = n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]["runs"]
        time.sleep(2.2)
        check(n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]["runs"] == runs_off)
        # back on, then the whole scheduler paused the rotki way
        n.call("PUT", "/api/1/flags", {"flags": {"task.db_maintenance": True}})
        time.sleep(2.2)
        runs_on = n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]["runs"]
        check(runs_on > runs_off, (runs_on, runs_off))
        check(n.call("PUT", "/api/1/tasks/scheduler", {"enabled": False}) == (200, {"enabled": False}, ""))
        time.sleep(1.5)
        paused = n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]["runs"]
        time.sleep(2.2)
        check(n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]["runs"] == paused)
        check(n.call("PUT", "/api/1/tasks/scheduler", {"enabled": "yes"})[0] == 400)
        # nobody logged in: nothing runs
        n.call("PUT", "/api/1/tasks/scheduler", {"enabled": True})
        n.call("PATCH", "/api/1/users/alice", {"action": "logout"})
        time.sleep(1.5)
        out = n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]["runs"]
        time.sleep(2.2)
        check(n.call("GET", "/api/1/tasks/scheduler")[1]["jobs"]["db_maintenance"]["runs"] == out)


if __name__ == "__main__":
    main()
