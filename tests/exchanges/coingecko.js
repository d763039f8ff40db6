// coingecko.js — CoinGecko's simple price endpoint (see server.js for the whole picture).
//   GET /api/v3/simple/price?ids=bitcoin,ethereum&vs_currencies=usd[,eur][&include_last_updated_at=true]
//   -> {"bitcoin": {"usd": 67187.33}, ...}: unknown ids and unknown currencies are left out.
// Prices come from the state file's "prices" ({id: {currency: number}}), merged over a built-in
// table. An optional "rate_limit_per_minute" (state file) answers 429 as CoinGecko's free tier does.
'use strict';

const DEFAULT_PRICES = {
  bitcoin: { usd: 67187.33, eur: 61894.12, btc: 1, eth: 19.0731 },
  ethereum: { usd: 3522.61, eur: 3245.09, btc: 0.05243, eth: 1 },
  tether: { usd: 1.0003, eur: 0.9215, btc: 0.00001489, eth: 0.00028396 },
  'usd-coin': { usd: 0.99991, eur: 0.92113, btc: 0.00001488, eth: 0.00028385 },
  binancecoin: { usd: 584.21, eur: 538.19, btc: 0.008695, eth: 0.165846 },
  polkadot: { usd: 7.12, eur: 6.56, btc: 0.00010597, eth: 0.00202121 },
  cardano: { usd: 0.4531, eur: 0.4174, btc: 0.00000674, eth: 0.00012863 },
  solana: { usd: 171.44, eur: 157.94, btc: 0.00255167, eth: 0.04866903 },
  ripple: { usd: 0.5234, eur: 0.4822, btc: 0.00000779, eth: 0.00014858 },
  litecoin: { usd: 83.17, eur: 76.62, btc: 0.00123789, eth: 0.02361063 },
  dogecoin: { usd: 0.1621, eur: 0.1493, btc: 0.00000241, eth: 0.00004602 },
  chainlink: { usd: 16.82, eur: 15.5, btc: 0.00025034, eth: 0.00477487 },
};

function createCoingecko(peer, state) {
  const prices = JSON.parse(JSON.stringify(DEFAULT_PRICES));
  for (const [id, vs] of Object.entries(state.prices || {})) prices[id] = { ...(prices[id] || {}), ...vs };
  const perMinute = state.rate_limit_per_minute || 0;
  let window = { start: 0, used: 0 };
  const updatedAt = Math.floor(Date.now() / 1000);

  const tooMany = () => {
    peer.reject('rate_limited');
    return {
      status: 429,
      headers: { 'Retry-After': '60' },
      json: { status: { error_code: 429, error_message: "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits." } },
    };
  };

  function handle(ctx) {
    if (ctx.path === '/api/v3/ping') return { status: 200, json: { gecko_says: '(V3) To the Moon!' } };
    if (ctx.path !== '/api/v3/simple/price') {
      peer.reject('unknown_path');
      return { status: 404, json: { error: 'Incorrect path. Please check https://www.coingecko.com/api/' } };
    }
    if (ctx.method !== 'GET') return { status: 405, json: { error: 'method not allowed' } };
    const now = peer.now();
    if (peer.forcedRateLimit('')) return tooMany();
    if (perMinute) {
      const start = Math.floor(now / 60000) * 60000;
      if (window.start !== start) window = { start, used: 0 };
      window.used += 1;
      if (window.used > perMinute) return tooMany();
    }
    const p = Object.fromEntries(new URLSearchParams(ctx.query));
    for (const name of ['ids', 'vs_currencies']) {
      if (!p[name]) {
        peer.reject('missing_parameter');
        return { status: 400, json: { error: `Missing parameter ${name}` } };
      }
    }
    const ids = p.ids.toLowerCase().split(',').map((s) => s.trim()).filter(Boolean);
    const vs = p.vs_currencies.toLowerCase().split(',').map((s) => s.trim()).filter(Boolean);
    const out = {};
    for (const id of ids) {
      if (!prices[id] || id in out) continue;
      const row = {};
      for (const c of vs) if (prices[id][c] !== undefined) row[c] = prices[id][c];
      if (p.include_last_updated_at === 'true') row.last_updated_at = updatedAt;
      out[id] = row;
    }
    return { status: 200, json: out };
  }

  return {
    name: 'coingecko',
    addAccounts: () => [],
    handle,
    expected: () => ({ exchange: 'coingecko', prices }),
    endpoint: (ctx) => `${ctx.method} ${ctx.path}`,
    reset() {
      window = { start: 0, used: 0 };
    },
    stats: () => ({}),
    contentType: 'application/json; charset=utf-8',
  };
}

module.exports = { createCoingecko, DEFAULT_PRICES };
