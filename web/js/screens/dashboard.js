// dashboard — net value, by asset and by location (GET /api/1/balances as an async task), a
// chart of net value over time (GET /api/1/statistics/netvalue), and a refresh that asks the
// chain and the exchanges again with its progress shown while it runs.
import { api, task } from '../api.js';
import { on } from '../bus.js';
import { assetNames, refreshBalances } from '../data.js';
import { h, clear, table, section, money, amount, assetName, errorBox } from '../ui.js';

export const title = 'Dashboard';

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
function axisNumber(x) { return Math.abs(x) >= 1e15 ? x.toExponential(1) : compact.format(x); }

// rotki sends shares as "12.34%"
function pct(s) { const n = parseFloat(s); return Number.isFinite(n) ? n.toFixed(1) + ' %' : ''; }

async function showBalances(box, b, cur) {
  clear(box);
  const assets = Object.entries(b.assets || {}).sort((x, y) => Number(y[1].value) - Number(x[1].value));
  const liabilities = Object.entries(b.liabilities || {});
  const names = await assetNames(assets.map(([id]) => id).concat(liabilities.map(([id]) => id)));
  const nv = b.net_value !== undefined ? b.net_value : assets.reduce((s, [, v]) => s + Number(v.value), 0);
  box.append(h('div', { class: 'total' }, h('span', { class: 'muted' }, 'Net value'),
    h('output', { id: 'net-value', 'data-value': String(nv) }, money(nv, cur))));
  const share = (v) => (v.percentage_of_net_value !== undefined ? [pct(v.percentage_of_net_value)] : []);
  const hasShare = assets.some(([, v]) => v.percentage_of_net_value !== undefined);
  box.append(table('By asset', ['Asset', 'Amount', 'Value'].concat(hasShare ? ['Share'] : []),
    assets.map(([id, v]) => [h('span', { title: id }, assetName(id, names)), amount(v.amount), money(v.value, cur)].concat(share(v))), [1, 2, 3]));
  const locs = Object.entries(b.location || {}).sort((x, y) => Number(y[1].value) - Number(x[1].value));
  box.append(table('By location', ['Location', 'Value'].concat(hasShare ? ['Share'] : []),
    locs.map(([loc, v]) => [loc, money(v.value, cur)].concat(share(v))), [1, 2]));
  if (liabilities.length) {
    box.append(table('Liabilities', ['Asset', 'Amount', 'Value'],
      liabilities.map(([id, v]) => [assetName(id, names), amount(v.amount), money(v.value, cur)]), [1, 2]));
  }
  if (!assets.length) box.append(h('p', { class: 'muted' }, 'Nothing tracked yet: add an Ethereum address, an exchange or a manual balance.'));
}

// uPlot line of net value; without two snapshots it says so instead
function showChart(box, nv, cur) {
  clear(box);
  const times = nv.times || [];
  const data = (nv.data || []).map(Number);
  if (times.length < 2) {
    box.append(h('p', { class: 'muted' }, times.length
      ? `One snapshot so far (${money(data[0], cur)}); the chart starts with the second.`
      : 'No balance snapshots yet: a balance refresh saves one.'));
    return null;
  }
  if (!window.uPlot) { box.append(h('p', { class: 'muted' }, 'The chart library did not load.')); return null; }
  const width = Math.max(260, box.clientWidth || 600);
  const plot = new window.uPlot({
    width, height: 220, legend: { show: false }, cursor: { y: false },
    series: [{}, { label: 'Net value', stroke: '#2b7de9', fill: 'rgba(43,125,233,0.12)', width: 2 }],
    axes: [{}, { size: 80, values: (u, v) => v.map(axisNumber) }],
  }, [times, data], box);
  return plot;
}

export async function render(root, app) {
  const cur = 'USD'; // pipit's values are in USD (its price layer)
  const status = h('p', { class: 'muted', role: 'status' });
  const refresh = h('button', { type: 'button', id: 'refresh-balances' }, 'Refresh balances');
  const balBox = h('div', { id: 'balances' });
  const chartBox = h('div', { class: 'chart', id: 'netvalue-chart' });
  root.append(h('div', { class: 'actions' }, refresh, status), section('Balances', balBox), section('Net value over time', chartBox));

  let plot = null;
  const loadChart = async () => {
    try {
      const nv = await api('GET', '/api/1/statistics/netvalue');
      if (plot) plot.destroy();
      plot = showChart(chartBox, nv, cur);
    } catch (e) {
      if (e.kind === 'failed') clear(chartBox).append(errorBox(e, 'Net value history:'));
    }
  };
  const load = async () => {
    try {
      await showBalances(balBox, await task('GET', '/api/1/balances', undefined, 'Balances'), cur);
    } catch (e) {
      if (e.kind === 'failed') clear(balBox).append(errorBox(e, 'Balances:'));
      else throw e;
    }
  };
  refresh.addEventListener('click', async () => {
    refresh.disabled = true;
    status.textContent = 'Asking the chain and the exchanges…';
    try {
      const { balances, failed } = await refreshBalances();
      await showBalances(balBox, balances, cur);
      for (const e of failed) balBox.prepend(errorBox(e, 'Part of the refresh failed:'));
      status.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
      await loadChart();
    } catch (e) {
      status.textContent = '';
      balBox.prepend(errorBox(e, 'Refresh failed:'));
    } finally {
      refresh.disabled = false;
    }
  });
  const onResize = () => { if (plot) plot.setSize({ width: Math.max(260, chartBox.clientWidth), height: 220 }); };
  window.addEventListener('resize', onResize);
  const off = on('ws:refresh_balances', load);
  await Promise.all([load(), loadChart()]);
  return () => { window.removeEventListener('resize', onResize); off(); if (plot) plot.destroy(); };
}
