"""Blockchain accounts, RPC nodes and tracked tokens against the real node: rotki's shapes,
messages and status codes, nothing written on a bad request, persistence across logins, and
the rows in rotki's own tables as the stock sqlcipher shell reads them."""
import time

from harness import Node, check, main, test, user_db_rows

ACCOUNTS = "/api/1/blockchains/eth/accounts"
NODES = "/api/1/blockchains/eth/nodes"
TOKENS = "/api/1/blockchains/eth/tokens"
A1 = "0x78b0AD50E768D2376C6BA7de33F426ecE4e03e0B"  # from rotki's docs
A2 = "0x7BD904A3Db59fA3879BD4c246303E6Ef3aC3A4C6"  # rotki's non-checksummed-account test, checksummed
A3 = "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045"
HW = {"name": "hw", "description": None, "background_color": "fafafa", "foreground_color": "000000"}


# ---------------------------------------------------------------------------- an independent EIP-55
def keccak256(data):
    """Keccak-256 (Ethereum's, padding 0x01), straight from the specification."""
    mask = (1 << 64) - 1
    rot = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
    rc, r = [], 1
    for _ in range(24):  # the round constants from the LFSR
        c = 0
        for j in range(7):
            if r & 1:
                c |= 1 << ((1 << j) - 1)
            r = ((r << 1) ^ 0x71) & 0xFF if r & 0x80 else r << 1
        rc.append(c)

    def rol(v, n):
        return ((v << n) | (v >> (64 - n))) & mask if n else v

    def permute(a):
        for rnd in range(24):
            c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
            d = [c[(x - 1) % 5] ^ rol(c[(x + 1) % 5], 1) for x in range(5)]
            a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    b[y][(2 * x + 3 * y) % 5] = rol(a[x][y], rot[x][y])
            a = [[b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
            a[0][0] ^= rc[rnd]
        return a

    rate = 136
    msg = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 1) % rate)
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(msg[off + 8 * i: off + 8 * i + 8], "little")
        a = permute(a)
    return b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


def eip55(address):
    low = address[2:].lower()
    h = keccak256(low.encode()).hex()
    return "0x" + "".join(ch.upper() if int(h[i], 16) >= 8 else ch for i, ch in enumerate(low))


# ---------------------------------------------------------------------------- helpers
def user(n, name="alice", password="s3cret"):
    st, _, msg = n.call("PUT", "/api/1/users", {"name": name, "password": password}, timeout=60)
    check(st == 200, (st, msg))


def relogin(n, name="alice", password="s3cret"):
    check(n.call("PATCH", f"/api/1/users/{name}", {"action": "logout"}, timeout=30)[0] == 200)
    st, _, msg = n.call("POST", f"/api/1/users/{name}", {"password": password}, timeout=60)
    check(st == 200, (st, msg))


sql = user_db_rows  # the rows the stock shell reads from the user's DB


def accounts(n):
    st, res, msg = n.call("GET", ACCOUNTS)
    check(st == 200, (st, msg))
    return res


def expect(got, status, *words):
    st, res, msg = got
    check(st == status and res is None and all(w in msg for w in words), (st, res, msg))
    return msg


