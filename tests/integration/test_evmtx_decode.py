"""The decoder's DB path against the real node: transactions written into rotki's tables by the
stock sqlcipher shell (as the fetcher writes them) are decoded by rotki's
/blockchains/transactions/decode endpoints into evm events, read back with
/history/events (tx_ref, counterparty, address; the chain filters) exactly once; a redecode gives
the same events; a token whose metadata no node can give stops the run with a 502 and stores
nothing."""
import chainpeers
from harness import Node, check, main, test, ws_messages_during
from harness import user_db_rows as sql

DECODE = "/api/1/blockchains/transactions/decode"
EVENTS = "/api/1/history/events"
A1, A2, U, V = "0x" + "1" * 40, "0x" + "2" * 40, "0x" + "9" * 40, "0x" + "8" * 40  # digits: already EIP-55
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"  # built in, 6 decimals
UNKNOWN = "0x" + "5" * 40
TRANSFER = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
TS = 1700000000


def h(i):
    return f"{i:02x}" * 32


def word(addr):
    return "0" * 24 + addr[2:].lower()


def tx_sql(i, frm, to, value, status=1, inp="", logs=(), receipt=True, chain_id=1):
    s = (f"INSERT INTO evm_transactions(identifier, tx_hash, chain_id, timestamp, block_number, from_address, to_address, "
         f"value, gas, gas_price, gas_used, input_data, nonce) VALUES({i}, X'{h(i)}', {chain_id}, {TS + i}, {100 + i}, '{frm}', "
         f"'{to}', '{value}', '50000', '1000000000', '21000', X'{inp}', {i});")
    if receipt:
        s += f"INSERT INTO evmtx_receipts(tx_id, contract_address, status, type) VALUES({i}, NULL, {status}, 2);"
    for k, (token, a, b, raw) in enumerate(logs):
        lid = i * 10 + k
        s += (f"INSERT INTO evmtx_receipt_logs(identifier, tx_id, log_index, data, address) VALUES({lid}, {i}, {k}, "
              f"X'{raw:064x}', '{token}');")
        for t, topic in enumerate((TRANSFER, word(a), word(b))):
            s += f"INSERT INTO evmtx_receipt_log_topics(log, topic, topic_index) VALUES({lid}, X'{topic}', {t});"
    return s


SCENARIO = (f"INSERT INTO blockchain_accounts VALUES('ETH', '{A1}'), ('ETH', '{A2}');" +
            tx_sql(1, A1, U, "1") +                                   # gas + send 1 wei
            tx_sql(2, U, A1, "2000000000000000000") +                 # receive 2 ETH
            tx_sql(3, A1, U, "5", status=0) +                         # failed: gas only
            tx_sql(4, A1, A1, "0") +                                  # gas + transaction to self
            tx_sql(5, A2, USDC, "0", inp="a9059cbb", logs=[(USDC, A2, U, 1234567)]) +  # gas + USDC spend
            tx_sql(6, U, V, "7", logs=[(USDC, U, V, 5)]) +            # nobody of ours: nothing
            tx_sql(7, A1, U, "9", receipt=False))                     # no receipt yet: not decodable


def user(n):
    st, _, msg = n.call("PUT", "/api/1/users", {"name": "alice", "password": "s3cret"}, timeout=60)
    check(st == 200, (st, msg))


def logout(n):
    check(n.call("PATCH", "/api/1/users/alice", {"action": "logout"}, timeout=30)[0] == 200)


def login(n):
    st, _, msg = n.call("POST", "/api/1/users/alice", {"password": "s3cret"}, timeout=60)
    check(st == 200, (st, msg))


def events(n, body=None):
    st, res, msg = n.call("POST", EVENTS, body or {}, timeout=60)
    check(st == 200, (st, msg))
    return res


def decode(n, status=200, **body):
    st, res, msg = n.call("POST", DECODE, dict({"chain": "eth"}, **body), timeout=60)
    check(st == status, (st, res, msg))
    return res if status == 200 else msg


def summary(res):
    return sorted((e["entry"]["group_identifier"], e["entry"]["sequence_index"], e["entry"]["event_type"],
                   e["entry"]["event_subtype"], e["entry"]["asset"], e["entry"]["amount"], e["entry"]["location_label"],
                   e["entry"]["address"], e["entry"]["counterparty"]) for e in res["entries"])


