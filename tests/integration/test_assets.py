"""The asset registry against the real node: rotki's asset endpoints (types, mappings, all,
search, levenshtein, ignored assets and the spam whitelist) with their answers checked key by
key against the shapes rotki documents, and ERC-20s learned on chain from ganache (a unicode
name with spaces and a 3-letter symbol with 7 decimals, a bytes32 name/symbol, an address
without code) — known again after a restart with the chain gone."""
import chainpeers
from harness import Node, check, main, test, user_db_rows

chainpeers.install()
_chain = None

DAI = "eip155:1/erc20:0x6B175474E89094C44Da98b954EedeAC495271d0F"
DAI_LOWER = "eip155:1/erc20:" + DAI.split(":")[-1].lower()  # any case names the same token
NO_CODE = "0x00000000000000000000000000000000DeaDBeef"


def chain():
    global _chain
    if _chain is None:
        _chain = chainpeers.start_chain(accounts=1, tokens=1, multicall=True, odd_tokens=True)
    return _chain


def login(n, name="alice", password="s3cret", create=True):
    if create:
        st, _, msg = n.call("PUT", "/api/1/users", {"name": name, "password": password}, timeout=60)
    else:
        st, _, msg = n.call("POST", f"/api/1/users/{name}", {"password": password}, timeout=60)
    check(st == 200, (st, msg))


def add_node(n, url):
    st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes",
                        {"name": "ganache", "endpoint": url, "owned": True, "weight": "100", "active": True})
    check(st == 200, (st, msg))


def odd(kind):
    return next(t for t in chain().info["odd_tokens"] if t["kind"] == kind)


def tid(addr):
    return f"eip155:{chain().info['chain_id']}/erc20:{addr}"


def mappings(n, ids):
    st, res, msg = n.call("POST", "/api/1/assets/mappings", {"identifiers": ids}, timeout=60)
    check(st == 200, (st, msg))
    check(set(res) == {"assets", "asset_collections"} and res["asset_collections"] == {}, res)
    return res["assets"]


# rotki's asset types as its AssetType enum names them (NFT left out for users), in its order
TYPES = ["fiat", "own chain", "evm token", "omni token", "neo token", "counterparty token", "bitshares token",
         "ardor token", "nxt token", "ubiq token", "nubits token", "burst token", "waves token", "qtum token",
         "stellar token", "tron token", "ontology token", "vechain token", "eos token", "fusion token",
         "luniverse token", "other", "solana token", "custom asset", "hyperliquid token"]


@test
def types_are_rotkis_list():
    with Node() as n:
        st, res, _ = n.call("GET", "/api/1/assets/types")
        check(st == 200 and res == TYPES, res)


@test
def mappings_of_built_in_assets_without_a_user():
    with Node() as n:
        got = mappings(n, ["BTC", "EUR", DAI_LOWER, "NOPE", "eth",
                           "eip155:137/erc20:0x0000000000000000000000000000000000001010", "BTC"])
        # each mapping: name, symbol, asset_type, evm_chain for tokens, oracle ids when known
        check(got["BTC"] == {"name": "Bitcoin", "symbol": "BTC", "asset_type": "own chain", "coingecko": "bitcoin"},
              got.get("BTC"))
        check(got["EUR"] == {"name": "Euro", "symbol": "EUR", "asset_type": "fiat"}, got.get("EUR"))
        check(got[DAI]["name"] == "Dai Stablecoin" and got[DAI]["symbol"] == "DAI" and
              got[DAI]["asset_type"] == "evm token" and got[DAI]["evm_chain"] == "ethereum", got.get(DAI))
        pol = got["eip155:137/erc20:0x0000000000000000000000000000000000001010"]
        check(pol["symbol"] == "POL" and pol["evm_chain"] == "polygon_pos", pol)
        check("NOPE" not in got and len(got) == 5, sorted(got))  # unknown ones are left out, as rotki does
        check(got["ETH"]["name"] == "Ethereum", got)  # named in any case, answered under rotki's identifier
        # a comma-separated string is a list too (rotki's DelimitedOrNormalList)
        st, res, _ = n.call("POST", "/api/1/assets/mappings", {"identifiers": "ETH,USD"})
        check(st == 200 and sorted(res["assets"]) == ["ETH", "USD"], res)
        for body, field in (({}, "identifiers"), ({"identifiers": [1]}, "identifiers"),
                            ({"identifiers": ["BTC", ""]}, "identifiers"), ({"identifiers": ["BTC"], "x": 1}, "x")):
            st, _, msg = n.call("POST", "/api/1/assets/mappings", body)
            check(st == 400 and field in msg, (body, st, msg))


