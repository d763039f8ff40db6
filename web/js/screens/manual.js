// manual — manually tracked balances (rotki's /api/1/balances/manual): list, add, edit the
// amount, remove. A node without the route says so in its envelope; that message is shown.
import { task } from '../api.js';
import { assetNames, ensureTags, tagList } from '../data.js';
import { h, clear, field, form, section, table, amount, money, assetName, errorBox } from '../ui.js';

export const title = 'Manual balances';
const PATH = '/api/1/balances/manual';
const LOCATIONS = ['external', 'blockchain', 'banks', 'kraken', 'binance', 'coinbase', 'gemini', 'bitstamp', 'equities', 'realestate', 'commodities'];

export async function render(root) {
  const listBox = h('div', { id: 'manual-list' });
  const [aWrap, aIn] = field('Asset (identifier, e.g. BTC, EUR, ETH)', { name: 'asset', required: true, autocomplete: 'off' });
  const [lWrap, lIn] = field('Label (unique)', { name: 'label', required: true });
  const [nWrap, nIn] = field('Amount', { name: 'amount', required: true, inputmode: 'decimal', pattern: '[0-9]+([.][0-9]+)?' });
  const [locWrap, locIn] = field('Location', { name: 'location', options: LOCATIONS.map((l) => [l, l]), value: 'external' });
  const [tyWrap, tyIn] = field('Type', { name: 'balance_type', options: [['asset', 'asset'], ['liability', 'liability']], value: 'asset' });
  const [tWrap, tIn] = field('Tags (comma-separated, optional)', { name: 'tags' });
  const add = form('Add a manual balance', [aWrap, lWrap, nWrap, locWrap, tyWrap, tWrap], 'Add balance', async () => {
    const tags = tagList(tIn.value);
    await ensureTags(tags);
    const r = await task('PUT', PATH, { balances: [{ asset: aIn.value.trim(), label: lIn.value.trim(), amount: nIn.value.trim(),
      location: locIn.value, balance_type: tyIn.value, tags: tags.length ? tags : null }] }, 'Adding a manual balance');
    aIn.value = lIn.value = nIn.value = tIn.value = '';
    await show(r.balances || []);
    return 'Balance added.';
  });
  root.append(add, section('Tracked by hand', listBox));

  async function show(balances) {
    const names = await assetNames(balances.map((b) => b.asset));
    clear(listBox);
    if (!balances.length) { listBox.append(h('p', { class: 'muted' }, 'No manual balances yet.')); return; }
    listBox.append(table('Manual balances', ['Balance', 'Amount', 'Value', ''], balances.map((b) => [
      h('span', null, b.label, h('br'), h('span', { class: 'muted' }, b.location + (b.balance_type === 'liability' ? ' (liability)' : ''))),
      h('span', null, amount(b.amount) + ' ', h('span', { title: b.asset }, assetName(b.asset, names))), money(b.value || 0),
      h('span', { class: 'row-actions' },
        h('button', { type: 'button', onclick: () => editAmount(b) }, 'Edit amount'),
        h('button', { type: 'button', class: 'danger', onclick: () => remove(b) }, 'Remove'))]), [1, 2]));
  }

  async function editAmount(b) {
    const v = window.prompt(`New amount of ${b.asset} for “${b.label}”`, b.amount);
    if (v === null) return;
    try {
      const r = await task('PATCH', PATH, { balances: [{ identifier: b.identifier, asset: b.asset, label: b.label, amount: v.trim(),
        location: b.location, balance_type: b.balance_type || 'asset', tags: b.tags || null }] }, 'Editing a manual balance');
      await show(r.balances || []);
    } catch (e) { listBox.prepend(errorBox(e, 'Edit failed:')); }
  }

  async function remove(b) {
    if (!window.confirm(`Remove “${b.label}”?`)) return;
    try {
      const r = await task('DELETE', PATH, { ids: [b.identifier] }, 'Removing a manual balance');
      await show(r.balances || []);
    } catch (e) { listBox.prepend(errorBox(e, 'Remove failed:')); }
  }

  try {
    const r = await task('GET', PATH, undefined, 'Manual balances');
    await show(r.balances || []);
  } catch (e) {
    if (e.kind !== 'failed') throw e;
    const what = e.status === 404 ? 'This node does not serve manual balances yet:' : 'Manual balances:';
    clear(listBox).append(errorBox(e, what));
  }
}
