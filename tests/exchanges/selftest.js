// selftest.js — checks the exchange test servers against an independent client: ccxt itself signs
// every request (its full request pipeline, or its sign() with a pinned nonce/timestamp when a
// test needs to send a request twice or alter it), over HTTPS with the run's test CA.
//
//   NODE_EXTRA_CA_CERTS=ca.pem node selftest.js CONFIG.json
//
// CONFIG (written by selftest.py): {"ca": path or null,
//   "kraken":  {"url", "main", "starter", "pro", "nonce", "bench": [accounts]},
//   "binance": {"url", "main", "limited", "bench"}, "coingecko": {"url"}}
// Prints "ok - NAME" / "not ok - NAME: why" per check, then figures ("bench: ..."), and a closing
// "N passed, N failed"; exits 1 when a check failed.
'use strict';
const assert = require('assert/strict');
const fs = require('fs');
const http = require('http');
const https = require('https');
const ccxt = require('ccxt');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ca = cfg.ca ? fs.readFileSync(cfg.ca) : undefined;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let passed = 0;
let failed = 0;

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed += 1;
    console.log(`not ok - ${name}: ${(e && e.stack) || e}`.split('\n').slice(0, 6).join('\n  '));
  }
}

// --- raw HTTP(S) ---------------------------------------------------------------------------------

function agentFor(url, maxSockets = 16) {
  const mod = url.startsWith('https:') ? https : http;
  return new mod.Agent({ keepAlive: true, maxSockets, ca });
}

