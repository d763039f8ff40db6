"""The fetch side of issue 14 row by row: what POST /blockchains/transactions stores in rotki's
tables must be the chain's own data in rotki's encodings (tx hash and topics as raw bytes, EIP-55
addresses, decimal strings of wei, the receipt's effective gas price, logs and topics complete,
a mapping for every tracked account a tx concerns), from either source; the refresh bookkeeping
in used_query_ranges; a time range maps to exactly its blocks; GET /blockchains/transactions/latest;
the 409s for a missing node, key or account; a small heap budget still completes by asking for
less at a time, a tiny one is a clean 503 with nothing stored. (The decoded events against the
chain's truth, the faults and the bench are test_evm_transactions.py / bench_evmtx.py.)"""
import time

import chainpeers
import evmtxpeers
from harness import SLOW, Node, check, main, test, user_db_rows

chainpeers.install()
KEY = "pipit-store-key"
_sc = None
_index = None


def scenario():
    global _sc, _index
    if _sc is None:
        _sc = evmtxpeers.start_scenario(txs=300, per_block=20)
        _index = evmtxpeers.ChainIndex(_sc.url)
        _index.sync()
    return _sc


def concerned():
    """{hash: (block, tx, receipt)} of the txs that concern a tracked account, and the tracked set."""
    sc = scenario()
    _, hashes = evmtxpeers.truth(_index, sc.info["tracked"], sc.info["chain_id"])
    want = {h.lower() for h in hashes}
    return {tx["hash"].lower(): (b, tx, r) for b, tx, r in _index.txs if tx["hash"].lower() in want}, set(sc.info["tracked"])


def post(n, body, timeout=120):
    st, res, msg = n.call("POST", "/api/1/blockchains/transactions", {"async_query": True, **body})
    check(st == 200 and "task_id" in res, (st, res, msg))
    t0 = time.time()
    while time.time() < t0 + timeout * SLOW:
        st, out, msg = n.call("GET", f"/api/1/tasks/{res['task_id']}")
        if out["status"] == "completed":
            return out["status_code"], out["outcome"]
        time.sleep(0.02)
    raise AssertionError("the fetch did not end")


def whole(n):
    return post(n, {"from_timestamp": 0, "to_timestamp": int(time.time()) + 5})


def stored_hashes(n):
    return {"0x" + r[0] for r in user_db_rows(n, "SELECT lower(hex(tx_hash)) FROM evm_transactions;") if r and r[0]}


def cs(a):
    return evmtxpeers.checksum(a) if a else "NULL"


