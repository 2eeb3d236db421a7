// Benchmark page: load a model the way the widget does (fetch card and
// weights, decode, warm up) and time the first recommendation and many more.
// Query: ?model=../models/amazon-beauty.json&backend=webgpu|cpu&calls=200
import { benchParams, loadModel, publish } from './load.js';
import { sha256Hex } from '../widget/digest.js';

const { modelUrl, backend, calls } = benchParams('../models/amazon-beauty.json', 200);

async function run() {
  const t0 = performance.now();
  const { wasm, cardText, card, weights } = await loadModel(modelUrl, { backend });
  const tFetched = performance.now();
  const engine = await wasm.Engine.load(cardText, weights, backend, await sha256Hex(weights));
  const tBuilt = performance.now();
  await engine.warmUp();
  const tWarm = performance.now();
  const items = card.items;
  const history = (i) => Array.from({ length: 8 }, (_, j) => items[(i * 7919 + j * 104729) % items.length]);
  await engine.recommend(history(0), 10);
  const tFirst = performance.now();
  const times = [];
  for (let i = 1; i <= calls; i++) {
    const t = performance.now();
    const r = await engine.recommend(history(i), 10);
    times.push(performance.now() - t);
    if (r.items.length !== 10) throw new Error('short answer');
  }
  times.sort((a, b) => a - b);
  return {
    backend: engine.backend,
    fallback: engine.fallbackReason ?? null,
    items: engine.itemCount,
    fetch_ms: tFetched - t0, // module compiled and instantiated, card and weights fetched
    build_ms: tBuilt - tFetched, // sha256 check, decode, int8 -> f32, catalog of the card
    warm_up_ms: tWarm - tBuilt,
    first_recommendation_ms: tFirst - t0,
    median_ms: times[Math.floor(times.length / 2)],
    p90_ms: times[Math.floor(times.length * 0.9)],
    calls,
  };
}

publish(run());
