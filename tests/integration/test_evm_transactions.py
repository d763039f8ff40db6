"""EVM transactions into history events (issue 14) against a real chain: ganache full of the
test's own transactions (tests/chain/txscenario.js: 10 tracked addresses, untracked ones, ETH,
ERC-20s of four decimals, an ERC-721, approvals and revokes, self-transfers, reverted and unknown
contract calls), fetched from the node itself and, separately, from an Etherscan-shaped indexer of
the same chain (evmtxpeers.Etherscan). The decoded events must equal the truth this file computes
from the chain's own blocks and receipts (evmtxpeers.truth), exactly: every transfer once, gas on
a tracked sender only, nothing for an untracked pair. Refreshes add only what is new; rate
limits, a node refusing wide log ranges and a node without eth_getBlockReceipts still give the
complete set; an indexer answering garbage is a clear 502 with nothing stored; the chain filters
answer the right subsets; DELETE removes the transactions and their events."""
import asyncio
import collections
import json
import time

import websockets

import chainpeers
import evmtxpeers
from harness import SLOW, Node, check, main, test, user_db_rows

chainpeers.install()
KEY = "pipit-test-key"
_sc = None
_index = None


def scenario():
    """One chain shared by the tests (they add blocks to it, never change old ones)."""
    global _sc, _index
    if _sc is None:
        _sc = evmtxpeers.start_scenario(txs=300, per_block=50)
        _index = evmtxpeers.ChainIndex(_sc.url)
    return _sc


def chain_truth(blocks=None, fetched=None):
    """(Counter of events, discovered tx hashes) of the chain as it is now."""
    sc = scenario()
    _index.sync()
    return evmtxpeers.truth(_index, sc.info["tracked"], sc.info["chain_id"], blocks, fetched)


def start_node(source, etherscan=None):
    """A logged-in node with the scenario's node, the 10 tracked accounts and the source set."""
    sc = scenario()
    n = Node(*(["--etherscan-url", etherscan.url] if etherscan else []))
    try:
        evmtxpeers.setup_user(n, sc.info, sc.url, source, KEY if etherscan else None, SLOW)
    except BaseException:
        n.stop()
        raise
    return n


def refresh(n, accounts=None):
    return evmtxpeers.refresh(n, accounts, timeout=120 * SLOW)


def refreshed(n, accounts=None):
    code, outcome, secs = refresh(n, accounts)
    check(code == 200 and outcome.get("result") is True, ("refresh failed", code, outcome))
    return secs


events = evmtxpeers.events


def compare(got, want, what):
    """The multiset of pipit's events equals the truth; on a difference, show both sides."""
    have = collections.Counter(evmtxpeers.event_of(e) for e in got)
    if have != want:
        missing = list((want - have).elements())
        extra = list((have - want).elements())
        raise AssertionError(f"{what}: pipit has {sum(have.values())} events, the chain {sum(want.values())}; "
                             f"{len(missing)} missing, e.g. {missing[:6]}; {len(extra)} unexpected, e.g. {extra[:6]}")


def check_shape(got):
    """Fields the truth tuple leaves out: entry type, location, timestamp, tx_ref, sequence
    indexes unique in a group, gas on the tracked sender only, once per transaction."""
    sc = scenario()
    tracked = set(sc.info["tracked"])
    by_hash = {tx["hash"].lower(): (b, tx) for b, tx, _ in _index.txs}
    seen = set()
    gas = collections.Counter()
    for e in got:
        g = e["group_identifier"]
        h = g[len(str(sc.info["chain_id"])):]
        check(h in by_hash, ("no such transaction", e))
        b, tx = by_hash[h]
        check(e["entry_type"] == "evm event" and e["location"] == "ethereum", e)
        check(e["timestamp"] == int(b["timestamp"], 16) * 1000, ("timestamp", e, int(b["timestamp"], 16)))
        check(e["tx_ref"] == h, ("tx_ref", e))
        check((g, e["sequence_index"]) not in seen, ("sequence index twice", e))
        seen.add((g, e["sequence_index"]))
        if e["counterparty"] == "gas":
            check(e["location_label"] == evmtxpeers.checksum(tx["from"]) and e["location_label"] in tracked, ("gas", e))
            gas[g] += 1
    check(all(v == 1 for v in gas.values()), ("gas more than once", [g for g, v in gas.items() if v > 1][:5]))


