// api.js — the node's REST API: rotki's envelope {"result", "message"}, its async task protocol,
// and one place that turns every failure into a message a person can read.
import { emit } from './bus.js';

// kind: "unreachable" (no answer at all), "session" (401), "failed" (any other error answer)
export class ApiError extends Error {
  constructor(kind, status, message) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

// One request; the parsed envelope and the HTTP status, whatever the status.
async function exchange(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) { // the node takes JSON bodies only, from its own origin
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (e) {
    const err = new ApiError('unreachable', 0, `The node is unreachable (${method} ${path}: ${e.message || e}).`);
    emit('unreachable', err);
    throw err;
  }
  emit('reachable');
  const text = await resp.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* not an envelope: said below */ }
  if (!json || typeof json !== 'object' || !('result' in json)) {
    throw new ApiError('failed', resp.status, `${method} ${path}: HTTP ${resp.status} without an API answer${text ? ': ' + text.slice(0, 120) : ''}`);
  }
  return { status: resp.status, json };
}

function fail(status, json, method, path, quiet401) {
  const message = json.message || `${method} ${path} failed with HTTP ${status}`;
  if (status === 401) {
    const err = new ApiError('session', 401, message);
    if (!quiet401) emit('session', err);
    throw err;
  }
  throw new ApiError('failed', status, message);
}

// The result of a call, or an ApiError. opts.quiet401: a 401 is this call's own answer (a
// wrong password), not an expired session.
export async function api(method, path, body, opts = {}) {
  const { status, json } = await exchange(method, path, body);
  if (status < 200 || status > 299) fail(status, json, method, path, opts.quiet401);
  return json.result;
}

// ---- async tasks: every one this page starts is listed (tasks.js shows them) ----
export const tasks = [];
let nextLocal = 1;

function changed(t) { emit('task', t); }

// Starts method path as an async task and waits for its outcome (polling /tasks/<id>); label
// names it on the screen, progress (a progress_updates subtype) ties WebSocket progress to it.
export async function task(method, path, body, label, progress) {
  const t = { local: nextLocal++, id: null, label, method, path, progress: progress || null, state: 'starting',
    started: Date.now(), ended: null, processed: 0, total: 0, message: '' };
  tasks.unshift(t);
  if (tasks.length > 100) tasks.pop();
  changed(t);
  try {
    let p = path;
    let b = body;
    if (method === 'GET') p += (p.includes('?') ? '&' : '?') + 'async_query=true';
    else b = Object.assign({}, body || {}, { async_query: true });
    const first = await api(method, p, b);
    if (!first || typeof first !== 'object' || !('task_id' in first)) { // answered at once (a cached result)
      t.state = 'done';
      t.ended = Date.now();
      changed(t);
      return first;
    }
    t.id = first.task_id;
    t.state = 'pending';
    changed(t);
    for (let wait = 150; ; wait = Math.min(wait * 1.5, 1000)) {
      await new Promise((r) => setTimeout(r, wait));
      const { status, json } = await exchange('GET', `/api/1/tasks/${t.id}`);
      if (status === 404) throw new ApiError('failed', 404, `Task ${t.id} is gone (${json.message})`);
      if (status < 200 || status > 299) fail(status, json, 'GET', `/api/1/tasks/${t.id}`);
      const r = json.result;
      if (!r || r.status !== 'completed') continue;
      const code = r.status_code || 200;
      const outcome = r.outcome || {};
      if (code < 200 || code > 299) fail(code, outcome, method, path);
      t.state = 'done';
      t.ended = Date.now();
      t.message = outcome.message || '';
      changed(t);
      return outcome.result;
    }
  } catch (e) {
    t.state = 'failed';
    t.ended = Date.now();
    t.message = e.message;
    changed(t);
    throw e;
  }
}

// WebSocket progress_updates for a subtype advance the running tasks that wait on it
export function progressUpdate(data) {
  for (const t of tasks) {
    if (t.progress === data.subtype && (t.state === 'pending' || t.state === 'starting')) {
      t.processed = data.processed;
      t.total = data.total;
      changed(t);
    }
  }
}

// The session cookie is the node's; these keep the page's idea of who is logged in
export async function loggedInUser() {
  const users = await api('GET', '/api/1/users');
  return Object.keys(users).find((u) => users[u] === 'loggedin') || null;
}
