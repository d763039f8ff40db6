// node — the node's health: uptime, memory, loop turns (/api/1/info) and a few Prometheus
// figures (/api/1/metrics), read again every 5 seconds while the screen is open.
import { api } from '../api.js';
import { h, clear, table, section, errorBox } from '../ui.js';

export const title = 'Node';

function kib(n) { return (n / 1024).toLocaleString(undefined, { maximumFractionDigits: 1 }) + ' KiB'; }
function dur(s) {
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return (d ? d + ' d ' : '') + (d || hh ? hh + ' h ' : '') + m + ' min ' + (s % 60) + ' s';
}

// the unlabelled samples of a Prometheus text: {name: value}
function samples(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.eE+-]+)$/.exec(line);
    if (m && !m[2]) out[m[1]] = Number(m[3]);
    else if (m) out[m[1] + m[2]] = Number(m[3]);
  }
  return out;
}

// a metric's samples summed over their labels ('' when the node has none of it)
function total(m, name) {
  const keys = Object.keys(m).filter((k) => k === name || k.startsWith(name + '{'));
  return keys.length ? keys.reduce((s, k) => s + m[k], 0) : '';
}

function loopback(host) { return !host || /^(127\.|::1$|localhost$)/.test(host); }

async function metricsText() {
  const r = await fetch('/api/1/metrics', { credentials: 'same-origin' });
  if (r.status === 404) return null; // the api.metrics flag is off
  if (!r.ok) throw new Error(`GET /api/1/metrics: HTTP ${r.status}`);
  return r.text();
}

export async function render(root) {
  const box = h('div', { id: 'node-info' });
  root.append(box);
  async function draw() {
    const info = await api('GET', '/api/1/info');
    const p = info.pipit || {};
    const a = p.allocator || {};
    let m = {};
    try {
      const text = await metricsText();
      if (text) m = samples(text);
    } catch (e) { box.append(errorBox(e, 'Metrics:')); }
    const turns = m.pipit_loop_turn_duration_seconds_count;
    const turnSum = m.pipit_loop_turn_duration_seconds_sum;
    clear(box).append(
      section('Overview', table('Node', ['What', 'Value'], [
        ['Version', (info.version || {}).our_version],
        ['Platform', p.platform],
        ['Uptime', p.uptime_s !== undefined ? dur(p.uptime_s) : 'unknown'],
        ['Listening on', (p.api || {}).host],
        ['Session cookies', info.session_auth || !loopback((p.api || {}).host) ? 'required (beyond loopback)' : 'not needed (loopback)'],
        ['WebSocket clients', (p.notifier || {}).clients],
        ['Requests served', (p.requests || {}).total],
      ])),
      section('Memory', table('Heap', ['What', 'Value'], [
        ['Budget', kib(a.budget || 0)], ['In use', kib(a.live || 0)], ['Peak', kib(a.peak || 0)],
        ['In use, of the budget', a.budget ? ((100 * a.live) / a.budget).toFixed(1) + ' %' : ''],
      ]), table('By subsystem', ['Tag', 'In use', 'Peak', 'Failures'], Object.entries(a.tags || {}).map(([t, v]) => [t, kib(v.live), kib(v.peak), v.failures]), [1, 2, 3])),
      section('Loop', table('Poll loop', ['What', 'Value'], [
        ['Turns', (p.loop || {}).turns],
        ['Longest turn', ((p.loop || {}).longest_turn_us / 1000).toFixed(2) + ' ms'],
        ['Mean turn', turns ? ((turnSum / turns) * 1000).toFixed(3) + ' ms' : ''],
        ['Slow turns', total(m, 'pipit_loop_slow_turns_total')],
        ['Sockets', (p.loop || {}).sockets],
        ['DB jobs queued', total(m, 'pipit_db_jobs_queued')],
        ['Tasks running at most', total(m, 'pipit_tasks_running_max')],
      ])));
  }
  await draw();
  const timer = setInterval(() => draw().catch(() => {}), 5000);
  return () => clearInterval(timer);
}
