// The engine's home: a dedicated module worker, so model work never blocks
// the store's page. It fetches the model (weights cached in the Cache API
// under their sha256), builds the wasm engine and answers requests tagged
// with ids: {id, method, args} -> {id, ok, result | error}. Download progress
// is posted as {type: 'progress', loaded, total}.
//
// The engine comes in three wasm modules (scripts/build-wasm.sh), each loaded
// only when something needs it:
//   pkg/        recommendations on the CPU: every page, 0.34 MB with Brotli (0.48 gzip);
//   pkg/tryon/  the fitting room on the CPU: only when a try-on dialog opens;
//   pkg/gpu/    both engines with the WebGPU runtime (1.97 MB with Brotli): only for
//               the fitting room on a hardware GPU adapter, or recommendations
//               on a page that asks for backend "webgpu".
// Recommendations never pick WebGPU by themselves: the CPU answers in under a
// millisecond, less than one GPU readback, so the runtime would not pay for
// its download and shader compilation (README, "Benchmark").

import { sha256Hex } from './digest.js';

const CACHE = 'vitrine-weights-v1';
let engine = null;
let tryOn = null;
// A second CPU engine for half of the parser's passes (parse-split.js), or null.
let parseHelper = null;
// parse-split.js, imported with the fitting room (a page without one never fetches it).
let parseSplit = null;
const modules = new Map();

/** The JS glue of a wasm module folder. */
const glueUrl = (folder) => new URL(`../${folder}vitrine.js`, import.meta.url).href;

/** A wasm module by folder (`pkg/`, `pkg/tryon/`, `pkg/gpu/`), fetched, compiled (streaming) and instantiated once. */
function wasmModule(folder) {
  if (!modules.has(folder)) {
    const base = new URL(`../${folder}`, import.meta.url);
    const ready = import(glueUrl(folder)).then(async (glue) => {
      await glue.default({ module_or_path: new URL('vitrine_bg.wasm', base) });
      return glue;
    });
    // A failed load (network) may be retried by the next request.
    ready.catch(() => modules.delete(folder));
    modules.set(folder, ready);
  }
  return modules.get(folder);
}

/** A hardware WebGPU adapter (not a software one such as SwiftShader, where the CPU path measured faster). */
async function hardwareGpu() {
  try {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) return false;
    const info = adapter.info ?? {};
    const software = info.isFallbackAdapter || adapter.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
    return !software;
  } catch {
    return false;
  }
}

/** [module folder, backend for the engine] for recommendations: WebGPU only when asked for. */
function recommendationsModule(backend) {
  return backend === 'webgpu' ? ['pkg/gpu/', 'webgpu'] : ['pkg/', 'cpu'];
}

/** [module folder, backend] for the fitting room: WebGPU when asked, or on auto with a hardware adapter. */
async function tryOnModule(backend) {
  const gpu = backend === 'webgpu' || (backend === 'auto' && (await hardwareGpu()));
  return gpu ? ['pkg/gpu/', 'webgpu'] : ['pkg/tryon/', 'cpu'];
}

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

async function readCard(model) {
  const cardText = await (await fetchOk(model)).text();
  try {
    return [cardText, JSON.parse(cardText)];
  } catch {
    throw new Error(`${model} is not a model card`);
  }
}

async function load({ model, catalog, backend }) {
  const [folder, engineBackend] = recommendationsModule(backend);
  const [{ Engine }, [cardText, card]] = await Promise.all([wasmModule(folder), readCard(model)]);
  const side = card.bought_together;
  const [weights, catalogText, together] = await Promise.all([
    loadCached(new URL(card.weights?.file ?? '', model).href, card.weights ?? {}),
    catalog ? fetchOk(catalog).then((r) => r.text()) : Promise.resolve(null),
    side ? loadCached(new URL(side.file, model).href, side, false) : Promise.resolve(null),
  ]);
  engine = await Engine.load(cardText, weights, engineBackend, await sha256Hex(weights));
  const catalogCheck = catalogText !== null ? engine.setCatalog(catalogText) : null;
  if (together !== null) engine.setBoughtTogether(together);
  await engine.warmUp();
  if (engine.fallbackReason) console.info('[vitrine] using the CPU:', engine.fallbackReason);
  return { backend: engine.backend, currency: catalogText ? JSON.parse(catalogText).currency : 'USD', catalogWarning: catalogCheck?.warning ?? null };
}

/** The catalog at `url` after the engine's catalog check, without a model (the popular fallback). */
async function checkCatalog(url) {
  const [{ checkCatalog: checkCatalogJson }, text] = await Promise.all([wasmModule('pkg/'), fetchOk(url).then((r) => r.text())]);
  return checkCatalogJson(text);
}

/** The try-on pipeline, loaded on the first "Try it on", in its own module. */
async function loadTryOn({ model, backend }) {
  const [folder, engineBackend] = await tryOnModule(backend);
  const [cardText, card] = await readCard(model);
  const [glue, weights, split] = await Promise.all([
    wasmModule(folder),
    loadCached(new URL(card.weights?.file ?? '', model).href, card.weights ?? {}),
    import('./parse-split.js'),
  ]);
  parseSplit = split;
  const sha256 = await sha256Hex(weights);
  parseHelper?.close();
  // On the CPU the helper engine loads beside this one (on its own core);
  // it is let go if the card asks for a single pass.
  const helper = engineBackend === 'cpu' ? parseSplit.startParseHelper({ glueUrl: glueUrl(folder), glue, cardText, weights, sha256 }) : Promise.resolve(null);
  try {
    tryOn = await glue.TryOn.load(cardText, weights, engineBackend, sha256);
  } catch (err) {
    (await helper)?.close(); // its engine would have nothing to help
    throw err;
  }
  parseHelper = await helper;
  if (parseHelper && tryOn.parsePasses < 2) {
    parseHelper.close();
    parseHelper = null;
  }
  if (tryOn.fallbackReason) console.info('[vitrine] try-on uses the CPU:', tryOn.fallbackReason);
  return { backend: tryOn.backend, width: tryOn.width, height: tryOn.height, parseWorkers: parseHelper ? 2 : 1 };
}

/** person, garment: RGBA bytes at the model's size; the render's pixels travel back without a copy. */
async function render(person, garment) {
  const started = performance.now();
  const split = parseHelper && tryOn.backend === 'cpu';
  const out = split ? await parseSplit.renderSplit(tryOn, parseHelper, person, garment) : await tryOn.render(person, garment);
  if (out.helperFailed) {
    parseHelper.close();
    parseHelper = null;
  }
  const parseWorkers = split && !out.helperFailed ? 2 : 1;
  return { pixels: out.pixels, width: out.width, height: out.height, backend: out.backend, personConfidence: out.personConfidence, parseWorkers, ms: performance.now() - started };
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
