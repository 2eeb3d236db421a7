// Loading the model: fetch the card, the weights it names and the catalog,
// hand the bytes to the wasm engine (which checks the sha256 and decodes),
// warm it up once. One engine per page, created on first use.

let enginePromise = null;

async function fetchOk(url, as) {
  const response = await fetch(url, { credentials: 'omit' });
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return as === 'bytes' ? new Uint8Array(await response.arrayBuffer()) : response.text();
}

async function load(config) {
  const started = performance.now();
  const wasm = await import(new URL('./pkg/vitrine.js', config.base).href);
  await wasm.default({ module_or_path: new URL('./pkg/vitrine_bg.wasm', config.base) });
  const cardText = await fetchOk(config.model, 'text');
  let weightsFile;
  try {
    weightsFile = JSON.parse(cardText).weights.file;
  } catch {
    throw new Error(`${config.model} is not a model card`);
  }
  const weightsUrl = new URL(weightsFile, new URL(config.model, document.baseURI));
  const [weights, catalog] = await Promise.all([
    fetchOk(weightsUrl.href, 'bytes'),
    config.catalog ? fetchOk(config.catalog, 'text') : Promise.resolve(null),
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