def check_rows(n, want, tracked, what):
    """Every stored row against the chain, column by column."""
    sc = scenario()
    rows = user_db_rows(n, "SELECT lower(hex(tx_hash)), chain_id, timestamp, block_number, from_address, "
                           "ifnull(to_address, 'NULL'), value, gas, gas_price, gas_used, lower(hex(input_data)), nonce, "
                           "(SELECT ifnull(contract_address, 'NULL') || ',' || status || ',' || type FROM evmtx_receipts "
                           "WHERE tx_id = identifier) FROM evm_transactions;")
    got = {"0x" + r[0]: r[1:] for r in rows}
    check(set(got) == set(want), (what, "txs", len(got), len(want), sorted(set(want) - set(got))[:3],
                                  sorted(set(got) - set(want))[:3]))
    for h, (b, tx, r) in want.items():
        exp = [str(sc.info["chain_id"]), str(int(b["timestamp"], 16)), str(int(b["number"], 16)), cs(tx["from"]), cs(tx["to"]),
               str(int(tx["value"], 16)), str(int(tx["gas"], 16)), str(int(r.get("effectiveGasPrice", tx["gasPrice"]), 16)),
               str(int(r["gasUsed"], 16)), tx["input"][2:].lower(), str(int(tx["nonce"], 16)),
               f"{cs(r.get('contractAddress'))},{int(r.get('status', '0x1'), 16)},{int(r.get('type', '0x0'), 16)}"]
        check(got[h] == exp, (what, h, got[h], exp))
    logs = user_db_rows(n, "SELECT lower(hex(t.tx_hash)), l.log_index, l.address, lower(hex(l.data)), "
                           "(SELECT group_concat(lower(hex(topic)), ',') FROM (SELECT topic FROM evmtx_receipt_log_topics "
                           "WHERE log = l.identifier ORDER BY topic_index)) FROM evmtx_receipt_logs l JOIN evm_transactions t "
                           "ON t.identifier = l.tx_id;")
    got_logs = sorted(("0x" + r[0], int(r[1]), r[2], r[3], r[4]) for r in logs)
    want_logs = sorted((h, int(lg["logIndex"], 16), cs(lg["address"]), lg["data"][2:].lower(),
                        ",".join(t[2:].lower() for t in lg["topics"])) for h, (b, tx, r) in want.items() for lg in r["logs"])
    check(got_logs == want_logs, (what, "logs", len(got_logs), len(want_logs),
                                  [x for x in want_logs if x not in got_logs][:2]))
    maps = user_db_rows(n, "SELECT lower(hex(t.tx_hash)), m.address FROM evmtx_address_mappings m JOIN evm_transactions t "
                           "ON t.identifier = m.tx_id;")
    got_maps = sorted(("0x" + r[0], r[1]) for r in maps)
    want_maps = set()
    for h, (b, tx, r) in want.items():
        for a in [tx["from"], tx["to"]] + [evmtxpeers.topic_address(t) for lg in r["logs"] for t in lg["topics"][1:]
                                           if t[2:26] == "0" * 24]:
            if a and cs(a) in tracked:
                want_maps.add((h, cs(a)))
    check(got_maps == sorted(want_maps), (what, "mappings", len(got_maps), len(want_maps)))


def ranges(n):
    return {r[0]: (int(r[1]), int(r[2])) for r in user_db_rows(n, "SELECT name, start_ts, end_ts FROM used_query_ranges;")
            if len(r) == 3}


@test
def from_the_node_the_rows_are_the_chain_in_rotkis_encodings():
    sc = scenario()
    want, tracked = concerned()
    with Node() as n:
        evmtxpeers.setup_user(n, sc.info, sc.url, "node", None, SLOW)
        code, out = whole(n)
        check(code == 200 and out["result"] is True, (code, out))
        check_rows(n, want, tracked, "node source")
        head = int(evmtxpeers.Rpc(sc.url).call("eth_blockNumber"), 16)
        check(ranges(n) == {f"ETHnodeblocks_{a}": (0, head) for a in tracked}, ranges(n))
        # latest: per chain of rotki's, eth's from the rows
        st, res, msg = n.call("GET", "/api/1/blockchains/transactions/latest")
        latest = max(int(b["timestamp"], 16) for b, _, _ in want.values())
        check(st == 200 and res["eth"]["latest_timestamp"] == latest and set(res["eth"]["addresses"]) <= tracked and
              res["btc"] == {"latest_timestamp": 0, "addresses": {}} and len(res) == 14, (st, res, msg))


@test
def from_the_indexer_the_rows_are_the_same():
    sc = scenario()
    want, tracked = concerned()
    es = evmtxpeers.start_etherscan(sc.url, KEY)
    try:
        with Node("--etherscan-url", es.url) as n:
            evmtxpeers.setup_user(n, sc.info, sc.url, "indexer", KEY, SLOW)
            code, out = whole(n)
            check(code == 200 and out["result"] is True, (code, out))
            check_rows(n, want, tracked, "indexer source")
            check(set(ranges(n)) == {f"ETHindexerblocks_{a}" for a in tracked}, ranges(n))
    finally:
        es.stop()


