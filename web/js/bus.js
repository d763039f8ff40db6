// bus.js — a tiny event bus between the API layer, the WebSocket and the screens.
const handlers = new Map();

export function on(name, fn) {
  if (!handlers.has(name)) handlers.set(name, new Set());
  handlers.get(name).add(fn);
  return () => handlers.get(name).delete(fn);
}

export function emit(name, value) {
  for (const fn of handlers.get(name) || []) {
    try { fn(value); } catch (e) { console.warn(`handler of ${name}:`, e); }
  }
}
