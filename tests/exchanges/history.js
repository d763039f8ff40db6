// history.js — deterministic account histories for the exchange test servers.
//
// Everything here is a pure function of the account object from the state file (its seed and
// counts): the same account always yields the same ledger / trades / deposits / withdrawals,
// byte for byte, on any machine and Node version (integer PRNG, BigInt amounts, no wall clock).
//
//   krakenHistory(account)  -> { ledger: [entry, ...] oldest first, balances: {ASSET: "1.2340000000"} }
//   binanceHistory(account) -> { trades, deposits, withdrawals (oldest first), balances: [{asset, free, locked}] }
//
// Amounts are BigInt counts of 10^-SCALE units (SCALE 10 for Kraken, 8 for Binance) and are printed
// with the asset's own number of decimals, as each exchange prints them.
'use strict';
const crypto = require('crypto');

// --- PRNG: sfc32 seeded from sha256("pipit-exchange:" + exchange + ":" + seed) ------------------

class Rng {
  constructor(label) {
    const h = crypto.createHash('sha256').update(`pipit-exchange:${label}`).digest();
    this.s = [h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12)];
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32() {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = (s[1] ^ (s[1] >>> 9)) >>> 0;
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  float() { // [0, 1)
    return this.u32() / 4294967296;
  }

  int(lo, hi) { // lo..hi inclusive
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  pick(list) {
    return list[Math.floor(this.float() * list.length)];
  }

  chars(n, alphabet) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.u32() % alphabet.length];
    return s;
  }

  hex(n) {
    return this.chars(n, '0123456789abcdef');
  }

  shuffle(list) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = this.u32() % (i + 1);
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  }
}

// --- decimals ----------------------------------------------------------------------------------

// a float to BigInt units of 10^-decimals (rounded half up), for generated prices and sizes
function units(x, decimals) {
  return BigInt(Math.round(x * 10 ** Math.min(decimals, 12))) * 10n ** BigInt(Math.max(0, decimals - 12));
}

// round v (units of 10^-scale) to a multiple of 10^-(decimals): half up away from zero, or down
function quantize(v, scale, decimals, mode = 'half') {
  const step = 10n ** BigInt(scale - decimals);
  if (step === 1n) return v;
  const neg = v < 0n;
  const a = neg ? -v : v;
  let q = a / step;
  if (mode === 'half' && (a % step) * 2n >= step) q += 1n;
  return (neg ? -q : q) * step;
}

// units of 10^-scale printed with exactly `decimals` decimals ("-24.5000")
function fmt(v, scale, decimals) {
  const neg = v < 0n;
  let a = neg ? -v : v;
  a = quantize(a, scale, decimals);
  a /= 10n ** BigInt(scale - decimals);
  let s = a.toString().padStart(decimals + 1, '0');
  if (decimals > 0) s = s.slice(0, s.length - decimals) + '.' + s.slice(s.length - decimals);
  return (neg && a !== 0n ? '-' : '') + s;
}

// v * num / den rounded half up (all BigInt, v >= 0)
function mulDiv(v, num, den) {
  return (v * num * 2n + den) / (2n * den);
}

// --- time window -------------------------------------------------------------------------------

const DEFAULT_START = 1672531200; // 2023-01-01T00:00:00Z
const DEFAULT_END = 1704067200; // 2024-01-01T00:00:00Z

// n strictly increasing instants in [start, end) seconds, in units of 10^-4 s (Kraken's precision)
function instants(rng, n, start, end) {
  const span = (end - start) * 10000;
  const out = [];
  for (let i = 0; i < n; i++) out.push(start * 10000 + Math.floor(rng.float() * span));
  out.sort((a, b) => a - b);
  for (let i = 1; i < n; i++) if (out[i] <= out[i - 1]) out[i] = out[i - 1] + 1;
  return out;
}

function counts(account) {
  const trades = account.trades ?? 100;
  const num = (v, dflt) => (v === undefined || v === null ? dflt : v);
  return {
    trades,
    deposits: num(account.deposits, Math.max(2, Math.ceil(trades / 10))),
    withdrawals: num(account.withdrawals, Math.ceil(trades / 20)),
    staking: num(account.staking, Math.ceil(trades / 10)),
  };
}

// ================================================================================================
// Kraken
// ================================================================================================

