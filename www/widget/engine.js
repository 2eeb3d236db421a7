// Loading the model: fetch the card, the weights it names and the catalog,
// hand the bytes to the wasm engine (which checks the sha256 and decodes),
// warm it up once. One engine per page, created on first use. Weights are
// kept in the Cache API under their sha256, so a second visit downloads
// only the small card.

const CACHE = 'vitrine-weights-v1';
let enginePromise = null;
const progressListeners = new Set();

/** Subscribe to download progress: `fn({loaded, total})`; returns an unsubscribe function. */
export function onProgress(fn) {
  progressListeners.add(fn);
  return () => progressListeners.delete(fn);
}

function report(loaded, total) {
  for (const fn of progressListeners) fn({ loaded, total });
}

async function fetchOk(url) {
  const response = await fetch(url, { credentials: 'omit' });
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return response;
}

/** Read a response body, reporting progress as it arrives. */
async function readWithProgress(response, expected) {
  const total = Number(response.headers.get('content-length')) || expected || 0;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    report(loaded, total);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function openCache() {
  try {
    return await caches.open(CACHE);
  } catch {
    return null; // no Cache API (insecure context, storage disabled): download every time
  }
}

/** The weights, from the cache when their sha256 is already there. */
async function loadWeights(url, card) {
  const key = `${url}#sha256=${card.weights.sha256}`;
  const cache = await openCache();
  const hit = cache && (await cache.match(key));
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    report(bytes.length, bytes.length);
    return bytes;
  }
  const bytes = await readWithProgress(await fetchOk(url), card.weights.bytes);
  if (cache) {
    // Drop weights of older cards for the same file, then keep this one.
    for (const old of await cache.keys()) if (old.url.startsWith(`${url}#`)) await cache.delete(old);
    await cache.put(key, new Response(bytes)).catch(() => {});
  }
  return bytes;
}

async function load(config) {
  const started = performance.now();
  const wasm = await import(new URL('./pkg/vitrine.js', config.base).href);
  await wasm.default({ module_or_path: new URL('./pkg/vitrine_bg.wasm', config.base) });
  const cardText = await (await fetchOk(config.model)).text();
  let card;
  try {
    card = JSON.parse(cardText);
  } catch {
    throw new Error(`${config.model} is not a model card`);
  }
  const weightsUrl = new URL(card.weights?.file ?? '', new URL(config.model, document.baseURI)).href;
  const [weights, catalog] = await Promise.all([
    loadWeights(weightsUrl, card),
    config.catalog ? fetchOk(config.catalog).then((r) => r.text()) : Promise.resolve(null),
  ]);
  const engine = await wasm.Engine.load(cardText, weights, config.backend);
  if (catalog !== null) engine.setCatalog(catalog);
  await engine.warmUp();
  const currency = catalog ? JSON.parse(catalog).currency : 'USD';
  if (engine.fallbackReason) console.info('[vitrine] using the CPU:', engine.fallbackReason);
  return { engine, currency, loadMs: performance.now() - started };
}

export function getEngine(config) {
  if (!enginePromise) enginePromise = load(config);
  return enginePromise;
}
