"""Peers for the EVM transaction tests and bench (python stdlib only):

    start_scenario(txs=300, per_block=50, seed="pipit", block_receipts=True, max_log_range=None,
                   log_error="size")  -> .info .url .control(**cfg) .more(txs, seed) .stats() .reset()
        tests/chain/txscenario.js: ganache full of transactions behind its own JSON-RPC front
        (eth_getBlockReceipts added, switchable; eth_getLogs range refusals, switchable)
    Rpc(url)                         -> .call(method, *params) .batch([(method, params), ...])
    ChainIndex(url)                  -> every block, transaction and receipt read over JSON-RPC
    truth(index, tracked)            -> (events multiset, discovered tx hashes) by issue 14's rules
    start_etherscan(rpc_url, apikey) -> an Etherscan-shaped indexer of that chain: .url .stats()
                                        .fault(rate_limit_every=N | garbage=kind, garbage_after=K)
    setup_user(n, info, rpc_url, source, etherscan_key=None)  pipit's user, node, accounts, source
    refresh(n, timeout) -> (status_code, outcome, seconds)   POST /blockchains/transactions (async)
    events(n, **filters) -> every EVM event entry, read page by page

The truth is computed here from the chain itself, independently of pipit: an event is the tuple
(group_identifier, event_type, event_subtype, asset, amount, location_label, address, counterparty).
"""
import collections
import decimal
import functools
import http.client
import http.server
import json
import threading
import time
import urllib.parse

import chainpeers

TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
APPROVAL = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
DECIMALS_SELECTOR = "0x313ce567"
NAME_SELECTOR = "0x06fdde03"
SYMBOL_SELECTOR = "0x95d89b41"
D = decimal.Context(prec=200)


# --- the chain -----------------------------------------------------------------------------------

class Scenario(chainpeers.NodePeer):
    """txscenario.js; .info is its JSON line (rpc_url, chain_id, deployer, tracked,
    untracked_senders, untracked_receivers, tokens, nft, sink, scenario)."""

    def __init__(self, txs=300, per_block=50, seed="pipit", block_receipts=True, max_log_range=None, log_error="size"):
        args = ["--txs", str(txs), "--per-block", str(per_block), "--seed", seed, "--log-error", log_error]
        args += [] if block_receipts else ["--no-block-receipts"]
        args += [] if max_log_range is None else ["--max-log-range", str(max_log_range)]
        super().__init__("txscenario.js", args, timeout=300)
        self.url = self.info["rpc_url"]

    def _ask(self, method, path, body=None, timeout=120):
        u = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        out = resp.read()
        conn.close()
        assert resp.status == 200, (resp.status, out[:500])
        return json.loads(out)

    def control(self, **cfg):
        """block_receipts=bool, max_log_range=int|None, log_error="size"|"range"; returns all."""
        return self._ask("POST", "/control", cfg)

    def more(self, txs=20, seed="more"):
        """Sends txs more scenario transactions in new blocks: {"first_block", "last_block", ...}."""
        return self._ask("POST", "/more", {"txs": txs, "seed": seed}, timeout=300)

    def stats(self):
        """{"round_trips", "calls", "methods": {name: calls}, "refused_logs"} since the last reset."""
        return self._ask("GET", "/stats")

    def reset(self):
        return self._ask("POST", "/reset", {})


def start_scenario(**kw):
    return Scenario(**kw)


class RpcError(Exception):
    pass


