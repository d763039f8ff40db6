// tasks — every async task this page ran (with its progress and outcome), the node's own task
// list (GET /api/1/tasks) and rotki's WebSocket messages as they arrive.
import { api, tasks } from '../api.js';
import { on } from '../bus.js';
import { h, clear, table, section, progress } from '../ui.js';
import { messages } from '../ws.js';

export const title = 'Tasks & messages';

function summary(m) {
  const d = m.data || {};
  switch (m.type) {
    case 'progress_updates': return `${d.subtype}: ${d.processed}/${d.total}${d.step ? ' (' + d.step + ')' : ''}`;
    case 'legacy': return `${d.verbosity}: ${d.value}`;
    case 'balance_snapshot_error': return `${d.location}: ${d.error}`;
    case 'history_events_status': return `${d.name || d.location}: ${d.status}`;
    case 'exchange_unknown_asset': return `${d.name}: unknown asset ${d.identifier}`;
    default: return JSON.stringify(d).slice(0, 160);
  }
}

function secs(t) { return (((t.ended || Date.now()) - t.started) / 1000).toFixed(1) + ' s'; }

export async function render(root) {
  const mine = h('div', { id: 'my-tasks' });
  const theirs = h('div', { id: 'node-tasks' });
  const msgs = h('div', { id: 'ws-messages' });
  root.append(section('This page’s tasks', mine), section('The node’s task list', theirs), section('Messages from the node (live)', msgs));

  const drawMine = () => {
    clear(mine).append(tasks.length ? table('Tasks', ['Task', 'State', 'Result'], tasks.map((t) => [
      h('span', null, t.label, t.id === null ? '' : h('span', { class: 'muted' }, ` #${t.id}`)),
      h('span', null, h('span', { class: 'state ' + t.state }, t.state), ' ', h('span', { class: 'muted' }, secs(t)),
        t.state === 'pending' || t.total ? h('br') : null, t.state === 'pending' || t.total ? progress(t.processed, t.total, t.label) : null),
      t.message || '']), [], [2])
      : h('p', { class: 'muted' }, 'No tasks yet.'));
  };
  const drawMsgs = () => {
    clear(msgs).append(messages.length ? table('WebSocket messages', ['Time', 'Type', 'What'],
      messages.slice(0, 100).map((m) => [m.at.toLocaleTimeString(), m.type, summary(m)]), [], [2])
      : h('p', { class: 'muted' }, 'No messages yet; they appear here as the node sends them.'));
  };
  const drawTheirs = async () => {
    const r = await api('GET', '/api/1/tasks');
    clear(theirs).append(h('p', null, `Pending: ${(r.pending || []).join(', ') || 'none'}. Completed, not yet read: ${(r.completed || []).join(', ') || 'none'}.`));
  };
  drawMine();
  drawMsgs();
  const offs = [on('task', drawMine), on('ws', drawMsgs)];
  const timer = setInterval(() => { drawMine(); drawTheirs().catch(() => {}); }, 2000);
  await drawTheirs();
  return () => { offs.forEach((f) => f()); clearInterval(timer); };
}
