"""rotki's /api/1/statistics endpoints against the real node: the net value over time from
snapshots imported through PUT /api/1/snapshots (rotki's CSV pair) and from a real balance query
against ganache, ignored assets and NFTs taken out as rotki's get_netvalue_data does, rotki's
14-day window for users without premium, and the premium-only endpoints answering as rotki
answers a user without premium.

The shapes, from rotki's docs/api.rst in our own words:
- netvalue: result is an object with exactly two keys, "times" (a list of integer unix
  seconds, ascending) and "data" (a list of decimal strings, the net value at the same index).
- statistics/balance, statistics/value_distribution, statistics/renderer: premium only; rotki
  answers a logged-in user without premium 403 with result null and the message "Currently
  logged in user <name> does not have a premium subscription", before looking at the input.
- without a logged-in user every one of them is a 401 "No user is currently logged in".
"""
import os
import tempfile
import time
from decimal import Decimal, getcontext

import chainpeers
from harness import Node, check, main, sqlcipher_shell, test

getcontext().prec = 78  # rotki's FVal context
DAY = 86400
PREMIUM_ONLY = (("POST", "/api/1/statistics/balance", {"asset": "ETH", "from_timestamp": 0, "to_timestamp": 1}),
                ("GET", "/api/1/statistics/value_distribution?distribution_by=location", None),
                ("GET", "/api/1/statistics/renderer", None))


def create(n, name="alice", password="s3cret"):
    st, _, msg = n.call("PUT", "/api/1/users", {"name": name, "password": password}, timeout=60)
    check(st == 200, (st, msg))


def shell(n, sql, name="alice", password="s3cret"):
    import subprocess
    db = os.path.join(n.data_dir, "users", name, "rotkehlchen.db")
    p = subprocess.run([sqlcipher_shell(), db], input=f"PRAGMA key='{password}';\n{sql}\n", capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0 and not p.stderr.strip(), p.stderr)
    return [line for line in p.stdout.splitlines() if line and line != "ok"]


def import_snapshot(n, d, ts, balances, locations):
    """balances: [(category, asset, amount, usd_value)], locations: [(location, usd_value)]."""
    b, loc = os.path.join(d, f"b{ts}.csv"), os.path.join(d, f"l{ts}.csv")
    with open(b, "w") as f:
        f.write("timestamp,category,asset_identifier,amount,usd_value\n")
        f.writelines(f"{ts},{c},{a},{amt},{v}\n" for c, a, amt, v in balances)
    with open(loc, "w") as f:
        f.write("timestamp,location,usd_value\n")
        f.writelines(f"{ts},{name},{v}\n" for name, v in locations)
    st, res, msg = n.call("PUT", "/api/1/snapshots", {"balances_snapshot_file": b, "location_data_snapshot_file": loc})
    check(st == 200 and res is True, (ts, st, msg))


def netvalue(n, query=""):
    st, res, msg = n.call("GET", "/api/1/statistics/netvalue" + query)
    check(st == 200, (st, msg))
    check(isinstance(res, dict) and sorted(res) == ["data", "times"], res)
    check(all(type(t) is int for t in res["times"]) and all(type(v) is str for v in res["data"]), res)
    check(len(res["times"]) == len(res["data"]) and res["times"] == sorted(res["times"]), res)
    return res


def window_start():
    """rotki without premium: from the start of the UTC day 14 days back."""
    now = int(time.time())
    return now - now % DAY - 14 * DAY


def fval(s):
    """str(FVal(...)): plain digits, no exponent, no trailing zeros."""
    t = format(Decimal(s).normalize(), "f")
    return "0" if t == "-0" else t


def sqlite_sum(n, where):
    """SUM(usd_value) as rotki's sqlite hands it to Python (an int, or a float FVal reads through
    str()), computed by the same SQLite the node links, through the stock shell."""
    rows = shell(n, f"SELECT typeof(SUM(usd_value)), printf('%!.17g', SUM(usd_value)) FROM timed_balances WHERE {where};")
    kind, text = rows[0].split("|")
    return text if kind == "integer" else repr(float(text))


