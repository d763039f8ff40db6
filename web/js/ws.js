// ws.js — rotki's notifier (/ws): every {"type", "data"} message goes to the bus as "ws" (and
// "ws:<type>") and into a short log the tasks screen shows. Reconnects while someone is logged
// in; while the socket is down, /api/1/messages is polled for the warnings and errors kept there.
import { api } from './api.js';
import { emit } from './bus.js';

export const messages = []; // newest first: {at, type, data}
let sock = null;
let wanted = false;
let retry = 1000;
let pollTimer = null;

function record(type, data) {
  const m = { at: new Date(), type, data };
  messages.unshift(m);
  if (messages.length > 300) messages.pop();
  emit('ws', m);
  emit('ws:' + type, data);
}

function setState(state) { emit('live', state); }

async function poll() {
  if (!wanted || (sock && sock.readyState === WebSocket.OPEN)) return;
  try {
    const r = await api('GET', '/api/1/messages');
    for (const v of r.warnings || []) record('legacy', { verbosity: 'warning', value: v });
    for (const v of r.errors || []) record('legacy', { verbosity: 'error', value: v });
  } catch (e) { /* the banner already says why */ }
}

function open() {
  if (!wanted || sock) return;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  setState('connecting');
  sock = new WebSocket(url);
  sock.onopen = () => { retry = 1000; setState('live'); };
  sock.onmessage = (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m && typeof m.type === 'string') record(m.type, m.data);
  };
  sock.onclose = (ev) => {
    sock = null;
    setState('offline');
    if (ev.code === 1008) emit('replaced'); // another login took over this session
    if (wanted) setTimeout(open, retry);
    retry = Math.min(retry * 2, 15000);
  };
}

export function connect() {
  wanted = true;
  open();
  if (!pollTimer) pollTimer = setInterval(poll, 10000);
}

export function disconnect() {
  wanted = false;
  clearInterval(pollTimer);
  pollTimer = null;
  if (sock) sock.close(1000);
}
