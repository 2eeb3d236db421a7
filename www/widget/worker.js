// The engine's home: a dedicated module worker, so model work never blocks
// the store's page. It fetches the model (weights cached in the Cache API
// under their sha256), builds the wasm engine (WebGPU, else CPU) and answers
// requests tagged with ids: {id, method, args} -> {id, ok, result | error}.
// Download progress is posted as {type: 'progress', loaded, total}.

import init, { Engine, TryOn, checkCatalog as checkCatalogJson } from '../pkg/vitrine.js';

const CACHE = 'vitrine-weights-v1';
let engine = null;
let tryOn = null;
let wasmReady = null;

async function fetchOk(url) {
  const response = await fetch(url, { credentials: 'omit' });
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return response;
}

async function readWithProgress(response, expected) {
  // With Content-Encoding the header counts compressed bytes, the reader decoded ones.
  const encoded = response.headers.has('content-encoding');
  const total = (!encoded && Number(response.headers.get('content-length'))) || expected || 0;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    postMessage({ type: 'progress', loaded, total });
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
    return null; // no Cache API here: download every time
  }
}

/** A model file (weights, side files), from the cache when its sha256 is already there. */
async function loadCached(url, { sha256, bytes: expected }, progress = true) {
  const key = `${url}#sha256=${sha256}`;
  const cache = await openCache();
  const hit = cache && (await cache.match(key));
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (progress) postMessage({ type: 'progress', loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  const response = await fetchOk(url);
  const bytes = progress ? await readWithProgress(response, expected) : new Uint8Array(await response.arrayBuffer());
  if (cache) {
    for (const old of await cache.keys()) if (old.url.startsWith(`${url}#`)) await cache.delete(old);
    await cache.put(key, new Response(bytes)).catch(() => {});
  }
  return bytes;
}

function initWasm() {
  wasmReady ??= init({ module_or_path: new URL('../pkg/vitrine_bg.wasm', import.meta.url) });
  return wasmReady;
}

async function readCard(model) {
  const cardText = await (await fetchOk(model)).text();
  try {
    return [cardText, JSON.parse(cardText)];
  } catch {
    throw new Error(`${model} is not a model card`);
  }
}

async function load({ model, catalog, backend }) {
  await initWasm();
  const [cardText, card] = await readCard(model);
  const side = card.bought_together;
  const [weights, catalogText, together] = await Promise.all([
    loadCached(new URL(card.weights?.file ?? '', model).href, card.weights ?? {}),
    catalog ? fetchOk(catalog).then((r) => r.text()) : Promise.resolve(null),
    side ? loadCached(new URL(side.file, model).href, side, false) : Promise.resolve(null),
  ]);
  engine = await Engine.load(cardText, weights, backend);
  const catalogCheck = catalogText !== null ? engine.setCatalog(catalogText) : null;
  if (together !== null) engine.setBoughtTogether(together);
  await engine.warmUp();
  if (engine.fallbackReason) console.info('[vitrine] using the CPU:', engine.fallbackReason);
  return { backend: engine.backend, currency: catalogText ? JSON.parse(catalogText).currency : 'USD', catalogWarning: catalogCheck?.warning ?? null };
}

/** The catalog at `url` after the engine's catalog check, without a model (the popular fallback). */
async function checkCatalog(url) {
  await initWasm();
  return checkCatalogJson(await fetchOk(url).then((r) => r.text()));
}

/** The try-on pipeline, loaded on the first "Try it on" (it shares the page's WebGPU device). */
async function loadTryOn({ model, backend }) {
  await initWasm();
  const [cardText, card] = await readCard(model);
  const weights = await loadCached(new URL(card.weights?.file ?? '', model).href, card.weights ?? {});
  tryOn = await TryOn.load(cardText, weights, backend);
  if (tryOn.fallbackReason) console.info('[vitrine] try-on uses the CPU:', tryOn.fallbackReason);
  return { backend: tryOn.backend, width: tryOn.width, height: tryOn.height };
}

/** person, garment: RGBA bytes at the model's size; the render's pixels travel back without a copy. */
async function render(person, garment) {
  const started = performance.now();
  const out = await tryOn.render(person, garment);
  return { pixels: out.pixels, width: out.width, height: out.height, backend: out.backend, personConfidence: out.personConfidence, ms: performance.now() - started };
}

const methods = {
  load,
  loadTryOn,
  checkCatalog,
  render,
  recommend: (history, k) => engine.recommend(history, k),
  popular: (k) => engine.popular(k),
  similar: (id, exclude, k) => engine.similar(id, exclude, k),
  boughtTogether: (id, exclude, k) => engine.boughtTogether(id, exclude, k),
  lookup: (ids) => engine.lookup(ids),
  backend: () => engine.backend,
};

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    if (!(method in methods)) throw new Error(`unknown method ${method}`);
    if (method === 'render' && !tryOn) throw new Error('the try-on model is not loaded');
    else if (!['load', 'loadTryOn', 'render', 'checkCatalog'].includes(method) && !engine) throw new Error('the engine is not loaded');
    const result = await methods[method](...args);
    postMessage({ id, ok: true, result }, result?.pixels ? [result.pixels.buffer] : []);
  } catch (err) {
    postMessage({ id, ok: false, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err) } });
  }
};
