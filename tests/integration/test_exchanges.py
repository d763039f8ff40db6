"""Kraken and Binance accounts against local HTTPS servers that speak each exchange's formats and
check every signature with ccxt (tests/exchanges): keys accepted and refused with the exchange's
own error, secrets kept out of logs and answers, balances equal to the server's, thousands of
trades across pages stored as rotki history events exactly once, 429 and rate-limit answers
waited out on a timer while /ping stays fast, a server that dies or answers garbage mid-history
leaving the stored events consistent, Kraken nonces growing across a restart, unknown assets
reported and skipped, and the periodic refresh."""
import asyncio
import json
import threading
import time
from decimal import Decimal

import websockets

import exchangepeers as xp
from harness import SLOW, Node, check, main, percentile, ping_latencies, test, ws_messages_during

xp.install()

USDT = "eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831ec7"
USDC = "eip155:1/erc20:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
# the exchanges' symbols as rotki identifiers (written here independently of pipit's table)
KRAKEN = {"ZUSD": "USD", "ZEUR": "EUR", "XXBT": "BTC", "XETH": "ETH", "XXRP": "XRP", "DOT": "DOT", "DOT.S": "DOT",
          "ETH2.S": "ETH2", "ADA": "ADA", "SOL": "SOL", "USDT": USDT, "USDC": USDC}
BINANCE = {"BTC": "BTC", "ETH": "ETH", "BNB": "BNB", "ADA": "ADA", "SOL": "SOL", "DOT": "DOT", "LTC": "LTC", "XRP": "XRP",
           "USDT": USDT, "USDC": USDC}


def norm(x):
    d = Decimal(str(x))
    return "0" if d == 0 else format(d.normalize(), "f")


def env_for(*peers):
    e = {"PIPIT_CA_FILE": xp.ca().ca_cert}
    for p in peers:
        e[{"kraken": "PIPIT_KRAKEN_API_URL", "binance": "PIPIT_BINANCE_API_URL",
           "coingecko": "PIPIT_COINGECKO_API_URL"}[p.exchange]] = p.url
    return e


def login(n):
    st, _, msg = n.call("PUT", "/api/1/users", {"name": "alice", "password": "s3cret"}, timeout=60)
    check(st == 200, msg)


def add(n, location, name, acct, **extra):
    body = {"name": name, "location": location, "api_key": acct["key"], "api_secret": acct["secret"]}
    body.update(extra)
    return n.call("PUT", "/api/1/exchanges", body, timeout=60)


def binance_markets(peer, acct):
    return sorted({t["symbol"] for t in peer.expected(acct["key"])["trades"]})


def all_events(n, location):
    st, res, msg = n.call("POST", "/api/1/history/events", {"location": location}, timeout=60)
    check(st == 200, msg)
    out = []
    for e in res["entries"]:
        for item in (e if isinstance(e, list) else [e]):
            out.append(item["entry"])
    return out, res


def expected_balances(exchange, exp):
    want = {}
    if exchange == "kraken":
        for sym, amount in exp["balances"].items():
            if Decimal(amount) != 0:
                a = KRAKEN[sym]
                want[a] = norm(Decimal(want.get(a, "0")) + Decimal(amount))
    else:
        for b in exp["balances"]:
            total = Decimal(b["free"]) + Decimal(b["locked"])
            if total != 0:
                want[BINANCE[b["asset"]]] = norm(total)
    return want


def swaps_of(events):
    """{group: (ts, spend, receive, fee)} from stored swap events"""
    groups = {}
    for e in events:
        if e["entry_type"] != "swap event":
            continue
        g = groups.setdefault(e["group_identifier"], {"ts": e["timestamp"]})
        check(e["event_subtype"] not in g, ("two", e["event_subtype"], "in one swap", e))
        g[e["event_subtype"]] = (e["asset"], e["amount"])
    return sorted((g["ts"], g["spend"], g["receive"], g.get("fee")) for g in groups.values())