# ---------------------------------------------------------------------------- accounts
@test
def accounts_add_list_edit_remove_like_rotki():
    with Node() as n:
        user(n)
        check(n.call("PUT", "/api/1/tags", HW)[0] == 200)
        check(accounts(n) == [])
        # rotki answers the added addresses, checksummed (all lower case is accepted, as in rotki)
        st, res, msg = n.call("PUT", ACCOUNTS, {"accounts": [
            {"address": A1, "label": "cold", "tags": ["HW"]},
            {"address": A2.lower(), "label": ""},
            {"address": A3.upper().replace("0X", "0x"), "tags": None}]})
        check(st == 200 and res == [A1, A2, A3], (st, res, msg))
        listed = accounts(n)
        check(listed == sorted([{"address": A1, "label": "cold", "tags": ["HW"]},
                                {"address": A2, "label": None, "tags": None},
                                {"address": A3, "label": None, "tags": None}], key=lambda a: a["address"]), listed)
        # the chain name is case-insensitive
        check(n.call("GET", "/api/1/blockchains/ETH/accounts")[1] == listed)
        # PATCH answers the account list: the label replaced or dropped, the tags replaced
        st, res, msg = n.call("PATCH", ACCOUNTS, {"accounts": [{"address": A1, "label": None, "tags": None},
                                                               {"address": A2, "label": "hot", "tags": ["hw"]}]})
        check(st == 200 and res == accounts(n), (st, msg))
        byaddr = {a["address"]: a for a in res}
        check(byaddr[A1] == {"address": A1, "label": None, "tags": None}, res)
        check(byaddr[A2] == {"address": A2, "label": "hot", "tags": ["hw"]}, res)
        # DELETE answers the chain's balances
        st, res, msg = n.call("DELETE", ACCOUNTS, {"accounts": [A3.lower()]})
        check(st == 200 and set(res) == {"per_account", "totals"} and set(res["totals"]) == {"assets", "liabilities"},
              (st, res, msg))
        check([a["address"] for a in accounts(n)] == sorted([A1, A2]))
        # and they stay across a logout and a login
        before = accounts(n)
        relogin(n)
        check(accounts(n) == before, (before, accounts(n)))


