// exchanges — Kraken and Binance API keys (/api/1/exchanges: the node tries them before keeping
// them) and their balances (/api/1/exchanges/balances), plus a refresh of their history.
import { api, task } from '../api.js';
import { assetNames } from '../data.js';
import { h, clear, field, form, section, table, amount, money, assetName, errorBox } from '../ui.js';

export const title = 'Exchanges';

export async function render(root) {
  const listBox = h('div', { id: 'exchanges-list' });
  const balBox = h('div', { id: 'exchange-balances' });
  const [nWrap, nIn] = field('Name', { name: 'name', required: true, placeholder: 'kraken1' });
  const [locWrap, locIn] = field('Exchange', { name: 'location', options: [['kraken', 'Kraken'], ['binance', 'Binance']], value: 'kraken' });
  const [kWrap, kIn] = field('API key', { name: 'api_key', required: true, autocomplete: 'off', spellcheck: 'false' });
  const [sWrap, sIn] = field('API secret', { name: 'api_secret', type: 'password', required: true, autocomplete: 'off' });
  const [tWrap, tIn] = field('Kraken account tier', { name: 'kraken_account_type', options: [['starter', 'starter'], ['intermediate', 'intermediate'], ['pro', 'pro']], value: 'starter' });
  const [mWrap, mIn] = field('Binance markets whose trades are read (comma-separated, e.g. ETHBTC)', { name: 'binance_markets' });
  const showTier = () => { tWrap.hidden = locIn.value !== 'kraken'; mWrap.hidden = locIn.value !== 'binance'; };
  locIn.addEventListener('change', showTier);
  showTier();
  const add = form('Add exchange keys', [nWrap, locWrap, kWrap, sWrap, tWrap, mWrap], 'Add exchange', async () => {
    const body = { name: nIn.value.trim(), location: locIn.value, api_key: kIn.value.trim(), api_secret: sIn.value.trim() };
    if (body.location === 'kraken') body.kraken_account_type = tIn.value;
    const markets = mIn.value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    if (body.location === 'binance' && markets.length) body.binance_markets = markets;
    await api('PUT', '/api/1/exchanges', body);
    nIn.value = kIn.value = sIn.value = mIn.value = '';
    await loadList();
    return 'Keys accepted by the exchange and saved.';
  });
  const refresh = h('button', { type: 'button', id: 'refresh-exchange-balances' }, 'Refresh exchange balances');
  const history = h('button', { type: 'button' }, 'Read new exchange history');
  const status = h('p', { role: 'status', class: 'muted' });
  refresh.addEventListener('click', () => loadBalances(true));
  history.addEventListener('click', async () => {
    history.disabled = true;
    status.textContent = 'Reading the exchanges’ history…';
    try {
      await task('POST', '/api/1/history/events/query', { query_type: 'exchanges' }, 'Exchange history');
      status.textContent = 'History read; see the History screen.';
    } catch (e) { status.textContent = ''; balBox.prepend(errorBox(e, 'History:')); } finally { history.disabled = false; }
  });
  root.append(add, section('Connected exchanges', listBox), section('Balances', h('div', { class: 'actions' }, refresh, history, status), balBox));

  async function loadList() {
    const list = await api('GET', '/api/1/exchanges');
    clear(listBox);
    if (!list.length) { listBox.append(h('p', { class: 'muted' }, 'No exchanges yet.')); return list; }
    listBox.append(table('Exchanges', ['Name', 'Exchange', 'Tier', ''], list.map((x) => [x.name, x.location, x.kraken_account_type || '',
      h('button', { type: 'button', class: 'danger', onclick: () => remove(x) }, 'Remove')])));
    return list;
  }

  async function remove(x) {
    if (!window.confirm(`Remove the keys of ${x.name}?`)) return;
    try {
      await api('DELETE', '/api/1/exchanges', { name: x.name, location: x.location });
      await loadList();
    } catch (e) { listBox.prepend(errorBox(e, 'Remove failed:')); }
  }

  async function loadBalances(fresh) {
    refresh.disabled = true;
    try {
      const b = await task('GET', '/api/1/exchanges/balances' + (fresh ? '?ignore_cache=true' : ''), undefined, 'Exchange balances');
      const locs = Object.entries(b || {});
      const names = await assetNames(locs.flatMap(([, assets]) => Object.keys(assets)));
      clear(balBox);
      for (const [loc, assets] of locs) { // one table per exchange: three columns fit a phone
        const rows = Object.entries(assets).sort((x, y) => Number(y[1].value) - Number(x[1].value));
        balBox.append(table(loc, ['Asset', 'Amount', 'Value'],
          rows.map(([id, v]) => [h('span', { title: id }, assetName(id, names)), amount(v.amount), money(v.value)]), [1, 2]));
      }
      if (!locs.some(([, assets]) => Object.keys(assets).length)) balBox.append(h('p', { class: 'muted' }, 'No balances on the connected exchanges.'));
    } catch (e) {
      if (e.kind !== 'failed') throw e;
      clear(balBox).append(errorBox(e, 'Balances:'));
    } finally { refresh.disabled = false; }
  }

  const list = await loadList();
  if (list.length) await loadBalances(false);
}