def gid(i):
    return "10x" + h(i)


EXPECTED = sorted([
    (gid(1), 0, "spend", "fee", "ETH", "0.000021", A1, None, "gas"),
    (gid(1), 1, "spend", "none", "ETH", "0.000000000000000001", A1, U, None),
    (gid(2), 0, "receive", "none", "ETH", "2", A1, U, None),
    (gid(3), 0, "fail", "fee", "ETH", "0.000021", A1, None, "gas"),
    (gid(4), 0, "spend", "fee", "ETH", "0.000021", A1, None, "gas"),
    (gid(4), 1, "transaction to self", "none", "ETH", "0", A1, A1, None),
    (gid(5), 0, "spend", "fee", "ETH", "0.000021", A2, None, "gas"),
    (gid(5), 1, "spend", "none", f"eip155:1/erc20:{USDC}", "1.234567", A2, U, None),
])


@test
def stored_transactions_decode_into_rotkis_evm_events_once():
    with Node() as n:
        user(n)
        logout(n)
        sql(n, SCENARIO)
        login(n)
        st, res, msg = n.call("GET", DECODE)
        check(st == 200 and res == {"ethereum": {"undecoded": 7, "total": 7}}, (st, res, msg))

        res, msgs = ws_messages_during(n, lambda: decode(n))  # rotki's progress_updates over the WebSocket
        check(res == {"decoded_tx_number": 6}, res)
        progress = [m["data"] for m in msgs if m["type"] == "progress_updates"]
        check(progress and progress[-1] == {"chain": "ethereum", "subtype": "undecoded_transactions", "total": 6,
                                            "processed": 6}, msgs)
        res = events(n)
        check(summary(res) == EXPECTED, summary(res))
        e = next(x["entry"] for x in res["entries"] if x["entry"]["asset"].startswith("eip155"))
        check(e["entry_type"] == "evm event" and e["location"] == "ethereum" and e["tx_ref"] == "0x" + h(5)
              and e["timestamp"] == (TS + 5) * 1000, e)
        check(e["user_notes"] == f"Send 1.234567 USDC from {A2} to {U}", e)
        st, res, msg = n.call("GET", DECODE)
        check(st == 200 and res == {"ethereum": {"undecoded": 1, "total": 7}}, (st, res, msg))
        # rotki's chain filters, in SQL
        check(len(events(n, {"tx_refs": ["0x" + h(5)]})["entries"]) == 2)
        check(len(events(n, {"tx_refs": [h(5).upper()]})["entries"]) == 2)
        check(len(events(n, {"counterparties": ["gas"]})["entries"]) == 4)
        check(sorted(x["entry"]["group_identifier"] for x in events(n, {"addresses": [U]})["entries"]) ==
              [gid(1), gid(2), gid(5)])
        check(len(events(n, {"location_labels": [A2]})["entries"]) == 2)
        check(len(events(n, {"location_labels": [U]})["entries"]) == 3)  # EVM labels match the address too
        check(len(events(n, {"tx_refs": ["0x" + h(6)]})["entries"]) == 0)
        # again: nothing new
        check(decode(n) == {"decoded_tx_number": 0})
        check(summary(events(n)) == EXPECTED)
        # a redecode gives the same events (new rows)
        before = {x["entry"]["identifier"] for x in events(n, {"tx_refs": ["0x" + h(1)]})["entries"]}
        st, res, msg = n.call("PUT", DECODE, {"chain": "eth", "tx_refs": ["0x" + h(1)]}, timeout=60)
        check(st == 200 and res is True, (st, res, msg))
        after = {x["entry"]["identifier"] for x in events(n, {"tx_refs": ["0x" + h(1)]})["entries"]}
        check(len(after) == 2 and not before & after, (before, after))
        check(summary(events(n)) == EXPECTED)
        # ignore_cache: everything again, the same
        check(decode(n, ignore_cache=True) == {"decoded_tx_number": 6})
        check(summary(events(n)) == EXPECTED)
        st, res, msg = n.call("PUT", DECODE, {"chain": "eth", "tx_refs": ["0x" + h(42)]}, timeout=60)
        check(st == 409 and "does not correspond to a stored transaction" in msg, (st, msg))
        for body in ({"chain": "btc"}, {}, {"chain": "eth", "ignore_cache": "x"}):
            check(n.call("POST", DECODE, body)[0] == 400, body)
        check(n.call("PUT", DECODE, {"chain": "eth", "tx_refs": ["0x12"]})[0] == 400)
        rows = sql(n, "SELECT COUNT(*) FROM chain_events_info; SELECT COUNT(*) FROM evm_tx_mappings WHERE value = 0;")
        check(rows == [["8"], ["6"]], rows)


