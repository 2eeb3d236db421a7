// The page side of the engine: one Web Worker per page (worker.js), created
// on first use, and a small promise API over its messages. Every request
// carries an id so answers find their caller.

import { config, freeze } from './config.js';

let enginePromise = null;
const progressListeners = new Set();

/** Subscribe to weight download progress: `fn({loaded, total})`; returns an unsubscribe function. */
export function onProgress(fn) {
  progressListeners.add(fn);
  return () => progressListeners.delete(fn);
}

let connection = null;

/** The page's one worker, started on first use. */
function worker(settings) {
  connection ??= connect(settings);
  return connection;
}

function connect(settings) {
  const worker = new Worker(new URL('./widget/worker.js', settings.base), { type: 'module' });
  const pending = new Map();
  let next = 0;
  worker.onmessage = ({ data }) => {
    if (data.type === 'progress') {
      for (const fn of progressListeners) fn(data);
      return;
    }
    const call = pending.get(data.id);
    if (!call) return;
    pending.delete(data.id);
    if (data.ok) call.resolve(data.result);
    else call.reject(Object.assign(new Error(data.error.message), { name: data.error.name }));
  };
  worker.onerror = (event) => {
    const err = new Error(`the Vitrine worker failed: ${event.message ?? 'could not start'}`);
    for (const call of pending.values()) call.reject(err);
    pending.clear();
  };
  // Byte arrays among the arguments move to the worker instead of being copied.
  const call = (method, ...args) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      const transfer = args.filter((a) => a instanceof Uint8Array).map((a) => a.buffer);
      worker.postMessage({ id, method, args }, transfer);
    });
  return { call };
}

async function load(settings) {
  const started = performance.now();
  const { call } = worker(settings);
  const { backend, currency, catalogWarning } = await call('load', { model: settings.model, catalog: settings.catalog, backend: settings.backend });
  warnAboutCatalog(catalogWarning);
  const engine = {
    backend,
    recommend: (history, k) => call('recommend', history, k),
    popular: (k) => call('popular', k),
    similar: (id, exclude, k) => call('similar', id, exclude, k),
    boughtTogether: (id, exclude, k) => call('boughtTogether', id, exclude, k),
    lookup: (ids) => call('lookup', ids),
    currentBackend: () => call('backend'),
  };
  return { engine, currency, loadMs: performance.now() - started };
}

/** One console warning on the page when the catalog check left items out or shortened titles. */
function warnAboutCatalog(warning) {
  if (warning) console.warn(`[vitrine] catalog: ${warning}`);
}

/** The page's engine, loading it on first use with the current configuration. */
export function getEngine() {
  if (!enginePromise) {
    freeze();
    enginePromise = load(config);
  }
  return enginePromise;
}

let tryOnPromise = null;

/** The try-on pipeline in the page's worker: `{backend, width, height, render(person, garment)}`. */
export function getTryOn() {
  if (!tryOnPromise) {
    freeze();
    tryOnPromise = (async () => {
      const { call } = worker(config);
      const info = await call('loadTryOn', { model: config.tryOnModel, backend: config.backend });
      return { ...info, render: (person, garment) => call('render', person, garment) };
    })();
    // A failed load may be retried (e.g. after the network comes back).
    tryOnPromise.catch(() => {
      tryOnPromise = null;
    });
  }
  return tryOnPromise;
}

let popularPromise = null;

/**
 * The card's popular items joined with the catalog, without the model: what
 * `for-you` shows when the model cannot run. The catalog goes through the
 * engine's own catalog check in the worker (invalid items never show).
 * Resolves to null when the card or catalog is unusable too.
 */
export function popularWithoutModel() {
  if (!popularPromise) {
    popularPromise = (async () => {
      try {
        if (!config.model || !config.catalog) return null;
        const [card, catalog] = await Promise.all([
          fetch(config.model, { credentials: 'omit' }).then((r) => r.json()),
          worker(config).call('checkCatalog', config.catalog),
        ]);
        warnAboutCatalog(catalog.warning);
        if (!Array.isArray(card?.popular)) return null;
        const byId = new Map(catalog.items.map((i) => [i.id, i]));
        const items = card.popular.filter((id) => byId.has(id)).map((id) => ({ id, item: byId.get(id) }));
        return items.length ? { currency: catalog.currency, items } : null;
      } catch {
        return null;
      }
    })();
  }
  return popularPromise;
}
