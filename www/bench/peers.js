// Peer benchmark page: the same SASRec (the card's int8 weights dequantized to
// f32, exported by scripts/peers/) run by ONNX Runtime Web (an ONNX graph) or
// TensorFlow.js (the network rebuilt from tfjs ops), timed the way
// bench.js times our engine: first answer from the start of this script
// (runtime download and instantiation, card and model fetch, session creation,
// one warm-up call, one answer), then `calls` answers for the same histories.
// Files (copied by tests/e2e/bench-peers.mjs): peers/ort/ (onnxruntime-web's
// dist), peers/<model>.onnx, peers/tfjs/ (tfjs-core and its wasm and WebGPU
// backends), peers/<model>.tfjs.bin + .json (the raw f32 tensors and their manifest).
// Query: ?model=../models/amazon-beauty.json&peer=ort|tfjs&backend=wasm|webgpu&calls=200
import { publish } from './load.js';

const params = new URLSearchParams(location.search);
const modelUrl = new URL(params.get('model') ?? '../models/amazon-beauty.json', location.href);
const backend = params.get('backend') ?? 'wasm';
const calls = Number(params.get('calls') ?? 200);
// pad=1 feeds the fixed [1, max_len] left-padded row instead of the engine's unpadded one (same answer).
const pad = params.get('pad') === '1';
const peer = params.get('peer') ?? 'ort';
const base = new URL('peers/', import.meta.url);

// The one JS bundle each backend needs: wasm-only, or the WebGPU build (which also runs wasm).
const BUNDLE = { wasm: 'ort.wasm.min.mjs', webgpu: 'ort.webgpu.min.mjs' };

/** src/infer.rs top_k: best `k` model indices, higher score first, ties to the
 * lower index, NaN, padding (index 0) and excluded indices skipped.
 * `scores[j]` is model index j + offset. */
function topK(scores, offset, exclude, k) {
  const excluded = new Set(exclude);
  const best = []; // [score, index], best first
  const before = (a, b) => a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);
  for (let j = 0; j < scores.length; j++) {
    const s = scores[j];
    const index = j + offset;
    if (index === 0 || excluded.has(index) || Number.isNaN(s)) continue;
    const cand = [s, index];
    if (best.length === k && !before(cand, best[k - 1])) continue;
    let pos = best.length;
    while (pos > 0 && before(cand, best[pos - 1])) pos--;
    best.splice(pos, 0, cand);
    if (best.length > k) best.pop();
  }
  return best;
}

/** The WebGPU adapter ORT picked, in words (SwiftShader here). */
function adapterInfo(ort) {
  const info = ort.env.webgpu?.adapter?.info;
  return info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') : null;
}

/** ONNX Runtime Web: `score(kept)` → scores for model indices 1..n (offset 1). */
async function loadOrt(card) {
  const ort = await import(new URL(`ort/${BUNDLE[backend]}`, base).href);
  // The demo server's CSP allows same-origin scripts only: no blob: workers, no
  // proxy worker, and no SharedArrayBuffer (not cross-origin isolated), so one thread.
  ort.env.wasm.wasmPaths = new URL('ort/', base).href;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const modelBytes = new Uint8Array(await (await fetch(new URL(`${card.name}.onnx`, base))).arrayBuffer());
  const fetched = performance.now();
  const session = await ort.InferenceSession.create(modelBytes, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
  });
  const maxLen = card.config.max_len;
  return {
    fetched,
    runtime: `onnxruntime-web ${ort.env.versions?.web ?? '?'} (${BUNDLE[backend]})`,
    threads: ort.env.wasm.numThreads,
    adapter: backend === 'webgpu' ? adapterInfo(ort) : null,
    input: pad ? `[1, ${maxLen}] left-padded` : '[1, min(len, max_len)] unpadded',
    offset: 1,
    async score(kept) {
      const row = pad ? [...new Array(maxLen - kept.length).fill(0), ...kept] : kept;
      const input = new ort.Tensor('int64', BigInt64Array.from(row, (i) => BigInt(i)), [1, row.length]);
      const out = await session.run({ ids: input });
      const scores = out.scores.data;
      input.dispose?.();
      out.scores.dispose?.();
      return scores;
    },
  };
}

