// The fitting room's second engine (see parse-split.js): a CPU try-on engine
// in its own worker that computes the parser passes the main worker hands it.
// It fetches nothing: the compiled wasm module, the card and the weights come
// from the main worker. {id, method, args} -> {id, ok, result | error}.

let tryOn = null;

const methods = {
  /** glueUrl: the wasm module's JS glue; module: its compiled WebAssembly.Module. Resolves to the pass count. */
  async load(glueUrl, module, cardText, weights, sha256) {
    const glue = await import(glueUrl);
    await glue.default({ module_or_path: module });
    tryOn = await glue.TryOn.load(cardText, weights, 'cpu', sha256);
    return tryOn.parsePasses;
  },
  /** The part logits of `passes` (numbers), concatenated: a Float32Array that travels back without a copy. */
  passLogits(person, passes) {
    if (!tryOn) throw new Error('the parse helper is not loaded');
    return tryOn.passLogits(person, Uint32Array.from(passes));
  },
};

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    if (!(method in methods)) throw new Error(`unknown method ${method}`);
    const result = await methods[method](...args);
    postMessage({ id, ok: true, result }, result?.buffer ? [result.buffer] : []);
  } catch (err) {
    postMessage({ id, ok: false, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err) } });
  }
};