# ---------------------------------------------------------------------------- net value
@test
def netvalue_lists_the_total_rows_of_the_last_14_days_in_time_order():
    with Node() as n, tempfile.TemporaryDirectory() as d:
        create(n)
        check(netvalue(n) == {"times": [], "data": []})  # an empty DB
        start = window_start()
        now = int(time.time())
        snaps = [  # (timestamp, total) — imported out of order
            (now - 3600, "17541.23"),
            (start, "100"),            # the first second of the window: in
            (start - 1, "99"),         # the last second before it: out
            (now - 3 * DAY, "15000"),
            (now - 20 * DAY, "1"),     # long ago: out
            (now - 2 * DAY, "0.000000000000000001"),
        ]
        for ts, total in snaps:
            import_snapshot(n, d, ts, [("asset", "ETH", "1", total)],
                            [("total", total), ("blockchain", total)])
        want = sorted((ts, total) for ts, total in snaps if ts >= start)
        res = netvalue(n)
        check(res == {"times": [t for t, _ in want], "data": [v for _, v in want]}, (res, want))
        # include_nfts false (query string or body) changes nothing without NFTs
        check(netvalue(n, "?include_nfts=false") == res)
        st, res2, _ = n.call("GET", "/api/1/statistics/netvalue", {"include_nfts": False})
        check(st == 200 and res2 == res, res2)
        # deleting a snapshot takes it out
        st, _, msg = n.call("DELETE", "/api/1/snapshots", {"timestamp": now - 3 * DAY})
        check(st == 200, msg)
        check([t for t in netvalue(n)["times"]] == [t for t, _ in want if t != now - 3 * DAY])


@test
def ignored_assets_and_nfts_are_taken_out_of_the_totals_as_rotki_does():
    with Node() as n, tempfile.TemporaryDirectory() as d:
        create(n)
        now = int(time.time())
        t1, t2, t3 = now - 2 * DAY, now - DAY, now - 60
        nft = "_nft_0xC36442b4a4522E871399CD717aBDD847Ab11FE88_1"
        ignored_nft = "_nft_0xC36442b4a4522E871399CD717aBDD847Ab11FE88_2"
        import_snapshot(n, d, t1, [("asset", "ETH", "2", "4000.5"), ("asset", "BTC", "0.1", "1000.25"),
                                   ("liability", "DAI", "100", "100.5"), ("asset", nft, "1", "50.5"),
                                   ("asset", ignored_nft, "1", "7")],
                        [("total", "3950.75"), ("blockchain", "3950.75")])
        # floats: SQLite sums TEXT as doubles, rotki reads the double through str()
        import_snapshot(n, d, t2, [("asset", "BTC", "1", "0.1"), ("asset", "XMR", "1", "0.2"),
                                   ("asset", "ETH", "1", "9.7")],
                        [("total", "10"), ("blockchain", "10")])
        import_snapshot(n, d, t3, [("asset", "ETH", "1", "12.50")], [("total", "12.50")])  # nothing ignored
        before = netvalue(n)
        check(before == {"times": [t1, t2, t3], "data": ["3950.75", "10", "12.5"]}, before)
        # rotki's ignored assets: multisettings rows (the endpoint belongs to another part)
        shell(n, "INSERT INTO multisettings(name, value) VALUES ('ignored_asset', 'BTC'), ('ignored_asset', 'DAI'), "
                 f"('ignored_asset', 'XMR'), ('ignored_asset', '{ignored_nft}');")
        # t1: 3950.75 - (1000.25 + 7 [ignored assets] - 100.5 [ignored liability])
        s2 = sqlite_sum(n, f"timestamp = {t2} AND currency IN ('BTC', 'XMR')")
        want = [fval(Decimal("3950.75") - (Decimal("1000.25") + Decimal("7") - Decimal("100.5"))),
                fval(Decimal("10") - Decimal(s2)), "12.5"]
        res = netvalue(n)
        check(res == {"times": [t1, t2, t3], "data": want}, (res, want, s2))
        check(res["data"][0] == "3044", res)
        # include_nfts=false: the NFT that is not ignored goes too; the ignored one only once
        res = netvalue(n, "?include_nfts=false")
        want_t1 = fval(Decimal("3950.75") - (Decimal("1000.25") + Decimal("7") + Decimal("50.5") - Decimal("100.5")))
        check(res["data"] == [want_t1] + want[1:] and want_t1 == "2993.5", res)
        # unignoring brings the value back (the per-asset rows stay in the DB)
        shell(n, "DELETE FROM multisettings WHERE name = 'ignored_asset';")
        check(netvalue(n) == before)