@test
def erc20_learned_on_chain_and_known_after_a_restart():
    c = chain()
    s, b = odd("string"), odd("bytes32")
    proxy = chainpeers.start_proxy(c.url, delay_ms=0, cps=1000000)  # counts round trips
    with Node() as n:
        login(n)
        add_node(n, proxy.url)
        ids = [tid(s["address"].lower()), tid(b["address"]), tid(NO_CODE)]
        got = mappings(n, ids)
        st = proxy.stats()
        check(st["round_trips"] == 1 and st["calls"] == 3, st)  # chain id, code of Multicall3, one aggregate3
        proxy.reset()
        again = mappings(n, ids)  # known now, and the address without code is not asked again
        check(again == got and proxy.stats()["round_trips"] == 0, (again, proxy.stats()))
        want_s = {"name": s["name"], "symbol": "ÖDD", "asset_type": "evm token"}  # chain 1337: no rotki chain name
        check(got.get(tid(s["address"])) == want_s, got)
        check(got.get(tid(b["address"])) == {"name": "Maker Old", "symbol": "MKO", "asset_type": "evm token"}, got)
        check(tid(NO_CODE) not in got, got)  # no code there: not an ERC-20, left out
        rows = user_db_rows(n, "SELECT name, value FROM key_value_cache WHERE name LIKE 'pipit_asset:%' ORDER BY name;")
        check(sorted(r[0] for r in rows) == sorted("pipit_asset:" + tid(t["address"]) for t in (s, b)), rows)
        ident = user_db_rows(n, f"SELECT identifier FROM assets WHERE identifier = '{tid(s['address'])}';")
        check(ident == [[tid(s["address"])]], ident)
        data_dir = n.data_dir
        n.own_dir = False
    proxy.stop()
    c.stop()  # nothing can be read on chain any more: what follows comes from the user DB
    global _chain
    _chain = None
    with Node(data_dir=data_dir) as n:
        n.own_dir = True
        login(n, create=False)
        got = mappings(n, [tid(s["address"]), tid(b["address"])])
        check(got.get(tid(s["address"])) == want_s and got[tid(b["address"])]["symbol"] == "MKO", got)
        st, res, msg = n.call("POST", "/api/1/assets/all", {"identifiers": [tid(s["address"])]})
        check(st == 200 and res["entries_found"] == 1, (st, res, msg))
        e = res["entries"][0]
        check(e["decimals"] == 7 and e["address"] == s["address"] and e["token_kind"] == "erc20" and
              e["evm_chain"] is None and e["name"] == s["name"], e)


@test
def token_added_with_only_its_address():
    c = chain()
    s, b = odd("string"), odd("bytes32")
    with Node() as n:
        login(n)
        add_node(n, c.url)
        st, res, msg = n.call("PUT", "/api/1/blockchains/eth/tokens",
                              {"tokens": [{"address": s["address"], "chain_id": 1337},
                                          {"address": b["address"].lower(), "chain_id": 1337, "symbol": "MINE"}]},
                              timeout=60)
        check(st == 200, (st, msg))
        mine = {t["address"]: t for t in res if not t["builtin"]}
        check(mine[s["address"]]["symbol"] == "ÖDD" and mine[s["address"]]["name"] == s["name"] and
              mine[s["address"]]["decimals"] == 7, mine)
        # a given field wins; a name left out with a symbol given is the symbol, as in rotki
        check(mine[b["address"]]["symbol"] == "MINE" and mine[b["address"]]["decimals"] == 18, mine)
        got = mappings(n, [tid(s["address"])])
        check(got[tid(s["address"])]["symbol"] == "ÖDD", got)
        # an address without a contract: 409 naming why, nothing added
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/tokens", {"tokens": [{"address": NO_CODE, "chain_id": 1337}]},
                            timeout=60)
        check(st == 409 and "not an ERC-20" in msg, (st, msg))
        st, res, _ = n.call("GET", "/api/1/blockchains/eth/tokens")
        check(not any(t["address"] == NO_CODE for t in res), res)
        # a chain the node does not serve
        st, _, msg = n.call("PUT", "/api/1/blockchains/eth/tokens", {"tokens": [{"address": s["address"], "chain_id": 5}]},
                            timeout=60)
        check(st == 409 and "chain 1337, not chain 5" in msg, (st, msg))


