// binance.js — Binance's spot and wallet REST endpoints as pipit's Binance client uses them (see
// server.js for the whole picture). Every signed request's signature is recomputed by ccxt's own
// binance.sign() and compared with what the client sent.
//
// Signed GETs: the query string carries timestamp (ms, or µs with 16 digits), optional recvWindow
// (default 5000, at most 60000) and signature = hex(HMAC-SHA256(secret, the query string without
// the signature pair)), in any order; header X-MBX-APIKEY. Checked in this order (errors are
// {"code", "msg"}):
//   weight limit (below)                                   429 / 418, -1003
//   X-MBX-APIKEY missing or not 64 alphanumerics           401 -2014 API-key format invalid.
//   unknown key                                            401 -2015 Invalid API-key, IP, or permissions for action.
//   a parameter twice                                      400 -1101
//   timestamp or signature missing                         400 -1102 Mandatory parameter '...' was not sent, ...
//   recvWindow over 60000                                  400 -1131
//   signature not the expected one (hex, any case)         400 -1022 Signature for this request is not valid.
//   timestamp >= server time + 1000 ms                     400 -1021 Timestamp for this request was 1000ms ahead of the server's time.
//   server time - timestamp > recvWindow                   400 -1021 Timestamp for this request is outside of the recvWindow.
// (a request that passes the signature check has its timestamp recorded).
// Weight per key (per client address without a known key), in fixed windows aligned to the clock
// (weight_window_s, default 60): account, myTrades, exchangeInfo 20; deposit and withdrawal
// history, time, ping 1. Every answer has X-MBX-USED-WEIGHT-1M (and X-MBX-USED-WEIGHT). Over the
// limit (weight_limit, default 6000; per account "weight_limit"): 429, Retry-After = seconds to
// the window's end, "Too much request weight used; current limit is N request weight per 1
// MINUTE. ...". A request arriving while a 429's Retry-After runs, later than ban_grace_ms
// (default 250) after that 429 (so not one that was already in flight), is banned: 418 with
// Retry-After, for ban_seconds (default 120), every request of the key meanwhile 418. Rejected
// requests count their weight too.
// GET /api/v3/account: the documented object; balances [{asset, free, locked}] of every asset
// of the symbols (zeros included unless omitZeroBalances=true), 8 decimals.
// GET /api/v3/exchangeInfo (public; symbol= or symbols=["A","B"] optional): 17 symbols, one of
// them (BCCBTC) status BREAK.
// GET /api/v3/myTrades: symbol required (-1121 Invalid symbol.); limit 1..1000, default 500
// (-1130 beyond); fromId: the trades with id >= fromId, ascending, the first `limit`;
// startTime/endTime (ms, inclusive; one alone means a 24 h window from or to it; more than 24 h
// apart -1127): ascending, the first `limit`; neither: the last `limit` trades, ascending;
// fromId or orderId with a time -1128. Trade ids are per symbol, increasing with gaps.
// GET /sapi/v1/capital/deposit/hisrec, /sapi/v1/capital/withdraw/history: startTime/endTime (ms,
// inclusive, on insertTime / applyTime); endTime defaults to now, startTime to endTime - 90 days;
// an explicit startTime 90 days or more before endTime is -4047 "Time interval must be within
// 0-90 days" (the docs: "must be less than 90 days"); coin, status; offset and limit (default and
// max 1000); newest first. Deposits: status 1 (one pending deposit, status 0 and not credited,
// in histories of 6+ deposits); withdrawals: status 6, amount excluding transactionFee (the
// balance falls by both), applyTime "YYYY-MM-DD HH:MM:SS" UTC (one cancelled, status 1 and not
// debited, in histories of 4+ withdrawals).
'use strict';
const ccxt = require('ccxt');
const { binanceHistory, binanceSymbols } = require('./history');

const DAY = 86400000;
// path -> ccxt's (path, api) for sign(), whether it is signed, request weight, history page or not
const ROUTES = {
  '/api/v3/ping': { signed: false, weight: 1 },
  '/api/v3/time': { signed: false, weight: 1 },
  '/api/v3/exchangeInfo': { signed: false, weight: 20 },
  '/api/v3/account': { signed: true, api: 'private', path: 'account', weight: 20 },
  '/api/v3/myTrades': { signed: true, api: 'private', path: 'myTrades', weight: 20, history: true },
  '/sapi/v1/capital/deposit/hisrec': { signed: true, api: 'sapi', path: 'capital/deposit/hisrec', weight: 1, history: true },
  '/sapi/v1/capital/withdraw/history': { signed: true, api: 'sapi', path: 'capital/withdraw/history', weight: 1, history: true },
};
const KEY_FORMAT = /^[A-Za-z0-9]{64}$/;