@test
def bad_accounts_are_400_or_409_and_change_nothing():
    with Node() as n:
        user(n)
        check(n.call("PUT", "/api/1/tags", HW)[0] == 200)
        check(n.call("PUT", ACCOUNTS, {"accounts": [{"address": A1, "label": "cold", "tags": ["hw"]}]})[0] == 200)
        before = accounts(n)
        rows = sql(n, "SELECT * FROM blockchain_accounts; SELECT * FROM address_book; SELECT * FROM tag_mappings;")
        k = next(i for i in range(2, 42) if A2[i].isalpha())
        bad_checksum = A2[:k] + A2[k].swapcase() + A2[k + 1:]  # one letter's case flipped
        for body, status, words in (
                ({"accounts": [{"address": A2}, {"address": "0x1234"}]}, 400, ["0x1234", "is not an evm address"]),
                ({"accounts": [{"address": A2}, {"address": "vitalik.eth"}]}, 400, ["vitalik.eth", "not an evm address"]),
                ({"accounts": [{"address": bad_checksum}]}, 400, [bad_checksum, "checksum"]),
                ({"accounts": [{"address": A2}, {"address": A2.lower()}]}, 400, [A2, "appears multiple times"]),
                ({"accounts": [{"address": A2}, {"address": A1}]}, 400, ["Blockchain account/s", A1, "already exist"]),
                ({"accounts": [{"address": A2, "tags": ["hw", "Nope"]}]}, 409, ["unknown tags nope were found"]),
                ({"accounts": [{"address": A2, "tags": []}]}, 400, ["Provided empty list for tags. Use null."]),
                ({"accounts": [{"address": A2, "tags": [""]}]}, 400, ["tags"]),
                ({"accounts": [{"address": A2, "label": 5}]}, 400, ["label", "Not a valid string."]),
                ({"accounts": [{"label": "x"}]}, 400, ["address", "Missing data for required field."]),
                ({"accounts": [{"address": A2, "extra": 1}]}, 400, ["extra", "Unknown field."]),
                ({"accounts": [A2]}, 400, ["Invalid input type."]),
                ({"accounts": []}, 400, ["Empty list of blockchain accounts to add was given"]),
                ({"accounts": "x"}, 400, ["Not a valid list."]),
                ({}, 400, ["accounts", "Missing data for required field."]),
                ({"accounts": [{"address": A2}], "nope": 1}, 400, ["nope", "Unknown field."])):
            expect(n.call("PUT", ACCOUNTS, body), status, *words)
        for body, status, words in (
                ({"accounts": [{"address": A2, "label": "x"}]}, 400, ["Tried to edit unknown ethereum accounts", A2]),
                ({"accounts": [{"address": A1, "tags": ["nope"]}]}, 409, ["When editing blockchain accounts, unknown tags nope"]),
                ({"accounts": []}, 400, ["Empty list of blockchain account data to edit was given"])):
            expect(n.call("PATCH", ACCOUNTS, body), status, *words)
        for body, status, words in (
                ({"accounts": [A1, A2]}, 400, ["Blockchain account/s", A2, "don't exist"]),
                ({"accounts": []}, 400, ["List cant be empty"]),
                ({"accounts": [A1, "0xnope"]}, 400, ["0xnope", "is not an evm address"]),
                ({"accounts": [{"address": A1}]}, 400, ["Not a valid string."])):
            expect(n.call("DELETE", ACCOUNTS, body), status, *words)
        expect(n.call("PATCH", "/api/1/blockchains/type/evm/accounts", {"accounts": [{"address": A1, "tags": ["x"]}]}),
               409, "unknown tags x")
        expect(n.call("DELETE", "/api/1/blockchains/type/evm/accounts", {"accounts": [A1, A3]}),
               400, "Tried to delete non tracked addresses", A3)
        # other chains are not tracked (rotki's empty answer, a change is a 400), a name that is no
        # chain is a 400, and nothing goes without a user
        check(n.call("GET", "/api/1/blockchains/btc/accounts")[:2] == (200, {"standalone": [], "xpubs": []}))
        expect(n.call("GET", "/api/1/blockchains/dogecoin/accounts"), 400, "unsupported blockchain dogecoin")
        expect(n.call("PUT", "/api/1/blockchains/optimism/accounts", {"accounts": [{"address": A2}]}), 400,
               "does not track optimism")
        expect(n.call("PATCH", "/api/1/blockchains/type/bitcoin/accounts", {"accounts": []}), 400, "unsupported chain type")
        check(accounts(n) == before, accounts(n))
        check(sql(n, "SELECT * FROM blockchain_accounts; SELECT * FROM address_book; SELECT * FROM tag_mappings;") == rows)
        check(n.call("PATCH", "/api/1/users/alice", {"action": "logout"})[0] == 200)
        expect(n.call("GET", ACCOUNTS), 401, "No user is currently logged in")
        expect(n.call("PUT", NODES, {"name": "x", "endpoint": "http://x", "weight": 1}), 401, "No user is currently logged in")
        expect(n.call("GET", TOKENS), 401, "No user is currently logged in")


@test
def chain_type_edits_and_removal_span_the_evm_chains():
    with Node() as n:
        user(n)
        check(n.call("PUT", "/api/1/tags", HW)[0] == 200)
        check(n.call("PUT", ACCOUNTS, {"accounts": [{"address": A1, "label": "eth label", "tags": ["hw"]},
                                                    {"address": A2}]})[0] == 200)
        # a label for the chain type replaces the per-chain one (rotki's address book)
        st, res, msg = n.call("PATCH", "/api/1/blockchains/type/EVM/accounts",
                              {"accounts": [{"address": A1.lower(), "label": "everywhere"}, {"address": A2, "tags": ["hw"]}]})
        check(st == 200 and res is True, (st, msg))
        byaddr = {a["address"]: a for a in accounts(n)}
        check(byaddr[A1] == {"address": A1, "label": "everywhere", "tags": None}, byaddr)
        check(byaddr[A2] == {"address": A2, "label": None, "tags": ["hw"]}, byaddr)
        check(sql(n, f"SELECT blockchain, name FROM address_book WHERE address='{A1}';") == [["TYPE_EVMLIKE", "everywhere"]])
        # a per-chain label is shown before the chain type's
        n.call("PATCH", ACCOUNTS, {"accounts": [{"address": A1, "label": "eth again"}]})
        check({a["address"]: a["label"] for a in accounts(n)}[A1] == "eth again")
        st, res, msg = n.call("DELETE", "/api/1/blockchains/type/evm/accounts", {"accounts": [A1, A2]})
        check(st == 200 and res is True, (st, msg))
        check(accounts(n) == [])
        # the tags go with the last chain; the labels stay in the address book, as in rotki
        check(sql(n, "SELECT count(*) FROM tag_mappings; SELECT count(*) FROM address_book;") == [["0"], ["2"]])