def decode_counts(n):
    """GET /blockchains/transactions/decode for ethereum: (undecoded, total); rotki leaves a chain
    out when none of its transactions is pending: (0, None)."""
    st, res, msg = n.call("GET", "/api/1/blockchains/transactions/decode")
    check(st == 200 and isinstance(res, dict) and set(res) <= {"ethereum"}, ("decode counts", st, res, msg))
    c = res.get("ethereum", {"undecoded": 0, "total": None})
    return c["undecoded"], c["total"]


def db_counts(n):
    rows = user_db_rows(n, "SELECT (SELECT COUNT(*) FROM evm_transactions), (SELECT COUNT(*) FROM evmtx_receipt_logs), "
                           "(SELECT COUNT(*) FROM history_events WHERE entry_type = 2);")
    return tuple(int(x) for x in rows[0])


def full_check(n, what):
    """The node's events equal the chain's truth now; returns the events."""
    want, hashes = chain_truth()
    got = events(n)
    compare(got, want, what)
    check_shape(got)
    dc, rows = decode_counts(n), db_counts(n)
    check(dc == (0, None), (what, "decode counts", dc))
    check(rows[0] == len(hashes), (what, "transactions stored", rows, len(hashes)))
    return got


@test
def the_peers_agree_on_which_transactions_concern_the_tracked_addresses():
    """The truth's transaction set is what each source can see: the indexer's txlist, tokentx and
    tokennfttx, and the node's blocks plus its eth_getLogs on the Transfer topic; the front's
    eth_getBlockReceipts and log-range refusal work."""
    sc = scenario()
    want, hashes = chain_truth()
    info = sc.info
    kinds = collections.Counter(e.event_type for e in want)
    check(len(hashes) >= 250 and all(kinds[k] >= 5 for k in ("spend", "receive", "transfer", "fail", "informational",
                                                                "transaction to self")), (len(hashes), kinds))
    es = evmtxpeers.start_etherscan(sc.url, KEY)
    rpc = evmtxpeers.Rpc(sc.url)
    try:
        seen = set()
        for a in info["tracked"]:
            for action in ("txlist", "tokentx", "tokennfttx", "txlistinternal"):
                q = {"chainid": "1337", "module": "account", "action": action, "address": a.lower(), "page": "1",
                     "offset": "10000", "sort": "asc", "apikey": KEY}
                _, body = es.answer(q)
                res = json.loads(body)
                check(res["status"] in ("0", "1") and isinstance(res["result"], list), res)
                seen |= {r["hash"] for r in res["result"]}
        check(seen == set(hashes), ("indexer", len(seen), len(hashes)))
        head = int(rpc.call("eth_blockNumber"), 16)
        node = set()
        pad = lambda a: "0x" + "0" * 24 + a[2:].lower()  # noqa: E731
        for topics in ([evmtxpeers.TRANSFER, [pad(a) for a in info["tracked"]]],
                       [evmtxpeers.TRANSFER, None, [pad(a) for a in info["tracked"]]]):
            logs = rpc.call("eth_getLogs", {"fromBlock": "0x0", "toBlock": hex(head), "topics": topics})
            node |= {x["transactionHash"] for x in logs}
        tracked = {a.lower() for a in info["tracked"]}
        for n in range(head + 1):
            blk = rpc.call("eth_getBlockByNumber", hex(n), True)
            node |= {t["hash"] for t in blk["transactions"] if t["from"] in tracked or (t["to"] or "") in tracked}
            rec = rpc.call("eth_getBlockReceipts", hex(n))
            check([r["transactionHash"] for r in rec] == [t["hash"] for t in blk["transactions"]], ("block receipts", n))
        check(node == set(hashes), ("node", len(node), len(hashes)))
        sc.control(max_log_range=3)
        try:
            rpc.call("eth_getLogs", {"fromBlock": "0x0", "toBlock": hex(head), "topics": [evmtxpeers.TRANSFER]})
            check(False, "a wide eth_getLogs was answered")
        except evmtxpeers.RpcError as e:
            check("-32005" in str(e) and "more than 10000 results" in str(e), str(e))
        check(rpc.call("eth_getLogs", {"fromBlock": "0x1", "toBlock": "0x3", "topics": [evmtxpeers.TRANSFER]}), "a narrow one")
        sc.control(block_receipts=False, max_log_range=None)
        check(rpc.try_call("eth_getBlockReceipts", "0x1") is None, "eth_getBlockReceipts while off")
    finally:
        sc.control(block_receipts=True, max_log_range=None)
        es.stop()