@test
def a_token_no_node_can_read_is_a_502_and_nothing_is_stored():
    with Node() as n:
        user(n)
        st, nodes, _ = n.call("GET", "/api/1/blockchains/eth/nodes")
        for node in nodes or []:
            n.call("DELETE", "/api/1/blockchains/eth/nodes", {"identifier": node["identifier"]})
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes", {"name": "dead", "endpoint": chainpeers.dead_url(),
                                                                    "owned": True, "weight": "100", "active": True})
        check(st == 200, msg)
        logout(n)
        sql(n, f"INSERT INTO blockchain_accounts VALUES('ETH', '{A1}');" + tx_sql(1, U, A1, "3") +
            tx_sql(2, A1, UNKNOWN, "0", inp="a9059cbb", logs=[(UNKNOWN, A1, U, 10)]))
        login(n)
        msg = decode(n, status=502)
        check(UNKNOWN in msg, msg)
        rows = sql(n, "SELECT COUNT(*) FROM history_events; SELECT COUNT(*) FROM evm_tx_mappings;")
        check(rows == [["0"], ["0"]], rows)  # the whole slice waits: all or nothing


@test
def tokens_read_on_chain_join_the_registry_and_are_announced_once():
    """Two tokens of a ganache chain the user never added: their decimals come from the node, they
    are learned into the asset registry and announced (rotki's new_token_detected) the first time."""
    chainpeers.install()
    with chainpeers.start_chain(accounts=2, tokens=2, multicall=True) as c:
        cid, toks = c.info["chain_id"], c.info["tokens"]
        with Node() as n:
            user(n)
            st, nodes, _ = n.call("GET", "/api/1/blockchains/eth/nodes")
            for node in nodes or []:
                n.call("DELETE", "/api/1/blockchains/eth/nodes", {"identifier": node["identifier"]})
            st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes", {"name": "ganache", "endpoint": c.url,
                                                                        "owned": True, "weight": "100", "active": True})
            check(st == 200, msg)
            logout(n)
            sql(n, f"INSERT INTO blockchain_accounts VALUES('ETH', '{A1}');" + "".join(
                tx_sql(i + 1, U, t["address"], "0", chain_id=cid, logs=[(t["address"], U, A1, 3 * 10 ** t["decimals"])])
                for i, t in enumerate(toks)))
            login(n)
            res, msgs = ws_messages_during(n, lambda: decode(n))
            check(res == {"decoded_tx_number": 2}, res)
            got = sorted((e["entry"]["asset"], e["entry"]["amount"], e["entry"]["user_notes"])
                         for e in events(n)["entries"])
            want = sorted((f"eip155:{cid}/erc20:{t['address']}", "3", f"Receive 3 {t['symbol']} from {U} to {A1}")
                          for t in toks)
            check(got == want, (got, want))
            news = sorted(m["data"]["token_identifier"] for m in msgs if m["type"] == "new_token_detected")
            check(news == sorted(w[0] for w in want), msgs)
            check(all(m["data"]["seen_tx_reference"] in ("0x" + h(1), "0x" + h(2)) and m["data"]["token_kind"] == "evm"
                      for m in msgs if m["type"] == "new_token_detected"), msgs)
            for t in toks:  # in the registry now, as the chain names them
                st, res, msg = n.call("POST", "/api/1/assets/mappings",
                                      {"identifiers": [f"eip155:{cid}/erc20:{t['address']}"]})
                a = (res or {}).get("assets", {}).get(f"eip155:{cid}/erc20:{t['address']}", {})
                check(st == 200 and a.get("symbol") == t["symbol"] and a.get("name") == t["name"], (st, res, msg))
            # the same token again later: no announcement
            logout(n)
            sql(n, tx_sql(3, U, toks[0]["address"], "0", chain_id=cid, logs=[(toks[0]["address"], U, A1, 1)]))
            login(n)
            res, msgs = ws_messages_during(n, lambda: decode(n))
            check(res == {"decoded_tx_number": 1} and not [m for m in msgs if m["type"] == "new_token_detected"], msgs)


