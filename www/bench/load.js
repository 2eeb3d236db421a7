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

/** `{wasm, cardText, card, weights}` for a model card URL. */
export async function loadModel(modelUrl) {
  const wasm = await import('../pkg/vitrine.js');
  await wasm.default({ module_or_path: new URL('../pkg/vitrine_bg.wasm', import.meta.url) });
  const cardText = await (await fetch(modelUrl)).text();
  const card = JSON.parse(cardText);
  const weights = new Uint8Array(await (await fetch(new URL(card.weights.file, modelUrl))).arrayBuffer());
  return { wasm, cardText, card, weights };
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
