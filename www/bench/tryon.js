// Try-on benchmark page: load the try-on model the way the worker does and
// time renders of a sample model and garment at the model's size (192×256).
// Query: ?model=../models/fitting-room.json&backend=webgpu|cpu&calls=10
import { garmentPixels, photoPixels } from '../widget/photo.js';
import { benchParams, loadModel, publish } from './load.js';
import { sha256Hex } from '../widget/digest.js';

const { modelUrl, backend, calls } = benchParams('../models/fitting-room.json', 10);

async function run() {
  const t0 = performance.now();
  const { wasm, cardText, weights } = await loadModel(modelUrl, { backend, tryOn: true });
  const tryOn = await wasm.TryOn.load(cardText, weights, backend, await sha256Hex(weights));
  const { garments, models } = await (await fetch('../demo/apparel/apparel.json')).json();
  const blob = async (name) => (await fetch(`../demo/apparel/${name}`)).blob();
  const person = (await photoPixels(await blob(models[0]), tryOn.width, tryOn.height)).pixels;
  const garment = await garmentPixels(await blob(garments[0].image), tryOn.width, tryOn.height);
  const tLoaded = performance.now();
  await tryOn.render(person.slice(), garment.slice());
  const tFirst = performance.now();
  const times = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await tryOn.render(person.slice(), garment.slice());
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    backend: tryOn.backend,
    size: `${tryOn.width}×${tryOn.height}`,
    load_ms: tLoaded - t0,
    first_render_ms: tFirst - tLoaded,
    median_ms: times[Math.floor(times.length / 2)],
    min_ms: times[0],
    calls,
    weights_bytes: weights.length,
  };
}

publish(run());
