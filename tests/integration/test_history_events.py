"""rotki's history events against the real node: manual events added, queried with rotki's
filters, paged, edited and deleted with rotki's shapes, messages and status codes; bad requests
are 400 and change nothing; 5,000 events written by the stock sqlcipher shell page back exactly
once; the rows are rotki's columns as the shell reads them."""
import hashlib
import json
import time

from harness import Node, check, main, test
from harness import user_db_rows as sql  # the stock sqlcipher shell's rows

EVENTS = "/api/1/history/events"
TS = 1600000000000
KRAKEN_STAKING = {"entry_type": "history event", "group_identifier": "ks1", "sequence_index": 0, "timestamp": TS,
                  "location": "kraken", "event_type": "staking", "event_subtype": "reward", "asset": "ETH",
                  "amount": "0.1000", "user_notes": "my reward", "location_label": "Kraken 1"}
SWAP = {"entry_type": "swap event", "timestamp": TS + 1000, "location": "binance", "spend_amount": "0.01",
        "spend_asset": "ETH", "receive_amount": "20", "receive_asset": "USD",
        "fees": [{"amount": "0.000004", "asset": "ETH"}, {"amount": "0.5", "asset": "BNB"}],
        "unique_id": "trade-42", "user_notes": ["spent", "", "first fee"]}
MOVEMENT = {"entry_type": "asset movement event", "timestamp": TS + 2000, "location": "kraken",
            "event_subtype": "receive", "amount": "5", "asset": "BTC", "fee": "0.1", "fee_asset": "BTC",
            "address": "bc1qexample", "transaction_id": "abcd", "user_notes": ["my deposit", "its fee"]}


# ---------------------------------------------------------------------------- helpers
def user(n, name="alice", password="s3cret"):
    st, _, msg = n.call("PUT", "/api/1/users", {"name": name, "password": password}, timeout=60)
    check(st == 200, (st, msg))


def logout(n, name="alice"):
    check(n.call("PATCH", f"/api/1/users/{name}", {"action": "logout"}, timeout=30)[0] == 200)


def login(n, name="alice", password="s3cret"):
    st, _, msg = n.call("POST", f"/api/1/users/{name}", {"password": password}, timeout=60)
    check(st == 200, (st, msg))


def query(n, body=None, status=200):
    st, res, msg = n.call("POST", EVENTS, body if body is not None else {}, timeout=60)
    check(st == status, (st, msg))
    return res


def add(n, body):
    st, res, msg = n.call("PUT", EVENTS, body)
    check(st == 200 and set(res) == {"identifier"}, (st, res, msg))
    return res["identifier"]


def expect(got, status, *words):
    st, res, msg = got
    check(st == status and res is None and all(w in msg for w in words), (st, res, msg))
    return msg


def by_id(result):
    return {e["entry"]["identifier"]: e for e in result["entries"]}


def hash_id(text):
    """rotki's hash_id: SHA3-256 hex, computed here independently of the node."""
    return hashlib.sha3_256(text.encode()).hexdigest()


def all_rows(n):
    return sql(n, "SELECT * FROM history_events ORDER BY identifier; SELECT * FROM history_events_mappings "
                  "ORDER BY parent_identifier; SELECT identifier FROM assets ORDER BY identifier;")


