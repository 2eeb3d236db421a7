// Try-on benchmark page: load the try-on model the way the worker does and
// time renders of a sample model and garment at the model's size (192×256).
// On the CPU the widget splits the parser's passes over two workers
// (widget/parse-split.js): median_ms is timed that way, one_worker_median_ms
// with this engine alone, alternating call by call.
// Query: ?model=../models/fitting-room.json&backend=webgpu|cpu&calls=10
import { garmentPixels, photoPixels } from '../widget/photo.js';
import { renderSplit, startParseHelper } from '../widget/parse-split.js';
import { benchParams, loadModel, publish } from './load.js';
import { sha256Hex } from '../widget/digest.js';

const { modelUrl, backend, calls } = benchParams('../models/fitting-room.json', 10);

async function run() {
  const t0 = performance.now();
  const { wasm, glueUrl, cardText, weights } = await loadModel(modelUrl, { backend, tryOn: true });
  const sha256 = await sha256Hex(weights);
  const helper = backend === 'cpu' ? startParseHelper({ glueUrl, glue: wasm, cardText, weights, sha256 }) : null;
  const tryOn = await wasm.TryOn.load(cardText, weights, backend, sha256);
  const parseHelper = tryOn.parsePasses > 1 ? await helper : null;
  if (!parseHelper) (await helper)?.close();
  const { garments, models } = await (await fetch('../demo/apparel/apparel.json')).json();
  const blob = async (name) => (await fetch(`../demo/apparel/${name}`)).blob();
  const person = (await photoPixels(await blob(models[0]), tryOn.width, tryOn.height)).pixels;
  const garment = await garmentPixels(await blob(garments[0].image), tryOn.width, tryOn.height);
  const render = (split) => (split ? renderSplit(tryOn, parseHelper, person, garment) : tryOn.render(person, garment));
  const tLoaded = performance.now();
  await render(parseHelper !== null);
  const tFirst = performance.now();
  const times = { split: [], one: [] };
  for (let i = 0; i < calls; i++) {
    for (const mode of parseHelper ? ['split', 'one'] : ['one']) {
      const t = performance.now();
      const out = await render(mode === 'split');
      if (out.helperFailed) throw new Error('the parse helper failed');
      times[mode].push(performance.now() - t);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const widget = parseHelper ? times.split : times.one;
  return {
    backend: tryOn.backend,
    size: `${tryOn.width}×${tryOn.height}`,
    load_ms: tLoaded - t0,
    first_render_ms: tFirst - tLoaded,
    parse_passes: tryOn.parsePasses,
    parse_workers: parseHelper ? 2 : 1,
    median_ms: median(widget),
    min_ms: Math.min(...widget),
    one_worker_median_ms: median(times.one),
    calls,
    weights_bytes: weights.length,
  };
}

publish(run());