@test
def from_the_node_the_events_equal_the_chain_and_refreshes_add_only_new_blocks():
    sc = scenario()
    with start_node("node") as n:
        sc.reset()
        secs = refreshed(n)
        st1 = sc.stats()
        got = full_check(n, "node source")
        print(f"    node source: {len(got)} events in {secs:.1f} s, {st1['round_trips']} round trips, "
              f"{st1['calls']} calls {st1['methods']}", flush=True)
        check(st1["methods"].get("eth_getBlockReceipts", 0) > 0, ("the node has eth_getBlockReceipts", st1))
        # untracked pairs: no event in their groups
        tracked = set(sc.info["tracked"])
        groups = {e["group_identifier"] for e in got}
        for _, tx, r in _index.txs:
            if not evmtxpeers.discovered(tx, r, tracked):
                check(f"{sc.info['chain_id']}{tx['hash'].lower()}" not in groups, ("event of an untracked pair", tx["hash"]))
        # a second refresh adds nothing and reads no old block again
        ids = sorted(e["identifier"] for e in got)
        sc.reset()
        refreshed(n)
        st2 = sc.stats()
        check(sorted(e["identifier"] for e in events(n)) == ids, "the second refresh changed the events")
        check(st2["methods"].get("eth_getBlockByNumber", 0) <= 2 and st2["calls"] <= 10,
              ("the second refresh read the chain again", st2))
        # new blocks: only their events are added, the old ones stay as they are
        more = sc.more(40, seed="node-more")
        new_blocks = range(more["first_block"], more["last_block"] + 1)
        want_new, _ = chain_truth(new_blocks)
        sc.reset()
        refreshed(n)
        st3 = sc.stats()
        after = full_check(n, "node source after new blocks")
        added = [e for e in after if e["identifier"] not in set(ids)]
        compare(added, want_new, "events added after new blocks")
        check(st3["methods"].get("eth_getBlockByNumber", 0) <= len(new_blocks) + 2, ("old blocks read again", st3))


