// settings — the main currency (/api/1/settings), the Ethereum RPC nodes
// (/api/1/blockchains/eth/nodes) and the node's feature flags (/api/1/flags).
import { api } from '../api.js';
import { h, clear, field, form, section, table, errorBox } from '../ui.js';

export const title = 'Settings';
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'BRL', 'INR', 'CNY', 'KRW', 'SGD', 'HKD', 'ZAR', 'TRY', 'BTC', 'ETH'];
const NODES = '/api/1/blockchains/eth/nodes';

export async function render(root, app) {
  const s = await api('GET', '/api/1/settings');
  const cur = CURRENCIES.includes(s.main_currency) ? CURRENCIES : [s.main_currency].concat(CURRENCIES);
  const [cWrap, cIn] = field('Main currency', { name: 'main_currency', options: cur.map((c) => [c, c]), value: s.main_currency });
  const cNote = h('p', { class: 'muted' }, 'Kept for rotki’s frontend; pipit’s own values are in USD for now.');
  const currency = form('Main currency', [cWrap, cNote], 'Save currency', async () => {
    await api('PUT', '/api/1/settings', { settings: { main_currency: cIn.value } });
    app.currency = cIn.value;
    return `Main currency is ${cIn.value}.`;
  });

  const nodesBox = h('div', { id: 'nodes-list' });
  const [nWrap, nIn] = field('Name', { name: 'name', required: true });
  const [eWrap, eIn] = field('Endpoint (http:// or https://)', { name: 'endpoint', required: true, type: 'url', placeholder: 'http://127.0.0.1:8545' });
  const [wWrap, wIn] = field('Weight (%)', { name: 'weight', value: '50', inputmode: 'decimal' });
  const [oWrap, oIn] = field('Owned (tried first)', { name: 'owned', type: 'checkbox', checked: true });
  const [aWrap, aIn] = field('Active', { name: 'active', type: 'checkbox', checked: true });
  const addNode = form('Add an RPC node', [nWrap, eWrap, wWrap, oWrap, aWrap], 'Add node', async () => {
    await api('PUT', NODES, { name: nIn.value.trim(), endpoint: eIn.value.trim(), weight: wIn.value.trim(), owned: oIn.checked, active: aIn.checked });
    nIn.value = eIn.value = '';
    await loadNodes();
    return 'Node added.';
  });

  async function loadNodes() {
    const nodes = await api('GET', NODES);
    // three columns, so that a phone shows the buttons without scrolling the table
    clear(nodesBox).append(nodes.length ? table('RPC nodes', ['Node', 'Weight', ''], nodes.map((n) => [
      h('span', null, h('strong', null, n.name), h('br'), h('code', null, n.endpoint || '(etherscan)')),
      `${n.weight} %${n.owned ? ', owned' : ''}`,
      h('span', { class: 'row-actions' },
        h('button', { type: 'button', 'aria-pressed': n.active ? 'true' : 'false', onclick: () => change('PATCH', Object.assign({}, n, { active: !n.active })) }, n.active ? 'Active' : 'Inactive'),
        h('button', { type: 'button', class: 'danger', onclick: () => change('DELETE', { identifier: n.identifier }) }, 'Remove'))]))
      : h('p', { class: 'muted' }, 'No RPC nodes: balances cannot be read from the chain.'));
  }
  async function change(method, body) {
    try {
      const b = method === 'PATCH' ? { identifier: body.identifier, name: body.name, endpoint: body.endpoint, weight: body.weight, owned: body.owned, active: body.active } : body;
      await api(method, NODES, b);
      await loadNodes();
    } catch (e) { nodesBox.prepend(errorBox(e, 'Node change failed:')); }
  }

  const flagsBox = h('div', { id: 'flags' });
  async function loadFlags() {
    const flags = await api('GET', '/api/1/flags');
    clear(flagsBox);
    for (const [name, on] of Object.entries(flags)) {
      const [wrap, box] = field(name, { type: 'checkbox', name, checked: on });
      box.addEventListener('change', async () => {
        try {
          await api('PUT', '/api/1/flags', { flags: { [name]: box.checked } });
        } catch (e) {
          box.checked = !box.checked;
          flagsBox.prepend(errorBox(e, `Flag ${name}:`));
        }
      });
      flagsBox.append(wrap);
    }
  }

  root.append(currency, section('Ethereum RPC nodes', nodesBox), addNode, section('Feature flags', h('p', { class: 'muted' }, 'Switched at once, on the running node.'), flagsBox));
  await Promise.all([loadNodes(), loadFlags()]);
}