@test
def async_account_changes_give_a_task_with_rotkis_outcome():
    with Node() as n:
        user(n)
        st, res, msg = n.call("PUT", ACCOUNTS, {"accounts": [{"address": A1}], "async_query": True})
        check(st == 200 and set(res) == {"task_id"}, (st, res, msg))
        deadline = time.time() + 30
        while True:
            st, out, msg = n.call("GET", f"/api/1/tasks/{res['task_id']}")
            if out and out.get("status") == "completed":
                break
            check(time.time() < deadline, "the task did not complete")
            time.sleep(0.05)
        check(out["outcome"] == {"result": [A1], "message": ""} and out["status_code"] == 200, out)
        st, res, _ = n.call("PUT", ACCOUNTS, {"accounts": [{"address": A1}], "async_query": True})
        while True:
            st, out, _ = n.call("GET", f"/api/1/tasks/{res['task_id']}")
            if out and out.get("status") == "completed":
                break
            time.sleep(0.05)
        check(out["status_code"] == 400 and "already exist" in out["outcome"]["message"], out)


# ---------------------------------------------------------------------------- nodes
def nodes(n):
    st, res, msg = n.call("GET", NODES)
    check(st == 200, (st, msg))
    return {x["name"]: x for x in res}


@test
def nodes_add_edit_delete_with_rotkis_weights():
    with Node() as n:
        user(n)
        check(n.call("GET", NODES)[1] == [])
        check(n.call("PUT", NODES, {"name": "b", "endpoint": "https://b.example/rpc", "weight": "40.30",
                                    "active": True}) == (200, True, ""))
        # the other public nodes share what the new one leaves, in proportion
        check(n.call("PUT", NODES, {"name": "a", "endpoint": "http://127.0.0.1:8545", "weight": 30, "active": True,
                                    "owned": True})[0] == 200)
        check(n.call("PUT", NODES, {"name": "c", "endpoint": "https://c.example", "weight": 25})[0] == 200)
        st, res, _ = n.call("GET", NODES)
        check([x["name"] for x in res] == ["a", "b", "c"], res)  # rotki lists them by name
        check(res[0] == {"identifier": 2, "name": "a", "endpoint": "http://127.0.0.1:8545", "weight": "30.00",
                         "owned": True, "active": True, "blockchain": "eth"}, res[0])
        # b: 40.3% → 70% (the public nodes, b alone, share 1 - a's 30%) → 75% (1 - c's 25%)
        check(res[1]["weight"] == "75.00" and res[2]["weight"] == "25.00" and res[2]["active"] is False, res)
        check(sql(n, "SELECT identifier, name, endpoint, owned, active, weight, blockchain FROM rpc_nodes ORDER BY identifier;") == [
            ["1", "b", "https://b.example/rpc", "0", "1", "0.75", "ETH"],
            ["2", "a", "http://127.0.0.1:8545", "1", "1", "0.3", "ETH"],
            ["3", "c", "https://c.example", "0", "0", "0.25", "ETH"]])
        # edit: every field, the others rebalanced
        check(n.call("PATCH", NODES, {"identifier": 3, "name": "c2", "endpoint": "https://c2.example", "weight": "60",
                                      "active": True, "owned": False}) == (200, True, ""))
        got = nodes(n)
        check(got["c2"]["weight"] == "60.00" and got["c2"]["active"] and got["b"]["weight"] == "40.00", got)
        # delete: the public nodes left share everything
        check(n.call("DELETE", NODES, {"identifier": 3}) == (200, True, ""))
        got = nodes(n)
        check(set(got) == {"a", "b"} and got["b"]["weight"] == "100.00" and got["a"]["weight"] == "30.00", got)
        # weights shown as rotki does: two decimals, half to even
        check(n.call("PUT", NODES, {"name": "d", "endpoint": "https://d.example", "weight": "33.335"})[0] == 200)
        got = nodes(n)
        check(got["d"]["weight"] == "33.34" and got["b"]["weight"] == "66.66", got)  # 0.66665 → 66.665 → 66.66
        relogin(n)
        check(nodes(n) == got)


