"""Manually tracked balances (rotki's manually_tracked_balances): added, edited, tagged, valued by
manual latest prices, deleted; part of /balances (assets, liabilities, locations, net value) and
of the saved snapshot (timed_balances, timed_location_data, GET /snapshots/<ts>); bad input
answered as rotki does and changing nothing; and a rotki v53 user DB that already holds manual
balances, written with the stock sqlcipher shell as rotki writes them, listed unchanged."""
import os
import shutil
import tempfile
import time

from harness import Node, check, main, test, user_db_rows

# The shapes below are written from rotki's docs/api.rst ("Querying / Adding / Editing /
# Deleting manually tracked balances"): the answer is {"balances": [entry, ...]}, an entry
# carries its integer identifier, the asset identifier, its label, amount and value as decimal
# strings, tags as a list of names or null, the location's name and balance_type "asset" or
# "liability". rotki's serializer (asdict of ManuallyTrackedBalanceWithValue) adds
# asset_is_missing, a boolean.
ENTRY_KEYS = {"identifier", "asset", "label", "amount", "value", "tags", "location", "balance_type", "asset_is_missing"}
# /balances: {"assets": {id: {amount, value, percentage_of_net_value}}, "liabilities": {same},
# "location": {name: {value, percentage_of_net_value}}, "net_value"}
AGG_KEYS = {"assets", "liabilities", "location", "net_value"}


def login(n):
    st, res, msg = n.call("PUT", "/api/1/users", {"name": "alice", "password": "s3cret"}, timeout=60)
    check(st == 200, msg)
    return res


def tag(n, name):
    st, _, msg = n.call("PUT", "/api/1/tags", {"name": name, "background_color": "ffffff", "foreground_color": "000000"})
    check(st == 200, msg)


def price(n, asset, usd):
    st, _, msg = n.call("PUT", "/api/1/assets/prices/latest", {"from_asset": asset, "to_asset": "USD", "price": usd})
    check(st == 200, msg)


def entry(identifier, asset, label, amount, value, location, tags=None, balance_type="asset"):
    return {"identifier": identifier, "asset": asset, "label": label, "amount": amount, "value": value, "tags": tags,
            "location": location, "balance_type": balance_type, "asset_is_missing": False}


def same_list(got, want):
    check(isinstance(got, dict) and set(got) == {"balances"}, got)
    check(len(got["balances"]) == len(want), (got, want))
    for g, w in zip(got["balances"], want):
        check(set(g) == ENTRY_KEYS, sorted(g))
        for k in ENTRY_KEYS:
            check(g[k] == w[k], (k, g, w))
        check(isinstance(g["identifier"], int) and isinstance(g["amount"], str) and isinstance(g["value"], str), g)


def db_state(n):
    return (user_db_rows(n, "SELECT id, asset, label, amount, location, category FROM manually_tracked_balances ORDER BY id;"),
            user_db_rows(n, "SELECT object_reference, tag_name FROM tag_mappings ORDER BY 1, 2;"))


