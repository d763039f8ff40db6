// data.js — reads several screens share: asset names, the balance queries, tags.
import { api, task } from './api.js';

const names = {};

// {identifier: {symbol, name}} for ids (one /assets/mappings call for the unknown ones)
export async function assetNames(ids) {
  const missing = [...new Set(ids)].filter((id) => !(id in names));
  if (missing.length) {
    try {
      const r = await api('POST', '/api/1/assets/mappings', { identifiers: missing });
      for (const id of missing) names[id] = (r.assets || {})[id] || null;
    } catch (e) {
      if (e.kind !== 'failed') throw e; // a mapping is a nicety: ids are shown instead
    }
  }
  return names;
}

// Asks the chain again (a progress bar follows the reads), then the exchanges, then answers the
// aggregated view (saved as a snapshot).
export async function refreshBalances() {
  const runs = [task('POST', '/api/1/balances/blockchains/eth', { ignore_cache: true }, 'Ethereum balances', 'evm_balances_query')];
  const ex = await api('GET', '/api/1/exchanges');
  if (ex.length) runs.push(task('GET', '/api/1/exchanges/balances?ignore_cache=true', undefined, 'Exchange balances'));
  const outcomes = await Promise.allSettled(runs);
  // a refresh asked for by a person is worth a point on the net value chart: saved as a snapshot
  const aggregated = await task('GET', '/api/1/balances?save_data=true', undefined, 'Aggregated balances');
  const failed = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
  return { balances: aggregated, failed };
}

// The amount and value of one asset entry: rotki's per-account entries are either {amount, value}
// or {balance type or address: {amount, value}}, which are summed.
export function entryTotal(e) {
  if (e && 'amount' in e) return { amount: Number(e.amount), value: Number(e.value) };
  let amount = 0;
  let value = 0;
  for (const v of Object.values(e || {})) {
    amount += Number(v.amount) || 0;
    value += Number(v.value) || 0;
  }
  return { amount, value };
}

// Tags by name; the missing ones of wanted are made (rotki wants a tag to exist before use)
export async function ensureTags(wanted) {
  if (!wanted.length) return;
  const have = await api('GET', '/api/1/tags');
  for (const name of wanted) {
    if (!(name in have)) {
      await api('PUT', '/api/1/tags', { name, description: null, background_color: 'c3e6ff', foreground_color: '0b2940' });
    }
  }
}

export function tagList(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}