def expected_kraken_swaps(exp):
    out = []
    for t in exp["trades"]:
        ts = int(Decimal(str(t["time"])) * 1000)
        fee = (KRAKEN[t["fee"]["asset"]], norm(t["fee"]["amount"])) if Decimal(t["fee"]["amount"]) != 0 else None
        out.append((ts, (KRAKEN[t["spent"]["asset"]], norm(t["spent"]["amount"])),
                    (KRAKEN[t["received"]["asset"]], norm(t["received"]["amount"])), fee))
    return sorted(out)


def expected_binance_swaps(exp):
    sym = {s["symbol"]: (s["baseAsset"], s["quoteAsset"]) for s in exp["symbols"]}
    out = []
    for t in exp["trades"]:
        base, quote = sym[t["symbol"]]
        b, q = (BINANCE[base], norm(t["qty"])), (BINANCE[quote], norm(t["quoteQty"]))
        fee = (BINANCE[t["commissionAsset"]], norm(t["commission"])) if Decimal(t["commission"]) != 0 else None
        out.append((t["time"], q if t["isBuyer"] else b, b if t["isBuyer"] else q, fee))
    return sorted(out)


def movements_of(events):
    return sorted((e["timestamp"], e["event_subtype"], e["asset"], e["amount"]) for e in events
                  if e["entry_type"] == "asset movement event")