const K_SCALE = 10;
// Kraken's asset names and the decimals its API prints them with
const K_ASSETS = {
  ZUSD: 4, ZEUR: 4, XXBT: 10, XETH: 10, USDT: 8, DOT: 10, 'DOT.S': 10, 'ETH2.S': 10, ADA: 8, SOL: 10, XXRP: 8,
};
// pairs traded: base, quote, price decimals, volume decimals, a starting price
const K_PAIRS = [
  { name: 'XXBTZUSD', base: 'XXBT', quote: 'ZUSD', pdec: 1, vdec: 8, price: 23000 },
  { name: 'XXBTZEUR', base: 'XXBT', quote: 'ZEUR', pdec: 1, vdec: 8, price: 21500 },
  { name: 'XETHZUSD', base: 'XETH', quote: 'ZUSD', pdec: 2, vdec: 8, price: 1600 },
  { name: 'XETHXXBT', base: 'XETH', quote: 'XXBT', pdec: 5, vdec: 8, price: 0.068 },
  { name: 'DOTUSD', base: 'DOT', quote: 'ZUSD', pdec: 4, vdec: 8, price: 6.1 },
  { name: 'ADAEUR', base: 'ADA', quote: 'ZEUR', pdec: 6, vdec: 8, price: 0.31 },
  { name: 'SOLUSD', base: 'SOL', quote: 'ZUSD', pdec: 2, vdec: 8, price: 21 },
  { name: 'USDTZUSD', base: 'USDT', quote: 'ZUSD', pdec: 4, vdec: 8, price: 1.0002 },
  { name: 'XXRPZEUR', base: 'XXRP', quote: 'ZEUR', pdec: 5, vdec: 8, price: 0.45 },
];
const K_FUNDING = [['ZUSD', 150000], ['ZEUR', 120000], ['XXBT', 2.5], ['XETH', 30], ['DOT', 800]];
const K_DEPOSIT_SIZE = { ZUSD: 20000, ZEUR: 15000, XXBT: 0.4, XETH: 5, USDT: 5000, DOT: 300, ADA: 6000, SOL: 60, XXRP: 4000 };
const K_WITHDRAW_FEE = {
  ZUSD: 5, ZEUR: 0.09, XXBT: 0.00015, XETH: 0.0035, USDT: 2.5, DOT: 0.05, ADA: 1, SOL: 0.01, XXRP: 0.02,
};
const K_STAKE = [['DOT', 'DOT.S'], ['XETH', 'ETH2.S']];
const K_FEE_BPS = 26n; // 0.26% taker fee, charged in the quote asset

