// The shopper's history, kept only in this browser (localStorage), capped in
// size, never sent anywhere. Each event is {type, id, at}.

import { config } from './config.js';

const KEY = 'vitrine.history.v1';
export const EVENT_TYPES = ['view', 'add-to-cart', 'purchase'];
export const MAX_EVENTS = 200;
export const MAX_ID_LENGTH = 128;
const DAY_MS = 24 * 60 * 60 * 1000;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled (privacy mode, sandboxed frame): history lives in memory only
  }
}

let memory = [];

/** All stored events, oldest first. A corrupted entry is set aside, not deleted. */
export function readEvents() {
  const store = storage();
  if (!store) return memory.slice();
  const raw = store.getItem(KEY);
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw);
    if (!Array.isArray(parsed)) throw new Error('not an array');
    const oldest = Date.now() - config.retentionDays * DAY_MS;
    return parsed.filter(
      (e) => e && EVENT_TYPES.includes(e.type) && typeof e.id === 'string' && Number.isFinite(e.at) && e.at >= oldest,
    );
  } catch (err) {
    store.setItem(`${KEY}.unreadable`, raw);
    store.removeItem(KEY);
    console.error('[vitrine] stored history was unreadable; kept it aside under', `${KEY}.unreadable`, err);
    return [];
  }
}

function writeEvents(events) {
  const kept = events.slice(-MAX_EVENTS);
  const store = storage();
  if (!store) {
    memory = kept;
    return;
  }
  try {
    store.setItem(KEY, JSON.stringify(kept));
  } catch (err) {
    memory = kept; // quota exceeded: keep going in memory rather than lose the event
    console.error('[vitrine] could not save history:', err);
  }
}

/** Record one event. Returns false (and records nothing) for bad input. */
export function record(type, id) {
  if (!EVENT_TYPES.includes(type)) return false;
  if (typeof id !== 'string' && typeof id !== 'number') return false;
  const key = String(id);
  if (!key || key.length > MAX_ID_LENGTH) return false;
  writeEvents([...readEvents(), { type, id: key, at: Date.now() }]);
  window.dispatchEvent(new CustomEvent('vitrine:history'));
  return true;
}

/** The model's input: item ids oldest first, each once (at its latest position). */
export function itemSequence(events = readEvents()) {
  const latest = new Map();
  events.forEach((e, i) => latest.set(e.id, i));
  return [...latest.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
}

export function clear() {
  const store = storage();
  memory = [];
  if (store) {
    store.removeItem(KEY);
    store.removeItem(`${KEY}.unreadable`);
  }
  window.dispatchEvent(new CustomEvent('vitrine:history'));
}
