"""Peers for the exchange-client tests: local stand-ins for Kraken's and Binance's REST APIs and
CoinGecko's simple price (tests/exchanges/server.js), served over HTTPS with a test CA made once
per run (chainpeers.make_ca). Every private request's signature is checked with ccxt on the
server side; see server.js for the formats, faults and the control API. Python stdlib only. Every
server started here is stopped at exit, even when a test fails; the servers also stop when this
process dies (they watch their stdin pipe).

    install()                                            npm packages of tests/exchanges (once per lock)
    make_account(exchange, seed, trades=100, tier="starter", **fields)  -> account dict for start()
    start(exchange, accounts=None, tls=True, latency_ms=0, trades=None, keep_alive_ms=None, **state)
                                                         -> ExchangePeer
        .url .ca_file .accounts .info
        .stats() .fault(kind, **kw) .reset() .expected(key=None) .add_accounts(accounts) .stop()
    ca()                                                 this run's CA and localhost certificate
"""
import atexit
import base64
import hashlib
import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import urllib.parse

import chainpeers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXCHANGES_DIR = os.path.join(ROOT, "tests", "exchanges")
EXCHANGES = ("kraken", "binance", "coingecko")

_ca = None  # (dir, namespace) of this run's CA
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@atexit.register
def _stop_all():  # the servers themselves are stopped by chainpeers' atexit
    if _ca is not None:
        shutil.rmtree(_ca[0], ignore_errors=True)


def install():
    """npm ci of tests/exchanges' pinned packages (ccxt); a no-op when node_modules matches the lock."""
    subprocess.run([os.path.join(EXCHANGES_DIR, "install.sh")], check=True)


def ca():
    """This run's test CA (made on first use, removed at exit): chainpeers.make_ca's namespace,
    ca_cert is the file to trust, localhost_cert/key what the servers present."""
    global _ca
    if _ca is None:
        d = tempfile.mkdtemp(prefix="pipit-exchange-ca-")
        _ca = (d, chainpeers.make_ca(d))
    return _ca[1]


