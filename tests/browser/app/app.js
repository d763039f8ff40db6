// Logs in as a fresh user the way rotki's frontend does (PUT /api/1/users), then makes every
// call of ROUTES and shows the answers; window.pipitResult tells the test what happened.
import { ROUTES } from '/routes.js';

const state = document.getElementById('state');
const rows = document.querySelector('#calls tbody');

async function call(method, path, body) {
  const t0 = performance.now();
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  const text = await resp.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* reported as no envelope */ }
  const envelope = json !== null && typeof json === 'object' && 'result' in json && 'message' in json;
  const entry = { method, path, status: resp.status, ms: Math.round(performance.now() - t0), envelope,
                  message: envelope ? json.message : text.slice(0, 200) };
  const tr = document.createElement('tr');
  tr.className = resp.ok && envelope ? 'ok' : 'bad';
  for (const v of [method, path, resp.status, entry.ms, envelope ? 'yes' : 'no']) {
    const td = document.createElement('td');
    td.textContent = String(v);
    tr.appendChild(td);
  }
  rows.appendChild(tr);
  return entry;
}

async function run() {
  const user = 'browser' + Date.now();
  const calls = [];
  calls.push(await call('PUT', '/api/1/users', { name: user, password: 'browser-pass-1' }));
  for (const [method, path, body] of ROUTES) calls.push(await call(method, path, body));
  const failed = calls.filter((c) => !(c.status >= 200 && c.status < 300 && c.envelope));
  state.textContent = `${user}: ${calls.length - failed.length} of ${calls.length} calls answered`;
  return { user, calls, failed };
}

window.pipitResult = run().catch((e) => ({ error: String(e && e.stack || e) }));