@test
def bad_nodes_are_400_or_409_and_change_nothing():
    with Node() as n:
        user(n)
        check(n.call("PUT", NODES, {"name": "a", "endpoint": "https://a.example", "weight": 50, "active": True})[0] == 200)
        check(n.call("PUT", NODES, {"name": "b", "endpoint": "https://b.example", "weight": 50, "active": True})[0] == 200)
        before = n.call("GET", NODES)[1]
        ok = {"name": "x", "endpoint": "https://x.example", "weight": "10"}
        for body, words in (
                (dict(ok, endpoint="https://a.example"), [409, "Node for ethereum with endpoint https://a.example already exists in db"]),
                (dict(ok, endpoint=""), [400, "endpoint", "Field cannot be an empty string"]),
                (dict(ok, endpoint="ftp://x.example"), [400, "endpoint", "http://"]),
                (dict(ok, endpoint="https://"), [400, "endpoint"]),
                (dict(ok, endpoint="https://x y"), [400, "endpoint"]),
                (dict(ok, endpoint="https://x.example/" + "a" * 300), [400, "endpoint", "255"]),
                (dict(ok, name=""), [400, "Name can't be empty"]),
                (dict(ok, weight="101"), [400, "Percentage field can not be greater than 100"]),
                (dict(ok, weight=-1), [400, "Percentage field can not be negative"]),
                (dict(ok, weight="lots"), [400, "weight"]),
                (dict(ok, weight=True), [400, "weight"]),
                (dict(ok, owned="yes"), [400, "owned", "Not a valid boolean."]),
                (dict(ok, identifier=1), [400, "identifier", "Unknown field."]),
                ({"name": "x", "endpoint": "https://x.example"}, [400, "weight", "Missing data for required field."])):
            expect(n.call("PUT", NODES, body), *words)
        expect(n.call("PATCH", NODES, dict(ok, identifier=99)), 409, "Node with identifier 99 doesn't exist")
        expect(n.call("PATCH", NODES, dict(ok, identifier=1, endpoint="https://b.example")), 409, "already exists")
        expect(n.call("PATCH", NODES, ok), 400, "identifier", "Missing data for required field.")
        expect(n.call("PATCH", NODES, dict(ok, identifier="one")), 400, "identifier", "Not a valid integer.")
        expect(n.call("DELETE", NODES, {"identifier": 99}), 409, "node with id 99 and blockchain ETH was not found")
        expect(n.call("DELETE", NODES, {}), 400, "identifier", "Missing data for required field.")
        check(n.call("GET", "/api/1/blockchains/btc/nodes")[:2] == (200, []))  # not tracked: none
        expect(n.call("GET", "/api/1/blockchains/dogecoin/nodes"), 400, "unsupported blockchain")
        check(n.call("POST", NODES, {})[:2] == (200, True))  # pipit connects for each query
        check(n.call("GET", NODES)[1] == before)


# ---------------------------------------------------------------------------- tokens
BUILTIN = {"USDC": 6, "USDT": 6, "DAI": 18, "WETH": 18, "WBTC": 8, "LINK": 18, "UNI": 18, "AAVE": 18, "MKR": 18,
           "LDO": 18, "SHIB": 18, "PEPE": 18, "stETH": 18, "ARB": 18, "MATIC": 18, "POL": 18, "CRV": 18, "COMP": 18,
           "SNX": 18, "GRT": 18, "ENS": 18}
