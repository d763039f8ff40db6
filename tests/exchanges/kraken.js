// kraken.js — Kraken's private REST API as pipit's Kraken client uses it (see server.js for the
// whole picture). Every private request's API-Sign is recomputed by ccxt's own kraken.sign() and
// compared with what the client sent.
//
// POST /0/private/Balance, /0/private/Ledgers: form-encoded bodies (JSON bodies are accepted too)
// with a nonce, headers API-Key and API-Sign = base64(HMAC-SHA512(base64decode(secret),
// path || SHA256(nonce || body))), over the body exactly as sent (any parameter order). Every
// answer is HTTP 200 {"error": [...], "result": ...} ("result" only without errors), checked in
// this order:
//   unknown API-Key                          EAPI:Invalid key
//   API-Sign missing or not the expected one EAPI:Invalid signature   (the nonce is not used up)
//   nonce not an unsigned 64-bit integer, or not above the last accepted nonce of the key
//                                            EAPI:Invalid nonce        (the nonce is recorded)
//   call counter over the tier's maximum     EAPI:Rate limit exceeded (the nonce is used up)
//   bad Ledgers parameters                   EGeneral:Invalid arguments
// Another /0/private/ method is HTTP 404 EGeneral:Unknown method; GET on one, EGeneral:Invalid
// arguments. GET /0/public/Time answers {"unixtime", "rfc1123"}.
// The call counter: per key, Ledgers +2, Balance +1, decaying continuously by the tier's rate
// (starter 15 max, 0.33/s; intermediate 20, 0.5/s; pro 20, 1/s; unlimited: none); a call that
// would take it over the maximum is refused and adds nothing.
// Balance: {"XXBT": "1.2345000000", "ZUSD": "100.0000", ...}: the account's assets with Kraken's
// names and decimals (ZUSD/ZEUR 4, USDT/ADA/XXRP 8, the rest 10), the final running balances of
// the ledger (or the state file's "balances").
// Ledgers: start (exclusive) and end (inclusive), each a unix time in seconds (decimals allowed)
// or a ledger id; ofs; type (all, trade, deposit, withdrawal, transfer, staking, ...); asset
// (comma list); aclass (currency); without_count. The matching entries newest first (same time:
// the later-made entry first), 50 from ofs: {"ledger": {"L...": {refid, time (seconds, 4
// decimals), type, subtype, aclass, asset, amount, fee, balance}}, "count": all matching}. A
// trade is two entries with one refid ("T..."), the same time: the spent asset negative, the
// received asset positive, the 0.26% fee in "fee" of the quote-asset entry; balance = previous
// balance + amount - fee. Deposits and withdrawals ("FT..." refids): one entry each, a withdrawal
// negative with its fee. Staking: "transfer" pairs (subtype spottostaking on DOT/XETH, negative;
// stakingfromspot on DOT.S/ETH2.S, positive, one "BU..." refid) and "staking" rewards on
// DOT.S/ETH2.S.
'use strict';
const ccxt = require('ccxt');
const { krakenHistory } = require('./history');

// Kraken's REST call counter per API key: Ledgers costs 2, other calls 1; the counter decays
// continuously at the tier's rate, and a call that would take it over the maximum is refused
const TIERS = {
  starter: { max: 15, decay: 0.33 },
  intermediate: { max: 20, decay: 0.5 },
  pro: { max: 20, decay: 1 },
  unlimited: { max: Infinity, decay: 0 }, // not Kraken's: for load tests
};
const METHODS = { Balance: 1, Ledgers: 2 };
const LEDGER_TYPES = new Set(['all', 'trade', 'deposit', 'withdrawal', 'transfer', 'margin', 'adjustment',
  'rollover', 'credit', 'settled', 'staking', 'dividend', 'sale', 'nft_rebate']);
const PAGE = 50;
const MAX_NONCE = (1n << 64n) - 1n;

