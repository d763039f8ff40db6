// server.js — a local stand-in for one exchange's REST API (Kraken, Binance) or CoinGecko's
// simple price, for pipit's exchange-client tests; the real services are unreachable from here.
//
//   node server.js --exchange kraken|binance|coingecko [--port 0] [--host 127.0.0.1]
//                  [--tls CERT KEY] [--latency-ms 0] [--state FILE.json] [--keep-alive-ms 65000]
//
// --latency-ms delays every exchange request before it is handled (so nonces and timestamps are
// judged on arrival plus latency); --keep-alive-ms is how long an idle kept-alive connection stays
// open (exchange fronts keep them a minute or more; a small value tests a client's reconnects;
// Node closes the socket about 1 s after the time set, and advertises Keep-Alive: timeout=N s).
//
// When listening it prints one JSON line on stdout: {"url": "https://localhost:PORT", ...}
// (http://127.0.0.1:PORT without --tls). It stops on SIGTERM/SIGINT, or when stdin is a pipe and
// closes (so it dies with the test process that started it).
//
// It answers in each exchange's documented formats for the endpoints pipit uses (kraken.js,
// binance.js, coingecko.js) and checks every private request's signature with ccxt (the npm
// package, pinned in package.json): each account gets its own ccxt exchange object, whose nonce
// and URL-encoder are pointed at the received request, and the exchange's own sign() computes the
// signature the client should have sent. A mismatch, a bad key, a reused nonce or a stale
// timestamp gets the exchange's own error answer.
//
// The state file (JSON; all fields optional):
//   {"accounts": [{"key", "secret", "seed", "trades", "deposits", "withdrawals", "staking",
//                  "tier" (kraken: starter|intermediate|pro, or unlimited for load tests),
//                  "weight_limit" (binance), "balances" (replaces the balances derived from the
//                  history: kraken {ASSET: "1.0000"}, binance [{asset, free, locked}]),
//                  "history_start", "history_end" (unix seconds; default 2023-01-01..2024-01-01),
//                  "unsettled" (binance, default true: with 6+ deposits the last is pending, with
//                  4+ withdrawals the first was cancelled; false: none)}],
//    "weight_limit": 6000, "weight_window_s": 60, "ban_seconds": 120, "ban_grace_ms": 250, (binance)
//    "prices": {"bitcoin": {"usd": 67187.33}}, "rate_limit_per_minute": 0}  (coingecko)
// Each account's history is generated from its seed (history.js): same account, same history;
// exactly `trades` trades (default 100), about `deposits` deposits (default trades/10, at least 2;
// a few more when a trade needs funding), at most `withdrawals` (trades/20) and, on Kraken,
// `staking` rewards (trades/10) with staking transfers (a quarter as many).
//
// Control API for tests (no auth, never slowed by --latency-ms):
//   GET  /__control/stats           requests per endpoint, answers per status, rejections per
//                                   reason, connections (total, now, max at once), requests in
//                                   flight (max at once), faults fired, signature checks; Kraken:
//                                   "nonces" {key: [every nonce, arrival order]}; Binance:
//                                   "timestamps" {key: [ms, ...]}, "sent_429", "sent_418"
//   POST /__control/reset           zeroes the stats, clears faults, nonces, rate limits and bans
//   POST /__control/fault {"kind", ...}   (optional "key": only that account's requests)
//        die_after_pages  {"n", "times"}  after n history pages, close the socket without an answer
//                                         (on every later page, or on the next `times` pages)
//        garbage_after_pages {"n", "times", "status", "body"}  same, answering a non-JSON body
//        rate_limit {"n"}                 the next n private calls are rate limited (Kraken's error;
//                                         Binance's 429 with Retry-After: 1; CoinGecko's 429)
//        latency {"ms"}                   changes --latency-ms
//        clock_offset {"ms"}              the server's clock runs ms ahead (negative: behind)
//        none                             clears all faults
//   (history pages: Kraken's Ledgers; Binance's myTrades, deposit and withdrawal history)
//   GET  /__control/expected?key=K  the account's whole generated history, oldest first:
//        Kraken  {exchange, key, tier, balances: {ASSET: "…"}, ledger: [{id, refid, time, type,
//                 subtype, aclass, asset, amount, fee, balance}], trades: [{refid, time,
//                 spent: {asset, amount}, received: {asset, amount}, fee: {asset, amount}}]}
//        Binance {exchange, key, balances: [{asset, free, locked}], symbols: [{symbol, baseAsset,
//                 quoteAsset, status}], trades: [myTrades objects], deposits: [hisrec objects],
//                 withdrawals: [withdraw history objects]}
//        CoinGecko {exchange, prices: {id: {currency: number}}}
//   POST /__control/accounts {"accounts": [...]}  adds (or replaces, by key) accounts
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