RETH = "0xae78736Cd615f374D3085123A210448E74Fc6393"
OP = "0x4200000000000000000000000000000000000042"


@test
def builtin_tokens_are_checksummed_mainnet_erc20s():
    check(keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    check(eip55(A1.lower()) == A1 and eip55(RETH.lower()) == RETH)  # the EIP-55 test itself
    with Node() as n:
        user(n)
        st, res, msg = n.call("GET", TOKENS)
        check(st == 200 and all(t["builtin"] for t in res), (st, msg))
        check({t["symbol"]: t["decimals"] for t in res} == BUILTIN, res)
        for t in res:
            check(t["address"] == eip55(t["address"]) and t["chain_id"] == 1, t)
            check(t["identifier"] == f"eip155:1/erc20:{t['address']}", t)
            check(set(t) == {"identifier", "address", "chain_id", "symbol", "name", "decimals", "builtin"}, t)
        usdc = [t for t in res if t["symbol"] == "USDC"][0]
        check(usdc["address"] == "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", usdc)


@test
def tokens_add_list_remove():
    with Node() as n:
        user(n)
        st, res, msg = n.call("PUT", TOKENS, {"tokens": [
            {"address": RETH.lower(), "symbol": "rETH", "name": "Rocket Pool ETH", "decimals": 18},
            {"address": OP, "chain_id": 10, "symbol": "OP", "decimals": 18}]})
        check(st == 200, (st, msg))
        mine = [t for t in res if not t["builtin"]]
        check(len(res) == len(BUILTIN) + 2, res)
        check(mine == [
            {"identifier": f"eip155:1/erc20:{RETH}", "address": RETH, "chain_id": 1, "symbol": "rETH",
             "name": "Rocket Pool ETH", "decimals": 18, "builtin": False},
            {"identifier": f"eip155:10/erc20:{OP}", "address": OP, "chain_id": 10, "symbol": "OP", "name": "OP",
             "decimals": 18, "builtin": False}], mine)
        check(n.call("GET", TOKENS)[1] == res)
        st, res10, _ = n.call("GET", TOKENS + "?chain_id=10")
        check(st == 200 and [t["symbol"] for t in res10] == ["OP"], res10)
        check(len(n.call("GET", TOKENS, {"chain_id": 1})[1]) == len(BUILTIN) + 1)
        # bad requests change nothing
        for method, body, status, words in (
                ("PUT", {"tokens": [{"address": RETH, "symbol": "x", "decimals": 1}]}, 409, ["already tracked"]),
                ("PUT", {"tokens": [{"address": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "symbol": "x",
                                     "decimals": 6}]}, 409, ["built in"]),
                ("PUT", {"tokens": [{"address": A1, "symbol": "x", "decimals": 78}]}, 400, ["decimals"]),
                # a field left out is read on chain (test_assets.py): here there is no node to ask
                ("PUT", {"tokens": [{"address": A1, "decimals": 1}]}, 409, ["on chain", "No eth RPC node"]),
                ("PUT", {"tokens": [{"address": A1, "symbol": "x"}]}, 409, ["on chain", "No eth RPC node"]),
                ("PUT", {"tokens": [{"address": A1, "symbol": "x" * 40, "decimals": 1}]}, 400, ["symbol"]),
                ("PUT", {"tokens": [{"address": A1.lower()[:-1], "symbol": "x", "decimals": 1}]}, 400, ["address"]),
                ("PUT", {"tokens": [{"address": A1, "symbol": "x", "decimals": 1, "chain_id": 0}]}, 400, ["chain_id"]),
                ("PUT", {"tokens": [{"address": A1, "symbol": "x", "decimals": 1},
                                    {"address": A1.lower(), "symbol": "y", "decimals": 2}]}, 400, ["multiple times"]),
                ("PUT", {"tokens": []}, 400, ["tokens"]),
                ("DELETE", {"tokens": ["eip155:1/erc20:0xdAC17F958D2ee523a2206206994597C13D831ec7"]}, 409,
                 ["built-in token cannot be removed", "USDT"]),
                ("DELETE", {"tokens": [f"eip155:1/erc20:{RETH}", f"eip155:1/erc20:{A1}"]}, 409, [A1]),
                ("DELETE", {"tokens": ["USDC"]}, 400, ["not a token identifier"]),
                ("GET", None, 400, ["unsupported blockchain"])):
            path = TOKENS if method != "GET" else "/api/1/blockchains/dot/tokens"
            expect(n.call(method, path, body), status, *words)
        expect(n.call("GET", TOKENS + "?chain_id=x"), 400, "chain_id")
        check(n.call("GET", TOKENS)[1] == res)
        relogin(n)
        check(n.call("GET", TOKENS)[1] == res)
        # the identifier's address in any case names the same token
        st, res, msg = n.call("DELETE", TOKENS, {"tokens": [f"eip155:1/erc20:{RETH.lower()}"]})
        check(st == 200 and [t["symbol"] for t in res if not t["builtin"]] == ["OP"], (st, msg))


# ---------------------------------------------------------------------------- the file
@test
def the_rows_are_rotkis_and_the_stock_shell_reads_them():
    with Node() as n:
        user(n)
        check(n.call("PUT", "/api/1/tags", HW)[0] == 200)
        check(n.call("PUT", ACCOUNTS, {"accounts": [{"address": A1, "label": "cold", "tags": ["hw"]}]})[0] == 200)
        check(n.call("PUT", NODES, {"name": "mine", "endpoint": "http://localhost:8545", "weight": "40.30",
                                    "owned": True, "active": True})[0] == 200)
        check(n.call("PUT", TOKENS, {"tokens": [{"address": RETH, "symbol": "rETH", "decimals": 18}]})[0] == 200)
        check(n.call("PATCH", "/api/1/users/alice", {"action": "logout"})[0] == 200)
        check(sql(n, "SELECT blockchain, account FROM blockchain_accounts;") == [["ETH", A1]])
        check(sql(n, "SELECT address, blockchain, name FROM address_book;") == [[A1, "ETH", "cold"]])
        check(sql(n, "SELECT object_reference, tag_name FROM tag_mappings;") == [[A1, "hw"]])
        check(sql(n, "SELECT name, endpoint, owned, active, weight, blockchain FROM rpc_nodes;") ==
              [["mine", "http://localhost:8545", "1", "1", "0.403", "ETH"]])
        check(sql(n, f"SELECT identifier FROM assets WHERE identifier = 'eip155:1/erc20:{RETH}';") ==
              [[f"eip155:1/erc20:{RETH}"]])
        rows = sql(n, "SELECT name, json_extract(value, '$.symbol'), json_extract(value, '$.name'), "
                      "json_extract(value, '$.decimals') FROM key_value_cache WHERE name LIKE 'pipit\\_token:%' ESCAPE '\\';")
        check(rows == [[f"pipit_token:eip155:1/erc20:{RETH}", "rETH", "rETH", "18"]], rows)
        # the schema is still rotki's, and the file is sound
        check(sql(n, "PRAGMA integrity_check; PRAGMA foreign_key_check;") == [["ok"]])
        tables = {r[0] for r in sql(n, "SELECT name FROM sqlite_master WHERE type = 'table';")}
        check(not any("pipit" in t for t in tables), tables)
        # and a row the shell writes is pipit's to read
        sql(n, f"INSERT INTO blockchain_accounts VALUES('ETH', '{A2}'); INSERT INTO address_book VALUES('{A2}', 'TYPE_EVMLIKE', 'shell');")
        check(n.call("POST", "/api/1/users/alice", {"password": "s3cret"}, timeout=60)[0] == 200)
        check({"address": A2, "label": "shell", "tags": None} in accounts(n), accounts(n))


if __name__ == "__main__":
    main()