class Account {
  constructor(a) {
    if (typeof a.key !== 'string' || !a.key) throw new Error('kraken account: key must be a non-empty string');
    if (typeof a.secret !== 'string' || Buffer.from(a.secret, 'base64').length !== 64) {
      throw new Error(`kraken account ${a.key}: secret must be base64 of 64 bytes`);
    }
    const tier = a.tier ?? 'starter';
    if (!TIERS[tier]) throw new Error(`kraken account ${a.key}: tier must be one of ${Object.keys(TIERS).join(', ')}`);
    this.src = a;
    this.key = a.key;
    this.tier = tier;
    const h = krakenHistory(a);
    this.ledger = h.ledger; // oldest first
    this.seq = new Map(this.ledger.map((e, i) => [e.id, i]));
    this.balances = a.balances ?? h.balances;
    // ccxt's kraken signs offline; its nonce and URL-encoder are pointed at the received request,
    // so sign() runs its own hashing and HMAC over exactly the bytes the client sent
    this.signer = new ccxt.kraken({ apiKey: a.key, secret: a.secret });
    this.signer.nonce = () => this.pending.nonce;
    this.signer.urlencodeNested = () => this.pending.body;
    this.pending = null;
    this.resetState();
  }

  resetState() {
    this.lastNonce = null;
    this.counter = 0;
    this.counterAt = 0;
  }

  expectedSign(method, nonce, body) {
    this.pending = { nonce, body };
    try {
      const r = this.signer.sign(method, 'private', 'POST', {});
      if (r.body !== body) throw new Error('ccxt signed another body than the one received');
      return r.headers['API-Sign'];
    } finally {
      this.pending = null;
    }
  }
}