@test
def erc20_read_without_multicall_and_with_broken_nodes():
    plain = chainpeers.start_chain(accounts=1, tokens=0, multicall=False, odd_tokens=True)
    try:
        s, b = (next(t for t in plain.info["odd_tokens"] if t["kind"] == k) for k in ("string", "bytes32"))
        ident = f"eip155:{plain.info['chain_id']}/erc20:"
        with Node() as n:
            login(n)
            # nodes that cannot answer: the tokens stay unknown, the answer is still rotki's 200
            garbage = chainpeers.start_garbage_rpc("wrong_ids")
            add_node(n, garbage.url)
            got = mappings(n, [ident + s["address"], "ETH"])
            check(sorted(got) == ["ETH"], got)
            st, nodes, _ = n.call("GET", "/api/1/blockchains/eth/nodes")
            for nd in nodes:
                st, _, msg = n.call("DELETE", "/api/1/blockchains/eth/nodes", {"identifier": nd["identifier"]})
                check(st == 200, (st, msg))
            garbage.stop()
            add_node(n, plain.url)  # no Multicall3 there: plain eth_calls
            got = mappings(n, [ident + s["address"], ident + b["address"], ident + NO_CODE])
            check(got.get(ident + s["address"], {}).get("symbol") == "ÖDD" and
                  got.get(ident + b["address"], {}).get("name") == "Maker Old" and len(got) == 2, got)
    finally:
        plain.stop()


ENTRY_TOKEN_KEYS = {"identifier", "is_rebasing", "asset_type", "name", "symbol", "started", "address", "evm_chain",
                    "token_kind", "decimals", "underlying_tokens", "protocol", "swapped_for", "forked",
                    "cryptocompare", "coingecko"}
ENTRY_CHAIN_KEYS = ENTRY_TOKEN_KEYS - {"address", "evm_chain", "token_kind", "decimals", "underlying_tokens", "protocol"}
ENTRY_FIAT_KEYS = {"identifier", "is_rebasing", "asset_type", "name", "symbol", "started"}


@test
def all_assets_filters_pages_and_shapes():
    with Node() as n:
        st, _, _ = n.call("POST", "/api/1/assets/all", {})
        check(st == 401, st)
        login(n)
        st, res, msg = n.call("POST", "/api/1/assets/all", {"limit": 1000, "offset": 0})
        check(st == 200 and set(res) == {"entries", "entries_found", "entries_total", "entries_limit"}, res)
        total = res["entries_total"]
        check(res["entries_found"] == total == len(res["entries"]) and res["entries_limit"] == -1 and total > 80, res)
        names = [e["name"] for e in res["entries"]]
        check(names == sorted(names), names[:10])  # rotki's default order: name, ascending
        by_id = {e["identifier"]: e for e in res["entries"]}
        check(set(by_id[DAI]) == ENTRY_TOKEN_KEYS and by_id[DAI]["decimals"] == 18 and
              by_id[DAI]["address"] == DAI.split(":")[-1] and by_id[DAI]["evm_chain"] == "ethereum", by_id[DAI])
        check(set(by_id["BTC"]) == ENTRY_CHAIN_KEYS and by_id["BTC"]["coingecko"] == "bitcoin", by_id["BTC"])
        check(set(by_id["USD"]) == ENTRY_FIAT_KEYS and by_id["USD"]["asset_type"] == "fiat", by_id["USD"])

        st, res, _ = n.call("POST", "/api/1/assets/all", {"asset_type": "fiat"})
        check(st == 200 and res["entries_found"] == len(res["entries"]) >= 27 and
              all(e["asset_type"] == "fiat" for e in res["entries"]), res["entries_found"])
        st, res, _ = n.call("POST", "/api/1/assets/all", {"evm_chain": "ethereum", "limit": 5, "offset": 5,
                                                          "order_by_attributes": ["symbol"], "ascending": [False]})
        syms = [e["symbol"] for e in res["entries"]]
        check(st == 200 and len(syms) == 5 and syms == sorted(syms, reverse=True) and res["entries_found"] == 21, res)
        st, res, _ = n.call("POST", "/api/1/assets/all", {"symbol": "usd"})
        check(st == 200 and res["entries"][0]["identifier"] == "USD" and
              all("usd" in e["symbol"].lower() for e in res["entries"]), res)
        st, res, _ = n.call("POST", "/api/1/assets/all", {"asset_flag": "rebasing"})
        check(st == 200 and res["entries"] == [] and res["entries_found"] == 0, res)  # none is rebasing here
        st, res, _ = n.call("POST", "/api/1/assets/all", {"address": DAI.split(":")[-1].lower()})
        check(st == 200 and [e["identifier"] for e in res["entries"]] == [DAI], res)
        for body, field in (({"order_by_attributes": ["colour"], "ascending": [True]}, "order_by_attributes"),
                            ({"order_by_attributes": ["name"]}, "order_by_attributes"),
                            ({"asset_type": "own chain", "evm_chain": "ethereum"}, "evm_chain"),
                            ({"asset_type": "coins"}, "asset_type"), ({"evm_chain": "mars"}, "evm_chain"),
                            ({"ignored_assets_handling": "maybe"}, "ignored_assets_handling"),
                            ({"address": "0x12"}, "address"), ({"limit": "ten"}, "limit"),
                            ({"asset_flag": "stable"}, "asset_flag")):
            st, _, msg = n.call("POST", "/api/1/assets/all", body)
            check(st == 400 and field in msg, (body, st, msg))