class Rpc:
    """A JSON-RPC client on one kept-alive connection (a lock makes it thread-safe)."""

    def __init__(self, url, timeout=120, peer="truth"):
        self.u = urllib.parse.urlsplit(url)
        self.headers = {"Content-Type": "application/json", "X-Pipit-Test-Peer": peer}  # not counted by the front
        self.timeout = timeout
        self.conn = None
        self.lock = threading.Lock()
        self.next_id = 1

    def _post(self, payload):
        body = json.dumps(payload).encode()
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.u.hostname, self.u.port, timeout=self.timeout)
                self.conn.request("POST", self.u.path or "/", body=body, headers=self.headers)
                resp = self.conn.getresponse()
                return json.loads(resp.read())
            except (http.client.HTTPException, ConnectionError):
                self.conn = None
                if attempt:
                    raise

    def batch(self, calls):
        """[(method, params), ...] -> results in order; raises RpcError on any error."""
        if not calls:
            return []
        with self.lock:
            base = self.next_id
            self.next_id += len(calls)
            out = self._post([{"jsonrpc": "2.0", "id": base + i, "method": m, "params": p} for i, (m, p) in enumerate(calls)])
        by_id = {r["id"]: r for r in out}
        res = []
        for i, (m, p) in enumerate(calls):
            r = by_id[base + i]
            if "error" in r:
                raise RpcError(f"{m}{p}: {r['error']}")
            res.append(r["result"])
        return res

    def call(self, method, *params):
        return self.batch([(method, list(params))])[0]

    def try_call(self, method, *params):
        try:
            return self.call(method, *params)
        except RpcError:
            return None


@functools.lru_cache(maxsize=None)
def checksum(addr):
    """EIP-55 checksummed (hashlib's sha3_256 is not Ethereum's keccak: keccak256 below)."""
    if addr is None:
        return None
    a = addr.lower()[2:]
    h = keccak256(a.encode()).hex()
    return "0x" + "".join(c.upper() if int(h[i], 16) >= 8 else c for i, c in enumerate(a))


# Keccak-256 (the pre-standard padding Ethereum uses; hashlib.sha3_256 pads differently)
_RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000, 0x000000000000808B,
       0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008A, 0x0000000000000088,
       0x0000000080008009, 0x000000008000000A, 0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
       0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
       0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M = (1 << 64) - 1


