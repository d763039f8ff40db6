// accounts — the tracked Ethereum addresses (/api/1/blockchains/eth/accounts): add, label, tag,
// remove; and each one's balances from the last chain query (/api/1/balances/blockchains/eth).
import { task } from '../api.js';
import { assetNames, entryTotal, ensureTags, tagList } from '../data.js';
import { h, clear, field, form, section, table, amount, money, assetName, errorBox } from '../ui.js';

export const title = 'Accounts';
const PATH = '/api/1/blockchains/eth/accounts';

export async function render(root) {
  const listBox = h('div', { id: 'accounts-list' });
  const [aWrap, aIn] = field('Ethereum address', { name: 'address', required: true, placeholder: '0x…', autocomplete: 'off', spellcheck: 'false' });
  const [lWrap, lIn] = field('Label (optional)', { name: 'label' });
  const [tWrap, tIn] = field('Tags (comma-separated, optional)', { name: 'tags' });
  const add = form('Add an address', [aWrap, lWrap, tWrap], 'Add address', async () => {
    const tags = tagList(tIn.value);
    await ensureTags(tags);
    await task('PUT', PATH, { accounts: [{ address: aIn.value.trim(), label: lIn.value.trim() || null, tags: tags.length ? tags : null }] },
      'Adding an address');
    aIn.value = lIn.value = tIn.value = '';
    await requery();
    await load();
    return 'Address added.';
  });
  root.append(add, section('Tracked addresses', listBox));

  // the tracked set changed: ask the chain again (as rotki's frontend does) rather than show a
  // cached answer that predates it
  async function requery() {
    try {
      await task('POST', '/api/1/balances/blockchains/eth', {}, 'Ethereum balances', 'evm_balances_query');
    } catch (e) {
      if (e.kind !== 'failed') throw e;
      listBox.prepend(errorBox(e, 'Balances:'));
    }
  }

  async function edit(acct, label, tags) {
    await ensureTags(tags);
    await task('PATCH', PATH, { accounts: [{ address: acct.address, label: label || null, tags: tags.length ? tags : null }] }, 'Editing an address');
    await load();
  }

  async function remove(acct) {
    if (!window.confirm(`Stop tracking ${acct.address}?`)) return;
    try {
      await task('DELETE', PATH, { accounts: [acct.address] }, 'Removing an address');
    } catch (e) {
      listBox.prepend(errorBox(e, 'Remove failed:'));
      return;
    }
    await load();
  }

  function editor(acct) {
    const [elWrap, elIn] = field('Label', { name: 'label', value: acct.label || '' });
    const [etWrap, etIn] = field('Tags', { name: 'tags', value: (acct.tags || []).join(', ') });
    return form(null, [elWrap, etWrap], 'Save', async () => { await edit(acct, elIn.value.trim(), tagList(etIn.value)); return 'Saved.'; });
  }

  async function load() {
    const accounts = await task('GET', PATH, undefined, 'Reading the addresses');
    let perAccount = {};
    let balErr = null;
    try {
      const b = await task('GET', '/api/1/balances/blockchains/eth', undefined, 'Address balances', 'evm_balances_query');
      perAccount = ((b && b.per_account) || {}).eth || {};
    } catch (e) {
      if (e.kind !== 'failed') throw e;
      balErr = e;
    }
    const ids = [];
    for (const a of Object.values(perAccount)) ids.push(...Object.keys(a.assets || {}));
    const names = await assetNames(ids);
    clear(listBox);
    if (balErr) listBox.append(errorBox(balErr, 'Balances:'));
    if (!accounts.length) { listBox.append(h('p', { class: 'muted' }, 'No addresses yet.')); return; }
    for (const acct of accounts) {
      const bal = perAccount[acct.address] || { assets: {} };
      let sum = 0;
      const rows = Object.entries(bal.assets || {}).map(([id, e]) => {
        const t = entryTotal(e);
        sum += t.value;
        return [h('span', { title: id }, assetName(id, names)), amount(t.amount), money(t.value)];
      });
      const slot = h('div');
      const details = h('div', { class: 'card account', 'data-address': acct.address },
        h('h3', null, acct.label || 'Unlabelled', ' ', h('code', { class: 'addr' }, acct.address)),
        (acct.tags || []).length ? h('p', null, (acct.tags || []).map((t) => h('span', { class: 'tag' }, t))) : null,
        rows.length ? h('details', null, h('summary', null, `Balances: ${rows.length} assets, ${money(sum)}`), table('Balances', ['Asset', 'Amount', 'Value'], rows, [1, 2]))
          : h('p', { class: 'muted' }, 'No balances known (refresh on the dashboard).'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => { slot.replaceChildren(editor(acct)); slot.querySelector('input').focus(); } }, 'Edit label and tags'),
          h('button', { type: 'button', class: 'danger', onclick: () => remove(acct) }, 'Remove')),
        slot);
      listBox.append(details);
    }
  }
  await load();
}