const MAX_BODY = 1 << 20;
// required on use: CoinGecko's server does without ccxt and starts faster
const EXCHANGES = {
  kraken: (peer, state) => require('./kraken').createKraken(peer, state),
  binance: (peer, state) => require('./binance').createBinance(peer, state),
  coingecko: (peer, state) => require('./coingecko').createCoingecko(peer, state),
};
const HISTORY_FAULTS = new Set(['die_after_pages', 'garbage_after_pages']);
const GARBAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

function usage(msg) {
  process.stderr.write(`server.js: ${msg}\nusage: node server.js --exchange kraken|binance|coingecko [--port 0] [--host 127.0.0.1] [--tls CERT KEY] [--latency-ms 0] [--state FILE.json] [--keep-alive-ms 65000]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { exchange: null, port: 0, host: '127.0.0.1', tls: null, latencyMs: 0, state: null, keepAliveMs: 65000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    const num = () => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < 0) usage(`${a} needs a number >= 0`);
      return v;
    };
    if (a === '--exchange') o.exchange = val();
    else if (a === '--port') o.port = num();
    else if (a === '--host') o.host = val();
    else if (a === '--tls') o.tls = { cert: val(), key: val() };
    else if (a === '--latency-ms') o.latencyMs = num();
    else if (a === '--state') o.state = val();
    else if (a === '--keep-alive-ms') o.keepAliveMs = num();
    else usage(`unknown option ${a}`);
  }
  if (!EXCHANGES[o.exchange]) usage('--exchange must be kraken, binance or coingecko');
  return o;
}

function newStats() {
  return {
    requests: {},
    responses: {},
    rejected: {},
    connections: 0,
    concurrent_connections: 0,
    max_concurrent_connections: 0,
    in_flight: 0,
    max_in_flight: 0,
    faults_fired: { die: 0, garbage: 0, rate_limit: 0 },
    signature_checks: 0,
  };
}

// what the exchange modules share: the clock, stats, faults
class Peer {
  constructor(latencyMs) {
    this.latencyMs = latencyMs;
    this.clockOffsetMs = 0;
    this.stats = newStats();
    this.faults = [];
  }

  now() {
    return Date.now() + this.clockOffsetMs;
  }

  reject(reason) {
    this.stats.rejected[reason] = (this.stats.rejected[reason] || 0) + 1;
  }

  // called when a history page is about to be answered: a fault answer, or null to go on
  historyPage(key) {
    for (const f of this.faults) {
      if (!HISTORY_FAULTS.has(f.kind) || (f.key !== undefined && f.key !== key)) continue;
      f.pages += 1;
      if (f.pages <= f.n || (f.times !== undefined && f.fired >= f.times)) continue;
      f.fired += 1;
      if (f.kind === 'die_after_pages') {
        this.stats.faults_fired.die += 1;
        return { destroy: true };
      }
      this.stats.faults_fired.garbage += 1;
      return { status: f.status ?? 200, contentType: 'text/html', text: f.body ?? GARBAGE };
    }
    return null;
  }

  // true when a rate_limit fault takes this private call
  forcedRateLimit(key) {
    for (const f of this.faults) {
      if (f.kind !== 'rate_limit' || f.remaining <= 0 || (f.key !== undefined && f.key !== key)) continue;
      f.remaining -= 1;
      this.stats.faults_fired.rate_limit += 1;
      return true;
    }
    return false;
  }

  addFault(f) {
    const int = (v, dflt) => {
      if (v === undefined) return dflt;
      if (!Number.isInteger(v) || v < 0) throw new Error(`fault ${f.kind}: counts must be integers >= 0`);
      return v;
    };
    if (f.kind === 'none') {
      this.faults = [];
    } else if (HISTORY_FAULTS.has(f.kind)) {
      this.faults.push({ kind: f.kind, key: f.key, n: int(f.n, 0), times: int(f.times, undefined), status: f.status, body: f.body, pages: 0, fired: 0 });
    } else if (f.kind === 'rate_limit') {
      this.faults.push({ kind: f.kind, key: f.key, remaining: int(f.n, 1) });
    } else if (f.kind === 'latency') {
      this.latencyMs = int(f.ms, 0);
    } else if (f.kind === 'clock_offset') {
      if (!Number.isInteger(f.ms)) throw new Error('fault clock_offset: ms must be an integer');
      this.clockOffsetMs = f.ms;
    } else {
      throw new Error(`unknown fault kind ${JSON.stringify(f.kind)}`);
    }
  }
}

function main() {
  const opt = parseArgs(process.argv.slice(2));
  const state = opt.state ? JSON.parse(fs.readFileSync(opt.state, 'utf8')) : {};
  const peer = new Peer(opt.latencyMs);
  const ex = EXCHANGES[opt.exchange](peer, state);
  const live = new Set(); // open connections that carried an exchange request
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const send = (res, status, type, body, headers = {}) => {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length, ...headers });
    res.end(buf);
  };

  function control(ctx, res) {
    const reply = (status, v) => send(res, status, 'application/json', JSON.stringify(v));
    let body = null;
    if (ctx.body.length) {
      try {
        body = JSON.parse(ctx.body.toString('utf8'));
      } catch {
        return reply(400, { error: 'body is not JSON' });
      }
    }
    const what = `${ctx.method} ${ctx.path}`;
    if (what === 'GET /__control/stats') return reply(200, { exchange: ex.name, ...peer.stats, ...ex.stats() });
    if (what === 'POST /__control/reset') {
      peer.stats = newStats();
      peer.stats.concurrent_connections = live.size;
      peer.stats.max_concurrent_connections = live.size;
      peer.faults = [];
      peer.clockOffsetMs = 0;
      peer.latencyMs = opt.latencyMs;
      ex.reset();
      return reply(200, { ok: true });
    }
    if (what === 'POST /__control/fault') {
      try {
        peer.addFault(body || {});
      } catch (e) {
        return reply(400, { error: e.message });
      }
      return reply(200, { ok: true, faults: peer.faults.length });
    }
    if (what === 'GET /__control/expected') {
      const key = new URLSearchParams(ctx.query).get('key') ?? '';
      const v = ex.expected(key);
      return v ? reply(200, v) : reply(404, { error: `no account with key ${key}` });
    }
    if (what === 'POST /__control/accounts') {
      try {
        return reply(200, { keys: ex.addAccounts((body || {}).accounts || []) });
      } catch (e) {
        return reply(400, { error: e.message });
      }
    }
    return reply(404, { error: `no control endpoint ${what}` });
  }

  async function serve(ctx, res) {
    const label = ex.endpoint(ctx);
    peer.stats.requests[label] = (peer.stats.requests[label] || 0) + 1;
    peer.stats.in_flight += 1;
    peer.stats.max_in_flight = Math.max(peer.stats.max_in_flight, peer.stats.in_flight);
    try {
      if (peer.latencyMs > 0) await sleep(peer.latencyMs);
      let r;
      try {
        r = ex.handle(ctx);
      } catch (e) {
        process.stderr.write(`server.js: ${label}: ${e.stack}\n`);
        r = { status: 500, text: 'internal error in the test server\n' };
      }
      if (r.destroy) {
        res.socket.destroy();
        return;
      }
      peer.stats.responses[r.status] = (peer.stats.responses[r.status] || 0) + 1;
      if (r.json !== undefined) send(res, r.status, ex.contentType, JSON.stringify(r.json), r.headers);
      else send(res, r.status, r.contentType || 'text/plain', r.text ?? '', r.headers);
    } finally {
      peer.stats.in_flight -= 1;
    }
  }

  const handler = (req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return send(res, 413, 'text/plain', 'body too large\n');
      const q = req.url.indexOf('?');
      const ctx = {
        method: req.method,
        path: q < 0 ? req.url : req.url.slice(0, q),
        query: q < 0 ? '' : req.url.slice(q + 1),
        headers: req.headers,
        body: Buffer.concat(chunks),
        ip: req.socket.remoteAddress,
      };
      if (ctx.path.startsWith('/__control/')) return control(ctx, res);
      // connections are counted from their first exchange request: the control API's are not
      const sock = req.socket;
      if (!live.has(sock) && !sock.destroyed) {
        live.add(sock); // (with TLS, the TLS socket over the one 'connection' saw)
        sock.once('close', () => {
          live.delete(sock);
          peer.stats.concurrent_connections = live.size;
        });
        peer.stats.connections += 1;
        peer.stats.concurrent_connections = live.size;
        peer.stats.max_concurrent_connections = Math.max(peer.stats.max_concurrent_connections, live.size);
      }
      serve(ctx, res);
    });
  };

  const server = opt.tls
    ? https.createServer({ cert: fs.readFileSync(opt.tls.cert), key: fs.readFileSync(opt.tls.key) }, handler)
    : http.createServer(handler);
  server.keepAliveTimeout = opt.keepAliveMs;
  const sockets = new Set(); // every open connection, closed at exit
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  server.on('clientError', (err, sock) => sock.destroy());

  const stop = () => {
    server.close();
    for (const s of sockets) s.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const st = fs.fstatSync(0);
  if (st.isFIFO() || st.isSocket()) {
    process.stdin.on('data', () => {});
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
  }

  server.listen(opt.port, opt.host, () => {
    const port = server.address().port;
    const url = opt.tls ? `https://localhost:${port}` : `http://${opt.host}:${port}`;
    process.stdout.write(JSON.stringify({ url, exchange: ex.name, accounts: ex.addAccounts([]).length }) + '\n');
  });
}

main();
