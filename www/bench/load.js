// Shared by the benchmark pages: the page's query, and a model's wasm, card
// and weights fetched the way the worker does (without its cache).

/** `{modelUrl, backend, calls}` from ?model=...&backend=webgpu|cpu&calls=N. */
export function benchParams(defaultModel, defaultCalls) {
  const params = new URLSearchParams(location.search);
  return {
    modelUrl: new URL(params.get('model') ?? defaultModel, location.href),
    backend: params.get('backend') ?? 'auto',
    calls: Number(params.get('calls') ?? defaultCalls),
  };
}

/**
 * `{wasm, glueUrl, cardText, card, weights}` for a model card URL, with the wasm module
 * the widget's worker would pick: `pkg/gpu/` for WebGPU, else `pkg/` (or
 * `pkg/tryon/` when `tryOn`).
 */
export async function loadModel(modelUrl, { backend = 'cpu', tryOn = false } = {}) {
  const folder = backend === 'webgpu' ? '../pkg/gpu/' : tryOn ? '../pkg/tryon/' : '../pkg/';
  const base = new URL(folder, import.meta.url);
  // As the worker does: the module compiles (streaming) while the card and weights download.
  const glueUrl = new URL('vitrine.js', base).href;
  const wasmReady = import(glueUrl).then(async (wasm) => {
    await wasm.default({ module_or_path: new URL('vitrine_bg.wasm', base) });
    return wasm;
  });
  const cardText = await (await fetch(modelUrl)).text();
  const card = JSON.parse(cardText);
  const weights = new Uint8Array(await (await fetch(new URL(card.weights.file, modelUrl))).arrayBuffer());
  return { wasm: await wasmReady, glueUrl, cardText, card, weights };
}

/** Publish a result (or error) for the test driver and the reader. */
export function publish(promise) {
  promise.then(
    (result) => {
      window.benchResult = result;
      document.getElementById('out').textContent = JSON.stringify(result, null, 2);
    },
    (err) => {
      window.benchResult = { error: String(err) };
      document.getElementById('out').textContent = String(err);
    },
  );
}