@test
def netvalue_of_a_snapshot_stored_by_a_real_balance_query():
    chainpeers.install()
    c = chainpeers.start_chain(accounts=2, tokens=1, multicall=True)
    with Node() as n:
        create(n)
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes",
                            {"name": "ganache", "endpoint": c.url, "owned": True, "weight": "100", "active": True})
        check(st == 200, msg)
        st, _, msg = n.call("PUT", "/api/1/assets/prices/latest", {"from_asset": "ETH", "to_asset": "USD", "price": "2000.5"})
        check(st == 200, msg)
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/accounts",
                            {"accounts": [{"address": a.lower()} for a in c.info["accounts"]]}, timeout=60)
        check(st == 200, msg)
        st, res, msg = n.call("POST", "/api/1/balances/blockchains/eth", {}, timeout=120)
        check(st == 200, (st, msg))
        eth = sum(Decimal(c.info["balances"][a]["ETH"]) for a in c.info["accounts"])
        nv = netvalue(n)
        check(len(nv["times"]) == 1 and abs(nv["times"][0] - time.time()) < 120, nv)
        check(Decimal(nv["data"][0]) == eth * Decimal("2000.5"), (nv, eth))
        # the same as the snapshot's own total row
        st, snap, msg = n.call("GET", f"/api/1/snapshots/{nv['times'][0]}")
        check(st == 200, msg)
        total = [r["usd_value"] for r in snap["location_data_snapshot"] if r["location"] == "total"]
        check(total == nv["data"], (total, nv))


@test
def netvalue_streams_a_year_of_hourly_snapshots_within_a_small_heap():
    # a year of hourly totals written straight into the DB; only the last 14 days are answered,
    # but the query walks the table's index, not a copy of it
    # (both drivers: the sliced one resumes the statement over many slices of 50 steps)
    for driver in ("threaded", "sliced"):
        with Node("--heap-budget", "4M", "--db-driver", driver, "--db-slice-steps", "50") as n:
            create(n)
            now = int(time.time())
            last = now - now % 3600
            shell(n, "WITH RECURSIVE h(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM h WHERE i < 8759) "
                     f"INSERT INTO timed_location_data(timestamp, location, usd_value) "
                     f"SELECT {last} - i * 3600, 'H', (i * 7) || '.25' FROM h;")
            t0 = time.time()
            res = netvalue(n)
            took = time.time() - t0
            start = window_start()
            want = sorted(last - i * 3600 for i in range(8760) if last - i * 3600 >= start)
            check(res["times"] == want, (driver, len(res["times"]), len(want)))
            check(res["data"][-1] == "0.25" and res["data"][0] == f"{(last - want[0]) // 3600 * 7}.25", res["data"][:2])
            print(f"    {driver}: {len(want)} of 8760 snapshots answered in {took * 1000:.0f} ms")


@test
def bad_input_is_a_400_naming_the_field():
    with Node() as n:
        create(n)
        st, _, msg = n.call("GET", "/api/1/statistics/netvalue?include_nfts=maybe")
        check(st == 400 and "include_nfts" in msg, (st, msg))
        st, _, msg = n.call("GET", "/api/1/statistics/netvalue", {"include_nfts": "sometimes"})
        check(st == 400 and "include_nfts" in msg, (st, msg))
        st, _, msg = n.call("GET", "/api/1/statistics/netvalue", {"include_nft": True})
        check(st == 400 and "include_nft" in msg, (st, msg))
        st, _, msg = n.call("GET", "/api/1/statistics/netvalue", [1])
        check(st == 400, (st, msg))


# ---------------------------------------------------------------------------- premium only
@test
def premium_endpoints_answer_as_rotki_answers_a_user_without_premium():
    with Node() as n, tempfile.TemporaryDirectory() as d:
        create(n)
        import_snapshot(n, d, int(time.time()) - 60, [("asset", "ETH", "1", "10")], [("total", "10")])
        want = "Currently logged in user alice does not have a premium subscription"
        for method, path, body in PREMIUM_ONLY:
            st, res, msg = n.call(method, path, body)
            check(st == 403 and res is None and msg == want, (path, st, res, msg))
        # rotki checks premium first: even malformed arguments get the 403
        st, _, msg = n.call("POST", "/api/1/statistics/balance", {"asset": "ETH", "collection_id": 1})
        check(st == 403 and msg == want, (st, msg))
        # rotki's methods: value_distribution is a GET, balance a POST
        check(n.call("POST", "/api/1/statistics/value_distribution", {"distribution_by": "asset"})[0] == 405)
        check(n.call("GET", "/api/1/statistics/balance")[0] == 405)


@test
def without_a_logged_in_user_every_statistics_endpoint_is_401():
    with Node() as n:
        for method, path, body in (("GET", "/api/1/statistics/netvalue", None),) + PREMIUM_ONLY:
            st, res, msg = n.call(method, path, body)
            check(st == 401 and res is None and msg == "No user is currently logged in", (path, st, msg))
        create(n)
        check(netvalue(n) == {"times": [], "data": []})
        st, _, msg = n.call("PATCH", "/api/1/users/alice", {"action": "logout"}, timeout=30)
        check(st == 200, msg)
        check(n.call("GET", "/api/1/statistics/netvalue")[0] == 401)


if __name__ == "__main__":
    main()