class Account {
  constructor(a) {
    if (typeof a.key !== 'string' || !KEY_FORMAT.test(a.key)) throw new Error('binance account: key must be 64 alphanumerics');
    if (typeof a.secret !== 'string' || !a.secret) throw new Error(`binance account ${a.key}: secret must be a non-empty string`);
    this.src = a;
    this.key = a.key;
    const h = binanceHistory(a);
    this.trades = h.trades; // oldest first
    this.bySymbol = new Map();
    for (const t of h.trades) (this.bySymbol.get(t.symbol) || this.bySymbol.set(t.symbol, []).get(t.symbol)).push(t);
    for (const list of this.bySymbol.values()) list.sort((x, y) => x.id - y.id);
    this.deposits = h.deposits;
    this.withdrawals = h.withdrawals.map((w) => ({ ...w, _ms: Date.parse(w.applyTime.replace(' ', 'T') + 'Z') }));
    this.balances = a.balances ?? h.balances;
    this.weightLimit = a.weight_limit;
    // ccxt's binance signs offline; its clock and URL-encoder are pointed at the received request,
    // so sign() runs its own HMAC-SHA256 over exactly the query string the client sent
    this.signer = new ccxt.binance({ apiKey: a.key, secret: a.secret });
    this.signer.nonce = () => this.pending.timestamp;
    this.signer.urlencode = () => this.pending.payload;
    this.pending = null;
  }

  expectedSignature(route, timestamp, payload) {
    this.pending = { timestamp, payload };
    try {
      const r = this.signer.sign(route.path, route.api, 'GET', {});
      const m = /\?(.*)&signature=([0-9a-f]{64})$/.exec(r.url);
      if (!m || m[1] !== payload) throw new Error('ccxt signed another query than the one received');
      return m[2];
    } finally {
      this.pending = null;
    }
  }
}