@test
def the_chain_filters_answer_the_right_subsets_and_delete_removes_transactions_and_events():
    sc = scenario()
    with start_node("node") as n:
        refreshed(n)
        want, hashes = chain_truth()
        got = events(n)
        compare(got, want, "node source")
        tracked = sc.info["tracked"]
        # tx_refs: the events of three transactions
        groups = sorted({e.group_identifier for e in want})
        pick = [groups[3], groups[len(groups) // 2], groups[-1]]
        refs = [g[len(str(sc.info["chain_id"])):] for g in pick]
        sub = collections.Counter({e: c for e, c in want.items() if e.group_identifier in pick})
        compare(events(n, tx_refs=refs), sub, "tx_refs filter")
        # counterparties: the gas fees
        compare(events(n, counterparties=["gas"]),
                collections.Counter({e: c for e, c in want.items() if e.counterparty == "gas"}), "counterparties filter")
        # addresses: a tracked and an untracked counterpart
        for addr in (tracked[3], sc.info["untracked_receivers"][0]):
            compare(events(n, addresses=[addr]),
                    collections.Counter({e: c for e, c in want.items() if e.address == addr}), f"addresses filter {addr}")
        # tx_refs together with a type: only the fee of each
        fees = collections.Counter({e: c for e, c in want.items() if e.group_identifier in pick and e.counterparty == "gas"})
        compare(events(n, tx_refs=refs, counterparties=["gas"]), fees, "tx_refs and counterparties filters")
        # five transactions made pending again (their events and decoded marks removed, as the
        # stock shell can): GET counts them, POST /decode decodes them into the same events
        five = "SELECT identifier FROM evm_transactions ORDER BY identifier DESC LIMIT 5"
        user_db_rows(n, "PRAGMA foreign_keys = ON; DELETE FROM history_events WHERE identifier IN (SELECT identifier FROM "
                        f"chain_events_info WHERE tx_ref IN (SELECT tx_hash FROM evm_transactions WHERE identifier IN ({five}))); "
                        f"DELETE FROM evm_tx_mappings WHERE value = 0 AND tx_id IN ({five});")
        dc = decode_counts(n)
        check(dc == (5, len(hashes)), ("pending counts", dc, len(hashes)))
        check(len(events(n)) < len(got), "the five transactions' events are still there")
        st, task, msg = n.call("POST", "/api/1/blockchains/transactions/decode", {"chain": "eth", "async_query": True})
        check(st == 200 and "task_id" in task, ("decode pending", st, task, msg))
        for _ in range(600):
            st, out, _ = n.call("GET", f"/api/1/tasks/{task['task_id']}")
            if out and out.get("status") == "completed":
                break
            time.sleep(0.05)
        check(out["status_code"] == 200 and out["outcome"]["result"] == {"decoded_tx_number": 5}, out)
        compare(events(n), want, "after decoding the pending five again")
        dc = decode_counts(n)
        check(dc == (0, None), ("decode counts after decoding", dc))
        # DELETE one transaction: its events go, the rest stay
        st, res, msg = n.call("DELETE", "/api/1/blockchains/transactions", {"chain": "eth", "tx_ref": refs[0]})
        check(st == 200 and res is True, ("delete one", st, res, msg))
        rest = collections.Counter({e: c for e, c in want.items() if e.group_identifier != pick[0]})
        compare(events(n), rest, "after deleting one transaction")
        dc, rows = decode_counts(n), db_counts(n)
        check(dc == (0, None) and rows[0] == len(hashes) - 1, ("after deleting one", dc, rows))
        # DELETE all of the chain's: no transaction, no event, no log left
        st, res, msg = n.call("DELETE", "/api/1/blockchains/transactions", {"chain": "eth"})
        check(st == 200 and res is True, ("delete all", st, res, msg))
        check(events(n) == [], "events left after deleting every transaction")
        dc, rows = decode_counts(n), db_counts(n)
        check(dc == (0, None) and rows == (0, 0, 0), ("left after deleting all", dc, rows))
        # fetched again from scratch: the full set again
        refreshed(n)
        full_check(n, "refetched after DELETE")


@test
def a_refresh_of_some_accounts_fetches_theirs_and_a_later_one_of_all_the_rest():
    sc = scenario()
    some = sc.info["tracked"][:2]
    with start_node("node") as n:
        refreshed(n, accounts=some)
        want, hashes = chain_truth(fetched=some)
        got = events(n)
        compare(got, want, "events of two accounts' transactions")
        rows = db_counts(n)
        check(rows[0] == len(hashes), ("transactions stored", rows, len(hashes)))
        ids = {e["identifier"] for e in got}
        refreshed(n)
        after = full_check(n, "all accounts after two")
        check(ids <= {e["identifier"] for e in after}, "the first accounts' events were replaced")


@test
def from_the_indexer_the_events_equal_the_chain_and_refreshes_add_only_new_blocks():
    sc = scenario()
    es = evmtxpeers.start_etherscan(sc.url, KEY)
    try:
        with start_node("indexer", es) as n:
            sc.reset()
            secs = refreshed(n)
            s1, st1 = es.stats(), sc.stats()
            got = full_check(n, "indexer source")
            print(f"    indexer source: {len(got)} events in {secs:.1f} s, {s1['requests']} indexer requests "
                  f"{s1['actions']}, node: {st1['round_trips']} round trips, {st1['calls']} calls", flush=True)
            check(set(s1["actions"]) >= {"txlist", "tokentx"}, ("indexer actions", s1))
            ids = {e["identifier"] for e in got}
            refreshed(n)
            check({e["identifier"] for e in events(n)} == ids, "the second refresh changed the events")
            more = sc.more(30, seed="indexer-more")
            want_new, _ = chain_truth(range(more["first_block"], more["last_block"] + 1))
            refreshed(n)
            after = full_check(n, "indexer source after new blocks")
            compare([e for e in after if e["identifier"] not in ids], want_new, "events added after new blocks")
    finally:
        es.stop()


@test
def an_indexer_answering_rate_limits_still_gives_the_complete_set():
    sc = scenario()
    es = evmtxpeers.start_etherscan(sc.url, KEY)
    try:
        es.fault(rate_limit_every=10)
        with start_node("indexer", es) as n:
            secs = refreshed(n)
            s = es.stats()
            check(s["rate_limited"] > 0, s)
            full_check(n, "indexer with rate limits")
            print(f"    rate limited {s['rate_limited']} of {s['requests']} requests; {secs:.1f} s", flush=True)
    finally:
        es.stop()


@test
def an_indexer_answering_garbage_is_a_502_with_nothing_stored():
    sc = scenario()
    es = evmtxpeers.start_etherscan(sc.url, KEY)
    try:
        for kind in ("text", "shape"):
            with start_node("indexer", es) as n:
                es.fault(garbage=kind)
                code, outcome, _ = refresh(n)
                check(code == 502 and outcome.get("result") is None and "indexer" in (outcome.get("message") or ""),
                      (kind, code, outcome))
                dc, rows = decode_counts(n), db_counts(n)
                check(events(n) == [] and dc == (0, None) and rows == (0, 0, 0), (kind, "stored after garbage", dc, rows))
                # garbage after a few good pages, on a later refresh: nothing of it is kept either
                es.fault()
                refreshed(n)
                before = (sorted(e["identifier"] for e in events(n)), decode_counts(n), db_counts(n))
                sc.more(12, seed=f"garbage-{kind}")
                es.fault(garbage=kind, garbage_after=5)
                code, outcome, _ = refresh(n)
                check(code == 502 and outcome.get("message"), (kind, "late garbage", code, outcome))
                check((sorted(e["identifier"] for e in events(n)), decode_counts(n), db_counts(n)) == before,
                      (kind, "half stored after late garbage"))
                es.fault()
                refreshed(n)
                full_check(n, f"indexer after garbage ({kind})")
    finally:
        es.stop()


@test
def an_indexer_refusing_the_key_is_an_error_not_an_empty_history():
    """Etherscan's "NOTOK" / "Missing/Invalid API Key" is no "No transactions found": the refresh
    fails with a message naming the key, and nothing is stored."""
    sc = scenario()
    es = evmtxpeers.start_etherscan(sc.url, "another-key")
    try:
        with start_node("indexer", es) as n:
            code, outcome, _ = refresh(n)
            check(code in (401, 409, 502) and "key" in (outcome.get("message") or "").lower(), (code, outcome))
            rows = db_counts(n)
            check(events(n) == [] and rows == (0, 0, 0), ("stored with a refused key", rows))
    finally:
        es.stop()


@test
def a_node_refusing_wide_log_ranges_still_gives_the_complete_set():
    sc = scenario()
    try:
        for style in ("size", "range"):
            sc.control(max_log_range=3, log_error=style)
            with start_node("node") as n:
                sc.reset()
                refreshed(n)
                s = sc.stats()
                check(s["refused_logs"] > 0, ("no wide range was asked, nothing refused", s))
                full_check(n, f"node refusing wide log ranges ({style})")
                print(f"    {style}: {s['refused_logs']} eth_getLogs refused, {s['methods'].get('eth_getLogs')} asked", flush=True)
    finally:
        sc.control(max_log_range=None, log_error="size")


@test
def a_node_without_eth_getBlockReceipts_still_gives_the_complete_set():
    sc = scenario()
    try:
        sc.control(block_receipts=False)
        with start_node("node") as n:
            sc.reset()
            refreshed(n)
            s = sc.stats()
            check(s["methods"].get("eth_getTransactionReceipt", 0) > 0, ("receipts not read one by one", s))
            full_check(n, "node without eth_getBlockReceipts")
            print(f"    without eth_getBlockReceipts: {s['round_trips']} round trips, {s['calls']} calls", flush=True)
    finally:
        sc.control(block_receipts=True)


@test
def a_refresh_reports_its_progress_over_the_websocket_as_rotki_does():
    sc = scenario()
    _, hashes = chain_truth()
    with start_node("node") as n:
        async def watching():
            async with websockets.connect(f"ws://127.0.0.1:{n.port}/ws", ping_interval=None) as ws:
                result = await asyncio.to_thread(refresh, n)
                msgs = []
                try:
                    while True:
                        msgs.append(json.loads(await asyncio.wait_for(ws.recv(), 0.5 * SLOW)))
                except asyncio.TimeoutError:
                    pass
                return result, msgs
        (code, outcome, _), msgs = asyncio.run(watching())
        check(code == 200, (code, outcome))
        steps = collections.defaultdict(list)
        for m in msgs:
            if m.get("type") == "transaction_status":
                d = m["data"]
                check(d.get("subtype") == "evm" and d.get("chain") == "ETH" and len(d.get("period", [])) == 2, d)
                steps[d["address"]].append(d["status"])
        for a in sc.info["tracked"]:
            s = steps.get(a, [])
            check("querying_transactions_started" in s and "querying_transactions_finished" in s and
                  s.index("querying_transactions_started") < s.index("querying_transactions_finished"), (a, s))
        prog = [m["data"] for m in msgs if m.get("type") == "progress_updates"
                and m["data"].get("subtype") == "undecoded_transactions"]
        check(prog and prog[-1]["processed"] == prog[-1]["total"] == len(hashes), (prog[-3:], len(hashes)))


@test
def bad_input_is_a_400_and_changes_nothing():
    with start_node("node") as n:
        for body in ({"accounts": [{"address": "0x1234", "blockchain": "eth"}]},
                     {"from_timestamp": 10, "to_timestamp": 5}, {"accounts": "all"}):
            st, _, msg = n.call("POST", "/api/1/blockchains/transactions", body)
            check(st == 400 and msg, (body, st, msg))
        for body in ({"evm_transactions_source": "carrier pigeon"}, {"evm_transactions_source": 1}):
            st, _, msg = n.call("PUT", "/api/1/settings", {"settings": body})
            check(st == 400 and msg, (body, st, msg))
        st, res, _ = n.call("GET", "/api/1/settings")
        check(st == 200 and res.get("evm_transactions_source") == "node", res)
        st, _, msg = n.call("POST", "/api/1/history/events", {"entry_types": evmtxpeers.EVM_EVENTS, "tx_refs": ["0x12"]})
        check(st == 400 and msg, ("bad tx_ref", st, msg))
        check(events(n) == [] and db_counts(n) == (0, 0, 0), "bad input stored something")


if __name__ == "__main__":
    main()