def _stream(label, n):
    """n deterministic bytes for label (SHA-512 in counter mode)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha512(f"pipit-exchange-account:{label}:{i}".encode()).digest()
        i += 1
    return out[:n]


def make_account(exchange, seed, trades=100, tier="starter", **fields):
    """A deterministic account for start(): a random-looking but seeded key and secret in the
    exchange's formats (Kraken: a 56-character base64 key and a base64 secret of 64 bytes; Binance:
    64 alphanumerics each), the seed its history is generated from and the number of trades.
    fields adds or overrides state-file fields: deposits, withdrawals, staking (Kraken rewards),
    tier (Kraken: starter, intermediate, pro; or unlimited, no rate limit, for load tests),
    weight_limit (Binance), unsettled (Binance, default True: with 6+ deposits the last is still
    pending, status 0, not credited; with 4+ withdrawals the first was cancelled, status 1, not
    debited), balances (replace the balances derived from the history), history_start and
    history_end (unix seconds; default 2023-01-01 to 2024-01-01)."""
    if exchange == "kraken":
        acct = {"key": base64.b64encode(_stream(f"kraken:{seed}:key", 42)).decode(),
                "secret": base64.b64encode(_stream(f"kraken:{seed}:secret", 64)).decode(),
                "tier": tier}
    elif exchange == "binance":
        raw = _stream(f"binance:{seed}", 128)
        acct = {"key": "".join(_ALNUM[b % 62] for b in raw[:64]),
                "secret": "".join(_ALNUM[b % 62] for b in raw[64:])}
    else:
        raise ValueError(f"no accounts on {exchange!r}: make_account takes kraken or binance")
    acct.update({"seed": seed, "trades": trades})
    acct.update(fields)
    return acct


class ExchangePeer(chainpeers.NodePeer):
    """One server.js process. .url is its base URL (https://localhost:PORT with tls, else
    http://127.0.0.1:PORT); .ca_file the CA to trust (None without tls); .accounts the accounts it
    serves (dicts with key and secret); .info the JSON line it printed."""

    def __init__(self, exchange, accounts, tls, latency_ms, state, keep_alive_ms=None, timeout=60):
        if exchange not in EXCHANGES:
            raise ValueError(f"exchange must be one of {', '.join(EXCHANGES)}, not {exchange!r}")
        self.exchange = exchange
        self.accounts = list(accounts)
        self.dir = tempfile.mkdtemp(prefix=f"pipit-{exchange}-")
        state_file = os.path.join(self.dir, "state.json")
        with open(state_file, "w") as f:
            json.dump(dict(state, accounts=self.accounts), f)
        args = ["--exchange", exchange, "--port", "0", "--latency-ms", str(latency_ms), "--state", state_file]
        if keep_alive_ms is not None:
            args += ["--keep-alive-ms", str(keep_alive_ms)]
        self.ca_file = None
        if tls:
            certs = ca()
            self.ca_file = certs.ca_cert
            args += ["--tls", certs.localhost_cert, certs.localhost_key]
        try:
            super().__init__("server.js", args, timeout, directory=EXCHANGES_DIR, label=f"server.js --exchange {exchange}")
        except AssertionError:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.url = self.info["url"]
        u = urllib.parse.urlsplit(self.url)
        self._host, self._port = u.hostname, u.port
        self._ssl = ssl.create_default_context(cafile=self.ca_file) if tls else None

    def _control(self, method, path, body=None):
        if self._ssl is not None:
            conn = http.client.HTTPSConnection(self._host, self._port, timeout=30, context=self._ssl)
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=30)
        try:
            data = None if body is None else json.dumps(body).encode()
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
            resp = conn.getresponse()
            payload = resp.read()
        finally:
            conn.close()
        out = json.loads(payload)
        if resp.status != 200:
            raise AssertionError(f"{method} {path}: {resp.status} {out}")
        return out

    def stats(self):
        """Requests per endpoint, answers per status, rejections per reason ("invalid_signature",
        "invalid_nonce", "rate_limited", "timestamp_outside_recv_window", ...), connections and
        their most at once, faults fired; Kraken "nonces" {key: [...]}, Binance "timestamps"
        {key: [...]} and "sent_429"/"sent_418"."""
        return self._control("GET", "/__control/stats")

    def fault(self, kind, **kw):
        """die_after_pages(n, times=None, key=None), garbage_after_pages(n, times, status, body, key),
        rate_limit(n, key=None), latency(ms), clock_offset(ms), none()."""
        return self._control("POST", "/__control/fault", dict(kw, kind=kind))

    def reset(self):
        """Zeroes the stats; clears faults, nonces, rate limits and bans."""
        return self._control("POST", "/__control/reset", {})

    def expected(self, key=None):
        """The whole history of the account with this key (default: the first account); CoinGecko:
        its price table."""
        if key is None and self.accounts:
            key = self.accounts[0]["key"]
        return self._control("GET", "/__control/expected?" + urllib.parse.urlencode({"key": key or ""}))

    def add_accounts(self, accounts):
        accounts = list(accounts)
        out = self._control("POST", "/__control/accounts", {"accounts": accounts})
        self.accounts += accounts
        return out

    def stop(self):
        rc = super().stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc


def start(exchange, accounts=None, tls=True, latency_ms=0, trades=None, keep_alive_ms=None, **state):
    """Starts a server for exchange ("kraken", "binance" or "coingecko"). accounts: dicts from
    make_account (default: one, seed 1); trades: when given, the number of trades of every
    account (overriding theirs). latency_ms delays each exchange request; keep_alive_ms: how long
    an idle connection stays open (default 65 s). state: further state-file fields — weight_limit, weight_window_s,
    ban_seconds, ban_grace_ms (Binance), prices, rate_limit_per_minute (CoinGecko)."""
    if exchange == "coingecko":
        accounts = []
    elif accounts is None:
        accounts = [make_account(exchange, 1, trades=100 if trades is None else trades)]
    accounts = [dict(a) for a in accounts]
    if trades is not None:
        for a in accounts:
            a["trades"] = trades
    return ExchangePeer(exchange, accounts, tls, latency_ms, state, keep_alive_ms)