# ---------------------------------------------------------------------------- tests
@test
def manual_events_are_added_and_read_back_as_rotki_serializes_them():
    with Node() as n:
        user(n)
        i1, i2, i3 = add(n, KRAKEN_STAKING), add(n, SWAP), add(n, MOVEMENT)
        check((i1, i2, i3) == (1, 2, 6), (i1, i2, i3))  # the swap is spend, receive and two fees
        res = query(n)
        check(res["entries_found"] == 7 and res["entries_total"] == 7 and res["entries_limit"] == -1, res)
        # newest first, a group by sequence index
        check([e["entry"]["identifier"] for e in res["entries"]] == [6, 7, 2, 3, 4, 5, 1], res)
        ev = by_id(res)
        check(ev[1] == {"entry": {
            "timestamp": TS, "event_type": "staking", "event_subtype": "reward", "location": "kraken",
            "location_label": "Kraken 1", "asset": "ETH", "amount": "0.1", "identifier": 1, "entry_type": "history event",
            "group_identifier": "ks1", "sequence_index": 0, "extra_data": None, "user_notes": "my reward",
            "auto_notes": "Gain 0.1 ETH from Kraken staking"},
            "states": ["customized"], "event_accounting_rule_status": "not processed"}, ev[1])
        # the swap: rotki's group identifier from location and unique_id, its notes and extra data
        group = hash_id("binance" + "trade-42")
        swap = [ev[i]["entry"] for i in (2, 3, 4, 5)]
        check([(e["event_type"], e["event_subtype"], e["sequence_index"], e["asset"], e["amount"]) for e in swap] ==
              [("trade", "spend", 0, "ETH", "0.01"), ("trade", "receive", 1, "USD", "20"),
               ("trade", "fee", 2, "ETH", "0.000004"), ("trade", "fee", 3, "BNB", "0.5")], swap)
        check(all(e["group_identifier"] == group and e["entry_type"] == "swap event" for e in swap), swap)
        check(swap[0]["extra_data"] == {"reference": "trade-42"} and swap[1]["extra_data"] is None, swap)
        check(swap[0]["user_notes"] == "spent" and "user_notes" not in swap[1] and swap[2]["user_notes"] == "first fee", swap)
        check([e["auto_notes"] for e in swap] == ["Swap 0.01 ETH in Binance", "Receive 20 USD after a swap in Binance",
                                                   "Spend 0.000004 ETH as Binance swap fee",
                                                   "Spend 0.5 BNB as Binance swap fee"], swap)
        # rotki returns plain swap events one by one (only onchain swaps come as sub-lists)
        check(all(isinstance(e, dict) for e in res["entries"]), res)
        # the movement: no unique_id, so the hash of rotki's sorted, compact JSON payload
        payload = json.dumps({"location": "kraken", "timestamp": TS + 2000, "asset": "BTC", "amount": "5"},
                             sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        mv, fee = ev[6]["entry"], ev[7]["entry"]
        check(mv["group_identifier"] == fee["group_identifier"] == hash_id(payload), (mv, fee))
        check((mv["event_type"], mv["event_subtype"], fee["event_subtype"], fee["sequence_index"]) ==
              ("exchange transfer", "receive", "fee", 1), (mv, fee))
        check(mv["extra_data"] == {"address": "bc1qexample", "transaction_id": "abcd"} and fee["extra_data"] is None, mv)
        check(mv["auto_notes"] == "Deposit 5 BTC to Kraken" and fee["auto_notes"] ==
              "Pay 0.1 BTC as Kraken exchange transfer fee", (mv, fee))
        # wrapper keys rotki only sends when they apply
        for e in res["entries"]:
            check(set(e) == {"entry", "states", "event_accounting_rule_status"}, e)
        # grouped: one entry per group (its first event), with the number of events
        res = query(n, {"aggregate_by_group_ids": True})
        check(res["entries_found"] == 3 and res["entries_total"] == 3, res)
        check([(e["entry"]["identifier"], e["grouped_events_num"]) for e in res["entries"]] == [(6, 2), (2, 4), (1, 1)], res)
        res = query(n, {"aggregate_by_group_ids": True, "limit": 1, "offset": 1, "location": "binance"})
        check(res["entries_found"] == 1 and res["entries_total"] == 3 and res["entries"] == [], res)
        # they stay across a logout and a login
        before = query(n)
        logout(n)
        login(n)
        check(query(n) == before)


@test
def rotkis_filters_select_in_sql():
    with Node() as n:
        user(n)
        add(n, KRAKEN_STAKING)
        add(n, SWAP)
        add(n, MOVEMENT)
        add(n, dict(KRAKEN_STAKING, group_identifier="ks2", timestamp=TS + 5000, amount="3", user_notes="Big Reward",
                    location_label="Kraken 2"))

        def ids(body):
            return [e["entry"]["identifier"] for e in query(n, body)["entries"]]

        check(ids({"location": "kraken"}) == [8, 6, 7, 1])
        check(ids({"asset": "BTC"}) == [6, 7])
        check(ids({"event_types": ["staking"]}) == [8, 1])
        check(ids({"event_types": "trade,exchange_transfer", "event_subtypes": ["fee"]}) == [7, 4, 5])
        check(ids({"entry_types": {"values": ["swap event"]}}) == [2, 3, 4, 5])
        check(ids({"entry_types": {"values": ["swap event", "history event"], "behaviour": "exclude"}}) == [6, 7])
        check(ids({"identifiers": [1, 7, 99]}) == [7, 1])
        check(ids({"group_identifiers": ["ks1", "ks2"]}) == [8, 1])
        check(ids({"location_labels": ["Kraken 2"]}) == [8])
        check(ids({"notes_substring": "reward"}) == [8, 1])  # LIKE: case-insensitive, as rotki's
        check(ids({"min_amount": "0.5", "max_amount": 5}) == [8, 6, 5])
        check(ids({"from_timestamp": TS // 1000 + 1, "to_timestamp": TS // 1000 + 2}) == [6, 7, 2, 3, 4, 5])
        check(ids({"state_markers": ["customized"], "asset": "BNB"}) == [5])
        check(ids({"state_markers": ["imported from csv"]}) == [])
        check(ids({"order_by_attributes": ["timestamp"], "ascending": [True], "location": "kraken"}) == [1, 6, 7, 8])
        res = query(n, {"location": "kraken", "limit": 2, "offset": 1})
        check([e["entry"]["identifier"] for e in res["entries"]] == [6, 7] and res["entries_found"] == 4 and
              res["entries_total"] == 8, res)
        # rotki pages only with both limit and offset
        check(len(query(n, {"limit": 2})["entries"]) == 8)
        # events in the future are outside rotki's default range (to_timestamp = now)
        add(n, dict(KRAKEN_STAKING, group_identifier="later", timestamp=(int(time.time()) + 3600) * 1000))
        check(query(n)["entries_found"] == 8 and query(n, {"to_timestamp": int(time.time()) + 7200})["entries_found"] == 9)


@test
def ignored_assets_and_ignored_actions_as_rotki_marks_them():
    with Node() as n:
        user(n)
        logout(n)
        sql(n, "INSERT INTO multisettings(name, value) VALUES('ignored_asset', 'BNB'); "
               "INSERT INTO ignored_actions(identifier) VALUES('ks1');")
        login(n)
        add(n, KRAKEN_STAKING)
        add(n, SWAP)
        check(sql(n, "SELECT asset, ignored FROM history_events ORDER BY identifier;") ==
              [["ETH", "0"], ["ETH", "0"], ["USD", "0"], ["ETH", "0"], ["BNB", "1"]])
        res = query(n)  # exclude_ignored_assets is true by default
        check(res["entries_found"] == 4 and 5 not in by_id(res), res)
        ev = by_id(query(n, {"exclude_ignored_assets": False}))
        check(ev[5]["has_ignored_assets"] is True and ev[2]["has_ignored_assets"] is True, ev)
        check(ev[1]["ignored_in_accounting"] is True and "ignored_in_accounting" not in ev[2], ev)
        check("has_ignored_assets" not in ev[1], ev[1])


@test
def edits_follow_rotkis_rules():
    with Node() as n:
        user(n)
        add(n, KRAKEN_STAKING)
        add(n, SWAP)
        add(n, MOVEMENT)
        add(n, dict(KRAKEN_STAKING, group_identifier="other"))
        # a plain event: every field, by identifier
        edit = dict(KRAKEN_STAKING, identifier=1, amount="0.25", event_type="spend", event_subtype="fee",
                    user_notes="", location_label="")
        check(n.call("PATCH", EVENTS, edit) == (200, True, ""))
        e = by_id(query(n))[1]["entry"]
        check((e["amount"], e["event_type"], e["event_subtype"], e["location_label"], "user_notes" in e) ==
              ("0.25", "spend", "fee", None, False), e)
        expect(n.call("PATCH", EVENTS, dict(edit, identifier=42)), 409,
               "Tried to edit event with id 42 but could not find it in the DB")
        expect(n.call("PATCH", EVENTS, dict(edit, group_identifier="other")), 409,
               "Tried to edit event to have group_identifier other and sequence_index 0 but it already exists")
        # a swap: the identifiers given; a fee left out goes, a new one comes
        swap_ids = [2, 3, 4, 5]
        body = dict(SWAP, identifiers=swap_ids, receive_amount="21", fees=[{"amount": "0.000004", "asset": "ETH"}],
                    user_notes=["spent", "got"])
        got = n.call("PATCH", EVENTS, body)
        check(got == (200, True, ""), got)
        ev = by_id(query(n))
        check(5 not in ev and ev[3]["entry"]["amount"] == "21" and ev[3]["entry"]["user_notes"] == "got", ev)
        body = dict(body, identifiers=[2, 3, 4], fees=[{"amount": "0.000004", "asset": "ETH"}, {"amount": "1", "asset": "BNB"}])
        check(n.call("PATCH", EVENTS, body) == (200, True, ""))
        new_fee = [e for e in query(n)["entries"] if e["entry"]["asset"] == "BNB"]
        check(len(new_fee) == 1 and new_fee[0]["entry"]["sequence_index"] == 3 and new_fee[0]["states"] == ["customized"],
              new_fee)
        expect(n.call("PATCH", EVENTS, dict(body, identifiers=[99])), 409, "Tried to edit event with id 99")
        # an asset movement: without its fee the fee goes, with one it comes back
        mv = dict(MOVEMENT, identifier=6)
        del mv["fee"], mv["fee_asset"]
        mv["user_notes"] = ["just the deposit"]
        check(n.call("PATCH", EVENTS, mv) == (200, True, ""))
        movement = [e["entry"] for e in query(n, {"entry_types": {"values": ["asset movement event"]}})["entries"]]
        check([(e["identifier"], e["event_subtype"], e["user_notes"]) for e in movement] ==
              [(6, "receive", "just the deposit")], movement)
        check(n.call("PATCH", EVENTS, dict(MOVEMENT, identifier=6, fee="0.2")) == (200, True, ""))
        movement = [e["entry"] for e in query(n, {"entry_types": {"values": ["asset movement event"]}})["entries"]]
        check([(e["event_subtype"], e["amount"]) for e in movement] == [("receive", "5"), ("fee", "0.2")], movement)


@test
def deletes_follow_rotkis_rules():
    with Node() as n:
        user(n)
        add(n, KRAKEN_STAKING)
        add(n, SWAP)
        add(n, MOVEMENT)
        before = all_rows(n)
        # one identifier missing: nothing goes (rotki names the missing ones)
        expect(n.call("DELETE", EVENTS, {"identifiers": [1, 19, 3]}), 409,
               "Tried to remove history event(s) with id(s) {19} which do not exist")
        expect(n.call("DELETE", EVENTS, {}), 400, "Either identifiers or filter parameters must be provided")
        expect(n.call("DELETE", EVENTS, {"force_delete": True}), 400, "Either identifiers or filter parameters")
        check(all_rows(n) == before)
        check(n.call("DELETE", EVENTS, {"identifiers": [1, 4]}) == (200, True, ""))
        check(sorted(by_id(query(n))) == [2, 3, 5, 6, 7])
        check(sql(n, "SELECT parent_identifier FROM history_events_mappings ORDER BY 1;") ==
              [["2"], ["3"], ["5"], ["6"], ["7"]])  # the mappings went with them
        # by filter (the filters intersect)
        check(n.call("DELETE", EVENTS, {"location": "kraken", "event_subtypes": ["fee"]}) == (200, True, ""))
        check(sorted(by_id(query(n))) == [2, 3, 5, 6])
        # nothing matching is no error in rotki
        check(n.call("DELETE", EVENTS, {"identifiers": [1000]}) == (200, True, ""))
        # the last event of a transaction stays unless forced (an evm event, as a rotki DB holds them)
        logout(n)
        sql(n, "INSERT INTO history_events(entry_type, group_identifier, sequence_index, timestamp, location, asset, "
               "amount, type, subtype) VALUES(2, '10xabc', 0, 1500000000000, 'f', 'ETH', '1', 'spend', 'fee');")
        login(n)
        tx = sql(n, "SELECT identifier FROM history_events WHERE group_identifier = '10xabc';")[0][0]
        expect(n.call("DELETE", EVENTS, {"identifiers": [int(tx)]}), 409,
               f"Tried to remove history event with id {tx} which was the last event of a transaction")
        check(n.call("DELETE", EVENTS, {"identifiers": [int(tx)], "force_delete": True}) == (200, True, ""))
        check(sql(n, "SELECT count(*) FROM history_events WHERE group_identifier = '10xabc';") == [["0"]])


@test
def duplicates_and_bad_input_change_nothing():
    with Node() as n:
        user(n)
        add(n, KRAKEN_STAKING)
        add(n, SWAP)
        before = all_rows(n)
        expect(n.call("PUT", EVENTS, KRAKEN_STAKING), 409, "Failed to add event to the DB. It already exists")
        expect(n.call("PUT", EVENTS, SWAP), 409, "Failed to add event to the DB. It already exists")
        for body, words in (
                ({"entry_type": "nope"}, ['"entry_type"', "Failed to deserialize HistoryBaseEntryType value nope"]),
                ({}, ['"entry_type"', "Missing data for required field."]),
                (dict(KRAKEN_STAKING, amount="-1"), ['"amount"', "Must be greater than or equal to 0."]),
                (dict(KRAKEN_STAKING, amount="1e"), ['"amount"', "Failed to deserialize value entry"]),
                (dict(KRAKEN_STAKING, timestamp="yesterday"), ['"timestamp"', "Failed to deserialize a timestamp"]),
                (dict(KRAKEN_STAKING, timestamp=-5), ['"timestamp"', "can not have negative values"]),
                (dict(KRAKEN_STAKING, timestamp=1.5), ['"timestamp"', "Failed to deserialize a timestamp"]),
                (dict(KRAKEN_STAKING, event_type="dance"), ["Failed to deserialize HistoryEventType value dance"]),
                (dict(KRAKEN_STAKING, event_subtype="spam"), ["Unexpected event type and subtype pair provided: staking, spam"]),
                (dict(KRAKEN_STAKING, location="moon"), ["Failed to deserialize Location value moon"]),
                (dict(KRAKEN_STAKING, group_identifier=""), ["Field cannot be an empty string"]),
                (dict(KRAKEN_STAKING, asset=""), ["empty identifier"]),
                (dict(KRAKEN_STAKING, identifier=3), ['"identifier"', "Unknown field."]),
                (dict(KRAKEN_STAKING, location="bitcoin"), ["bitcoin events must use BTC as the asset"]),
                ({k: v for k, v in KRAKEN_STAKING.items() if k != "sequence_index"}, ['"sequence_index"', "Missing data"]),
                (dict(KRAKEN_STAKING, entry_type="evm event"), ["pipit does not take evm events here yet"]),
                (dict(SWAP, spend_amount="0"), ['"spend_amount"', "Must be greater than 0."]),
                (dict(SWAP, user_notes=["a"]), ["Shorter than minimum length 2."]),
                (dict(SWAP, user_notes=["a", "b", "c", "d", "e"]), ["Too many user notes were provided"]),
                (dict(SWAP, fees=[{"amount": "1"}]), ['{"fees": {"0": {"asset": ["Missing data for required field."]}}}']),
                (dict(SWAP, fees=[{"amount": "1", "asset": "ETH", "x": 1}]), ['"x": ["Unknown field."]']),
                (dict(MOVEMENT, event_subtype="fee"), ["fee is not one of the valid values for this endpoint"]),
                (dict(MOVEMENT, fee_asset=None), ["fee and fee_asset must be provided together"]),
                (dict(MOVEMENT, user_notes=["a", "b", "c"]), ["Length must be between 1 and 2."]),
                ([1], ["The request body must be a JSON object"])):
            expect(n.call("PUT", EVENTS, body), 400, *words)
        for body, words in (
                ({"from_timestamp": 10, "to_timestamp": 5}, ['"to_timestamp"', "from_timestamp must be less than or equal to to_timestamp"]),
                ({"from_timestamp": "soon"}, ['"from_timestamp"']),
                ({"min_amount": 5, "max_amount": 1}, ["min_amount must be smaller than or equal to max_amount"]),
                ({"limit": "ten", "offset": 0}, ['"limit"', "Not a valid integer."]),
                ({"order_by_attributes": ["amount"], "ascending": [True]}, ["order_by_attributes for history event data can not be amount"]),
                ({"order_by_attributes": ["timestamp"]}, ["order_by_attributes and ascending have to be both null or have a value"]),
                ({"order_by_attributes": ["timestamp"], "ascending": [True, False]}, ["don't have the same length"]),
                ({"entry_types": {"values": ["swap event"], "behaviour": "maybe"}}, ["Behaviour must be either 'include' or 'exclude'."]),
                ({"entry_types": {"values": ["nope"]}}, ['{"entry_types": {"0": ["Failed to deserialize HistoryBaseEntryType value nope"]}}']),
                ({"entry_types": ["swap event"]}, ["'values' key is missing."]),
                ({"event_types": []}, ["List cant be empty"]),
                ({"identifiers": [-1]}, ["Identifier must be an integer >= 0"]),
                ({"tx_refs": ["0x12"]}, ['"tx_refs"', "Invalid transaction reference 0x12"]),
                ({"addresses": ["0xabc"]}, ['"addresses"', "some addresses are not valid EVM, Solana, BTC, or BCH addresses"]),
                ({"validator_indices": [1]}, ['"validator_indices"']),
                ({"async_query": True}, ['"async_query"', "Unknown field."]),
                ({"exclude_ignored_assets": None}, ["Field may not be null."])):
            expect(n.call("POST", EVENTS, body), 400, *words)
        expect(n.call("PATCH", EVENTS, dict(KRAKEN_STAKING)), 400, '"identifier"', "Missing data for required field.")
        expect(n.call("PATCH", EVENTS, dict(SWAP)), 400, '"identifiers"', "Missing data for required field.")
        expect(n.call("DELETE", EVENTS, {"identifiers": [1], "limit": 3}), 400, '"limit"', "Unknown field.")
        check(all_rows(n) == before)
        logout(n)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            expect(n.call(method, EVENTS, {}), 401, "No user is currently logged in")


@test
def paging_5000_events_gives_each_once():
    with Node() as n:
        user(n)
        logout(n)
        # 5,000 events the way rotki's own DB holds them, written by the stock shell: 2,500 groups of
        # two, five groups per timestamp (ties broken the same way on every page)
        sql(n, "INSERT INTO assets(identifier) VALUES('ETH'); WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k "
               "WHERE i < 4999) INSERT INTO history_events(entry_type, group_identifier, sequence_index, timestamp, location, "
               "location_label, asset, amount, type, subtype) SELECT 7, 'g' || (i / 2), i % 2, 1500000000000 + (i / 10) * 1000, "
               "CASE WHEN i % 3 = 0 THEN 'B' ELSE 'E' END, 'acct', 'ETH', '1.5', 'trade', "
               "CASE WHEN i % 2 = 0 THEN 'spend' ELSE 'receive' END FROM k;")
        login(n)
        every = query(n)
        check(every["entries_found"] == 5000 and every["entries_total"] == 5000 and len(every["entries"]) == 5000)
        order = [e["entry"]["identifier"] for e in every["entries"]]
        seen, t0, pages = [], time.time(), 0
        for offset in range(0, 5100, 97):
            res = query(n, {"limit": 97, "offset": offset})
            check(res["entries_found"] == 5000 and res["entries_total"] == 5000, res["entries_found"])
            seen += [e["entry"]["identifier"] for e in res["entries"]]
            pages += 1
        per_page = (time.time() - t0) / pages * 1000
        check(seen == order and len(set(seen)) == 5000, (len(seen), len(set(seen))))
        keys = [(-e["entry"]["timestamp"], e["entry"]["sequence_index"], e["entry"]["identifier"]) for e in every["entries"]]
        check(keys == sorted(keys))
        # a filtered, grouped walk: each group once
        groups = []
        for offset in range(0, 3000, 250):
            res = query(n, {"aggregate_by_group_ids": True, "location": "binance", "limit": 250, "offset": offset})
            check(res["entries_total"] == 2500, res["entries_total"])
            groups += [e["entry"]["group_identifier"] for e in res["entries"]]
        expected = sql(n, "SELECT count(DISTINCT group_identifier) FROM history_events WHERE location = 'E';")[0][0]
        check(len(groups) == len(set(groups)) == int(expected) == res["entries_found"], (len(groups), expected))
        print(f"    5,000 events: {pages} pages of 97 in {per_page:.1f} ms each", flush=True)


@test
def rows_are_rotkis_columns_in_the_stock_shell():
    with Node() as n:
        user(n)
        add(n, KRAKEN_STAKING)
        add(n, SWAP)
        add(n, MOVEMENT)
        rows = sql(n, "SELECT identifier, entry_type, group_identifier, sequence_index, timestamp, location, "
                      "quote(location_label), asset, amount, quote(notes), type, subtype, quote(extra_data), ignored "
                      "FROM history_events ORDER BY identifier;")
        group = hash_id("binancetrade-42")
        check(rows[0] == ["1", "1", "ks1", "0", str(TS), "B", "'Kraken 1'", "ETH", "0.1", "'my reward'", "staking", "reward",
                          "NULL", "0"], rows[0])
        check(rows[1] == ["2", "7", group, "0", str(TS + 1000), "E", "NULL", "ETH", "0.01", "'spent'", "trade", "spend",
                          "'{\"reference\": \"trade-42\"}'", "0"], rows[1])
        check(rows[2][1:3] + rows[2][9:13] == ["7", group, "NULL", "trade", "receive", "NULL"], rows[2])
        check(rows[5][1] == "6" and rows[5][10:13] == ["exchange transfer", "receive",
                                                        "'{\"address\": \"bc1qexample\", \"transaction_id\": \"abcd\"}'"], rows[5])
        check(rows[6][3] == "1" and rows[6][11] == "fee", rows[6])
        check(sql(n, "SELECT parent_identifier, name, value FROM history_events_mappings ORDER BY 1;") ==
              [[str(i), "state", "1"] for i in range(1, 8)])
        check(sql(n, "SELECT identifier FROM assets WHERE identifier IN ('ETH', 'USD', 'BNB', 'BTC') ORDER BY 1;") ==
              [["BNB"], ["BTC"], ["ETH"], ["USD"]])


@test
def type_mappings_are_rotkis_tables():
    with Node() as n:
        st, res, msg = n.call("GET", EVENTS + "/type_mappings")  # rotki asks for no user here
        check(st == 200, (st, msg))
        check(set(res) == {"global_mappings", "entry_type_mappings", "event_category_details", "event_category_groups",
                           "accounting_events_icons"}, res.keys())
        check(res["global_mappings"]["trade"]["spend"] == {"default": "swap out"}, res["global_mappings"]["trade"])
        check(res["global_mappings"]["exchange transfer"]["receive"] == {"default": "account deposit",
                                                                         "exchange": "cex deposit"})
        check(sum(len(v) for v in res["global_mappings"].values()) == 97)
        check(res["event_category_details"]["fee"]["counterparty_mappings"]["gas"] == {"label": "gas fee", "icon": "lu-flame"})
        check(res["event_category_details"]["receive"] == {"counterparty_mappings": {"default": {
            "label": "receive", "icon": "lu-arrow-down", "color": "success"}}, "direction": "in", "group": "transfer"})
        check(len(res["event_category_details"]) == 66 and res["event_category_groups"]["other"] ==
              {"icon": "lu-circle-question-mark", "order": 999})
        check(res["entry_type_mappings"] == {"eth withdrawal event": {"staking": {"remove asset": {
            "is_exit": "stake exit", "not_exit": "withdraw"}}}})


if __name__ == "__main__":
    main()
