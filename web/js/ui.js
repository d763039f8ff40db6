// ui.js — small DOM helpers: elements, tables, forms, number formatting, error boxes.

// h('button', {type: 'button', onclick: fn}, 'text', child…): attributes starting with "on" are
// listeners; children are nodes or text (never parsed as HTML).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function clear(el) { el.replaceChildren(); return el; }

// A table with a caption; rows are arrays of cells (text or nodes), numeric columns right-aligned,
// long ones (free text, identifiers) wrapped anywhere.
export function table(caption, headers, rows, numeric = [], long = []) {
  const cls = (i) => (numeric.includes(i) ? 'num' : long.includes(i) ? 'long' : null);
  const head = h('tr', null, headers.map((x, i) => h('th', { scope: 'col', class: cls(i) }, x)));
  const body = rows.map((r) => h('tr', null, r.map((x, i) => h('td', { class: cls(i) }, x))));
  return h('div', { class: 'scroll' }, h('table', null, h('caption', null, caption), h('thead', null, head), h('tbody', null, body)));
}

let fieldId = 0;
// A labelled input; returns [wrapper, input]
export function field(label, attrs = {}) {
  const id = 'f' + ++fieldId;
  const input = attrs.options
    ? h('select', { id, name: attrs.name }, attrs.options.map(([v, t]) => h('option', { value: v, selected: v === attrs.value }, t)))
    : h('input', Object.assign({ id }, attrs));
  const wrap = h('div', { class: attrs.type === 'checkbox' ? 'field check' : 'field' }, h('label', { for: id }, label), input);
  return [wrap, input];
}

// A form whose submit runs fn with a busy state; a failure shows its message in the form.
export function form(title, fields, submitText, fn) {
  const status = h('p', { class: 'form-status', role: 'status' });
  const button = h('button', { type: 'submit' }, submitText);
  const f = h('form', { class: 'card form' }, title ? h('h3', null, title) : null, fields, h('div', { class: 'actions' }, button), status);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    status.className = 'form-status';
    status.textContent = 'Working…';
    try {
      const msg = await fn();
      status.textContent = msg || 'Done.';
      status.className = 'form-status ok';
    } catch (e) {
      status.textContent = e.message || String(e);
      status.className = 'form-status error';
    } finally {
      button.disabled = false;
    }
  });
  return f;
}

export function errorBox(e, prefix) {
  return h('div', { class: 'error-box', role: 'alert' }, prefix ? h('strong', null, prefix + ' ') : null, e.message || String(e));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', null, title), children);
}

// Decimal strings stay exact in storage; shown rounded, grouped by the locale
// (beyond a trillion trillions — test tokens, spam airdrops — digits stop meaning anything)
const HUGE = 1e15;
export function amount(s, digits = 6) {
  const n = Number(s);
  if (!Number.isFinite(n)) return String(s);
  if (Math.abs(n) >= HUGE) return n.toExponential(4);
  return n.toLocaleString(undefined, { maximumFractionDigits: Math.abs(n) >= 1000 ? 2 : digits });
}

export function money(s, currency = 'USD') {
  const n = Number(s);
  if (!Number.isFinite(n)) return String(s);
  if (Math.abs(n) >= HUGE) return n.toExponential(4) + ' ' + currency;
  return n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' ' + currency;
}

export function short(addr) { return addr && addr.length > 14 ? addr.slice(0, 8) + '…' + addr.slice(-6) : addr; }

export function when(ts) { return new Date(ts * 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }); }

// An asset identifier's short name ("eip155:1/erc20:0x…" → its symbol from names, else the tail)
export function assetName(id, names) {
  if (names && names[id] && names[id].symbol) return names[id].symbol;
  const m = /erc20:(0x[0-9a-fA-F]{40})$/.exec(id);
  return m ? short(m[1]) : id;
}

// A progress bar with its text
export function progress(processed, total, label) {
  const bar = h('progress', { max: total || 1, value: total ? processed : null, 'aria-label': label });
  return h('span', { class: 'progress' }, bar, h('span', { class: 'muted' }, total ? ` ${processed}/${total}` : ' waiting…'));
}