def expected_binance_movements(exp):
    out = []
    for d in exp["deposits"]:
        if d["status"] == 1:  # credited; pending ones are not history yet
            out.append((d["insertTime"], "receive", BINANCE[d["coin"]], norm(d["amount"])))
    for w in exp["withdrawals"]:
        if w["status"] != 6:  # completed only; cancelled ones moved nothing
            continue
        from datetime import datetime, timezone
        ms = int(datetime.strptime(w["applyTime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp() * 1000)
        out.append((ms, "spend", BINANCE[w["coin"]], norm(w["amount"])))
        if Decimal(w["transactionFee"]) != 0:
            out.append((ms, "fee", BINANCE[w["coin"]], norm(w["transactionFee"])))
    return sorted(out)


def refresh(n, location=None, timeout=300):
    body = {"query_type": "exchanges"}
    if location:
        body["location"] = location
    return n.call("POST", "/api/1/history/events/query", body, timeout=timeout)


@test
def keys_are_validated_with_a_signed_call_and_secrets_never_shown():
    k = xp.start("kraken", accounts=[xp.make_account("kraken", 11, trades=5, tier="pro")])
    b = xp.start("binance", accounts=[xp.make_account("binance", 12, trades=5)])
    try:
        with Node(env=env_for(k, b)) as n:
            login(n)
            ka, ba = k.accounts[0], b.accounts[0]
            bad_k = dict(ka, secret=ka["secret"][:-8] + "AAAAAAA=")
            st, _, msg = add(n, "kraken", "kr", bad_k)
            check(st == 409 and "EAPI:Invalid signature" in msg, (st, msg))
            st, _, msg = add(n, "binance", "bn", dict(ba, secret="x" * 64))
            check(st == 409 and "Signature for this request is not valid" in msg, (st, msg))
            st, _, msg = add(n, "binance", "bn", dict(ba, key="y" * 64))
            check(st == 409 and "API-key" in msg, (st, msg))
            check(n.call("GET", "/api/1/exchanges")[1] == [], "nothing stored after refused keys")
            st, _, msg = add(n, "kraken", "kr", ka, kraken_account_type="pro")
            check(st == 200, msg)
            st, _, msg = add(n, "kraken", "kr", ka)
            check(st == 409 and "already registered" in msg, (st, msg))
            st, _, msg = add(n, "binance", "bn", ba)
            check(st == 200, msg)
            st, _, msg = add(n, "bitfinex", "x", ba)
            check(st == 400, (st, msg))
            st, lst, _ = n.call("GET", "/api/1/exchanges")
            check(lst == [{"location": "kraken", "name": "kr", "kraken_account_type": "pro"},
                          {"location": "binance", "name": "bn"}], lst)
            # rename, then delete
            st, _, msg = n.call("PATCH", "/api/1/exchanges", {"name": "kr", "location": "kraken", "new_name": "kraken main",
                                                              "kraken_account_type": "intermediate"})
            check(st == 200, msg)
            st, lst, _ = n.call("GET", "/api/1/exchanges")
            check({"location": "kraken", "name": "kraken main", "kraken_account_type": "intermediate"} in lst, lst)
            st, _, msg = n.call("DELETE", "/api/1/exchanges", {"name": "nope", "location": "kraken"})
            check(st == 409, (st, msg))
            everything = "".join(n.log) + json.dumps(lst)
            for secret in (ka["secret"], ba["secret"], bad_k["secret"]):
                check(secret not in everything, "a secret in the log or the API")
            st, _, msg = n.call("DELETE", "/api/1/exchanges", {"name": "bn", "location": "binance"})
            check(st == 200 and n.call("GET", "/api/1/exchanges")[1] == [{"location": "kraken", "name": "kraken main",
                                                                          "kraken_account_type": "intermediate"}], msg)
            # the login's answer lists the accounts, as rotki's does
            n.call("PATCH", "/api/1/users/alice", {"action": "logout"}, timeout=30)
            st, res, msg = n.call("POST", "/api/1/users/alice", {"password": "s3cret"}, timeout=60)
            check(st == 200 and res["exchanges"] == [{"location": "kraken", "name": "kraken main",
                                                      "kraken_account_type": "intermediate"}], (st, msg, res))
            # the keys are in rotki's user_credentials, inside the encrypted DB
            from harness import user_db_rows
            rows = user_db_rows(n, "SELECT name, location FROM user_credentials")
            check(rows == [["kraken main", "B"]], rows)
    finally:
        k.stop()
        b.stop()


@test
def balances_equal_the_servers_and_unknown_assets_are_skipped():
    kacct = xp.make_account("kraken", 21, trades=30, tier="pro")
    k = xp.start("kraken", accounts=[kacct])
    b = xp.start("binance", accounts=[xp.make_account("binance", 22, trades=30)])
    odd = xp.make_account("kraken", 23, trades=0, tier="pro", balances={"XXBT": "1.5000000000", "ZZZT": "7.0"})
    k.add_accounts([odd])
    cg = xp.start("coingecko")
    try:
        with Node(env=env_for(k, b, cg)) as n:
            login(n)
            check(add(n, "kraken", "k", kacct, kraken_account_type="pro")[0] == 200)
            check(add(n, "binance", "b", b.accounts[0])[0] == 200)
            st, res, msg = n.call("GET", "/api/1/exchanges/balances/kraken", timeout=60)
            check(st == 200, msg)
            want = expected_balances("kraken", k.expected(kacct["key"]))
            check({a: v["amount"] for a, v in res.items()} == want, (res, want))
            check(all(Decimal(v["value"]) > 0 for v in res.values()), "the price layer values every asset")
            st, res, msg = n.call("GET", "/api/1/exchanges/balances/binance", timeout=60)
            want = expected_balances("binance", b.expected())
            check(st == 200 and {a: v["amount"] for a, v in res.items()} == want, (st, msg, res, want))
            st, allb, msg = n.call("GET", "/api/1/exchanges/balances", timeout=60)
            check(st == 200 and set(allb) == {"kraken", "binance"}, (st, msg))
            st, agg, msg = n.call("GET", "/api/1/balances", timeout=60)
            check(st == 200 and set(agg["location"]) == {"kraken", "binance"}, (st, msg, agg))
            check(Decimal(agg["net_value"]) > 0, agg["net_value"])

            # an account holding a symbol pipit does not know: reported, skipped, not fatal
            check(add(n, "kraken", "odd", odd, kraken_account_type="pro")[0] == 200)

            (st, res, msg), msgs = ws_messages_during(
                n, lambda: n.call("GET", "/api/1/exchanges/balances/kraken?ignore_cache=true", timeout=60))
            check(st == 200, msg)
            unknown = [m["data"] for m in msgs if m["type"] == "exchange_unknown_asset"]
            check(unknown == [{"location": "kraken", "name": "odd", "identifier": "ZZZT",
                               "details": "pipit does not know this asset; it was left out"}], msgs)
            mine = expected_balances("kraken", k.expected(kacct["key"]))
            check(res["BTC"]["amount"] == norm(Decimal(mine["BTC"]) + Decimal("1.5")), res["BTC"])
    finally:
        for p in (k, b, cg):
            p.stop()


@test
def thousands_of_trades_become_history_events_exactly_once():
    kacct = xp.make_account("kraken", 31, trades=300, tier="pro")
    bacct = xp.make_account("binance", 32, trades=2500)
    k = xp.start("kraken", accounts=[kacct])
    b = xp.start("binance", accounts=[bacct])
    try:
        with Node(env=env_for(k, b)) as n:
            login(n)
            check(add(n, "kraken", "k", kacct, kraken_account_type="pro")[0] == 200)
            check(add(n, "binance", "b", bacct, binance_markets=binance_markets(b, bacct))[0] == 200)
            t0 = time.time()
            st, res, msg = refresh(n)
            check(st == 200 and res is True, (st, msg))
            took = time.time() - t0
            kev, _ = all_events(n, "kraken")
            bev, bres = all_events(n, "binance")
            check(swaps_of(kev) == expected_kraken_swaps(k.expected()), "kraken swaps")
            check(swaps_of(bev) == expected_binance_swaps(b.expected()), "binance swaps")
            check(movements_of(bev) == expected_binance_movements(b.expected()), "binance deposits and withdrawals")
            check(len(swaps_of(bev)) == 2500, len(swaps_of(bev)))
            kstats, bstats = k.stats(), b.stats()
            check(kstats["requests"].get("POST /0/private/Ledgers", 0) >= 10, kstats["requests"])  # paged
            check(bstats["requests"].get("GET /api/v3/myTrades", 0) >= 3, bstats["requests"])
            # again: nothing new, nothing twice
            total = bres["entries_total"]
            st, res, msg = refresh(n)
            check(st == 200, msg)
            _, bres2 = all_events(n, "binance")
            check(bres2["entries_total"] == total, (total, bres2["entries_total"]))
            print(f"    refresh of 300 kraken + 2,500 binance trades: {took:.1f} s", flush=True)
    finally:
        k.stop()
        b.stop()


@test
def a_server_dying_or_answering_garbage_mid_history_leaves_events_consistent():
    bacct = xp.make_account("binance", 41, trades=2200)
    kacct = xp.make_account("kraken", 42, trades=200, tier="pro")
    b = xp.start("binance", accounts=[bacct])
    k = xp.start("kraken", accounts=[kacct])
    try:
        with Node(env=env_for(k, b)) as n:
            login(n)
            check(add(n, "binance", "b", bacct, binance_markets=binance_markets(b, bacct))[0] == 200)
            check(add(n, "kraken", "k", kacct, kraken_account_type="pro")[0] == 200)
            for peer, kind in ((b, "die_after_pages"), (k, "garbage_after_pages")):
                peer.fault(kind, n=2)
                st, _, msg = refresh(n, peer.exchange)
                check(st == 502 and peer.exchange in msg and ("closed" in msg or "not JSON" in msg or "failed" in msg),
                      (kind, st, msg))
                evs, _ = all_events(n, peer.exchange)
                check(len(evs) == 0, (kind, "events of a failed refresh were stored", len(evs)))
                check(n.alive())
                peer.fault("none")
                st, _, msg = refresh(n, peer.exchange)
                check(st == 200, msg)
            bev, _ = all_events(n, "binance")
            kev, _ = all_events(n, "kraken")
            check(swaps_of(bev) == expected_binance_swaps(b.expected()), "binance after recovery")
            check(swaps_of(kev) == expected_kraken_swaps(k.expected()), "kraken after recovery")
    finally:
        k.stop()
        b.stop()


@test
def rate_limits_are_waited_out_while_ping_stays_fast():
    bacct = xp.make_account("binance", 51, trades=5)
    kacct = xp.make_account("kraken", 52, trades=5, tier="pro")
    b = xp.start("binance", accounts=[bacct])
    k = xp.start("kraken", accounts=[kacct])
    try:
        with Node(env=env_for(k, b)) as n:
            login(n)
            check(add(n, "binance", "b", bacct)[0] == 200)
            check(add(n, "kraken", "k", kacct, kraken_account_type="pro")[0] == 200)
            for peer in (b, k):
                peer.reset()
                peer.fault("rate_limit", n=2)
                stop = threading.Event()
                lat = []
                pinger = threading.Thread(target=lambda: lat.extend(ping_latencies(n.port, stop=stop)))
                pinger.start()
                t0 = time.time()
                st, res, msg = n.call("GET", f"/api/1/exchanges/balances/{peer.exchange}?ignore_cache=true", timeout=120)
                took = time.time() - t0
                stop.set()
                pinger.join()
                check(st == 200, (peer.exchange, st, msg))
                want = expected_balances(peer.exchange, peer.expected())
                check({a: v["amount"] for a, v in res.items()} == want, (res, want))
                check(took >= 1.0, (peer.exchange, "answered before the wait", took))
                check(len(lat) > 50 and percentile(lat, 99) < 20 * SLOW, (peer.exchange, len(lat), percentile(lat, 99)))
            s = b.stats()
            check(s["sent_429"] >= 1 and s.get("sent_418", 0) == 0, ("binance waited out Retry-After", s))
    finally:
        k.stop()
        b.stop()


@test
def kraken_nonces_keep_growing_across_a_restart():
    kacct = xp.make_account("kraken", 61, trades=5, tier="pro")
    k = xp.start("kraken", accounts=[kacct])
    import tempfile
    data = tempfile.mkdtemp(prefix="pipit-it-")
    try:
        with Node(env=env_for(k), data_dir=data) as n:
            login(n)
            check(add(n, "kraken", "k", kacct, kraken_account_type="pro")[0] == 200)
            for _ in range(3):
                check(n.call("GET", "/api/1/exchanges/balances/kraken?ignore_cache=true", timeout=60)[0] == 200)
        with Node(env=env_for(k), data_dir=data) as n:
            st, _, msg = n.call("POST", "/api/1/users/alice", {"password": "s3cret"}, timeout=60)
            check(st == 200, msg)
            st, _, msg = n.call("GET", "/api/1/exchanges/balances/kraken?ignore_cache=true", timeout=60)
            check(st == 200, msg)
        nonces = k.stats()["nonces"][kacct["key"]]
        check(len(nonces) >= 5 and all(a < b for a, b in zip(nonces, nonces[1:])), nonces)
        check(k.stats()["rejected"].get("invalid_nonce", 0) == 0, k.stats()["rejected"])
    finally:
        k.stop()
        import shutil
        shutil.rmtree(data, ignore_errors=True)


@test
def the_periodic_refresh_reads_history_and_reports_its_status():
    bacct = xp.make_account("binance", 71, trades=20)
    b = xp.start("binance", accounts=[bacct])
    try:
        with Node("--exchange-history-interval", "10", env=env_for(b)) as n:
            login(n)
            check(add(n, "binance", "b", bacct, binance_markets=binance_markets(b, bacct))[0] == 200)

            async def watching():
                async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None) as ws:
                    msgs = []
                    end = time.time() + 25
                    while time.time() < end:
                        try:
                            m = json.loads(await asyncio.wait_for(ws.recv(), 1))
                        except asyncio.TimeoutError:
                            continue
                        msgs.append(m)
                        if m["type"] == "history_events_status" and m["data"]["status"] == "querying_events_finished":
                            break
                    return msgs
            msgs = asyncio.run(watching())
            st = [m["data"] for m in msgs if m["type"] == "history_events_status"]
            check([s["status"] for s in st] == ["querying_events_started", "querying_events_finished"], st)
            check(st[0]["location"] == "binance" and st[0]["name"] == "b" and st[0]["event_type"] == "history_query", st)
            time.sleep(0.5)
            bev, _ = all_events(n, "binance")
            check(swaps_of(bev) == expected_binance_swaps(b.expected()), "the periodic run stored the trades")
    finally:
        b.stop()


if __name__ == "__main__":
    main()