@test
def balances_are_added_edited_tagged_valued_and_deleted():
    with Node() as n:
        login(n)
        tag(n, "public")
        tag(n, "private")
        price(n, "XMR", "150")
        price(n, "BTC", "20000")
        st, res, msg = n.call("PUT", "/api/1/balances/manual", {"balances": [
            {"asset": "XMR", "label": "My monero wallet", "amount": "50.315", "tags": ["public"], "location": "blockchain",
             "balance_type": "asset"},
            {"asset": "BTC", "label": "My XPUB BTC wallet", "amount": "1.4250", "location": "banks",
             "balance_type": "liability"}]})
        check(st == 200 and msg == "", (st, msg))
        # rotki lists them in label order; the amount as str(FVal) writes it; value = amount × price
        first = [entry(2, "BTC", "My XPUB BTC wallet", "1.425", "28500", "banks", None, "liability"),
                 entry(1, "XMR", "My monero wallet", "50.315", "7547.25", "blockchain", ["public"])]
        same_list(res, first)
        st, res, _ = n.call("GET", "/api/1/balances/manual")
        check(st == 200)
        same_list(res, first)
        rows, tags = db_state(n)
        check(rows == [["1", "XMR", "My monero wallet", "50.315", "J", "A"], ["2", "BTC", "My XPUB BTC wallet", "1.425", "I", "B"]],
              rows)
        check(tags == [["1", "public"]], tags)  # rotki's object_reference: the balance's id
        # edits by identifier: amount, location, type, label, tags replaced
        st, res, msg = n.call("PATCH", "/api/1/balances/manual", {"balances": [
            {"identifier": 1, "asset": "XMR", "label": "Monero", "amount": "4.5", "tags": ["public", "private"],
             "location": "kraken", "balance_type": "liability"},
            {"identifier": 2, "asset": "ETH", "label": "My XPUB BTC wallet", "amount": "10", "location": "external"}]})
        check(st == 200, msg)
        price(n, "ETH", "2000")
        st, res, _ = n.call("GET", "/api/1/balances/manual")
        same_list(res, [entry(1, "XMR", "Monero", "4.5", "675", "kraken", ["private", "public"], "liability"),
                        entry(2, "ETH", "My XPUB BTC wallet", "10", "20000", "external")])
        # value_threshold keeps the balances worth more than it (query string or body)
        st, res, _ = n.call("GET", "/api/1/balances/manual?value_threshold=1000")
        check(st == 200 and [b["identifier"] for b in res["balances"]] == [2], res)
        st, res, _ = n.call("GET", "/api/1/balances/manual", {"value_threshold": "675"})
        check(st == 200 and [b["identifier"] for b in res["balances"]] == [2], res)
        # tags are replaced, and go with the deleted balance
        check(db_state(n)[1] == [["1", "private"], ["1", "public"]], db_state(n))
        st, res, msg = n.call("DELETE", "/api/1/balances/manual", {"ids": [1]})
        check(st == 200, msg)
        same_list(res, [entry(2, "ETH", "My XPUB BTC wallet", "10", "20000", "external")])
        rows, tags = db_state(n)
        check(rows == [["2", "ETH", "My XPUB BTC wallet", "10", "A", "A"]] and tags == [], (rows, tags))
        # async_query, as rotki has it for all four
        st, task, _ = n.call("PUT", "/api/1/balances/manual", {"async_query": True, "balances": [
            {"asset": "EUR", "label": "Bank", "amount": 100, "location": "banks"}]})  # a JSON number too
        check(st == 200 and set(task) == {"task_id"}, task)
        out = None
        for _ in range(300):
            st, out, _ = n.call("GET", f"/api/1/tasks/{task['task_id']}")
            if out and out.get("status") == "completed":
                break
            time.sleep(0.05)
        check(out["status_code"] == 200 and [b["label"] for b in out["outcome"]["result"]["balances"]] ==
              ["Bank", "My XPUB BTC wallet"], out)
        # the EUR value: no EUR price (the oracle is unreachable) counts 0, as rotki's ZERO_PRICE
        check(out["outcome"]["result"]["balances"][0]["value"] == "0", out)
        # values are in the main currency: 10 ETH × 2000 USD at 2 USD per EUR
        price(n, "EUR", "2")
        st, _, msg = n.call("PUT", "/api/1/settings", {"settings": {"main_currency": "EUR"}})
        check(st == 200, msg)
        st, res, _ = n.call("GET", "/api/1/balances/manual")
        check([(b["label"], b["value"]) for b in res["balances"]] == [("Bank", "100"), ("My XPUB BTC wallet", "10000")], res)