/** A classic (UMD) script from the same origin; tfjs ships its browser bundles this way. */
function script(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

/**
 * TensorFlow.js: SasRec::score_next rebuilt from tfjs ops for one unpadded
 * history (what the engine feeds): pre-LN blocks (norm_2 before attention,
 * norm_1 before the FFN), masked scores replaced by -1e4, erf GELU, final
 * LayerNorm on the last position, tied output. Scores for indices 0..n (offset 0).
 */
async function loadTfjs(card) {
  const t = new URL('tfjs/', base);
  await script(new URL('tf-core.min.js', t).href);
  const tf = window.tf;
  if (backend === 'wasm') {
    await script(new URL('tf-backend-wasm.min.js', t).href);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // no SharedArrayBuffer / blob workers here
    tf.wasm.setWasmPaths(t.href);
  } else {
    await script(new URL('tf-backend-webgpu.min.js', t).href);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not initialise`);
  await tf.ready();
  const [manifest, bin] = await Promise.all([
    fetch(new URL(`${card.name}.tfjs.json`, base)).then((r) => r.json()),
    fetch(new URL(`${card.name}.tfjs.bin`, base)).then((r) => r.arrayBuffer()),
  ]);
  const fetched = performance.now();
  const w = {};
  for (const e of manifest.tensors) w[e.name] = tf.tensor(new Float32Array(bin, e.offset, e.shape.reduce((a, b) => a * b, 1)), e.shape, 'float32');
  const { d_model: d, n_heads: heads, n_layers: layers, max_len: maxLen } = manifest.config;
  const dk = d / heads;
  const masks = new Map(); // len -> [heads, len, len] causal mask, and the -1e4 fill
  const maskFor = (len) => {
    if (!masks.has(len)) {
      const causal = tf.tidy(() => {
        const r = tf.range(0, len, 1, 'int32');
        return tf.tile(tf.reshape(tf.greater(tf.reshape(r, [1, len]), tf.reshape(r, [len, 1])), [1, len, len]), [heads, 1, 1]);
      });
      masks.set(len, [tf.keep(causal), tf.keep(tf.fill([heads, len, len], -1e4))]); // cached across tidy()
    }
    return masks.get(len);
  };
  const layerNorm = (x, p) => {
    const mean = tf.mean(x, -1, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    return tf.add(tf.mul(tf.div(centered, tf.sqrt(tf.add(variance, 1e-5))), w[`${p}.gamma`]), w[`${p}.beta`]);
  };
  const linear = (x, p) => tf.add(tf.matMul(x, w[`${p}.weight`]), w[`${p}.bias`]);
  const forward = (kept) => {
    const len = kept.length;
    const [causal, minFloat] = maskFor(len);
    const ids = tf.tensor1d(kept, 'int32');
    let x = tf.gather(w['item_embedding.weight'], ids); // [len, d]
    x = tf.add(tf.mul(x, Math.sqrt(d)), tf.slice(w['position_embedding.weight'], [maxLen - len, 0], [len, d]));
    const split = (y) => tf.transpose(tf.reshape(y, [len, heads, dk]), [1, 0, 2]); // [heads, len, dk]
    for (let i = 0; i < layers; i++) {
      const p = `encoder.layers.${i}`;
      const h = layerNorm(x, `${p}.norm_2`);
      const q = split(linear(h, `${p}.mha.query`));
      const k = split(linear(h, `${p}.mha.key`));
      const v = split(linear(h, `${p}.mha.value`));
      const scores = tf.where(causal, minFloat, tf.div(tf.matMul(q, k, false, true), Math.sqrt(dk)));
      const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [1, 0, 2]), [len, d]);
      x = tf.add(x, linear(ctx, `${p}.mha.output`));
      const f = linear(layerNorm(x, `${p}.norm_1`), `${p}.pwff.linear_inner`);
      const g = tf.div(tf.mul(f, tf.add(tf.erf(tf.div(f, Math.SQRT2)), 1)), 2);
      x = tf.add(x, linear(g, `${p}.pwff.linear_outer`));
    }
    const last = layerNorm(tf.slice(x, [len - 1, 0], [1, d]), 'final_norm');
    return tf.matMul(last, w['item_embedding.weight'], false, true); // [1, n + 1]
  };
  return {
    fetched,
    runtime: `tfjs-core ${tf.version_core} + tfjs-backend-${backend}`,
    threads: backend === 'wasm' ? 1 : null,
    adapter: null,
    input: '[min(len, max_len)] unpadded',
    offset: 0,
    async score(kept) {
      const out = tf.tidy(() => forward(kept));
      const scores = await out.data();
      out.dispose();
      return scores;
    },
  };
}

async function run() {
  const t0 = performance.now();
  if (!BUNDLE[backend]) throw new Error(`backend must be wasm or webgpu, got ${backend}`);
  const cardText = await (await fetch(modelUrl)).text();
  const card = JSON.parse(cardText);
  const model = peer === 'tfjs' ? await loadTfjs(card) : await loadOrt(card);
  const items = card.items;
  const maxLen = card.config.max_len;
  const index = new Map(items.map((id, i) => [id, i + 1]));

  // The engine's recommend(): known ids only, the last max_len of them;
  // scores for every item; top-k without the history.
  const recommend = async (ids, k) => {
    const known = ids.map((id) => index.get(id)).filter((i) => i !== undefined);
    const scores = await model.score(known.slice(-maxLen));
    return topK(scores, model.offset, known, k).map(([score, i]) => ({ id: items[i - 1], score }));
  };

  await recommend([card.popular[0]], 1); // warm-up, as Engine.warmUp() does
  const history = (i) => Array.from({ length: 8 }, (_, j) => items[(i * 7919 + j * 104729) % items.length]);
  const answers = [(await recommend(history(0), 10)).map((r) => r.id)];
  const tFirst = performance.now();
  const times = [];
  for (let i = 1; i <= calls; i++) {
    const t = performance.now();
    const r = await recommend(history(i), 10);
    times.push(performance.now() - t);
    if (r.length !== 10) throw new Error('short answer');
    answers.push(r.map((x) => x.id));
  }
  times.sort((a, b) => a - b);
  // The adapter Chromium hands out (SwiftShader here), when the runtime does not say.
  let adapter = model.adapter;
  if (backend === 'webgpu' && !adapter && navigator.gpu) {
    const info = (await navigator.gpu.requestAdapter())?.info;
    adapter = info ? `browser: ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' / ')}` : null;
  }
  return {
    peer,
    runtime: model.runtime,
    backend,
    adapter,
    input: model.input,
    threads: model.threads,
    items: items.length,
    fetch_ms: model.fetched - t0,
    first_recommendation_ms: tFirst - t0,
    median_ms: times[Math.floor(times.length / 2)],
    p90_ms: times[Math.floor(times.length * 0.9)],
    calls,
    answers, // top-10 ids for history(0..calls)
  };
}

publish(run().catch((err) => { throw new Error(`${err}\n${err?.stack ?? ""}`.slice(0, 2000)); }));