def _keccak_f(s):
    for rc in _RC:
        c = [s[x][0] ^ s[x][1] ^ s[x][2] ^ s[x][3] ^ s[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _M) for x in range(5)]
        s = [[s[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                r = _ROT[x][y]
                v = s[x][y]
                b[y][(2 * x + 3 * y) % 5] = ((v << r) | (v >> (64 - r))) & _M if r else v
        s = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        s[0][0] ^= rc
    return s


def keccak256(data):
    rate = 136
    msg = bytearray(data) + b"\x01"
    msg += b"\x00" * (-len(msg) % rate)
    msg[-1] |= 0x80
    s = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off:off + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            s[x][y] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        s = _keccak_f(s)
    out = b""
    for i in range(4):
        out += s[i % 5][i // 5].to_bytes(8, "little")
    return out


def topic_address(topic):
    return checksum("0x" + topic[-40:])


class ChainIndex:
    """All blocks (with full transactions) and receipts of a chain, read over JSON-RPC in batches
    (eth_getTransactionReceipt, so it works on any node); sync() reads what is new."""

    def __init__(self, url, batch=100, peer="truth"):
        self.rpc = Rpc(url, peer=peer)
        self.batch = batch
        self.head = -1
        self.blocks = []     # block objects, by number
        self.txs = []        # (block, tx, receipt) in chain order
        self.lock = threading.Lock()
        self.meta = {}       # contract address -> token metadata or None

    def sync(self):
        with self.lock:
            head = int(self.rpc.call("eth_blockNumber"), 16)
            for start in range(self.head + 1, head + 1, self.batch):
                nums = range(start, min(head + 1, start + self.batch))
                blocks = self.rpc.batch([("eth_getBlockByNumber", [hex(n), True]) for n in nums])
                txs = [(b, t) for b in blocks for t in b["transactions"]]
                for i in range(0, len(txs), self.batch):
                    part = txs[i:i + self.batch]
                    recs = self.rpc.batch([("eth_getTransactionReceipt", [t["hash"]]) for _, t in part])
                    self.txs.extend((b, t, r) for (b, t), r in zip(part, recs))
                self.blocks.extend(blocks)
            self.head = max(self.head, head)
            return self.head

    def token_meta(self, address):
        """{"decimals", "name", "symbol"} of an ERC-20 (decimals readable), else None."""
        key = address.lower()
        if key not in self.meta:
            dec = self.rpc.try_call("eth_call", {"to": address, "data": DECIMALS_SELECTOR}, "latest")
            if not dec or dec == "0x" or len(dec) < 66:
                self.meta[key] = None
            else:
                self.meta[key] = {"decimals": int(dec, 16), "name": _abi_string(self.rpc.try_call(
                    "eth_call", {"to": address, "data": NAME_SELECTOR}, "latest")), "symbol": _abi_string(
                    self.rpc.try_call("eth_call", {"to": address, "data": SYMBOL_SELECTOR}, "latest"))}
        return self.meta[key]

    def nft_meta(self, address):
        key = ("nft", address.lower())
        if key not in self.meta:
            self.meta[key] = {"name": _abi_string(self.rpc.try_call("eth_call", {"to": address, "data": NAME_SELECTOR}, "latest")),
                              "symbol": _abi_string(self.rpc.try_call("eth_call", {"to": address, "data": SYMBOL_SELECTOR}, "latest"))}
        return self.meta[key]


def _abi_string(h):
    """An ABI-encoded string return value, or "" when there is none."""
    try:
        b = bytes.fromhex(h[2:])
        off = int.from_bytes(b[:32], "big")
        n = int.from_bytes(b[off:off + 32], "big")
        return b[off + 32:off + 32 + n].decode("utf-8")
    except (TypeError, ValueError, IndexError):
        return ""


# --- the truth -----------------------------------------------------------------------------------

Event = collections.namedtuple("Event", "group_identifier event_type event_subtype asset amount location_label address counterparty")


def amount(raw, decimals):
    """rotki's str(FVal) of raw / 10^decimals: plain notation, no trailing zeros."""
    v = D.divide(decimal.Decimal(raw), decimal.Decimal(10) ** decimals)
    s = format(D.normalize(v), "f")
    return "0" if s == "-0" else s


def _direction(frm, to, tracked):
    """(event_type, location_label, address) of a movement from -> to, or None for an untracked pair."""
    if frm in tracked and to in tracked:
        return "transfer", frm, to
    if frm in tracked:
        return "spend", frm, to
    if to in tracked:
        return "receive", to, frm
    return None


def discovered(tx, receipt, tracked):
    """Whether either source finds the transaction: the tracked address is its sender or receiver
    (txlist / the block scan) or a party of a Transfer log (tokentx, tokennfttx / eth_getLogs)."""
    if checksum(tx["from"]) in tracked or checksum(tx.get("to")) in tracked:
        return True
    for log in receipt["logs"]:
        t = log["topics"]
        if len(t) in (3, 4) and t[0] == TRANSFER and (topic_address(t[1]) in tracked or topic_address(t[2]) in tracked):
            return True
    return False


def tx_events(index, chain_id, tx, receipt, tracked):
    """The events of one transaction by issue 14's decoding rules (and rotki's deploy event for a
    contract creation by a tracked address: "deploy"/"none", address = the new contract)."""
    group = f"{chain_id}{tx['hash'].lower()}"
    frm, to = checksum(tx["from"]), checksum(tx.get("to"))
    status = int(receipt["status"], 16)
    value = int(tx["value"], 16)
    price = int(receipt.get("effectiveGasPrice") or tx["gasPrice"], 16)
    out = []
    ev = lambda *a: out.append(Event(group, *a))  # noqa: E731
    if frm in tracked:
        ev("spend" if status else "fail", "fee", "ETH", amount(int(receipt["gasUsed"], 16) * price, 18), frm, None, "gas")
    if not status:
        return out
    self_transfer = to is not None and to == frm and frm in tracked
    if self_transfer:
        ev("transaction to self", "none", "ETH", amount(value, 18), frm, to, None)
    elif to is None and frm in tracked:  # rotki's contract deployment event
        ev("deploy", "spend" if value else "none", "ETH", amount(value, 18), frm, checksum(receipt.get("contractAddress")), None)
    elif value > 0 and to is not None:
        d = _direction(frm, to, tracked)
        if d:
            ev(d[0], "none", "ETH", amount(value, 18), d[1], d[2], None)
    log_events = 0
    for log in sorted(receipt["logs"], key=lambda x: int(x["logIndex"], 16)):
        t = log["topics"]
        contract = checksum(log["address"])
        if t and t[0] == TRANSFER and len(t) == 3:
            meta = index.token_meta(contract)
            d = _direction(topic_address(t[1]), topic_address(t[2]), tracked)
            if meta is not None and d:
                ev(d[0], "none", f"eip155:{chain_id}/erc20:{contract}", amount(int(log["data"], 16), meta["decimals"]), d[1], d[2], None)
                log_events += 1
        elif t and t[0] == TRANSFER and len(t) == 4:
            d = _direction(topic_address(t[1]), topic_address(t[2]), tracked)
            if d:
                ev(d[0], "none", f"eip155:{chain_id}/erc721:{contract}/{int(t[3], 16)}", "1", d[1], d[2], None)
                log_events += 1
        elif t and t[0] == APPROVAL and len(t) == 3:
            owner, spender = topic_address(t[1]), topic_address(t[2])
            meta = index.token_meta(contract)
            if meta is not None and (owner in tracked or spender in tracked):
                ev("informational", "approve", f"eip155:{chain_id}/erc20:{contract}", amount(int(log["data"], 16), meta["decimals"]),
                   owner, spender, None)
                log_events += 1
    data = tx.get("input") or "0x"
    if frm in tracked and to is not None and len(data) >= 10 and not self_transfer and log_events == 0:
        ev("informational", "none", "ETH", "0", frm, to, None)
    return out


def truth(index, tracked, chain_id=1337, blocks=None, fetched=None):
    """(collections.Counter of Event, list of discovered tx hashes) over the index's chain, or
    over the block numbers in `blocks` (a range) only. fetched: the accounts whose transactions
    were fetched when not all tracked ones were (the events still see every tracked account)."""
    tracked = {checksum(a) for a in tracked}
    fetched = tracked if fetched is None else {checksum(a) for a in fetched}
    events = collections.Counter()
    hashes = []
    for b, tx, r in index.txs:
        if blocks is not None and int(b["number"], 16) not in blocks:
            continue
        if not discovered(tx, r, fetched):
            continue
        hashes.append(tx["hash"].lower())
        events.update(tx_events(index, chain_id, tx, r, tracked))
    return events, hashes


def event_of(entry):
    """The truth tuple of a serialized pipit event (POST /history/events entry)."""
    return Event(entry.get("group_identifier"), entry.get("event_type"), entry.get("event_subtype"), entry.get("asset"),
                 entry.get("amount"), entry.get("location_label"), entry.get("address"), entry.get("counterparty"))


# --- the Etherscan-shaped indexer ----------------------------------------------------------------

RATE_LIMITED = {"status": "0", "message": "NOTOK", "result": "Max rate limit reached"}
NO_TXS = {"status": "0", "message": "No transactions found", "result": []}
BAD_KEY = {"status": "0", "message": "NOTOK", "result": "Missing/Invalid API Key"}
BAD_CHAIN = {"status": "0", "message": "NOTOK",
             "result": "Missing or unsupported chainid parameter (required for v2 api), please see "
                       "https://api.etherscan.io/v2/chainlist for the list of supported chainids"}
WINDOW = {"status": "0", "message": "NOTOK",
          "result": "Result window is too large, PageNo x Offset size must be less than or equal to 10000"}
MAX_RESULTS = 10000


class Etherscan:
    """An Etherscan-compatible API (module=account: txlist, txlistinternal, tokentx, tokennfttx)
    over the chain at rpc_url, read block by block (ChainIndex) when asked: the answers are
    Etherscan's JSON (strings everywhere, lowercase addresses), paged by page/offset, filtered by
    startblock/endblock, sorted by sort=asc|desc. Requires apikey and chainid. Like the real one,
    delay_ms answers later and calls_per_second > 0 answers "Max rate limit reached" to requests
    beyond that many in the last second. Faults:
    rate_limit_every=N answers every Nth request "Max rate limit reached"; garbage="text" (not
    JSON) or "shape" (JSON of the wrong shape) from request garbage_after + 1 on."""

    def __init__(self, rpc_url, apikey="pipit-test-key", chain_id=1337, delay_ms=0, calls_per_second=0):
        self.index = ChainIndex(rpc_url, peer="indexer")
        self.delay = delay_ms / 1000
        self.cps = calls_per_second
        self.recent = collections.deque()  # request times of the last second, for calls_per_second
        self.cache = {}  # (action, address, head) -> rows
        self.apikey = apikey
        self.chain_id = chain_id
        self.lock = threading.Lock()
        self.fault()
        self.reset()
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes: without this, Nagle holds the body back
            # until the client's delayed ACK (~40 ms per answer)
            disable_nagle_algorithm = True

            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                if u.path == "/stats":
                    return self._send(200, json.dumps(peer.counts).encode())
                q = dict(urllib.parse.parse_qsl(u.query))
                if self.command == "POST":
                    n = int(self.headers.get("Content-Length") or 0)
                    q.update(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
                status, body = peer.answer(q)
                self._send(status, body)

            do_POST = do_GET

            def _send(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        chainpeers._live.append(self)

    def fault(self, rate_limit_every=0, garbage=None, garbage_after=0):
        with self.lock:
            self.rate_limit_every = rate_limit_every
            self.garbage = garbage
            self.garbage_after = garbage_after
            self.served = 0  # requests since the fault was set

    def reset(self):
        self.counts = {"requests": 0, "rate_limited": 0, "garbage": 0, "actions": {}}
        return self.counts

    def stats(self):
        return json.loads(json.dumps(self.counts))

    def answer(self, q):
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            now = time.monotonic()
            while self.recent and self.recent[0] < now - 1:
                self.recent.popleft()
            if self.cps and len(self.recent) >= self.cps:
                self.counts["requests"] += 1
                self.counts["rate_limited"] += 1
                return 200, json.dumps(RATE_LIMITED).encode()
            self.recent.append(now)
            self.counts["requests"] += 1
            self.served += 1
            action = q.get("action", "")
            self.counts["actions"][action] = self.counts["actions"].get(action, 0) + 1
            if self.rate_limit_every and self.served % self.rate_limit_every == 0:
                self.counts["rate_limited"] += 1
                return 200, json.dumps(RATE_LIMITED).encode()
            if self.garbage and self.served > self.garbage_after:
                self.counts["garbage"] += 1
                if self.garbage == "text":
                    return 200, b"<html><body>502 Bad Gateway (cloudflare)</body></html>\n"
                return 200, json.dumps({"status": "1", "message": "OK", "result": {"blockNumber": "oops"}}).encode()
        return 200, json.dumps(self.query(q)).encode()

    def query(self, q):
        if q.get("apikey") != self.apikey:
            return BAD_KEY
        if q.get("chainid") != str(self.chain_id):
            return BAD_CHAIN
        if q.get("module") != "account":
            return {"status": "0", "message": "NOTOK", "result": "Error! Missing Or invalid Module name"}
        action = q.get("action")
        if action not in ("txlist", "txlistinternal", "tokentx", "tokennfttx"):
            return {"status": "0", "message": "NOTOK", "result": "Error! Missing Or invalid Action name"}
        addr = (q.get("address") or "").lower()
        if len(addr) != 42 or not addr.startswith("0x"):
            return {"status": "0", "message": "NOTOK", "result": "Error! Invalid address format"}
        try:
            start = int(q.get("startblock", 0))
            end = int(q.get("endblock", 99999999))
            page = int(q.get("page", 0) or 0)
            offset = int(q.get("offset", 0) or 0)
        except ValueError:
            return {"status": "0", "message": "NOTOK", "result": "Error! Invalid parameter"}
        if page * offset > MAX_RESULTS:
            return WINDOW
        head = self.index.sync()
        key = (action, addr, head)
        if key not in self.cache:
            self.cache[key] = self.rows(action, addr, head)
        rows = [r for r in self.cache[key] if start <= int(r["blockNumber"]) <= end]
        if q.get("sort") == "desc":
            rows.reverse()
        if page and offset:
            rows = rows[(page - 1) * offset:page * offset]
        else:
            rows = rows[:MAX_RESULTS]
        return {"status": "1", "message": "OK", "result": rows} if rows else NO_TXS

    def rows(self, action, addr, head):
        """The address's records of action in chain order (block, tx index, log index)."""
        out = []
        for b, tx, r in list(self.index.txs):
            common = {"blockNumber": str(int(b["number"], 16)), "timeStamp": str(int(b["timestamp"], 16)),
                      "hash": tx["hash"].lower(), "nonce": str(int(tx["nonce"], 16)), "blockHash": b["hash"].lower(),
                      "transactionIndex": str(int(tx["transactionIndex"], 16))}
            gas = {"gas": str(int(tx["gas"], 16)),
                   "gasPrice": str(int(r.get("effectiveGasPrice") or tx["gasPrice"], 16)),
                   "gasUsed": str(int(r["gasUsed"], 16)), "cumulativeGasUsed": str(int(r["cumulativeGasUsed"], 16)),
                   "confirmations": str(head - int(b["number"], 16) + 1)}
            if action == "txlist":
                frm, to = tx["from"].lower(), (tx.get("to") or "").lower()
                created = (r.get("contractAddress") or "").lower()
                if addr not in (frm, to, created):
                    continue
                inp = tx.get("input") or "0x"
                ok = int(r["status"], 16)
                out.append({**common, "from": frm, "to": to, "value": str(int(tx["value"], 16)), **gas,
                            "isError": "0" if ok else "1", "txreceipt_status": "1" if ok else "0", "input": inp,
                            "contractAddress": created, "methodId": inp[:10] if len(inp) >= 10 else "0x",
                            "functionName": ""})
                # Etherscan's field order: gas fields after value, as it serves them
            elif action in ("tokentx", "tokennfttx"):
                want = 3 if action == "tokentx" else 4
                for log in r["logs"]:
                    t = log["topics"]
                    if len(t) != want or t[0] != TRANSFER:
                        continue
                    frm, to = "0x" + t[1][-40:], "0x" + t[2][-40:]
                    if addr not in (frm, to):
                        continue
                    contract = log["address"].lower()
                    item = {**common, "from": frm, "contractAddress": contract, "to": to}
                    if action == "tokentx":
                        meta = self.index.token_meta(checksum(contract)) or {"name": "", "symbol": "", "decimals": ""}
                        item.update({"value": str(int(log["data"], 16)), "tokenName": meta["name"],
                                     "tokenSymbol": meta["symbol"], "tokenDecimal": str(meta["decimals"])})
                    else:
                        meta = self.index.nft_meta(checksum(contract))
                        item.update({"tokenID": str(int(t[3], 16)), "tokenName": meta["name"],
                                     "tokenSymbol": meta["symbol"], "tokenDecimal": "0"})
                    item.update({**gas, "input": "deprecated", "methodId": (tx.get("input") or "0x")[:10],
                                 "functionName": ""})
                    out.append(item)
            # txlistinternal: the scenario has no internal transactions (no traces to read them from)
        return out

    def stop(self):
        if self in chainpeers._live:
            chainpeers._live.remove(self)
            self.server.shutdown()
            self.server.server_close()


def start_etherscan(rpc_url, apikey="pipit-test-key", chain_id=1337, delay_ms=0, calls_per_second=0):
    return Etherscan(rpc_url, apikey, chain_id, delay_ms, calls_per_second)


# --- pipit's side (n: a harness.Node) ------------------------------------------------------------

EVM_EVENTS = {"values": ["evm event"], "behavior": "include"}


def _check(cond, what):
    if not cond:
        raise AssertionError(what)


def setup_user(n, info, rpc_url, source, etherscan_key=None, slow=1):
    """Logs in, adds the node at rpc_url, sets evm_transactions_source, the etherscan key (when
    given) and the scenario's 10 tracked accounts."""
    st, _, msg = n.call("PUT", "/api/1/users", {"name": "alice", "password": "s3cret"}, timeout=60)
    _check(st == 200, ("login", st, msg))
    st, _, msg = n.call("PUT", "/api/1/blockchains/eth/nodes",
                        {"name": "ganache", "endpoint": rpc_url, "owned": True, "weight": "100", "active": True})
    _check(st == 200, ("add node", st, msg))
    st, res, msg = n.call("PUT", "/api/1/settings", {"settings": {"evm_transactions_source": source}})
    _check(st == 200 and res.get("evm_transactions_source") == source, ("settings", st, msg, res))
    if etherscan_key:
        st, _, msg = n.call("PUT", "/api/1/external_services", {"services": [{"name": "etherscan", "api_key": etherscan_key}]})
        _check(st == 200, ("etherscan key", st, msg))
    st, res, msg = n.call("PUT", "/api/1/blockchains/eth/accounts",
                          {"accounts": [{"address": a} for a in info["tracked"]]}, timeout=60 * slow)
    _check(st == 200 and sorted(res) == sorted(info["tracked"]), ("add accounts", st, msg, res))


def refresh(n, accounts=None, timeout=120):
    """POST /blockchains/transactions as an async task: (status_code, outcome, seconds)."""
    body = {"async_query": True, "from_timestamp": 0, "to_timestamp": int(time.time()) + 1}
    if accounts is not None:
        body["accounts"] = [{"address": a, "blockchain": "eth"} for a in accounts]
    t0 = time.time()
    st, res, msg = n.call("POST", "/api/1/blockchains/transactions", body)
    _check(st == 200 and isinstance(res, dict) and "task_id" in res, ("refresh", st, res, msg))
    while time.time() < t0 + timeout:
        st, out, msg = n.call("GET", f"/api/1/tasks/{res['task_id']}")
        _check(st == 200, ("task", st, out, msg))
        if out["status"] == "completed":
            return out["status_code"], out["outcome"], time.time() - t0
        time.sleep(0.02)
    raise AssertionError(f"the refresh did not end within {timeout} s")


def events(n, page=100, **filters):
    """Every EVM event entry matching the filters, read page by page; checks the pages add up
    to entries_found with no event twice."""
    out, offset = [], 0
    while True:
        body = {"entry_types": EVM_EVENTS, "limit": page, "offset": offset, **filters}
        st, res, msg = n.call("POST", "/api/1/history/events", body, timeout=60)
        _check(st == 200, ("history events", body, st, msg))
        rows = res["entries"]  # rotki's key (older rotki: "events")
        for e in rows:
            out.extend(x["entry"] for x in (e if isinstance(e, list) else [e]))
        if len(rows) < page:
            break
        offset += page
    ids = [e["identifier"] for e in out]
    _check(len(set(ids)) == len(ids) == res["entries_found"], ("paging", len(ids), len(set(ids)), res["entries_found"]))
    return out
