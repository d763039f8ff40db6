// app.js — the page's shell: who is logged in, the screen router (#/name), the banner that says
// what went wrong (node unreachable, session expired, a failed request) and the running tasks.
import { api, loggedInUser, progressUpdate, tasks } from './api.js';
import { on } from './bus.js';
import { h, clear, progress } from './ui.js';
import * as ws from './ws.js';
import * as login from './screens/login.js';
import * as dashboard from './screens/dashboard.js';
import * as accounts from './screens/accounts.js';
import * as manual from './screens/manual.js';
import * as exchanges from './screens/exchanges.js';
import * as history from './screens/history.js';
import * as tasksScreen from './screens/tasks.js';
import * as settings from './screens/settings.js';
import * as node from './screens/node.js';

const SCREENS = { dashboard, accounts, manual, exchanges, history, tasks: tasksScreen, settings, node };
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const banner = document.getElementById('banner');
const activity = document.getElementById('activity');
const live = document.getElementById('live');
const userEl = document.getElementById('user');
const logoutBtn = document.getElementById('logout');

export const app = { user: null, currency: 'USD' };
let leave = null;          // the current screen's cleanup
let bannerKind = null;
let pingTimer = null;

function showBanner(kind, text) {
  bannerKind = kind;
  banner.className = 'banner ' + kind;
  banner.replaceChildren(h('span', null, text), h('button', { type: 'button', class: 'link', onclick: hideBanner }, 'Dismiss'));
  banner.hidden = false;
}
function hideBanner() { banner.hidden = true; bannerKind = null; }

// ---- failures from anywhere ----
on('unreachable', (e) => {
  showBanner('unreachable', `${e.message} Retrying every 5 seconds…`);
  if (!pingTimer) {
    pingTimer = setInterval(() => api('GET', '/api/1/ping').catch(() => {}), 5000);
  }
});
on('reachable', () => {
  if (bannerKind === 'unreachable') {
    hideBanner();
    if (pingTimer) { clearInterval(pingTimer); pingTimer = null; }
  }
});
on('session', (e) => {
  if (!app.user) return;
  signedOut();
  showBanner('session', `Your session has ended (${e.message}). Log in again.`);
  go('login');
});
on('replaced', () => {
  if (app.user) showBanner('session', 'Someone logged in to this node elsewhere; this window was signed out.');
});
on('live', (state) => { live.textContent = state; live.dataset.state = state; });
on('ws:progress_updates', progressUpdate);
on('ws:legacy', (d) => { if (d && d.verbosity === 'error') showBanner('failed', 'Node error: ' + d.value); });
on('ws:balance_snapshot_error', (d) => showBanner('failed', `Balance query of ${d.location} failed: ${d.error}`));
on('task', renderActivity);
window.addEventListener('unhandledrejection', (ev) => {
  ev.preventDefault();
  const e = ev.reason;
  if (e && (e.kind === 'unreachable' || e.kind === 'session')) return; // the banner says it
  showBanner('failed', 'Request failed: ' + (e && e.message || e));
});

// ---- running tasks: one line each with its progress bar, for every screen ----
function renderActivity() {
  const running = tasks.filter((t) => t.state === 'pending' || t.state === 'starting');
  clear(activity);
  for (const t of running) {
    activity.append(h('div', { class: 'task-line', 'data-task': t.id || '' }, h('span', null, t.label),
      progress(t.processed, t.total, t.label + ' progress')));
  }
}

// ---- who is logged in ----
export function signedIn(name) {
  app.user = name;
  userEl.textContent = name;
  nav.hidden = false;
  logoutBtn.hidden = false;
  if (bannerKind === 'session') hideBanner();
  ws.connect();
  api('GET', '/api/1/settings').then((s) => { app.currency = s.main_currency || 'USD'; }).catch(() => {});
}

function signedOut() {
  app.user = null;
  userEl.textContent = '';
  nav.hidden = true;
  logoutBtn.hidden = true;
  ws.disconnect();
}

logoutBtn.addEventListener('click', async () => {
  const name = app.user;
  ws.disconnect(); // before the node closes it for the ended session (1008)
  try {
    await api('PATCH', `/api/1/users/${encodeURIComponent(name)}`, { action: 'logout' });
  } catch (e) {
    if (e.kind !== 'session') { showBanner('failed', 'Logout failed: ' + e.message); return; }
  }
  signedOut();
  go('login');
});

// ---- the router ----
export function go(name) {
  if (location.hash !== '#/' + name) location.hash = '#/' + name;
  else route();
}

async function route() {
  const name = (location.hash.replace(/^#\/?/, '') || 'dashboard').split('?')[0];
  const screen = app.user ? SCREENS[name] || dashboard : login;
  if (!app.user && name !== 'login') { location.hash = '#/login'; return; }
  if (leave) { try { leave(); } catch (e) { /* nothing to keep */ } leave = null; }
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === '#/' + name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  clear(main);
  document.title = `pipit — ${screen.title}`;
  main.append(h('h1', { class: 'screen-title' }, screen.title));
  const root = h('div', { class: 'screen', 'data-screen': screen === login ? 'login' : name, 'aria-busy': 'true' });
  main.append(root);
  try {
    leave = (await screen.render(root, app)) || null;
  } catch (e) {
    if (e.kind !== 'session') root.append(h('div', { class: 'error-box' }, e.kind === 'unreachable' ? 'This screen could not load: the node did not answer.' : e.message));
  } finally {
    root.removeAttribute('aria-busy');
  }
}
window.addEventListener('hashchange', route);

Object.assign(app, { signedIn, go, showBanner });

async function start() {
  try {
    const user = await loggedInUser();
    // beyond loopback the session cookie decides: a user logged in for another browser is not ours
    if (user) await api('GET', '/api/1/settings', undefined, { quiet401: true }).then(() => signedIn(user), () => {});
  } catch (e) {
    clear(main).append(h('div', { class: 'error-box', role: 'alert' }, e.message));
    return;
  }
  if (!app.user) location.hash = '#/login';
  route();
}
start();