@test
def searches_by_column_and_by_similarity():
    with Node() as n:
        st, res, msg = n.call("POST", "/api/1/assets/search", {"value": "bitcoin", "search_column": "name", "limit": 50})
        check(st == 200, (st, msg))
        ids = [e["identifier"] for e in res]
        check(ids == ["BTC", "BCH"], ids)  # by name: "Bitcoin" before "Bitcoin Cash"
        for e in res:
            want = {"identifier", "name", "symbol", "is_custom_asset"} | ({"evm_chain"} if e["identifier"].startswith("eip155") else set())
            check(set(e) == want and e["is_custom_asset"] is False and "bitcoin" in e["name"].lower(), e)
        st, res, _ = n.call("POST", "/api/1/assets/search", {"value": "eth", "search_column": "symbol",
                                                             "return_exact_matches": True, "limit": 10})
        check(st == 200 and [e["identifier"] for e in res] == ["ETH"], res)
        st, _, msg = n.call("POST", "/api/1/assets/search", {"value": "x", "limit": 5})
        check(st == 400 and "search_column" in msg, msg)

        st, res, msg = n.call("POST", "/api/1/assets/search/levenshtein", {"value": " USD ", "limit": 5})
        check(st == 200 and [e["symbol"] for e in res] == ["USD", "USDC", "USDT"], (st, res, msg))  # fiat first, then distance
        check(res[0]["asset_type"] == "fiat", res)
        for e in res:
            check({"identifier", "name", "symbol", "asset_type"} <= set(e) and "usd" in (e["name"] + e["symbol"]).lower(), e)
        st, res, _ = n.call("POST", "/api/1/assets/search/levenshtein", {"value": "ether", "limit": 3})
        check(st == 200 and res[0]["identifier"] == "ETH", res)  # a native asset before the tokens
        st, res, _ = n.call("POST", "/api/1/assets/search/levenshtein",
                            {"address": DAI.split(":")[-1], "evm_chain": "ethereum", "limit": 10})
        check(st == 200 and [e["identifier"] for e in res] == [DAI], res)
        for body, field in (({"value": "x"}, "limit"), ({"limit": 3}, "_schema"),
                            ({"value": "x", "limit": 3, "nft_handling": "all"}, "nft_handling")):
            st, _, msg = n.call("POST", "/api/1/assets/search/levenshtein", body)
            check(st == 400 and field in msg, (body, st, msg))


