// The fitting room's parser passes, split over two workers on the CPU path.
//
// A CPU render spends most of its time in the parser: the shipped card asks
// for four passes (the photo, its mirror image, each also enlarged 1.33x),
// which parse real people better than any cheaper set (README, Try-on) but
// take about 1.4 s in one wasm engine. The passes are independent, so a
// second engine in a helper worker (parse-worker.js) computes the odd passes
// (the mirror images) while this engine computes the even ones: each side
// then has one plain and one enlarged pass, so both finish at about the same
// time (the refiner, warp and generator wait for both). The render sums them
// in pass order, bit for bit the one-engine render (tests/tryon_engine.rs).
// Measured against giving the helper the two enlarged passes: 1101-1193 ms
// against 1162-1283 ms per render (README, Try-on). Used only
// on the CPU backend (WebGPU runs every pass on the GPU), for cards with more
// than one pass, on devices with at least two cores; if the helper cannot
// load or fails, renders go on in one engine.

/** A helper worker holding its own CPU engine for the same card, or null on one core or if it could not load. */
export async function startParseHelper({ glueUrl, glue, cardText, weights, sha256 }) {
  if ((navigator.hardwareConcurrency ?? 1) < 2 || typeof Worker === 'undefined') return null;
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { type: 'module' });
  const pending = new Map();
  let nextId = 0;
  const failAll = (message) => {
    for (const { reject } of pending.values()) reject(new Error(message));
    pending.clear();
  };
  worker.onmessage = ({ data: { id, ok, result, error } }) => {
    const call = pending.get(id);
    pending.delete(id);
    if (ok) call?.resolve(result);
    else call?.reject(Object.assign(new Error(error.message), { name: error.name }));
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    failAll(`the parse helper stopped: ${event.message ?? 'worker error'}`);
  };
  const call = (method, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  // The compiled module travels to the helper: no second download or compile.
  const module = glue.default.__wbindgen_wasm_module ?? new URL('vitrine_bg.wasm', glueUrl).href;
  try {
    await call('load', [glueUrl, module, cardText, weights, sha256]);
  } catch (err) {
    worker.terminate();
    console.info('[vitrine] try-on renders in one worker:', err?.message ?? err);
    return null;
  }
  return { call, close: () => worker.terminate() };
}

/**
 * Render with the even passes computed by `tryOn` and the odd ones by
 * `helper` at the same time. Resolves as `tryOn.render` does; `helperFailed` is set
 * (and the render made by `tryOn` alone) when the helper failed.
 */
export async function renderSplit(tryOn, helper, person, garment) {
  const passes = [...Array(tryOn.parsePasses).keys()];
  const mine = passes.filter((p) => p % 2 === 0);
  const theirs = passes.filter((p) => p % 2 === 1);
  const remote = helper.call('passLogits', [person, theirs]);
  let local;
  try {
    local = await tryOn.passLogits(person, Uint32Array.from(mine));
  } catch (err) {
    remote.catch(() => {}); // its answer is no longer wanted
    throw err; // this engine's own error (e.g. InvalidImage), as tryOn.render would give it
  }
  let others;
  try {
    others = await remote;
  } catch (err) {
    console.info('[vitrine] the parse helper failed, rendering in one worker:', err?.message ?? err);
    return Object.assign(await tryOn.render(person, garment), { helperFailed: true });
  }
  const block = local.length / mine.length;
  const all = new Float32Array(passes.length * block);
  mine.forEach((p, k) => all.set(local.subarray(k * block, (k + 1) * block), p * block));
  theirs.forEach((p, k) => all.set(others.subarray(k * block, (k + 1) * block), p * block));
  return tryOn.renderWithPassLogits(person, garment, all);
}