function createBinance(peer, state) {
  const accounts = new Map();
  const addAccounts = (list) => {
    for (const a of list || []) accounts.set(a.key, new Account(a));
    return [...accounts.keys()];
  };
  addAccounts(state.accounts);
  const weightLimit = state.weight_limit ?? 6000;
  const windowMs = (state.weight_window_s ?? 60) * 1000;
  const banMs = (state.ban_seconds ?? 120) * 1000;
  const graceMs = state.ban_grace_ms ?? 250;
  const symbols = binanceSymbols();
  const symbolSet = new Set(symbols.map((s) => s.symbol));
  let buckets = new Map(); // API key (or "ip:ADDR" without a known key) -> weight window, cool-down, ban
  const timestamps = {}; // key -> timestamps of authentic requests, in arrival order
  const extra = { sent_429: 0, sent_418: 0 };

  const err = (reason, status, code, msg, headers) => {
    peer.reject(reason);
    return { status, json: { code, msg }, headers };
  };
  const badParam = (name) => err('invalid_parameter', 400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);

  // request weight per minute (fixed windows aligned to the clock, like Binance's): over the limit
  // a 429 with Retry-After (seconds to the window's end); a request arriving while that Retry-After
  // runs, later than graceMs after the first 429 (i.e. not one already in flight), is banned: 418
  // with Retry-After, for ban_seconds
  function limit(bucketKey, route, limitFor, signed) {
    const now = peer.now();
    let b = buckets.get(bucketKey);
    if (!b) buckets.set(bucketKey, (b = { start: 0, used: 0, coolFrom: 0, coolUntil: 0, bannedUntil: 0 }));
    const start = Math.floor(now / windowMs) * windowMs;
    if (b.start !== start) {
      b.start = start;
      b.used = 0;
    }
    b.used += route.weight;
    const headers = { 'X-MBX-USED-WEIGHT-1M': String(b.used), 'X-MBX-USED-WEIGHT': String(b.used) };
    const banned = () => {
      extra.sent_418 += 1;
      headers['Retry-After'] = String(Math.ceil((b.bannedUntil - now) / 1000));
      return err('banned', 418, -1003, `Way too much request weight used; IP banned until ${b.bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`, headers);
    };
    const tooMany = (until) => {
      extra.sent_429 += 1;
      if (b.coolUntil <= now) b.coolFrom = now;
      b.coolUntil = Math.max(b.coolUntil, until);
      headers['Retry-After'] = String(Math.max(1, Math.ceil((b.coolUntil - now) / 1000)));
      const per = windowMs === 60000 ? '1 MINUTE' : `${windowMs / 1000} SECOND`;
      return err('rate_limited', 429, -1003, `Too much request weight used; current limit is ${limitFor} request weight per ${per}. Please use WebSocket Streams for live updates to avoid polling the API.`, headers);
    };
    if (b.bannedUntil > now) return banned();
    if (b.coolUntil > now) {
      if (now - b.coolFrom <= graceMs) return tooMany(b.coolUntil);
      b.coolUntil = 0;
      b.bannedUntil = now + banMs;
      return banned();
    }
    if (signed && peer.forcedRateLimit(bucketKey)) return tooMany(now + 1000);
    if (b.used > limitFor) return tooMany(start + windowMs);
    return { headers };
  }

  // parses a query string; null when a parameter repeats
  function parseQuery(raw) {
    const p = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      if (k in p) return null;
      p[k] = v;
    }
    return p;
  }

  const int = (v) => (v !== undefined && /^\d{1,18}$/.test(v) ? Number(v) : undefined);

  function myTrades(acct, p) {
    if (!p.symbol) return badParam('symbol');
    if (!symbolSet.has(p.symbol)) return err('bad_symbol', 400, -1121, 'Invalid symbol.');
    for (const k of ['orderId', 'fromId', 'startTime', 'endTime', 'limit']) {
      if (p[k] !== undefined && int(p[k]) === undefined) return err('invalid_parameter', 400, -1100, `Illegal characters found in parameter '${k}'; legal range is '^[0-9]{1,20}$'.`);
    }
    const lim = p.limit === undefined ? 500 : int(p.limit);
    if (lim < 1 || lim > 1000) return err('invalid_parameter', 400, -1130, "Data sent for parameter 'limit' is not valid.");
    const hasTime = p.startTime !== undefined || p.endTime !== undefined;
    if (hasTime && (p.fromId !== undefined || p.orderId !== undefined)) {
      return err('bad_combination', 400, -1128, 'Combination of optional parameters invalid.');
    }
    let list = acct.bySymbol.get(p.symbol) || [];
    if (p.orderId !== undefined) list = list.filter((t) => t.orderId === int(p.orderId));
    let out;
    if (p.fromId !== undefined) {
      const from = int(p.fromId);
      out = list.filter((t) => t.id >= from).slice(0, lim);
    } else if (hasTime) {
      const s = p.startTime !== undefined ? int(p.startTime) : int(p.endTime) - DAY;
      const e = p.endTime !== undefined ? int(p.endTime) : int(p.startTime) + DAY;
      if (e - s > DAY) return err('interval_too_long', 400, -1127, 'More than 24 hours between startTime and endTime.');
      out = list.filter((t) => t.time >= s && t.time <= e).slice(0, lim);
    } else {
      out = list.slice(Math.max(0, list.length - lim));
    }
    return peer.historyPage(acct.key) || { status: 200, json: out };
  }

  // deposit and withdrawal history: a window of at most 90 days (defaults: the 90 days up to now),
  // newest first, offset/limit paging (limit default and max 1000)
  function walletHistory(acct, p, list, timeOf) {
    for (const k of ['startTime', 'endTime', 'offset', 'limit', 'status']) {
      if (p[k] !== undefined && int(p[k]) === undefined) return err('invalid_parameter', 400, -1100, `Illegal characters found in parameter '${k}'; legal range is '^[0-9]{1,20}$'.`);
    }
    // "If both startTime and endTime are sent, time between startTime and endTime must be less
    // than 90 days"; an old startTime alone is measured against the default endTime, now
    const e = p.endTime !== undefined ? int(p.endTime) : peer.now();
    const s = p.startTime !== undefined ? int(p.startTime) : e - 90 * DAY;
    if (p.startTime !== undefined && e - s >= 90 * DAY) return err('interval_too_long', 400, -4047, 'Time interval must be within 0-90 days');
    const lim = p.limit === undefined ? 1000 : int(p.limit);
    if (lim < 1 || lim > 1000) return err('invalid_parameter', 400, -1130, "Data sent for parameter 'limit' is not valid.");
    const ofs = p.offset === undefined ? 0 : int(p.offset);
    const sel = list
      .filter((x) => timeOf(x) >= s && timeOf(x) <= e)
      .filter((x) => p.coin === undefined || x.coin === p.coin)
      .filter((x) => p.status === undefined || x.status === int(p.status))
      .sort((x, y) => timeOf(y) - timeOf(x));
    const page = sel.slice(ofs, ofs + lim).map(strip);
    return peer.historyPage(acct.key) || { status: 200, json: page };
  }

  function account(acct, p) {
    const omit = p.omitZeroBalances === 'true';
    const balances = omit ? acct.balances.filter((b) => /[1-9]/.test(b.free) || /[1-9]/.test(b.locked)) : acct.balances;
    return {
      status: 200,
      json: {
        makerCommission: 10,
        takerCommission: 10,
        buyerCommission: 0,
        sellerCommission: 0,
        commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
        canTrade: true,
        canWithdraw: true,
        canDeposit: true,
        brokered: false,
        requireSelfTradePrevention: false,
        preventSor: false,
        updateTime: acct.trades.length ? acct.trades[acct.trades.length - 1].time : 0,
        accountType: 'SPOT',
        balances,
        permissions: ['SPOT'],
        uid: 100000000 + (parseInt(acct.key.slice(0, 6), 36) % 900000000),
      },
    };
  }

  function exchangeInfo(p) {
    let list = symbols;
    let wanted = null;
    if (p.symbol !== undefined) wanted = [p.symbol];
    if (p.symbols !== undefined) {
      try {
        wanted = JSON.parse(p.symbols);
      } catch {
        return err('invalid_parameter', 400, -1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.");
      }
    }
    if (wanted) {
      if (!Array.isArray(wanted) || wanted.some((s) => !symbolSet.has(s))) return err('bad_symbol', 400, -1121, 'Invalid symbol.');
      list = symbols.filter((s) => wanted.includes(s.symbol));
    }
    return {
      status: 200,
      json: {
        timezone: 'UTC',
        serverTime: peer.now(),
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: windowMs === 60000 ? 'MINUTE' : 'SECOND', intervalNum: windowMs === 60000 ? 1 : windowMs / 1000, limit: weightLimit },
          { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
          { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
          { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
        ],
        exchangeFilters: [],
        symbols: list.map((s) => ({
          symbol: s.symbol,
          status: s.status,
          baseAsset: s.base,
          baseAssetPrecision: 8,
          quoteAsset: s.quote,
          quotePrecision: 8,
          quoteAssetPrecision: 8,
          baseCommissionPrecision: 8,
          quoteCommissionPrecision: 8,
          orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
          icebergAllowed: true,
          ocoAllowed: true,
          otoAllowed: true,
          quoteOrderQtyMarketAllowed: true,
          allowTrailingStop: true,
          cancelReplaceAllowed: true,
          isSpotTradingAllowed: s.status === 'TRADING',
          isMarginTradingAllowed: false,
          filters: [],
          permissions: [],
          permissionSets: [['SPOT']],
          defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
          allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
        })),
      },
    };
  }

  function handle(ctx) {
    const route = ROUTES[ctx.path];
    if (!route) return { status: 404, text: '' };
    if (ctx.method !== 'GET') return err('unknown_method', 405, -1000, 'An unknown error occurred while processing the request.');
    const keyHeader = ctx.headers['x-mbx-apikey'];
    const acct = keyHeader !== undefined ? accounts.get(keyHeader) : undefined;
    const bucketKey = acct ? acct.key : `ip:${ctx.ip}`;
    const lim = limit(bucketKey, route, (acct && acct.weightLimit) || weightLimit, route.signed);
    if (lim.status) return lim;
    const done = (r) => ({ ...r, headers: { ...lim.headers, ...(r.headers || {}) } });

    const pairs = ctx.query === '' ? [] : ctx.query.split('&');
    if (!route.signed) {
      const p = parseQuery(ctx.query);
      if (!p) return done(err('duplicate_parameter', 400, -1101, 'Duplicate values for a parameter detected.'));
      if (ctx.path === '/api/v3/exchangeInfo') return done(exchangeInfo(p));
      if (ctx.path === '/api/v3/time') return done({ status: 200, json: { serverTime: peer.now() } });
      return done({ status: 200, json: {} });
    }

    if (keyHeader === undefined || !KEY_FORMAT.test(keyHeader)) return done(err('bad_api_key_format', 401, -2014, 'API-key format invalid.'));
    if (!acct) return done(err('invalid_api_key', 401, -2015, 'Invalid API-key, IP, or permissions for action.'));
    const sigPairs = pairs.filter((x) => x.startsWith('signature='));
    const payload = pairs.filter((x) => !x.startsWith('signature=')).join('&');
    const p = parseQuery(payload);
    if (!p || sigPairs.length > 1) return done(err('duplicate_parameter', 400, -1101, 'Duplicate values for a parameter detected.'));
    if (p.timestamp === undefined || !/^\d{1,16}$/.test(p.timestamp)) return done(badParam('timestamp'));
    if (sigPairs.length === 0 || sigPairs[0] === 'signature=') return done(badParam('signature'));
    let recvWindow = 5000;
    if (p.recvWindow !== undefined) {
      if (!/^\d+(\.\d{1,3})?$/.test(p.recvWindow)) return done(err('invalid_parameter', 400, -1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,8}(\\.[0-9]{1,3})?$'."));
      recvWindow = Number(p.recvWindow);
      if (recvWindow > 60000) return done(err('bad_recv_window', 400, -1131, 'recvWindow must be less than 60000'));
    }

    peer.stats.signature_checks += 1;
    const expectedSig = acct.expectedSignature(route, p.timestamp, payload);
    let sent = sigPairs[0].slice('signature='.length);
    try {
      sent = decodeURIComponent(sent).toLowerCase(); // HMAC signatures are not case-sensitive
    } catch {
      sent = '';
    }
    if (sent !== expectedSig) return done(err('invalid_signature', 400, -1022, 'Signature for this request is not valid.'));

    // timestamp in milliseconds, or microseconds (16 digits)
    const ts = p.timestamp.length >= 16 ? Number(p.timestamp) / 1000 : Number(p.timestamp);
    (timestamps[acct.key] ||= []).push(ts);
    const serverTime = peer.now();
    if (!(ts < serverTime + 1000)) return done(err('timestamp_ahead', 400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."));
    if (serverTime - ts > recvWindow) return done(err('timestamp_outside_recv_window', 400, -1021, 'Timestamp for this request is outside of the recvWindow.'));

    switch (ctx.path) {
      case '/api/v3/account': return done(account(acct, p));
      case '/api/v3/myTrades': return done(myTrades(acct, p));
      case '/sapi/v1/capital/deposit/hisrec': return done(walletHistory(acct, p, acct.deposits, (d) => d.insertTime));
      default: return done(walletHistory(acct, p, acct.withdrawals, (w) => w._ms));
    }
  }

  function expected(key) {
    const acct = accounts.get(key);
    if (!acct) return null;
    return {
      exchange: 'binance',
      key,
      balances: acct.balances,
      symbols: symbols.map((s) => ({ symbol: s.symbol, baseAsset: s.base, quoteAsset: s.quote, status: s.status })),
      trades: acct.trades,
      deposits: acct.deposits,
      withdrawals: acct.withdrawals.map(strip),
    };
  }

  return {
    name: 'binance',
    addAccounts,
    handle,
    expected,
    endpoint: (ctx) => `${ctx.method} ${ctx.path}`,
    reset() {
      buckets = new Map();
      for (const k of Object.keys(timestamps)) delete timestamps[k];
      extra.sent_429 = 0;
      extra.sent_418 = 0;
    },
    stats: () => ({ timestamps, sent_429: extra.sent_429, sent_418: extra.sent_418 }),
    contentType: 'application/json;charset=UTF-8',
  };
}

// a record without its internal fields (names starting with "_")
function strip(x) {
  const o = {};
  for (const [k, v] of Object.entries(x)) if (!k.startsWith('_')) o[k] = v;
  return o;
}

module.exports = { createBinance, Account, ROUTES };
