// `node bench-tryon.mjs` (from scripts/bench.sh): the try-on rows of the
// README's benchmark table: render latency at 192×256 in headless Chromium on
// WebGPU and on the CPU path, model bytes, and native latency.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, SITE, launch, serve } from './harness.mjs';

const CALLS = Number(process.env.BENCH_TRYON_CALLS ?? 10);
// BENCH_TRYON_BACKENDS=cpu times the CPU path alone (e.g. to compare card settings quickly).
const BACKENDS = (process.env.BENCH_TRYON_BACKENDS ?? 'webgpu,cpu').split(',');

async function measure(browser, origin, backend) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/bench/tryon.html?backend=${backend}&calls=${CALLS}`);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 590_000 });
  const r = await page.evaluate(() => window.benchResult);
  // Closed before the next backend is timed: a SwiftShader page left open keeps the CPU busy.
  await context.close();
  if (r.error) throw new Error(r.error);
  return r;
}

const server = await serve();
const results = {};
try {
  const browser = await launch({ webgpu: true });
  for (const backend of BACKENDS) results[backend] = await measure(browser, server.origin, backend);
  await browser.close();
} finally {
  server.close();
}
const apparel = JSON.parse(readFileSync(path.join(SITE, 'demo/apparel/apparel.json'), 'utf8'));
const native = JSON.parse(
  execFileSync(path.join(ROOT, 'target/release/vitrine'), [
    'try-on', '--model', path.join(ROOT, 'models/fitting-room.bpk'), '--repeat', String(CALLS),
    '--person', path.join(SITE, 'demo/apparel', apparel.models[0]), '--garment', path.join(SITE, 'demo/apparel', apparel.garments[0].image),
    '--out', path.join(ROOT, 'target/bench-tryon.png'),
  ]).toString(),
);
const any = results[BACKENDS[0]];
const rows = [['try-on model', `fitting-room, int8 weights ${(any.weights_bytes / 1e6).toFixed(2)} MB, ${any.size}`]];
for (const b of BACKENDS) {
  const r = results[b];
  const label = b === 'webgpu' ? 'WebGPU (SwiftShader)' : 'CPU (flex, wasm)';
  rows.push([`try-on ${label}: first render`, `${r.first_render_ms.toFixed(0)} ms (backend used: ${r.backend})`]);
  const workers = r.parse_workers > 1 ? `, ${r.parse_passes} parser passes over ${r.parse_workers} workers` : '';
  rows.push([`try-on ${label}: per render, median of ${CALLS}${workers}`, `${r.median_ms.toFixed(0)} ms`]);
  if (r.parse_workers > 1) rows.push([`try-on ${label}: per render in one worker, median of ${CALLS}`, `${r.one_worker_median_ms.toFixed(0)} ms`]);
}
rows.push([`try-on native (flex, 2 cores): per render, median of ${CALLS}`, `${native.median_ms.toFixed(0)} ms`]);
console.log('| measure | value |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
console.log(JSON.stringify({ results, native }));
