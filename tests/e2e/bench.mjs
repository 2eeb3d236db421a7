// `npm run bench` (from scripts/bench.sh): the numbers in the README's
// benchmark table, for the amazon-beauty model in headless Chromium, plus
// artifact sizes and native training throughput.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, SITE, launchWithDiskCache, serve } from './harness.mjs';

const MODEL = process.env.BENCH_MODEL ?? 'amazon-beauty';
const CALLS = Number(process.env.BENCH_CALLS ?? 200);

function size(files) {
  const raw = files.reduce((n, f) => n + statSync(f).size, 0);
  const gz = files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  return { raw, gz };
}

/** Cold visit, then a reload in the same on-disk profile (files and compiled code cached, revalidated: 304). */
async function measure(origin, backend) {
  const context = await launchWithDiskCache({ webgpu: backend === 'webgpu' });
  const page = await context.newPage();
  const url = `${origin}/bench/?model=../models/${MODEL}.json&backend=${backend}&calls=${CALLS}`;
  const once = async () => {
    await page.waitForFunction(() => window.benchResult, null, { timeout: 300_000 });
    const r = await page.evaluate(() => window.benchResult);
    if (r.error) throw new Error(r.error);
    return r;
  };
  await page.goto(url);
  const cold = await once();
  await page.reload();
  const warm = await once();
  await context.close();
  return { cold, warm };
}

const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
// Sizes of every module and of the widget's JS: bench-weight.mjs.
const wasm = size([path.join(SITE, 'pkg/vitrine_bg.wasm')]);
const modelBytes = statSync(path.join(SITE, `models/${MODEL}.bpk`)).size;

const server = await serve();
const results = {};
try {
  for (const backend of ['webgpu', 'cpu']) results[backend] = await measure(server.origin, backend);
} finally {
  server.close();
}

// Native training throughput: one epoch of the real data set with the shipped
// model's architecture and training settings (encoder, batch, learning rate,
// sampling: the trainer's defaults have changed since some cards), timed by the trainer.
const shippedCard = JSON.parse(readFileSync(path.join(SITE, `models/${MODEL}.json`), 'utf8'));
const shipped = shippedCard.config;
const encoder = shipped.frequency
  ? ['--encoder', 'bsarec', '--alpha', String(shipped.frequency.alpha), '--cutoff', String(shipped.frequency.cutoff),
     '--filter-span', shipped.frequency.window ? 'window' : 'prefix']
  : ['--encoder', 'sasrec'];
const sampling = shippedCard.training.prefix_samples ? [] : ['--all-positions'];
const work = mkdtempSync(path.join(tmpdir(), 'vitrine-bench-'));
execFileSync(path.join(ROOT, 'target/release/vitrine'), [
  'train', '--sequences', path.join(ROOT, '../shared/data/recsys/amazon-beauty/sequences.txt'), '--name', 'bench',
  '--models-dir', work, '--work-dir', path.join(work, 'run'), '--epochs', '1', ...encoder, ...sampling,
  '--d-model', String(shipped.d_model), '--layers', String(shipped.n_layers), '--heads', String(shipped.n_heads),
  '--max-len', String(shipped.max_len), '--dropout', String(shipped.dropout),
  '--batch-size', String(shippedCard.training.batch_size), '--lr', String(shippedCard.training.learning_rate),
], { stdio: ['ignore', 'ignore', 'inherit'] });
const trainCard = JSON.parse(readFileSync(path.join(work, 'bench.json'), 'utf8'));

const rows = [
  ['model', `${MODEL} (${results.cpu.cold.items} items), int8 weights ${mb(modelBytes)}`],
  ['recommendations module `pkg/` wasm (raw / gzip -9); WebGPU rows load `pkg/gpu/`', `${mb(wasm.raw)} / ${mb(wasm.gz)}`],
];
for (const b of ['webgpu', 'cpu']) {
  const { cold, warm } = results[b];
  const label = b === 'webgpu' ? 'WebGPU (SwiftShader)' : 'CPU (flex, wasm)';
  rows.push([`${label}: first recommendation, cold`, `${cold.first_recommendation_ms.toFixed(0)} ms (backend used: ${cold.backend})`]);
  rows.push([
    `${label}: first recommendation, files cached`,
    `${warm.first_recommendation_ms.toFixed(0)} ms (module + card + weights ${warm.fetch_ms.toFixed(0)}, build ${warm.build_ms.toFixed(0)}, warm-up ${warm.warm_up_ms.toFixed(0)} ms)`,
  ]);
  rows.push([`${label}: per call, median of ${CALLS} (p90)`, `${warm.median_ms.toFixed(1)} ms (${warm.p90_ms.toFixed(1)} ms)`]);
}
rows.push([`native training throughput (1 epoch, d=${shipped.d_model}, 2 cores)`, `${trainCard.training.examples_per_second.toFixed(0)} next-item targets/s (${trainCard.training.seconds.toFixed(1)} s/epoch)`]);
console.log('| measure | value |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
console.log(JSON.stringify({ results, wasm, modelBytes, training: trainCard.training }));