@test
def ignored_assets_persist_and_bad_input_changes_nothing():
    with Node() as n:
        st, _, _ = n.call("GET", "/api/1/assets/ignored")
        check(st == 401, st)
        login(n)
        st, res, _ = n.call("GET", "/api/1/assets/ignored")
        check(st == 200 and res == [], res)
        st, res, msg = n.call("PUT", "/api/1/assets/ignored", {"assets": ["BTC", DAI_LOWER]})
        check(st == 200 and res == {"successful": ["BTC", DAI], "no_action": []}, (st, res, msg))
        st, res, _ = n.call("PUT", "/api/1/assets/ignored", {"assets": ["btc", "EUR"]})  # identifiers are NOCASE
        check(res == {"successful": ["EUR"], "no_action": ["BTC"]}, res)
        st, _, msg = n.call("PUT", "/api/1/assets/ignored", {"assets": ["ETH", "NOT_AN_ASSET"]})
        check(st == 400 and msg == '{"assets": {"1": ["Unknown asset NOT_AN_ASSET provided."]}}', (st, msg))
        for body in ({}, {"assets": "BTC", "x": 1}, {"assets": [3]}):
            st, _, msg = n.call("PUT", "/api/1/assets/ignored", body)
            check(st == 400, (body, st, msg))
        st, res, _ = n.call("GET", "/api/1/assets/ignored")
        check(sorted(res) == sorted(["BTC", DAI, "EUR"]), res)
        st, res, _ = n.call("DELETE", "/api/1/assets/ignored", {"assets": ["EUR", "ETH"]})
        check(st == 200 and res == {"successful": ["EUR"], "no_action": ["ETH"]}, res)
        rows = user_db_rows(n, "SELECT value FROM multisettings WHERE name = 'ignored_asset' ORDER BY value;")
        check(rows == [["BTC"], [DAI]], rows)
        # the lists use them: /all can show only them or leave them out, the searches leave them out
        st, res, _ = n.call("POST", "/api/1/assets/all", {"ignored_assets_handling": "show_only"})
        check(sorted(e["identifier"] for e in res["entries"]) == sorted(["BTC", DAI]) and res["entries_found"] == 2, res)
        st, res, _ = n.call("POST", "/api/1/assets/all", {"ignored_assets_handling": "exclude", "asset_type": "own chain"})
        check("BTC" not in [e["identifier"] for e in res["entries"]], res)
        st, res, _ = n.call("POST", "/api/1/assets/search/levenshtein", {"value": "bitcoin", "limit": 20})
        check("BTC" not in [e["identifier"] for e in res], res)
        data_dir = n.data_dir
        n.own_dir = False
    with Node(data_dir=data_dir) as n:
        n.own_dir = True
        login(n, create=False)
        st, res, _ = n.call("GET", "/api/1/assets/ignored")
        check(sorted(res) == sorted(["BTC", DAI]), res)


@test
def spam_whitelist():
    with Node() as n:
        login(n)
        n.call("PUT", "/api/1/assets/ignored", {"assets": [DAI]})
        st, res, _ = n.call("GET", "/api/1/assets/ignored/whitelist")
        check(st == 200 and res == [], res)
        st, res, msg = n.call("POST", "/api/1/assets/ignored/whitelist", {"token": DAI})
        check(st == 200 and res is True, (st, res, msg))
        st, res, _ = n.call("GET", "/api/1/assets/ignored/whitelist")
        check(res == [DAI], res)
        st, res, _ = n.call("GET", "/api/1/assets/ignored")
        check(res == [], res)  # whitelisting takes it off the ignored list, as rotki does
        st, res, _ = n.call("POST", "/api/1/assets/all", {"show_whitelisted_assets_only": True})
        check([e["identifier"] for e in res["entries"]] == [DAI], res)
        for body in ({"token": "BTC"}, {"token": "eip155:1/erc20:0x0000000000000000000000000000000000000001"}, {}):
            st, _, msg = n.call("POST", "/api/1/assets/ignored/whitelist", body)
            check(st == 400 and "token" in msg, (body, st, msg))
        st, res, _ = n.call("DELETE", "/api/1/assets/ignored/whitelist", {"token": DAI})
        check(st == 200 and res is True, res)
        st, res, _ = n.call("GET", "/api/1/assets/ignored/whitelist")
        check(res == [], res)


if __name__ == "__main__":
    main()