// one request; resolves {status, headers, text, json} (json undefined when the body is not JSON),
// or rejects on a connection error
function request(url, { method = 'GET', headers = {}, body, agent } = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method, headers, agent, ca }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const control = async (base, method, path, body) => {
  const r = await request(base + path, { method, body: body && JSON.stringify(body), headers: body ? { 'Content-Type': 'application/json' } : {} });
  assert.equal(r.status, 200, `${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
};

// --- ccxt clients --------------------------------------------------------------------------------

// Kraken nonces for this process: microseconds, strictly increasing (ccxt's own nonce is the
// millisecond clock, which repeats when two requests leave within one millisecond)
let lastNonce = 0n;
function nextNonce() {
  const t = BigInt(Date.now()) * 1000n;
  lastNonce = t > lastNonce ? t : lastNonce + 1n;
  return lastNonce;
}

// ccxt's own throttle is off: the servers' limits are what is under test
function kraken(acct) {
  const ex = new ccxt.kraken({ apiKey: acct.key, secret: acct.secret, timeout: 15000, enableRateLimit: false });
  ex.nonce = () => String(nextNonce());
  ex.urls.api.private = cfg.kraken.url;
  ex.urls.api.public = cfg.kraken.url;
  return ex;
}

function binance(acct) {
  const ex = new ccxt.binance({ apiKey: acct.key, secret: acct.secret, timeout: 15000, enableRateLimit: false });
  ex.urls.api.private = `${cfg.binance.url}/api/v3`;
  ex.urls.api.public = `${cfg.binance.url}/api/v3`;
  ex.urls.api.sapi = `${cfg.binance.url}/sapi/v1`;
  return ex;
}

// one ccxt exchange object per account for sign() alone (making one takes milliseconds)
const signers = new Map();
function signer(make, acct) {
  const k = `${make.name}:${acct.key}`;
  if (!signers.has(k)) signers.set(k, make(acct));
  return signers.get(k);
}

// a Kraken private request signed by ccxt's sign() with the nonce given; sent raw
function krakenSigned(acct, method, params, nonce) {
  const ex = signer(kraken, acct);
  ex.nonce = () => String(nonce);
  return ex.sign(method, 'private', 'POST', params);
}
const sendKraken = (s, agent) => request(s.url, { method: 'POST', headers: s.headers, body: s.body, agent });

// a Binance signed GET built by ccxt's sign() with the timestamp given (default now)
function binanceSigned(acct, path, api, params, timestamp) {
  const ex = signer(binance, acct);
  ex.nonce = () => (timestamp !== undefined ? timestamp : Date.now());
  return ex.sign(path, api, 'GET', { ...params });
}
const sendBinance = (s, agent) => request(s.url, { headers: s.headers, agent });

const krakenError = (r) => (r.json && r.json.error && r.json.error[0]) || null;

// ================================================================================================

async function knownAnswers() {
  // the servers' verifiers (ccxt's sign() over the received bytes) against the examples in
  // Kraken's and Binance's API documentation
  await check('kraken verifier: the API documentation\'s example API-Sign', async () => {
    const { Account } = require('./kraken');
    const a = new Account({ key: 'doc', secret: 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==', seed: 0, trades: 0 });
    const body = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
    assert.equal(a.expectedSign('AddOrder', '1616492376594', body), '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==');
  });
  await check('binance verifier: the API documentation\'s example HMAC signature', async () => {
    const { Account } = require('./binance');
    const a = new Account({ key: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A', secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j', seed: 0, trades: 0 });
    const q = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    assert.equal(a.expectedSignature({ path: 'order', api: 'private' }, '1499827319559', q), 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
  });
}

// requests signed by hand from the documented algorithms (node's crypto, no ccxt), with the
// parameters in another order than ccxt's: the servers check the bytes sent, not a re-encoding
async function handSigned() {
  const crypto = require('crypto');
  await check('kraken: a request signed from the docs with node crypto, nonce last in the body, is accepted', async () => {
    const a = cfg.kraken.nonce;
    const nonce = String(nextNonce());
    const body = `ofs=0&type=all&nonce=${nonce}`;
    const sha = crypto.createHash('sha256').update(nonce + body).digest();
    const sig = crypto.createHmac('sha512', Buffer.from(a.secret, 'base64')).update(Buffer.concat([Buffer.from('/0/private/Ledgers'), sha])).digest('base64');
    const r = await request(`${cfg.kraken.url}/0/private/Ledgers`, { method: 'POST', body, headers: { 'API-Key': a.key, 'API-Sign': sig, 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(r.json.error, []);
    assert.ok(r.json.result.count > 0);
  });
  await check('binance: a request signed from the docs with node crypto, timestamp and recvWindow last, is accepted', async () => {
    const a = cfg.binance.main;
    const q = `symbol=ETHBTC&fromId=0&limit=5&timestamp=${Date.now()}&recvWindow=10000`;
    const sig = crypto.createHmac('sha256', a.secret).update(q).digest('hex');
    const r = await request(`${cfg.binance.url}/api/v3/myTrades?${q}&signature=${sig}`, { headers: { 'X-MBX-APIKEY': a.key } });
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json));
  });
}

async function krakenChecks() {
  const K = cfg.kraken;
  const base = K.url;
  await control(base, 'POST', '/__control/reset', {});
  const exp = await control(base, 'GET', `/__control/expected?key=${encodeURIComponent(K.main.key)}`);

  await check('kraken: ccxt Balance answers the account balances', async () => {
    const r = await kraken(K.main).privatePostBalance();
    assert.deepEqual(r, { error: [], result: exp.balances });
    for (const [a, v] of Object.entries(r.result)) {
      assert.match(v, /^\d+\.\d+$/, a);
      assert.equal(v.split('.')[1].length, /^Z/.test(a) ? 4 : a === 'USDT' || a === 'ADA' || a === 'XXRP' ? 8 : 10, a);
    }
  });

  await check('kraken: ccxt pages through Ledgers (ofs, 50 a page, newest first): every entry once, as expected', async () => {
    const ex = kraken(K.main);
    const seen = new Map();
    let ofs = 0;
    let pages = 0;
    let count = null;
    let last = Infinity;
    for (;;) {
      const r = await ex.privatePostLedgers({ ofs });
      pages += 1;
      assert.deepEqual(r.error, []);
      count = r.result.count;
      const ids = Object.keys(r.result.ledger);
      assert.ok(ids.length <= 50);
      for (const id of ids) {
        assert.ok(!seen.has(id), `ledger ${id} twice`);
        const e = r.result.ledger[id];
        assert.ok(e.time <= last, 'not newest first');
        last = e.time;
        seen.set(id, e);
      }
      ofs += ids.length;
      if (ids.length === 0 || ofs >= count) break;
    }
    assert.equal(count, exp.ledger.length);
    assert.equal(seen.size, exp.ledger.length);
    assert.equal(pages, Math.ceil(exp.ledger.length / 50));
    for (const { id, ...rest } of exp.ledger) assert.deepEqual(seen.get(id), rest, id);
    // a trade is two entries with one refid: a spent (negative) and a received (positive) asset
    const byRef = {};
    for (const e of seen.values()) if (e.type === 'trade') (byRef[e.refid] ||= []).push(e);
    assert.equal(Object.keys(byRef).length, exp.trades.length);
    for (const es of Object.values(byRef)) {
      assert.equal(es.length, 2);
      assert.equal(es.filter((e) => e.amount.startsWith('-')).length, 1);
      assert.equal(es[0].time, es[1].time);
    }
    // the running balance of each asset ends at the Balance answer
    const lastBal = {};
    for (const e of exp.ledger) lastBal[e.asset] = e.balance;
    assert.deepEqual(lastBal, exp.balances);
  });

  await check('kraken: Ledgers start is exclusive, end inclusive (unix seconds or ledger ids), count = all matching', async () => {
    const ex = kraken(K.main);
    const mid = exp.ledger[Math.floor(exp.ledger.length / 2)];
    const after = exp.ledger.filter((e) => e.time > mid.time);
    const upTo = exp.ledger.filter((e) => e.time <= mid.time);
    let r = await ex.privatePostLedgers({ start: String(mid.time) });
    assert.equal(r.result.count, after.length);
    assert.ok(Object.values(r.result.ledger).every((e) => e.time > mid.time));
    r = await ex.privatePostLedgers({ end: String(mid.time) });
    assert.equal(r.result.count, upTo.length);
    assert.ok(mid.id in r.result.ledger, 'end is inclusive');
    r = await ex.privatePostLedgers({ start: Math.floor(mid.time), end: Math.floor(mid.time) + 86400, type: 'trade' });
    assert.equal(r.result.count, exp.ledger.filter((e) => e.type === 'trade' && e.time > Math.floor(mid.time) && e.time <= Math.floor(mid.time) + 86400).length);
    const idx = exp.ledger.indexOf(mid);
    r = await ex.privatePostLedgers({ start: mid.id });
    assert.equal(r.result.count, exp.ledger.length - idx - 1);
    r = await ex.privatePostLedgers({ asset: 'XXBT,ZUSD', without_count: true });
    assert.ok(!('count' in r.result));
    assert.ok(Object.values(r.result.ledger).every((e) => e.asset === 'XXBT' || e.asset === 'ZUSD'));
  });

  const nk = K.nonce;
  await check('kraken: a replayed or lower nonce is refused (EAPI:Invalid nonce); a higher one goes through', async () => {
    const n0 = nextNonce();
    nextNonce();
    const s = krakenSigned(nk, 'Balance', {}, n0);
    assert.equal(krakenError(await sendKraken(s)), null);
    assert.equal(krakenError(await sendKraken(s)), 'EAPI:Invalid nonce');
    assert.equal(krakenError(await sendKraken(krakenSigned(nk, 'Balance', {}, n0 - 1n))), 'EAPI:Invalid nonce');
    assert.equal(krakenError(await sendKraken(krakenSigned(nk, 'Ledgers', { ofs: 0 }, n0 + 1n))), null);
  });

  await check('kraken: one byte of API-Sign changed, a body it does not sign, no API-Sign -> EAPI:Invalid signature (nonce not consumed)', async () => {
    const n = nextNonce();
    const good = krakenSigned(nk, 'Ledgers', { ofs: 0 }, n);
    const sig = good.headers['API-Sign'];
    const flipped = (sig[5] === 'A' ? 'B' : 'A');
    const bad = { ...good, headers: { ...good.headers, 'API-Sign': sig.slice(0, 5) + flipped + sig.slice(6) } };
    let r = await sendKraken(bad);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { error: ['EAPI:Invalid signature'] });
    r = await sendKraken({ ...good, body: good.body.replace('ofs=0', 'ofs=1') });
    assert.equal(krakenError(r), 'EAPI:Invalid signature');
    const noSign = { ...good.headers };
    delete noSign['API-Sign'];
    assert.equal(krakenError(await sendKraken({ ...good, headers: noSign })), 'EAPI:Invalid signature');
    assert.equal(krakenError(await sendKraken(good)), null); // the same nonce, correctly signed
  });

  await check('kraken: an unknown API-Key -> EAPI:Invalid key', async () => {
    const other = { key: 'X'.repeat(56), secret: nk.secret };
    assert.equal(krakenError(await sendKraken(krakenSigned(other, 'Balance', {}, nextNonce()))), 'EAPI:Invalid key');
  });

  await check('kraken: starter tier: 7 Ledgers (2 each, max 15) then EAPI:Rate limit exceeded; a Balance (1) still fits', async () => {
    const a = K.starter;
    const results = [];
    for (let i = 0; i < 9; i++) results.push(krakenError(await sendKraken(krakenSigned(a, 'Ledgers', {}, nextNonce()))));
    assert.deepEqual(results.slice(0, 7), Array(7).fill(null));
    assert.deepEqual(results.slice(7), ['EAPI:Rate limit exceeded', 'EAPI:Rate limit exceeded']);
    assert.equal(krakenError(await sendKraken(krakenSigned(a, 'Balance', {}, nextNonce()))), null);
    assert.equal(krakenError(await sendKraken(krakenSigned(a, 'Balance', {}, nextNonce()))), 'EAPI:Rate limit exceeded');
  });

  await check('kraken: pro tier: 10 Ledgers then limited; after 2.1 s (decay 1/s) one more Ledgers fits', async () => {
    const a = K.pro;
    const results = [];
    for (let i = 0; i < 11; i++) results.push(krakenError(await sendKraken(krakenSigned(a, 'Ledgers', {}, nextNonce()))));
    assert.deepEqual(results, [...Array(10).fill(null), 'EAPI:Rate limit exceeded']);
    await sleep(2100);
    assert.equal(krakenError(await sendKraken(krakenSigned(a, 'Ledgers', {}, nextNonce()))), null);
    assert.equal(krakenError(await sendKraken(krakenSigned(a, 'Ledgers', {}, nextNonce()))), 'EAPI:Rate limit exceeded');
  });

  await check('kraken: fault rate_limit n=2 (one key) -> ccxt gets DDoSProtection twice, then succeeds', async () => {
    await control(base, 'POST', '/__control/fault', { kind: 'rate_limit', n: 2, key: K.main.key });
    const ex = kraken(K.main);
    for (let i = 0; i < 2; i++) await assert.rejects(ex.privatePostBalance(), (e) => e instanceof ccxt.DDoSProtection && /Rate limit exceeded/.test(e.message));
    await ex.privatePostBalance();
  });

  await check('kraken: fault die_after_pages n=2 times=1 -> third page: connection closed, no answer; then pages again', async () => {
    await control(base, 'POST', '/__control/fault', { kind: 'die_after_pages', n: 2, times: 1 });
    const ex = kraken(K.main);
    await ex.privatePostLedgers({ ofs: 0 });
    await ex.privatePostLedgers({ ofs: 50 });
    await assert.rejects(ex.privatePostLedgers({ ofs: 100 }), (e) => e instanceof ccxt.NetworkError);
    const r = await ex.privatePostLedgers({ ofs: 100 });
    assert.ok(Object.keys(r.result.ledger).length > 0);
    await control(base, 'POST', '/__control/fault', { kind: 'none' });
  });

  await check('kraken: fault garbage_after_pages n=1 times=1 -> the second page is not JSON', async () => {
    await control(base, 'POST', '/__control/fault', { kind: 'garbage_after_pages', n: 1, times: 1 });
    const ex = kraken(K.main);
    await ex.privatePostLedgers({ ofs: 0 });
    const r = await sendKraken(krakenSigned(K.main, 'Ledgers', { ofs: 50 }, nextNonce()));
    assert.equal(r.json, undefined);
    assert.match(r.text, /Bad Gateway/);
    await control(base, 'POST', '/__control/fault', { kind: 'none' });
  });

  await check('kraken: stats count endpoints, rejections by reason, faults, and record every nonce in arrival order', async () => {
    const st = await control(base, 'GET', '/__control/stats');
    assert.ok(st.requests['POST /0/private/Ledgers'] > 20);
    assert.ok(st.requests['POST /0/private/Balance'] > 5);
    for (const reason of ['invalid_nonce', 'invalid_signature', 'invalid_key', 'rate_limited']) assert.ok(st.rejected[reason] > 0, reason);
    assert.equal(st.faults_fired.die, 1);
    assert.equal(st.faults_fired.garbage, 1);
    assert.equal(st.faults_fired.rate_limit, 2);
    const ns = st.nonces[nk.key].map(BigInt);
    // the nonce account's authentic requests: n0, n0 (replay), n0-1, n0+1, n (bad signatures are not recorded)
    assert.equal(ns.length, 5);
    assert.equal(ns[1], ns[0]);
    assert.equal(ns[2], ns[0] - 1n);
    const main = st.nonces[K.main.key].map(BigInt);
    assert.ok(main.every((v, i) => i === 0 || v > main[i - 1]), 'ccxt nonces strictly increase');
    assert.ok(st.max_concurrent_connections >= 1 && st.connections >= 1);
    assert.ok(st.signature_checks >= main.length);
  });
}

// ================================================================================================

async function binanceChecks() {
  const B = cfg.binance;
  const base = B.url;
  await control(base, 'POST', '/__control/reset', {});
  const exp = await control(base, 'GET', `/__control/expected?key=${B.main.key}`);

  await check('binance: ccxt account answers the balances; X-MBX-USED-WEIGHT-1M grows by 20', async () => {
    const ex = binance(B.main);
    const r = await ex.privateGetAccount();
    assert.deepEqual(r.balances, exp.balances);
    assert.equal(r.accountType, 'SPOT');
    const r1 = await sendBinance(binanceSigned(B.main, 'account', 'private', {}));
    const r2 = await sendBinance(binanceSigned(B.main, 'account', 'private', { omitZeroBalances: 'true' }));
    assert.equal(Number(r2.headers['x-mbx-used-weight-1m']) - Number(r1.headers['x-mbx-used-weight-1m']), 20);
    assert.ok(r2.json.balances.length < r1.json.balances.length);
    assert.ok(r2.json.balances.every((b) => /[1-9]/.test(b.free + b.locked)));
  });

  await check('binance: exchangeInfo (public) lists the symbols with baseAsset, quoteAsset, status', async () => {
    const r = await binance(B.main).publicGetExchangeInfo();
    assert.deepEqual(r.symbols.map((s) => ({ symbol: s.symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset, status: s.status })), exp.symbols);
    assert.ok(Math.abs(r.serverTime - Date.now()) < 5000);
    const one = await binance(B.main).publicGetExchangeInfo({ symbol: 'ETHBTC' });
    assert.deepEqual(one.symbols.map((s) => s.symbol), ['ETHBTC']);
  });

  await check('binance: ccxt pages myTrades by fromId (limit 7) for every symbol: every trade once, ascending, as expected', async () => {
    const ex = binance(B.main);
    const got = [];
    let pages = 0;
    for (const { symbol } of exp.symbols) {
      let fromId = 0;
      for (;;) {
        const page = await ex.privateGetMyTrades({ symbol, fromId, limit: 7 });
        pages += 1;
        assert.ok(page.length <= 7);
        for (let i = 1; i < page.length; i++) assert.ok(page[i].id > page[i - 1].id);
        got.push(...page);
        if (page.length < 7) break;
        fromId = page[page.length - 1].id + 1;
      }
    }
    const key = (t) => `${t.symbol}:${t.id}`;
    assert.equal(new Set(got.map(key)).size, got.length, 'a trade came twice');
    const sortT = (l) => [...l].sort((a, b) => a.time - b.time || key(a).localeCompare(key(b)));
    assert.deepEqual(sortT(got), sortT(exp.trades));
    assert.ok(pages > exp.symbols.length);
  });

  await check('binance: myTrades without fromId = the most recent (default 500); 24 h windows; bad combinations refused', async () => {
    const ex = binance(B.main);
    const sym = exp.trades[0].symbol;
    const mine = exp.trades.filter((t) => t.symbol === sym).sort((a, b) => a.id - b.id);
    assert.deepEqual(await ex.privateGetMyTrades({ symbol: sym, limit: 3 }), mine.slice(-3));
    assert.equal((await ex.privateGetMyTrades({ symbol: sym })).length, Math.min(500, mine.length));
    const t = mine[Math.floor(mine.length / 2)];
    const win = await ex.privateGetMyTrades({ symbol: sym, startTime: t.time - 12 * 3600e3, endTime: t.time + 12 * 3600e3 });
    assert.deepEqual(win, mine.filter((x) => x.time >= t.time - 12 * 3600e3 && x.time <= t.time + 12 * 3600e3));
    let r = await sendBinance(binanceSigned(B.main, 'myTrades', 'private', { symbol: sym, startTime: t.time, endTime: t.time + 25 * 3600e3 }));
    assert.deepEqual([r.status, r.json.code], [400, -1127]);
    r = await sendBinance(binanceSigned(B.main, 'myTrades', 'private', { symbol: sym, fromId: 1, startTime: t.time }));
    assert.deepEqual([r.status, r.json.code], [400, -1128]);
    r = await sendBinance(binanceSigned(B.main, 'myTrades', 'private', { symbol: 'NOPEBTC' }));
    assert.deepEqual([r.status, r.json], [400, { code: -1121, msg: 'Invalid symbol.' }]);
    r = await sendBinance(binanceSigned(B.main, 'myTrades', 'private', { symbol: sym, limit: 1001 }));
    assert.deepEqual([r.status, r.json.code], [400, -1130]);
  });

  await check('binance: deposits and withdrawals in 89-day windows: every record once, newest first, as expected', async () => {
    const ex = binance(B.main);
    const deps = [];
    const wds = [];
    const w = 89 * 86400e3;
    for (let s = Date.UTC(2022, 11, 1); s < Date.UTC(2024, 1, 1); s += w + 1) {
      const d = await ex.sapiGetCapitalDepositHisrec({ startTime: s, endTime: s + w });
      const x = await ex.sapiGetCapitalWithdrawHistory({ startTime: s, endTime: s + w });
      for (let i = 1; i < d.length; i++) assert.ok(d[i - 1].insertTime >= d[i].insertTime);
      for (let i = 1; i < x.length; i++) assert.ok(x[i - 1].applyTime >= x[i].applyTime);
      deps.push(...d);
      wds.push(...x);
    }
    const byId = (l) => [...l].sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(byId(deps), byId(exp.deposits));
    assert.deepEqual(byId(wds), byId(exp.withdrawals));
    assert.ok(exp.deposits.some((d) => d.status === 0), 'a pending deposit');
    assert.ok(exp.withdrawals.some((d) => d.status === 1), 'a cancelled withdrawal');
    assert.match(exp.withdrawals[0].applyTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  await check('binance: a wallet-history window of 90 days or more (or an old startTime alone) -> -4047', async () => {
    const s = Date.UTC(2023, 0, 1);
    for (const params of [{ startTime: s, endTime: s + 90 * 86400e3 }, { startTime: s, endTime: s + 91 * 86400e3 }, { startTime: s }]) {
      for (const path of ['capital/deposit/hisrec', 'capital/withdraw/history']) {
        const r = await sendBinance(binanceSigned(B.main, path, 'sapi', params));
        assert.deepEqual([r.status, r.json], [400, { code: -4047, msg: 'Time interval must be within 0-90 days' }], JSON.stringify(params));
      }
    }
    const r = await sendBinance(binanceSigned(B.main, 'capital/deposit/hisrec', 'sapi', { startTime: s, endTime: s + 90 * 86400e3 - 1 }));
    assert.equal(r.status, 200);
  });

  await check('binance: one hex digit of the signature changed -> 400 -1022; upper-case hex accepted', async () => {
    const s = binanceSigned(B.main, 'account', 'private', {});
    const m = /signature=([0-9a-f]+)$/.exec(s.url);
    const sig = m[1];
    const bad = s.url.slice(0, s.url.length - 1) + (sig.endsWith('0') ? '1' : '0');
    let r = await request(bad, { headers: s.headers });
    assert.deepEqual([r.status, r.json], [400, { code: -1022, msg: 'Signature for this request is not valid.' }]);
    r = await request(s.url.replace(sig, sig.toUpperCase()), { headers: s.headers });
    assert.equal(r.status, 200);
    const t = binanceSigned(B.main, 'myTrades', 'private', { symbol: 'ETHBTC', fromId: 5 });
    r = await request(t.url.replace('fromId=5', 'fromId=6'), { headers: t.headers });
    assert.equal(r.json.code, -1022);
  });

  await check('binance: a timestamp 2 minutes old -> 400 -1021 outside the recvWindow; 2 s ahead -> -1021; recvWindow 60000 takes 50 s', async () => {
    let r = await sendBinance(binanceSigned(B.main, 'account', 'private', {}, Date.now() - 120000));
    assert.deepEqual([r.status, r.json], [400, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' }]);
    r = await sendBinance(binanceSigned(B.main, 'account', 'private', {}, Date.now() + 2000));
    assert.deepEqual([r.status, r.json], [400, { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." }]);
    r = await sendBinance(binanceSigned(B.main, 'account', 'private', { recvWindow: 60000 }, Date.now() - 50000));
    assert.equal(r.status, 200);
    r = await sendBinance(binanceSigned(B.main, 'account', 'private', { recvWindow: 70000 }));
    assert.deepEqual([r.status, r.json.code], [400, -1131]);
  });

  await check('binance: key missing or malformed -> 401 -2014; unknown key -> 401 -2015; no signature -> -1102', async () => {
    const s = binanceSigned(B.main, 'account', 'private', {});
    let r = await request(s.url, {});
    assert.deepEqual([r.status, r.json], [401, { code: -2014, msg: 'API-key format invalid.' }]);
    r = await request(s.url, { headers: { 'X-MBX-APIKEY': 'short' } });
    assert.equal(r.json.code, -2014);
    const other = { key: 'Q'.repeat(64), secret: B.main.secret };
    r = await sendBinance(binanceSigned(other, 'account', 'private', {}));
    assert.deepEqual([r.status, r.json], [401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }]);
    r = await request(s.url.replace(/&signature=.*$/, ''), { headers: s.headers });
    assert.deepEqual([r.status, r.json.code], [400, -1102]);
  });

  await check('binance: under load over the weight limit -> 429 with Retry-After and -1003; sending on -> 418 ban with Retry-After', async () => {
    const a = B.limited; // weight_limit 100: five account calls a minute
    const msLeft = 60000 - (Date.now() % 60000);
    if (msLeft < 3000) await sleep(msLeft + 50); // not across a minute boundary
    const agent = agentFor(base, 16);
    const rs = await Promise.all(Array.from({ length: 12 }, () => sendBinance(binanceSigned(a, 'account', 'private', {}), agent)));
    const ok = rs.filter((r) => r.status === 200);
    const limited = rs.filter((r) => r.status === 429);
    assert.equal(ok.length, 5);
    assert.equal(limited.length, 7);
    for (const r of limited) {
      const ra = Number(r.headers['retry-after']);
      assert.ok(ra >= 1 && ra <= 60, `Retry-After ${r.headers['retry-after']}`);
      assert.equal(r.json.code, -1003);
      assert.match(r.json.msg, /^Too much request weight used; current limit is 100 request weight per 1 MINUTE/);
    }
    await sleep(300); // past the 250 ms allowed for requests already in flight
    const ban = await sendBinance(binanceSigned(a, 'account', 'private', {}), agent);
    assert.equal(ban.status, 418);
    assert.equal(ban.json.code, -1003);
    assert.ok(Number(ban.headers['retry-after']) >= 1);
    agent.destroy();
    const st = await control(base, 'GET', '/__control/stats');
    assert.ok(st.sent_429 >= 7 && st.sent_418 >= 1);
    assert.ok(st.max_concurrent_connections >= 2, `max concurrent ${st.max_concurrent_connections}`);
  });

  await check('binance: fault rate_limit -> 429 Retry-After 1; waiting 1 s is fine, retrying within it earns a 418', async () => {
    await control(base, 'POST', '/__control/fault', { kind: 'rate_limit', n: 2, key: B.main.key });
    let r = await sendBinance(binanceSigned(B.main, 'account', 'private', {}));
    assert.deepEqual([r.status, r.headers['retry-after'], r.json.code], [429, '1', -1003]);
    await sleep(1100);
    r = await sendBinance(binanceSigned(B.main, 'account', 'private', {}));
    assert.equal(r.status, 429);
    await sleep(300);
    r = await sendBinance(binanceSigned(B.main, 'account', 'private', {}));
    assert.deepEqual([r.status, r.json.code], [418, -1003]);
    await control(base, 'POST', '/__control/reset', {});
    r = await sendBinance(binanceSigned(B.main, 'account', 'private', {}));
    assert.equal(r.status, 200);
  });

  await check('binance: faults die_after_pages / garbage_after_pages on history pages', async () => {
    await control(base, 'POST', '/__control/fault', { kind: 'die_after_pages', n: 1, times: 1 });
    const q = { symbol: exp.trades[0].symbol, fromId: 0, limit: 5 };
    let r = await sendBinance(binanceSigned(B.main, 'myTrades', 'private', q));
    assert.equal(r.status, 200);
    await assert.rejects(sendBinance(binanceSigned(B.main, 'myTrades', 'private', q)), /socket hang up|ECONNRESET/);
    r = await sendBinance(binanceSigned(B.main, 'account', 'private', {}));
    assert.equal(r.status, 200, 'not a history page');
    await control(base, 'POST', '/__control/fault', { kind: 'none' });
    await control(base, 'POST', '/__control/fault', { kind: 'garbage_after_pages', n: 0, times: 1, status: 502 });
    r = await sendBinance(binanceSigned(B.main, 'capital/deposit/hisrec', 'sapi', { startTime: Date.UTC(2023, 0, 1), endTime: Date.UTC(2023, 2, 1) }));
    assert.equal(r.status, 502);
    assert.equal(r.json, undefined);
    await control(base, 'POST', '/__control/fault', { kind: 'none' });
  });

  await check('binance: stats record each authentic request timestamp in arrival order', async () => {
    await control(base, 'POST', '/__control/reset', {});
    const sent = [];
    for (let i = 0; i < 5; i++) {
      const ts = Date.now() - 10 * i;
      sent.push(ts);
      await sendBinance(binanceSigned(B.main, 'account', 'private', {}, ts));
    }
    const st = await control(base, 'GET', '/__control/stats');
    assert.deepEqual(st.timestamps[B.main.key], sent);
    assert.equal(st.requests['GET /api/v3/account'], 5);
  });
}

// ================================================================================================

async function coingeckoChecks() {
  const base = cfg.coingecko.url;
  await check('coingecko: simple price answers the ids and currencies asked, unknown ones left out', async () => {
    const exp = await control(base, 'GET', '/__control/expected');
    const r = await request(`${base}/api/v3/simple/price?ids=bitcoin,ethereum,not-a-coin&vs_currencies=usd,eur,xyz`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {
      bitcoin: { usd: exp.prices.bitcoin.usd, eur: exp.prices.bitcoin.eur },
      ethereum: { usd: exp.prices.ethereum.usd, eur: exp.prices.ethereum.eur },
    });
    assert.deepEqual((await request(`${base}/api/v3/simple/price?ids=not-a-coin&vs_currencies=usd`)).json, {});
    assert.equal((await request(`${base}/api/v3/simple/price?ids=bitcoin`)).status, 400);
  });
  await check('coingecko: fault rate_limit -> 429 with CoinGecko\'s body, then prices again', async () => {
    await control(base, 'POST', '/__control/fault', { kind: 'rate_limit', n: 1 });
    let r = await request(`${base}/api/v3/simple/price?ids=bitcoin&vs_currencies=usd`);
    assert.equal(r.status, 429);
    assert.equal(r.json.status.error_code, 429);
    r = await request(`${base}/api/v3/simple/price?ids=bitcoin&vs_currencies=usd`);
    assert.equal(r.status, 200);
  });
}

// ================================================================================================
// figures: requests per second over keep-alive connections, one sequential stream per connection
// (Kraken: one key per stream, as nonces must arrive in order); requests are signed beforehand so
// the client's ccxt signing is not timed

async function bench(name, streams, makeReq, send, good) {
  const reqs = streams.map((s) => makeReq(s));
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  const bad = await Promise.all(reqs.map(async (list) => {
    const agent = agentFor(cfg.kraken.url, 1);
    let n = 0;
    for (const r of list) {
      const a = await send(r, agent);
      bytes += a.text.length;
      if (!good(a)) n += 1;
    }
    agent.destroy();
    return n;
  }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const total = reqs.reduce((a, l) => a + l.length, 0);
  console.log(`bench: ${name}: ${total} requests (answers of ${Math.round(bytes / total)} bytes) over ${streams.length} keep-alive connections in ${secs.toFixed(2)} s = ${Math.round(total / secs)} req/s`);
  assert.equal(bad.reduce((a, b) => a + b, 0), 0, `${name}: refused answers`);
}

async function benches() {
  const N = 400;
  await check('bench: kraken Balance and Ledgers pages, binance account and myTrades pages', async () => {
    await bench('kraken Balance', cfg.kraken.bench, (a) => Array.from({ length: N }, () => krakenSigned(a, 'Balance', {}, nextNonce())), sendKraken, (r) => r.status === 200 && r.json.error.length === 0);
    await bench('kraken Ledgers (50 entries a page)', cfg.kraken.bench, (a) => Array.from({ length: N }, () => krakenSigned(a, 'Ledgers', {}, nextNonce())), sendKraken, (r) => r.status === 200 && Object.keys(r.json.result.ledger).length === 50);
    await bench('binance account', cfg.binance.bench.map((a) => a), (a) => Array.from({ length: N }, () => binanceSigned(a, 'account', 'private', { recvWindow: 60000 })),
      sendBinance, (r) => r.status === 200);
    await bench('binance myTrades (limit 1000: all of the account\'s BTCUSDT trades)', cfg.binance.bench.map((a) => a), (a) => Array.from({ length: N / 4 }, () => binanceSigned(a, 'myTrades', 'private', { symbol: 'BTCUSDT', fromId: 0, limit: 1000, recvWindow: 60000 })),
      sendBinance, (r) => r.status === 200 && Array.isArray(r.json));
  });
}

(async () => {
  await knownAnswers();
  await handSigned();
  await krakenChecks();
  await binanceChecks();
  await coingeckoChecks();
  await benches();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log(`not ok - selftest crashed: ${e.stack}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
