// history — history events (POST /api/1/history/events) with rotki's filters and paging.
import { api } from '../api.js';
import { assetNames } from '../data.js';
import { h, clear, field, table, amount, assetName, when, errorBox } from '../ui.js';

export const title = 'History';
const PAGE = 25;

function toTs(dateText, endOfDay) {
  if (!dateText) return undefined;
  const t = Date.parse(dateText + (endOfDay ? 'T23:59:59' : 'T00:00:00'));
  return Number.isFinite(t) ? Math.floor(t / 1000) : undefined;
}

export async function render(root) {
  const [fWrap, fIn] = field('From', { name: 'from', type: 'date' });
  const [tWrap, tIn] = field('To', { name: 'to', type: 'date' });
  const [lWrap, lIn] = field('Location', { name: 'location', options: [['', 'any'], ['kraken', 'kraken'], ['binance', 'binance'], ['ethereum', 'ethereum'], ['external', 'external']], value: '' });
  const [aWrap, aIn] = field('Asset', { name: 'asset', placeholder: 'e.g. BTC', autocomplete: 'off' });
  const [eWrap, eIn] = field('Event type', { name: 'event_type', options: [['', 'any'], ['trade', 'trade'], ['deposit', 'deposit'], ['withdrawal', 'withdrawal'], ['receive', 'receive'], ['spend', 'spend'], ['staking', 'staking'], ['exchange transfer', 'exchange transfer']], value: '' });
  const [nWrap, nIn] = field('Notes contain', { name: 'notes' });
  const filters = h('form', { class: 'card form filters' }, h('h3', null, 'Filters'), fWrap, tWrap, lWrap, aWrap, eWrap, nWrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters')));
  const out = h('div', { id: 'history-list' });
  const prev = h('button', { type: 'button' }, '← Newer');
  const next = h('button', { type: 'button' }, 'Older →');
  const pageInfo = h('span', { class: 'muted', role: 'status' });
  root.append(filters, h('section', { class: 'card' }, h('h2', null, 'Events'), out, h('div', { class: 'actions pager' }, prev, pageInfo, next)));

  let offset = 0;
  let found = 0;
  async function load() {
    const q = { limit: PAGE, offset, order_by_attributes: ['timestamp'], ascending: [false] };
    const from = toTs(fIn.value, false);
    const to = toTs(tIn.value, true);
    if (from !== undefined) q.from_timestamp = from;
    if (to !== undefined) q.to_timestamp = to;
    if (lIn.value) q.location = lIn.value;
    if (aIn.value.trim()) q.asset = aIn.value.trim();
    if (eIn.value) q.event_types = [eIn.value];
    if (nIn.value.trim()) q.notes_substring = nIn.value.trim();
    try {
      const r = await api('POST', '/api/1/history/events', q);
      found = r.entries_found;
      const entries = (r.entries || []).map((x) => x.entry || x);
      const names = await assetNames(entries.map((e) => e.asset).filter(Boolean));
      clear(out);
      // four columns (an event's type over its location, its amount with the asset) fit a phone
      out.append(entries.length ? table('History events', ['Time', 'Event', 'Amount', 'Notes'], entries.map((e) => [
        when(e.timestamp / (e.timestamp > 1e11 ? 1000 : 1)),
        h('span', null, `${e.event_type} / ${e.event_subtype}`, h('br'), h('span', { class: 'muted' }, e.location + (e.location_label ? ' · ' + e.location_label : ''))),
        h('span', null, amount(e.amount) + ' ', h('span', { title: e.asset }, assetName(e.asset, names))), e.user_notes || e.notes || '']), [2], [3])
        : h('p', { class: 'muted' }, 'No events match.'));
      pageInfo.textContent = found ? `${offset + 1}–${offset + entries.length} of ${found} (${r.entries_total} in all)` : '';
      prev.disabled = offset === 0;
      next.disabled = offset + PAGE >= found;
    } catch (e) {
      if (e.kind !== 'failed') throw e;
      clear(out).append(errorBox(e, 'History:'));
    }
  }
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); offset = 0; load(); });
  prev.addEventListener('click', () => { offset = Math.max(0, offset - PAGE); load(); });
  next.addEventListener('click', () => { offset += PAGE; load(); });
  await load();
}