@test
def a_time_range_reads_its_blocks_and_a_later_whole_refresh_only_the_rest():
    sc = scenario()
    want, tracked = concerned()
    times = sorted({int(b["timestamp"], 16) for b, _, _ in want.values()})
    check(len(times) >= 3, ("the scenario's blocks share too few times", times))
    lo, hi = times[len(times) // 3], times[2 * len(times) // 3]
    inside = {h for h, (b, _, _) in want.items() if lo <= int(b["timestamp"], 16) <= hi}
    blocks = sorted(int(b["number"], 16) for b, _, _ in want.values() if lo <= int(b["timestamp"], 16) <= hi)
    with Node() as n:
        evmtxpeers.setup_user(n, sc.info, sc.url, "node", None, SLOW)
        code, out = post(n, {"from_timestamp": lo, "to_timestamp": hi})
        check(code == 200, (code, out))
        check(stored_hashes(n) == inside, ("time range", len(stored_hashes(n)), len(inside)))
        r = ranges(n)
        check(all(r[f"ETHnodeblocks_{a}"][0] <= blocks[0] and r[f"ETHnodeblocks_{a}"][1] >= blocks[-1] for a in tracked), r)
        sc.reset()
        code, out = whole(n)
        st = sc.stats()
        check(code == 200 and stored_hashes(n) == set(want), (code, out, len(stored_hashes(n))))
        head = int(evmtxpeers.Rpc(sc.url).call("eth_blockNumber"), 16)
        done = r[f"ETHnodeblocks_{sorted(tracked)[0]}"]
        # the blocks done before are not read again (the probe reads the latest block once)
        check(st["methods"].get("eth_getBlockByNumber", 0) <= (head + 1) - (done[1] - done[0] + 1) + 1, st)
        check(ranges(n) == {f"ETHnodeblocks_{a}": (0, head) for a in tracked}, ranges(n))


@test
def a_missing_node_key_or_account_is_a_409_naming_it():
    sc = scenario()
    with Node() as n:
        st, _, msg = n.call("PUT", "/api/1/users", {"name": "alice", "password": "s3cret"}, timeout=60)
        check(st == 200, msg)
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/accounts",
                            {"accounts": [{"address": a} for a in sc.info["tracked"]]}, timeout=60 * SLOW)
        check(st == 200, msg)
        code, out = whole(n)
        check(code == 409 and "node" in out["message"], (code, out))
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes",
                            {"name": "g", "endpoint": sc.url, "owned": True, "weight": "100", "active": True})
        check(st == 200, msg)
        code, out = whole(n)
        check(code == 409 and "Etherscan API key" in out["message"], (code, out))  # the default source is the indexer
        st, _, msg = n.call("PUT", "/api/1/settings", {"settings": {"evm_transactions_source": "node"}})
        check(st == 200, msg)
        code, out = post(n, {"accounts": [{"address": sc.info["untracked_receivers"][0], "blockchain": "eth"}]})
        check(code == 409 and "not a tracked" in out["message"], (code, out))
        check(stored_hashes(n) == set(), "stored something")


@test
def a_small_heap_budget_asks_for_less_and_a_tiny_one_is_a_clean_503():
    """992 txs in 8 blocks of 250: at 3 MiB the batches that do not fit are asked again smaller
    and everything is stored; at 1.5 MiB the set cannot be held: a 503, nothing stored, the node
    serving on."""
    big = evmtxpeers.start_scenario(txs=1150, per_block=250)
    try:
        index = evmtxpeers.ChainIndex(big.url)
        index.sync()
        _, hashes = evmtxpeers.truth(index, big.info["tracked"], big.info["chain_id"])
        with Node("--heap-budget", "3M") as n:
            evmtxpeers.setup_user(n, big.info, big.url, "node", None, SLOW)
            big.reset()
            code, out = whole(n)
            st = big.stats()
            check(code == 200, (code, out))
            check(stored_hashes(n) == {h.lower() for h in hashes}, ("3M: not every tx", len(stored_hashes(n)), len(hashes)))
            check(st["methods"].get("eth_getBlockByNumber", 0) > 9, ("no batch was asked again smaller", st))
        with Node("--heap-budget", "1500K") as n:
            evmtxpeers.setup_user(n, big.info, big.url, "node", None, SLOW)
            code, out = whole(n)
            check(code == 503 and "memory" in out["message"], (code, out))
            check(stored_hashes(n) == set() and ranges(n) == {}, "stored after a 503")
            st, res, _ = n.call("GET", "/api/1/blockchains/transactions/latest")
            check(st == 200 and res["eth"]["latest_timestamp"] == 0, (st, res))
    finally:
        big.stop()


if __name__ == "__main__":
    main()