@test
def balances_snapshot_and_net_value_include_them():
    with Node() as n:
        login(n)
        price(n, "BTC", "100")
        price(n, "ETH", "10")
        price(n, "EUR", "1.1")
        st, _, msg = n.call("PUT", "/api/1/balances/manual", {"balances": [
            {"asset": "BTC", "label": "safe", "amount": "1.5", "location": "banks"},
            {"asset": "ETH", "label": "wallet", "amount": "2", "location": "blockchain"},
            {"asset": "EUR", "label": "mortgage", "amount": "100", "location": "banks", "balance_type": "liability"}]})
        check(st == 200, msg)
        st, res, msg = n.call("GET", "/api/1/balances?save_data=true", timeout=60)
        check(st == 200, msg)
        check(set(res) == AGG_KEYS, res)
        # rotki: net = assets - liabilities; the liabilities' value comes off the blockchain location
        check(res["assets"] == {"BTC": {"amount": "1.5", "value": "150", "percentage_of_net_value": "250.00%"},
                                "ETH": {"amount": "2", "value": "20", "percentage_of_net_value": "33.33%"}}, res["assets"])
        check(res["liabilities"] == {"EUR": {"amount": "100", "value": "110", "percentage_of_net_value": "183.33%"}},
              res["liabilities"])
        check(res["location"] == {"banks": {"value": "150", "percentage_of_net_value": "250.00%"},
                                  "blockchain": {"value": "-90", "percentage_of_net_value": "-150.00%"}}, res["location"])
        check(res["net_value"] == "60", res)
        # the snapshot, in rotki's tables: category A assets, B liabilities; locations and the total H
        bal = user_db_rows(n, "SELECT category, currency, amount, usd_value FROM timed_balances ORDER BY category, currency;")
        check(bal == [["A", "BTC", "1.5", "150"], ["A", "ETH", "2", "20"], ["B", "EUR", "100", "110"]], bal)
        loc = user_db_rows(n, "SELECT location, usd_value FROM timed_location_data ORDER BY location;")
        check(loc == [["H", "60"], ["I", "150"], ["J", "-90"]], loc)
        ts = int(user_db_rows(n, "SELECT MAX(timestamp) FROM timed_location_data;")[0][0])
        st, snap, msg = n.call("GET", f"/api/1/snapshots/{ts}")
        check(st == 200, msg)
        got = sorted((b["category"], b["asset_identifier"], b["amount"], b["usd_value"]) for b in snap["balances_snapshot"])
        check(got == [("asset", "BTC", "1.5", "150"), ("asset", "ETH", "2", "20"), ("liability", "EUR", "100", "110")], got)
        got = sorted((x["location"], x["usd_value"]) for x in snap["location_data_snapshot"])
        check(got == [("banks", "150"), ("blockchain", "-90"), ("total", "60")], got)
        # a deleted balance leaves /balances
        st, res, _ = n.call("GET", "/api/1/balances/manual")
        eth = [b["identifier"] for b in res["balances"] if b["asset"] == "ETH"]
        check(n.call("DELETE", "/api/1/balances/manual", {"ids": eth})[0] == 200)
        st, res, _ = n.call("GET", "/api/1/balances", timeout=60)
        check(st == 200 and set(res["assets"]) == {"BTC"} and res["net_value"] == "40" and set(res["location"]) == {"banks"}, res)


@test
def bad_input_is_refused_as_rotki_does_and_changes_nothing():
    with Node() as n:
        login(n)
        tag(n, "public")
        st, before, _ = n.call("PUT", "/api/1/balances/manual", {"balances": [
            {"asset": "BTC", "label": "cold", "amount": "1", "location": "banks", "tags": ["public"]},
            {"asset": "ETH", "label": "hot", "amount": "2", "location": "blockchain"}]})
        check(st == 200)
        state = db_state(n)
        ok = {"asset": "BTC", "label": "new", "amount": "1", "location": "banks"}

        def with_(**kw):
            e = dict(ok)
            e.update(kw)
            return {"balances": [e]}

        cases = [
            ("PUT", with_(asset="NOPE"), 400, '{"balances": {"0": {"asset": ["Unknown asset NOPE provided."]}}}'),
            ("PUT", with_(asset="eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831Ec7"), 400,
             "Unknown asset eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831Ec7 provided."),  # a wrong checksum
            ("PUT", with_(asset={"x": 1}), 400, "Tried to initialize an asset out of a non-string identifier {'x': 1}"),
            ("PUT", with_(label="cold"), 400, "One of the manually tracked balance entries already exists in the DB. "
                                              "UNIQUE constraint failed: manually_tracked_balances.label"),
            ("PUT", {"balances": [ok, dict(ok)]}, 400, "UNIQUE constraint failed: manually_tracked_balances.label"),
            ("PUT", with_(tags=["public", "Nope"]), 409, "When adding manually tracked balances, unknown tags nope were found"),
            ("PUT", with_(tags=[]), 400, '{"balances": {"0": {"tags": ["Provided empty list for tags. Use null."]}}}'),
            ("PUT", with_(location="moon"), 400, '{"balances": {"0": {"location": ["Failed to deserialize Location value moon"]}}}'),
            ("PUT", with_(amount="abc"), 400, '{"balances": {"0": {"amount": ["Failed to deserialize value entry'),
            ("PUT", with_(amount="0"), 400, "Non-positive amount 0 given. Amount should be > 0"),
            ("PUT", with_(amount="-1"), 400, "Non-positive amount -1 given. Amount should be > 0"),
            ("PUT", with_(balance_type="debt"), 400, "Failed to deserialize BalanceType value debt"),
            ("PUT", with_(label=""), 400, '{"label": ["Field cannot be an empty string"]}'),
            ("PUT", with_(colour="red"), 400, '{"colour": ["Unknown field."]}'),
            ("PUT", {"balances": [ok, {"asset": "BTC", "label": "x", "amount": "1"}]}, 400,
             '{"balances": {"1": {"location": ["Missing data for required field."]}}}'),
            ("PUT", {"balances": []}, 400, "Empty list of manually tracked balances to add was given"),
            ("PUT", {}, 400, '{"balances": ["Missing data for required field."]}'),
            ("PATCH", {"balances": [dict(ok, identifier=99)]}, 400,
             "Tried to edit manually tracked balance entry that did not exist in the DB"),
            ("PATCH", {"balances": [dict(ok, identifier=1, label="hot")]}, 400,
             'A manually tracked balance entry with label "hot" already exists'),
            ("PATCH", {"balances": [dict(ok, identifier=1, tags=["gone"])]}, 409,
             "When editing manually tracked balances, unknown tags gone were found"),
            ("PATCH", {"balances": [ok]}, 400, '{"identifier": ["Missing data for required field."]}'),
            ("PATCH", {"balances": []}, 400, "Empty list of manually tracked balances to edit was given"),
            ("DELETE", {"ids": [1, 99]}, 400, "Tried to remove 1 manually tracked balance ids that do not exist"),
            ("DELETE", {"ids": ["one"]}, 400, '{"ids": {"0": ["Not a valid integer."]}}'),
            ("DELETE", {}, 400, '{"ids": ["Missing data for required field."]}'),
            ("GET", {"value_threshold": "lots"}, 400, '{"value_threshold": ["Failed to deserialize value entry'),
        ]
        for method, body, status, message in cases:
            st, res, msg = n.call(method, "/api/1/balances/manual", body)
            check(st == status and res is None and message in (msg or ""), (method, body, st, msg))
        check(db_state(n) == state, (db_state(n), state))
        st, after, _ = n.call("GET", "/api/1/balances/manual")
        check(after == before, (after, before))
        # nobody logged in
        n.call("PATCH", "/api/1/users/alice", {"action": "logout"}, timeout=30)
        st, _, msg = n.call("GET", "/api/1/balances/manual")
        check(st == 401 and msg == "No user is currently logged in", (st, msg))