function createKraken(peer, state) {
  const accounts = new Map();
  const addAccounts = (list) => {
    for (const a of list || []) accounts.set(a.key, new Account(a));
    return [...accounts.keys()];
  };
  addAccounts(state.accounts);
  const nonces = {}; // key -> every nonce of an authentic request, in arrival order

  const answer = (result) => ({ status: 200, json: { error: [], result } });
  const fail = (reason, error, status = 200) => {
    peer.reject(reason);
    return { status, json: { error: [error] } };
  };

  function ledgers(acct, p) {
    const bad = () => fail('invalid_arguments', 'EGeneral:Invalid arguments');
    const ofs = p.ofs === undefined || p.ofs === '' ? 0 : /^\d+$/.test(p.ofs) ? Number(p.ofs) : NaN;
    if (!Number.isSafeInteger(ofs)) return bad();
    const type = p.type === undefined || p.type === '' ? 'all' : p.type;
    if (!LEDGER_TYPES.has(type)) return bad();
    const aclass = p.aclass === undefined || p.aclass === '' ? 'currency' : p.aclass;
    const assets = p.asset === undefined || p.asset === '' || p.asset === 'all' ? null : new Set(p.asset.split(','));
    // start (exclusive) and end (inclusive): a unix time (seconds, may have decimals) or a ledger id
    const bound = (v) => {
      if (v === undefined || v === '') return { ok: true, v: null };
      if (/^\d+(\.\d+)?$/.test(v)) return { ok: true, v: { time: Number(v) } };
      if (acct.seq.has(v)) return { ok: true, v: { seq: acct.seq.get(v) } };
      return { ok: false };
    };
    const s = bound(p.start);
    const e = bound(p.end);
    if (!s.ok || !e.ok) return bad();
    const sel = [];
    for (let i = acct.ledger.length - 1; i >= 0; i--) { // newest first
      const x = acct.ledger[i];
      if (aclass !== 'currency') continue;
      if (type !== 'all' && x.type !== type) continue;
      if (assets && !assets.has(x.asset)) continue;
      if (s.v && (s.v.time !== undefined ? !(x.time > s.v.time) : !(i > s.v.seq))) continue;
      if (e.v && (e.v.time !== undefined ? !(x.time <= e.v.time) : !(i <= e.v.seq))) continue;
      sel.push(x);
    }
    const fault = peer.historyPage(acct.key);
    if (fault) return fault;
    const ledger = {};
    for (const x of sel.slice(ofs, ofs + PAGE)) {
      const { id, ...rest } = x;
      ledger[id] = rest;
    }
    const result = { ledger };
    if (!(p.without_count === 'true' || p.without_count === '1')) result.count = sel.length;
    return answer(result);
  }

  function handle(ctx) {
    const now = peer.now();
    if (ctx.path === '/0/public/Time') {
      const t = Math.floor(now / 1000);
      return answer({ unixtime: t, rfc1123: new Date(t * 1000).toUTCString().replace('GMT', '+0000') });
    }
    const m = /^\/0\/private\/([A-Za-z]+)$/.exec(ctx.path);
    if (!m || !(m[1] in METHODS)) return fail('unknown_method', 'EGeneral:Unknown method', 404);
    const method = m[1];
    if (ctx.method !== 'POST') return fail('invalid_arguments', 'EGeneral:Invalid arguments');
    const raw = ctx.body.toString('utf8');
    let p = {};
    if (/^application\/json/i.test(ctx.headers['content-type'] || '')) {
      try {
        const v = JSON.parse(ctx.body.toString('utf8'));
        for (const [k, x] of Object.entries(v && typeof v === 'object' ? v : {})) p[k] = String(x);
      } catch {
        return fail('invalid_arguments', 'EGeneral:Invalid arguments');
      }
    } else {
      p = Object.fromEntries(new URLSearchParams(raw));
    }

    const key = ctx.headers['api-key'];
    const acct = key === undefined ? undefined : accounts.get(key);
    if (!acct) return fail('invalid_key', 'EAPI:Invalid key');
    const nonce = p.nonce ?? '';
    peer.stats.signature_checks += 1;
    const sign = ctx.headers['api-sign'];
    if (!sign || sign !== acct.expectedSign(method, nonce, raw)) return fail('invalid_signature', 'EAPI:Invalid signature');
    (nonces[key] ||= []).push(nonce);
    if (!/^\d{1,20}$/.test(nonce) || BigInt(nonce) > MAX_NONCE) return fail('invalid_nonce', 'EAPI:Invalid nonce');
    const n = BigInt(nonce);
    if (acct.lastNonce !== null && n <= acct.lastNonce) return fail('invalid_nonce', 'EAPI:Invalid nonce');
    acct.lastNonce = n;

    const tier = TIERS[acct.tier];
    acct.counter = Math.max(0, acct.counter - ((now - acct.counterAt) / 1000) * tier.decay);
    acct.counterAt = now;
    const cost = METHODS[method];
    if (peer.forcedRateLimit(key) || acct.counter + cost > tier.max) {
      return fail('rate_limited', 'EAPI:Rate limit exceeded');
    }
    acct.counter += cost;

    if (method === 'Balance') return answer(acct.balances);
    return ledgers(acct, p);
  }

  function expected(key) {
    const acct = accounts.get(key);
    if (!acct) return null;
    // trades: the two ledger entries sharing a refid, as spent / received / fee
    const byRef = new Map();
    for (const e of acct.ledger) if (e.type === 'trade') (byRef.get(e.refid) || byRef.set(e.refid, []).get(e.refid)).push(e);
    const trades = [];
    for (const [refid, es] of byRef) {
      const out = es.find((e) => e.amount.startsWith('-'));
      const inn = es.find((e) => !e.amount.startsWith('-'));
      const feeE = es.find((e) => /[1-9]/.test(e.fee)) || inn;
      trades.push({
        refid,
        time: out.time,
        spent: { asset: out.asset, amount: out.amount.slice(1) },
        received: { asset: inn.asset, amount: inn.amount },
        fee: { asset: feeE.asset, amount: feeE.fee },
      });
    }
    return { exchange: 'kraken', key, tier: acct.tier, balances: acct.balances, ledger: acct.ledger, trades };
  }

  return {
    name: 'kraken',
    addAccounts,
    handle,
    expected,
    endpoint: (ctx) => `${ctx.method} ${ctx.path}`,
    reset() {
      for (const a of accounts.values()) a.resetState();
      for (const k of Object.keys(nonces)) delete nonces[k];
    },
    stats: () => ({ nonces }),
    contentType: 'application/json; charset=utf-8',
  };
}

module.exports = { createKraken, Account, TIERS };