@test
def a_tx_of_many_tokens_gives_every_transfer():
    """70 tokens the user added (more than the decoder's first token list holds) in one tx's logs."""
    tokens = ["0x7" + str(i).zfill(39) for i in range(70)]
    with Node() as n:
        user(n)
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/tokens", {"tokens": [
            {"address": t, "chain_id": 1, "symbol": f"T{i}", "name": f"Token {i}", "decimals": i % 19}
            for i, t in enumerate(tokens)]})
        check(st == 200, msg)
        logout(n)
        sql(n, f"INSERT INTO blockchain_accounts VALUES('ETH', '{A1}');" +
            tx_sql(1, U, tokens[0], "0", logs=[(t, U, A1, 10 ** 20 + i) for i, t in enumerate(tokens)]))
        login(n)
        check(decode(n) == {"decoded_tx_number": 1})
        got = sorted((e["entry"]["sequence_index"], e["entry"]["asset"], e["entry"]["amount"])
                     for e in events(n)["entries"])
        want = []
        for i, t in enumerate(tokens):
            raw, d = str(10 ** 20 + i), i % 19
            amount = (raw[:len(raw) - d] + "." + raw[len(raw) - d:]).rstrip("0").rstrip(".") if d else raw
            want.append((i, f"eip155:1/erc20:{t}", amount))
        check(got == want, (got[:3], want[:3], len(got)))


@test
def a_small_heap_budget_decodes_whole_slices_or_answers_503():
    for budget in ("1M", "2M"):  # at 1M the 200-tx slices run out of memory and are halved; 2M takes them whole
        with Node("--heap-budget", budget) as n:
            user(n)
            logout(n)
            sql(n, f"INSERT INTO blockchain_accounts VALUES('ETH', '{A1}');"
                   "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1500) "
                   "INSERT INTO evm_transactions(identifier, tx_hash, chain_id, timestamp, block_number, from_address, "
                   f"to_address, value, gas, gas_price, gas_used, input_data, nonce) SELECT i, randomblob(32), 1, {TS} + i, "
                   f"i, '{A1}', '{U}', '1', '21000', '1000000000', '21000', X'', i FROM k;"
                   "INSERT INTO evmtx_receipts(tx_id, contract_address, status, type) SELECT identifier, NULL, 1, 2 "
                   "FROM evm_transactions;")
            login(n)
            st, res, msg = n.call("POST", DECODE, {"chain": "eth"}, timeout=120)
            print(f"    {budget} heap budget, 1,500 txs: {st} {res if st == 200 else msg}", flush=True)
            check(st in (200, 503), (st, res, msg))
            check(n.call("GET", "/api/1/ping")[0] == 200)
            # whatever was written is whole: every decoded tx has its two events, no event without its mark
            rows = sql(n, "SELECT COUNT(*) FROM evm_tx_mappings WHERE value = 0; SELECT COUNT(*) FROM history_events; "
                          "SELECT COUNT(*) FROM evm_tx_mappings m JOIN evm_transactions t ON t.identifier = m.tx_id WHERE "
                          "(SELECT COUNT(*) FROM history_events h WHERE h.group_identifier = '10x' || "
                          "lower(hex(t.tx_hash))) != 2;")
            marked, evs, broken = (int(r[0]) for r in rows)
            check(evs == 2 * marked and broken == 0 and (marked == 1500 or (st == 503 and marked % 200 == 0)), (st, rows))
            check(budget != "2M" or st == 200, (budget, st, msg))
            halved = [line for line in n.log if "at a time" in line]
            print(f"    {budget}: {len(halved)} slice(s) halved", flush=True)


if __name__ == "__main__":
    main()