@test
def a_rotki_db_with_manual_balances_lists_them_unchanged():
    data = tempfile.mkdtemp(prefix="pipit-it-")
    try:
        with Node(data_dir=data) as n:
            login(n)
            tag(n, "public")
            tag(n, "inheritance")
            n.call("PATCH", "/api/1/users/alice", {"action": "logout"}, timeout=30)
        # what rotki's DBHandler.add_manually_tracked_balances writes: the asset identifier (a
        # row of `assets`, which rotki's user DB always holds), str(FVal) of the amount, the
        # location's and the BalanceType's DB characters; insert_tag_mappings under str(id)
        user_db_rows(n, "INSERT OR IGNORE INTO assets(identifier) VALUES ('XMR'), ('BTC'), ('ZEC');\n"
                        "INSERT INTO manually_tracked_balances(asset, label, amount, location, category) "
                        "VALUES ('XMR', 'My monero wallet', '50.315', 'J', 'A');\n"
                        "INSERT INTO manually_tracked_balances(asset, label, amount, location, category) "
                        "VALUES ('BTC', 'Loan', '0.5', 'I', 'B');\n"
                        "INSERT INTO manually_tracked_balances(asset, label, amount, location, category) "
                        "VALUES ('ZEC', 'My favorite wallet', '76.2', 'B', 'A');\n"
                        "INSERT INTO tag_mappings(object_reference, tag_name) VALUES ('1', 'public'), "
                        "('3', 'public'), ('3', 'inheritance');")
        with Node(data_dir=data) as n:
            st, res, msg = n.call("POST", "/api/1/users/alice", {"password": "s3cret"}, timeout=60)
            check(st == 200 and set(res) == {"exchanges", "settings"}, (st, msg))
            price(n, "ZEC", "2")
            st, res, _ = n.call("GET", "/api/1/balances/manual")
            check(st == 200)
            same_list(res, [entry(2, "BTC", "Loan", "0.5", "0", "banks", None, "liability"),
                            entry(3, "ZEC", "My favorite wallet", "76.2", "152.4", "kraken", ["inheritance", "public"]),
                            entry(1, "XMR", "My monero wallet", "50.315", "0", "blockchain", ["public"])])
            st, agg, msg = n.call("GET", "/api/1/balances", timeout=60)
            check(st == 200 and agg["assets"]["ZEC"]["value"] == "152.4" and agg["liabilities"]["BTC"]["amount"] == "0.5" and
                  set(agg["location"]) == {"kraken", "blockchain"}, agg)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