const ALNUM_UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function krakenId(rng, prefix, used) {
  for (;;) {
    const id = `${prefix}${rng.chars(5, ALNUM_UP)}-${rng.chars(5, ALNUM_UP)}-${rng.chars(6, ALNUM_UP)}`;
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

function krakenHistory(account) {
  const rng = new Rng(`kraken:${account.seed}`);
  const c = counts(account);
  const start = account.history_start ?? DEFAULT_START;
  const end = account.history_end ?? DEFAULT_END;
  const bal = {}; // asset -> BigInt units
  const used = new Set();
  const ledger = [];
  const prices = K_PAIRS.map((p) => p.price);
  const one = 10n ** BigInt(K_SCALE);

  // the kinds of events in time order: funding deposits first, then a shuffled mix
  const nFunding = Math.min(c.deposits, K_FUNDING.length);
  const transfers = c.staking > 0 ? Math.max(1, Math.ceil(c.staking / 4)) : 0;
  const kinds = [];
  for (let i = 0; i < c.trades; i++) kinds.push('trade');
  for (let i = nFunding; i < c.deposits; i++) kinds.push('deposit');
  for (let i = 0; i < c.withdrawals; i++) kinds.push('withdrawal');
  for (let i = 0; i < transfers; i++) kinds.push('transfer');
  for (let i = 0; i < c.staking; i++) kinds.push('staking');
  rng.shuffle(kinds);
  // a reward needs staked funds: the first transfer goes before the first reward
  const ft = kinds.indexOf('transfer');
  const fs = kinds.indexOf('staking');
  if (ft > fs && fs >= 0) [kinds[ft], kinds[fs]] = [kinds[fs], kinds[ft]];
  const all = [];
  for (let i = 0; i < nFunding; i++) all.push('funding');
  all.push(...kinds);
  const times = instants(rng, all.length, start, end);

  const entry = (t, refid, type, subtype, asset, amount, fee) => {
    bal[asset] = (bal[asset] ?? 0n) + amount - fee;
    const d = K_ASSETS[asset];
    ledger.push({
      id: krakenId(rng, 'L', used),
      refid,
      time: t / 10000,
      type,
      subtype,
      aclass: 'currency',
      asset,
      amount: fmt(amount, K_SCALE, d),
      fee: fmt(fee, K_SCALE, d),
      balance: fmt(bal[asset], K_SCALE, d),
    });
  };
  const q = (v, asset, mode) => quantize(v, K_SCALE, K_ASSETS[asset], mode);
  const deposit = (t, asset, size) => {
    const amount = q(units(size * (0.5 + rng.float()), K_SCALE), asset, 'down');
    entry(t, `FT${rng.chars(5, ALNUM_UP)}-${rng.chars(5, ALNUM_UP)}-${rng.chars(6, ALNUM_UP)}`, 'deposit', '', asset, amount, 0n);
  };

  // one trade on pair i, buying or selling; false if the balances cannot pay for it
  const trade = (t, i, buy) => {
    const p = K_PAIRS[i];
    const price = units(prices[i], p.pdec) * 10n ** BigInt(K_SCALE - p.pdec);
    const frac = BigInt(Math.floor((0.02 + rng.float() * 0.23) * 10000));
    let vol;
    if (buy) {
      const spend = ((bal[p.quote] ?? 0n) * frac) / 10000n;
      vol = quantize((spend * one) / price, K_SCALE, p.vdec, 'down');
      if ((vol * price) / one > spend) vol -= 10n ** BigInt(K_SCALE - p.vdec);
    } else {
      vol = quantize(((bal[p.base] ?? 0n) * frac) / 10000n, K_SCALE, p.vdec, 'down');
    }
    if (vol <= 0n) return false;
    const cost = q(mulDiv(vol, price, one), p.quote, 'half');
    const fee = q(mulDiv(cost, K_FEE_BPS, 10000n), p.quote, 'half');
    if (cost <= 0n || (buy && cost + fee > (bal[p.quote] ?? 0n))) return false;
    const refid = krakenId(rng, 'T', used);
    if (buy) {
      entry(t, refid, 'trade', '', p.quote, -cost, fee);
      entry(t, refid, 'trade', '', p.base, vol, 0n);
    } else {
      entry(t, refid, 'trade', '', p.base, -vol, 0n);
      entry(t, refid, 'trade', '', p.quote, cost, fee);
    }
    return true;
  };

  let funded = 0;
  all.forEach((kind, idx) => {
    const t = times[idx];
    // prices drift between events (a random walk, a few percent per step)
    for (let i = 0; i < prices.length; i++) prices[i] *= Math.exp((rng.float() - 0.5) * 0.04);
    if (kind === 'funding') {
      const [asset, size] = K_FUNDING[funded++];
      deposit(t, asset, size);
    } else if (kind === 'deposit') {
      const asset = rng.pick(Object.keys(K_DEPOSIT_SIZE));
      deposit(t, asset, K_DEPOSIT_SIZE[asset]);
    } else if (kind === 'trade') {
      const first = rng.int(0, K_PAIRS.length - 1);
      const buy = rng.float() < 0.55;
      for (let k = 0; k < 2 * K_PAIRS.length; k++) {
        const i = (first + (k >> 1)) % K_PAIRS.length;
        if (trade(t, i, (k & 1) ? !buy : buy)) return;
      }
      // nothing affordable: fund the quote of the chosen pair and buy
      deposit(t, K_PAIRS[first].quote, K_DEPOSIT_SIZE[K_PAIRS[first].quote]);
      if (!trade(t, first, true)) throw new Error('kraken history: a funded trade failed');
    } else if (kind === 'withdrawal') {
      const assets = Object.keys(K_WITHDRAW_FEE).filter((a) => (bal[a] ?? 0n) > 0n);
      const a0 = rng.int(0, Math.max(0, assets.length - 1));
      for (let k = 0; k < assets.length; k++) {
        const asset = assets[(a0 + k) % assets.length];
        const fee = q(units(K_WITHDRAW_FEE[asset], K_SCALE), asset, 'half');
        const amount = q((bal[asset] * BigInt(Math.floor((0.05 + rng.float() * 0.25) * 10000))) / 10000n, asset, 'down');
        if (amount > 0n && amount + fee <= bal[asset]) {
          const refid = `FT${rng.chars(5, ALNUM_UP)}-${rng.chars(5, ALNUM_UP)}-${rng.chars(6, ALNUM_UP)}`;
          entry(t, refid, 'withdrawal', '', asset, -amount, fee);
          return;
        }
      }
    } else if (kind === 'transfer') {
      const choices = K_STAKE.filter(([spot]) => (bal[spot] ?? 0n) > 0n);
      if (choices.length === 0) return;
      const [spot, staked] = rng.pick(choices);
      const amount = q((bal[spot] * BigInt(Math.floor((0.1 + rng.float() * 0.4) * 10000))) / 10000n, spot, 'down');
      if (amount <= 0n) return;
      const refid = krakenId(rng, 'BU', used);
      entry(t, refid, 'transfer', 'spottostaking', spot, -amount, 0n);
      entry(t, refid, 'transfer', 'stakingfromspot', staked, amount, 0n);
    } else if (kind === 'staking') {
      const choices = K_STAKE.filter(([, staked]) => (bal[staked] ?? 0n) > 0n);
      if (choices.length === 0) return;
      const [, staked] = rng.pick(choices);
      const reward = q((bal[staked] * BigInt(1 + Math.floor(rng.float() * 40))) / 10000n, staked, 'down');
      if (reward <= 0n) return;
      entry(t, krakenId(rng, 'ST', used), 'staking', '', staked, reward, 0n);
    }
  });

  const balances = {};
  for (const a of Object.keys(K_ASSETS)) if (a in bal) balances[a] = fmt(bal[a], K_SCALE, K_ASSETS[a]);
  return { ledger, balances };
}

// ================================================================================================
// Binance
// ================================================================================================

const B_SCALE = 8;
const B_SYMBOLS = [
  // symbol, base, quote, starting price, traded in generated histories
  ['BTCUSDT', 'BTC', 'USDT', 23000, true],
  ['ETHUSDT', 'ETH', 'USDT', 1600, true],
  ['ETHBTC', 'ETH', 'BTC', 0.068, true],
  ['BNBUSDT', 'BNB', 'USDT', 300, true],
  ['BNBBTC', 'BNB', 'BTC', 0.013, true],
  ['ADAUSDT', 'ADA', 'USDT', 0.31, true],
  ['SOLUSDT', 'SOL', 'USDT', 21, true],
  ['DOTUSDT', 'DOT', 'USDT', 6.1, true],
  ['LTCBTC', 'LTC', 'BTC', 0.0043, true],
  ['XRPUSDT', 'XRP', 'USDT', 0.45, false],
  ['LINKUSDT', 'LINK', 'USDT', 7, false],
  ['BTCEUR', 'BTC', 'EUR', 21500, false],
  ['ETHEUR', 'ETH', 'EUR', 1500, false],
  ['DOGEUSDT', 'DOGE', 'USDT', 0.08, false],
  ['MATICUSDT', 'MATIC', 'USDT', 1.1, false],
  ['USDCUSDT', 'USDC', 'USDT', 1.0, false],
  ['BCCBTC', 'BCC', 'BTC', 0.1, false], // delisted: status BREAK
];
const B_ASSETS = [...new Set(B_SYMBOLS.flatMap(([, b, q]) => [b, q]))];
const B_NETWORK = { BTC: 'BTC', ETH: 'ETH', USDT: 'ETH', BNB: 'BSC', ADA: 'ADA', SOL: 'SOL', DOT: 'DOT', LTC: 'LTC' };
const B_FUNDING = [['USDT', 80000], ['BTC', 2], ['ETH', 25], ['BNB', 40]];
const B_DEPOSIT_SIZE = { USDT: 10000, BTC: 0.3, ETH: 4, BNB: 10, ADA: 5000, SOL: 50, DOT: 200, LTC: 20 };
const B_WITHDRAW_FEE = { USDT: 1, BTC: 0.0002, ETH: 0.0012, BNB: 0.0005, ADA: 0.8, SOL: 0.008, DOT: 0.08, LTC: 0.001 };

function isoUtc(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function binanceSymbols() {
  return B_SYMBOLS.map(([symbol, base, quote]) => ({
    symbol, base, quote, status: symbol === 'BCCBTC' ? 'BREAK' : 'TRADING',
  }));
}

function binanceHistory(account) {
  const rng = new Rng(`binance:${account.seed}`);
  const c = counts(account);
  const unsettled = account.unsettled ?? true; // false: no pending deposit, no cancelled withdrawal
  const start = account.history_start ?? DEFAULT_START;
  const end = account.history_end ?? DEFAULT_END;
  const s = (v) => fmt(v, B_SCALE, 8);
  const one = 10n ** BigInt(B_SCALE);
  const bal = {};
  const add = (a, v) => { bal[a] = (bal[a] ?? 0n) + v; };
  const trades = [];
  const deposits = [];
  const withdrawals = [];
  const traded = B_SYMBOLS.filter((x) => x[4]);
  const prices = traded.map((x) => x[3]);
  // per-symbol trade ids (Binance numbers a symbol's market trades, ours are a sparse subset) and a
  // global order id counter
  const nextId = traded.map(() => rng.int(1000, 9000000));
  let nextOrder = rng.int(100000, 90000000);

  const nFunding = Math.min(c.deposits, B_FUNDING.length);
  const kinds = [];
  for (let i = 0; i < c.trades; i++) kinds.push('trade');
  for (let i = nFunding; i < c.deposits; i++) kinds.push('deposit');
  for (let i = 0; i < c.withdrawals; i++) kinds.push('withdrawal');
  rng.shuffle(kinds);
  const all = [];
  for (let i = 0; i < nFunding; i++) all.push('funding');
  all.push(...kinds);
  const times = instants(rng, all.length, start, end).map((t) => Math.floor(t / 10)); // ms

  const address = (coin) => (['ETH', 'USDT', 'BNB'].includes(coin) ? `0x${rng.hex(40)}` : `${coin.toLowerCase()}1${rng.chars(38, 'qpzry9x8gf2tvdw0s3jn54khce6mua7l')}`);
  const txid = (coin) => (['ETH', 'USDT', 'BNB'].includes(coin) ? `0x${rng.hex(64)}` : rng.hex(64));
  const deposit = (t, coin, size, pending) => {
    const amount = quantize(units(size * (0.5 + rng.float()), B_SCALE), B_SCALE, 6, 'down');
    if (!pending) add(coin, amount);
    deposits.push({
      id: String(rng.int(100000000, 999999999)) + String(rng.int(100000000, 999999999)),
      amount: s(amount),
      coin,
      network: B_NETWORK[coin],
      status: pending ? 0 : 1,
      address: address(coin),
      addressTag: '',
      txId: txid(coin),
      insertTime: t,
      completeTime: pending ? null : t + rng.int(60000, 1800000),
      transferType: 0,
      confirmTimes: pending ? '1/12' : '12/12',
      unlockConfirm: 12,
      walletType: 0,
    });
  };

  let lastOrder = null; // [symbolIndex, orderId, isBuyer, time]: some orders fill in two trades
  const trade = (t, i, buy) => {
    const [symbol, base, quote] = traded[i];
    const price = quantize(units(prices[i], B_SCALE), B_SCALE, prices[i] < 1 ? 6 : 2, 'half');
    const frac = BigInt(Math.floor((0.02 + rng.float() * 0.2) * 10000));
    let qty;
    if (buy) qty = quantize((((bal[quote] ?? 0n) * frac) / 10000n) * one / price, B_SCALE, 5, 'down');
    else qty = quantize(((bal[base] ?? 0n) * frac) / 10000n, B_SCALE, 5, 'down');
    if (qty <= 0n) return false;
    const quoteQty = mulDiv(qty, price, one);
    if (buy && quoteQty > (bal[quote] ?? 0n)) return false;
    // commission: 0.1% of what is received, or (when BNB is held) a BNB amount
    let commission;
    let commissionAsset;
    const bnbFee = units(0.0005 + rng.float() * 0.004, B_SCALE);
    if (rng.float() < 0.25 && (bal.BNB ?? 0n) > bnbFee * 2n && base !== 'BNB' && quote !== 'BNB') {
      commission = bnbFee;
      commissionAsset = 'BNB';
    } else {
      commissionAsset = buy ? base : quote;
      commission = mulDiv(buy ? qty : quoteQty, 1n, 1000n);
    }
    let orderId;
    if (lastOrder && lastOrder[0] === i && lastOrder[2] === buy && rng.float() < 0.5) orderId = lastOrder[1];
    else orderId = nextOrder += rng.int(1, 50000);
    lastOrder = [i, orderId, buy];
    const id = nextId[i] += rng.int(1, 100000);
    if (buy) { add(quote, -quoteQty); add(base, qty); } else { add(base, -qty); add(quote, quoteQty); }
    add(commissionAsset, -commission);
    trades.push({
      symbol,
      id,
      orderId,
      orderListId: -1,
      price: s(price),
      qty: s(qty),
      quoteQty: s(quoteQty),
      commission: s(commission),
      commissionAsset,
      time: t,
      isBuyer: buy,
      isMaker: rng.float() < 0.4,
      isBestMatch: true,
    });
    return true;
  };

  let funded = 0;
  all.forEach((kind, idx) => {
    const t = times[idx];
    for (let i = 0; i < prices.length; i++) prices[i] *= Math.exp((rng.float() - 0.5) * 0.04);
    if (kind === 'funding') {
      const [coin, size] = B_FUNDING[funded++];
      deposit(t, coin, size, false);
    } else if (kind === 'deposit') {
      const coin = rng.pick(Object.keys(B_DEPOSIT_SIZE));
      // the last generated deposit of a long enough history is still pending (not credited)
      deposit(t, coin, B_DEPOSIT_SIZE[coin], unsettled && c.deposits >= 6 && idx === all.lastIndexOf('deposit'));
    } else if (kind === 'trade') {
      const first = rng.int(0, traded.length - 1);
      const buy = rng.float() < 0.55;
      for (let k = 0; k < 2 * traded.length; k++) {
        const i = (first + (k >> 1)) % traded.length;
        if (trade(t, i, (k & 1) ? !buy : buy)) return;
      }
      deposit(t, traded[first][2], B_DEPOSIT_SIZE[traded[first][2]], false);
      if (!trade(t, first, true)) throw new Error('binance history: a funded trade failed');
    } else if (kind === 'withdrawal') {
      const coins = Object.keys(B_WITHDRAW_FEE).filter((a) => (bal[a] ?? 0n) > 0n);
      const c0 = rng.int(0, Math.max(0, coins.length - 1));
      // the first generated withdrawal of a long enough history was cancelled (status 1: no debit)
      const cancelled = unsettled && c.withdrawals >= 4 && idx === all.indexOf('withdrawal');
      for (let k = 0; k < coins.length; k++) {
        const coin = coins[(c0 + k) % coins.length];
        const fee = units(B_WITHDRAW_FEE[coin], B_SCALE);
        const amount = quantize((bal[coin] * BigInt(Math.floor((0.05 + rng.float() * 0.25) * 10000))) / 10000n, B_SCALE, 6, 'down');
        if (amount > 0n && amount + fee <= bal[coin]) {
          if (!cancelled) add(coin, -(amount + fee));
          const t2 = Math.floor(t / 1000) * 1000; // applyTime has whole seconds
          withdrawals.push({
            id: rng.hex(32),
            amount: s(amount),
            transactionFee: s(fee),
            coin,
            status: cancelled ? 1 : 6,
            address: address(coin),
            txId: cancelled ? '' : txid(coin),
            applyTime: isoUtc(t2),
            network: B_NETWORK[coin],
            transferType: 0,
            info: '',
            confirmNo: cancelled ? 0 : rng.int(12, 64),
            walletType: 0,
            txKey: '',
            completeTime: cancelled ? undefined : isoUtc(t2 + rng.int(60, 3600) * 1000),
          });
          return;
        }
      }
    }
  });

  // locked: a tenth of the largest holding sits in an open order
  let lockedAsset = null;
  for (const a of Object.keys(bal)) if (lockedAsset === null || bal[a] > bal[lockedAsset]) lockedAsset = a;
  const balances = B_ASSETS.map((a) => {
    const total = bal[a] ?? 0n;
    const locked = a === lockedAsset ? quantize(total / 10n, B_SCALE, 6, 'down') : 0n;
    return { asset: a, free: s(total - locked), locked: s(locked) };
  });
  for (const w of withdrawals) if (w.completeTime === undefined) delete w.completeTime;
  return { trades, deposits, withdrawals, balances };
}

module.exports = {
  Rng, fmt, quantize, units, isoUtc, krakenHistory, binanceHistory, binanceSymbols, B_SYMBOLS, K_ASSETS, counts,
};
