// `node bench-peers.mjs`: our engine (www/bench/bench.js), ONNX Runtime Web and
// TensorFlow.js (www/bench/peers.js: the same weights as an ONNX graph, and the
// same network rebuilt from tfjs ops) side by side in one
// headless Chromium, on the same histories; prints a markdown table and a JSON
// line. See scripts/peers/README.md for how the ONNX model is produced.
//
// Needs: target/site (scripts/build-site.sh), target/release/vitrine, and
// target/peers/<model>.onnx (built here from the card if missing: the
// export-weights example, then scripts/peers/build_onnx.py).
// Env: PEERS_CALLS (200), PEERS_MODEL (amazon-beauty),
// PEERS_RUNS (ours-cpu,ort-wasm,tfjs-wasm,ours-webgpu,ort-webgpu,tfjs-webgpu), PEERS_PAD=1.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, SITE, launchWithDiskCache, serve } from './harness.mjs';

const MODEL = process.env.PEERS_MODEL ?? 'amazon-beauty';
const CALLS = Number(process.env.PEERS_CALLS ?? 200);
const PAD = process.env.PEERS_PAD === '1'; // ORT fed [1, max_len] left-padded rows
const RUNS = (process.env.PEERS_RUNS ?? 'ours-cpu,ort-wasm,tfjs-wasm,ours-webgpu,ort-webgpu,tfjs-webgpu').split(',');
// The peers' packages live apart (tests/peers/), installed here on first use, so
// the test command never downloads them.
const PEERS_PKG = path.join(ROOT, 'tests/peers');
if (!existsSync(path.join(PEERS_PKG, 'node_modules/onnxruntime-web'))) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: PEERS_PKG, stdio: ['ignore', 'inherit', 'inherit'] });
}
const ORT_DIST = path.join(PEERS_PKG, 'node_modules/onnxruntime-web/dist');
const ORT_FILES = [
  'ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm', // wasm backend
  'ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm', // WebGPU backend
];
const TFJS = path.join(PEERS_PKG, 'node_modules/@tensorflow');
const TFJS_FILES = [
  'tfjs-core/dist/tf-core.min.js',
  'tfjs-backend-wasm/dist/tf-backend-wasm.min.js', 'tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
  'tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js',
];
const EXPORT = path.join(ROOT, `target/peers/${MODEL}`);
const ONNX = path.join(ROOT, `target/peers/${MODEL}.onnx`);
const log = (...a) => console.error('#', ...a);

// 1. The ONNX model (built once from the card's weights).
if (!existsSync(ONNX) || !existsSync(path.join(EXPORT, 'manifest.json'))) {
  log(`building ${path.relative(ROOT, ONNX)}`);
  execFileSync('cargo', ['run', '--release', '--example', 'export-weights', '--', '--card', `models/${MODEL}.json`, '--out', `target/peers/${MODEL}`], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  execFileSync('python3', ['scripts/peers/build_onnx.py', '--weights', `target/peers/${MODEL}`, '--card', `models/${MODEL}.json`, '--out', `target/peers/${MODEL}.onnx`], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

// 2. Copy the page, ORT's dist files and the model into the assembled site.
const peersDir = path.join(SITE, 'bench/peers');
mkdirSync(path.join(peersDir, 'ort'), { recursive: true });
for (const f of ORT_FILES) copyFileSync(path.join(ORT_DIST, f), path.join(peersDir, 'ort', f));
copyFileSync(ONNX, path.join(peersDir, `${MODEL}.onnx`));
mkdirSync(path.join(peersDir, 'tfjs'), { recursive: true });
for (const f of TFJS_FILES) copyFileSync(path.join(TFJS, f), path.join(peersDir, 'tfjs', path.basename(f)));
// TF.js weights: the exported f32 tensors in one file, with offsets.
{
  const manifest = JSON.parse(readFileSync(path.join(EXPORT, 'manifest.json'), 'utf8'));
  const parts = [];
  let offset = 0;
  const tensors = manifest.tensors.map((t) => {
    const bytes = readFileSync(path.join(EXPORT, t.file));
    parts.push(bytes);
    const entry = { name: t.name, shape: t.shape, offset };
    offset += bytes.length;
    return entry;
  });
  writeFileSync(path.join(peersDir, `${MODEL}.tfjs.bin`), Buffer.concat(parts));
  writeFileSync(path.join(peersDir, `${MODEL}.tfjs.json`), JSON.stringify({ config: manifest.config, weights_sha256: manifest.weights_sha256, tensors }));
}
for (const f of ['peers.html', 'peers.js']) copyFileSync(path.join(ROOT, 'www/bench', f), path.join(SITE, 'bench', f));
// The peers' runtimes get Brotli copies as the site's own files do (scripts/build-site.sh), so the server
// sends every runtime the same way; model files stay uncompressed on both sides (.bpk, .onnx, .bin).
execFileSync('python3', [path.join(ROOT, 'scripts/precompress.py'), peersDir], { stdio: ['ignore', 'inherit', 'inherit'] });
const ortVersion = JSON.parse(readFileSync(path.join(ORT_DIST, '../package.json'), 'utf8')).version;
const tfjsVersion = JSON.parse(readFileSync(path.join(TFJS, 'tfjs-core/package.json'), 'utf8')).version;

// 3. Our native answers (the reference): `vitrine recommend` on bench.js's histories.
const card = JSON.parse(readFileSync(path.join(SITE, `models/${MODEL}.json`), 'utf8'));
const history = (i) => Array.from({ length: 8 }, (_, j) => card.items[(i * 7919 + j * 104729) % card.items.length]);
log(`native top-10 for ${CALLS + 1} histories`);
const reference = [];
for (let i = 0; i <= CALLS; i++) {
  const out = execFileSync(path.join(ROOT, 'target/release/vitrine'), ['recommend', '--model', path.join(SITE, `models/${MODEL}.bpk`), '--history', history(i).join(','), '--k', '10'], { encoding: 'utf8' });
  reference.push(out.split('\n').map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 3 && /^\d+\.$/.test(p[0])).map((p) => p[1]));
}

/** Bytes the page fetched, by kind, from resource timing (navigation included). */
function pageBytes() {
  const kind = (url) => {
    const p = new URL(url).pathname;
    if (p.includes('/pkg/') || p.includes('/peers/ort/') || p.includes('/peers/tfjs/')) return 'runtime';
    if (p.endsWith('.bpk') || p.endsWith('.onnx') || p.includes('.tfjs.')) return 'model';
    if (p.includes('/models/') && p.endsWith('.json')) return 'card';
    return 'page';
  };
  const out = {};
  for (const e of [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]) {
    const k = kind(e.name);
    out[k] ??= { transfer: 0, encoded: 0, decoded: 0, files: [] };
    out[k].transfer += e.transferSize;
    out[k].encoded += e.encodedBodySize;
    out[k].decoded += e.decodedBodySize;
    out[k].files.push(new URL(e.name).pathname);
  }
  return out;
}

/** Cold visit, then a reload in the same on-disk profile (as a returning
 * shopper's browser: files revalidated with a 304, compiled wasm kept). An
 * in-memory (incognito) context would keep some files and not others by size. */
async function measure(origin, run) {
  const [who, backend] = run.split('-');
  const query = `model=../models/${MODEL}.json&backend=${backend}&calls=${CALLS}${who === 'ort' && PAD ? '&pad=1' : ''}${who === 'ours' ? '' : `&peer=${who}`}`;
  const url = who === 'ours' ? `${origin}/bench/?${query}` : `${origin}/bench/peers.html?${query}`;
  const context = await launchWithDiskCache({ webgpu: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  const once = async () => {
    await page.waitForFunction(() => window.benchResult, null, { timeout: 900_000 });
    const r = await page.evaluate(() => window.benchResult);
    if (r.error) throw new Error(`${run}: ${r.error} ${errors.slice(0, 3).join(' | ')}`);
    return { ...r, bytes: await page.evaluate(pageBytes) };
  };
  try {
    log(`${run}: cold`);
    await page.goto(url);
    const cold = await once();
    log(`${run}: files cached (reload)`);
    await page.reload(); // same context: revalidated from the browser cache (304)
    const warm = await once();
    return { cold, warm, errors };
  } finally {
    await context.close();
  }
}

const server = await serve();
const results = {};
try {
  for (const run of RUNS) {
    try {
      results[run] = await measure(server.origin, run);
    } catch (err) {
      results[run] = { error: String(err.message ?? err) };
      log(`${run} failed: ${results[run].error}`);
    }
  }
} finally {
  server.close();
}

// Parity: each peer's top-10 (history items excluded) against our native answer.
for (const [run, r] of Object.entries(results)) {
  if (!r.cold?.answers) continue;
  const check = (answers) => answers.reduce((bad, a, i) => bad + (a.join() === reference[i].join() ? 0 : 1), 0);
  r.parity = { histories: reference.length, mismatches_cold: check(r.cold.answers), mismatches_cached: check(r.warm.answers) };
  r.parity.first_mismatch = r.cold.answers.findIndex((a, i) => a.join() !== reference[i].join());
  if (r.parity.first_mismatch >= 0) {
    const i = r.parity.first_mismatch;
    log(`${run}: history(${i}) top-10 ${r.cold.answers[i].join(',')} vs ours ${reference[i].join(',')}`);
  }
  delete r.cold.answers;
  delete r.warm.answers;
}

const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
const ms = (n) => `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;
// A byte ratio to (almost) nothing (a reload that transferred only headers) says nothing.
const ratio = (a, b, fmt) => (a != null && b != null && b > 0 && !(fmt === mb && b < 1e4) ? `${(a / b).toFixed(2)}×` : 'n/a');
const sum = (bytes, kinds, field = 'encoded') => kinds.reduce((n, k) => n + (bytes[k]?.[field] ?? 0), 0);
const row = (run) => {
  const r = results[run];
  if (!r || r.error) return null;
  const b = r.cold.bytes;
  return {
    first_cold: r.cold.first_recommendation_ms,
    first_cached: r.warm.first_recommendation_ms,
    median: r.warm.median_ms,
    p90: r.warm.p90_ms,
    runtime_bytes: sum(b, ['runtime']),
    model_bytes: sum(b, ['model']),
    total_bytes: sum(b, ['runtime', 'model', 'card', 'page']),
    total_transfer: sum(b, ['runtime', 'model', 'card', 'page'], 'transfer'),
    cached_transfer: sum(r.warm.bytes, ['runtime', 'model', 'card', 'page'], 'transfer'),
  };
};
const sections = [['CPU (wasm)', 'ours-cpu', ['ort-wasm', 'tfjs-wasm']], ['WebGPU (SwiftShader)', 'ours-webgpu', ['ort-webgpu', 'tfjs-webgpu']]];
const PEER_NAMES = { ort: 'ONNX Runtime Web', tfjs: 'TensorFlow.js' };
const lines = [`| measure | ours | ${PEER_NAMES.ort} | ORT / ours | ${PEER_NAMES.tfjs} | TF.js / ours |`, '|---|---|---|---|---|---|'];
const metrics = [
  ['first recommendation, cold', 'first_cold', ms],
  ['first recommendation, files cached', 'first_cached', ms],
  [`per call, median of ${CALLS}`, 'median', ms],
  [`per call, p90 of ${CALLS}`, 'p90', ms],
  ['runtime downloaded (JS + wasm, encoded)', 'runtime_bytes', mb],
  ['model downloaded', 'model_bytes', mb],
  ['all bytes, cold (encoded bodies)', 'total_bytes', mb],
  ['all bytes, cold (transferSize, with headers)', 'total_transfer', mb],
  ['all bytes, reload (transferSize)', 'cached_transfer', mb],
];
const status = (run) => (results[run]?.error ? `failed: ${results[run].error.slice(0, 160).replaceAll('|', '/')}` : 'not run');
const describe = (run) => {
  const r = results[run];
  if (!r || r.error) return status(run);
  const c = r.cold;
  if (run.startsWith('ours')) return `vitrine, ${c.backend}${c.fallback ? ` (fallback: ${c.fallback})` : ''}`;
  return [c.runtime, c.threads ? `${c.threads} thread` : null, `input ${c.input}`, c.adapter ? `adapter ${c.adapter}` : null].filter(Boolean).join(', ');
};
const parity = (run) => {
  const p = results[run]?.parity;
  return p ? `${p.histories - p.mismatches_cold}/${p.histories} (cold), ${p.histories - p.mismatches_cached}/${p.histories} (reload)` : '–';
};
for (const [label, ours, peers] of sections) {
  if (![ours, ...peers].some((r) => RUNS.includes(r))) continue;
  const a = row(ours);
  const cells = peers.map(row);
  lines.push(`| **${label}** | ${describe(ours)} | ${describe(peers[0])} | | ${describe(peers[1])} | |`);
  for (const [name, key, fmt] of metrics) {
    const value = (r) => (r ? fmt(r[key]) : '–');
    lines.push(`| ${name} | ${value(a)} | ${value(cells[0])} | ${ratio(cells[0]?.[key], a?.[key], fmt)} | ${value(cells[1])} | ${ratio(cells[1]?.[key], a?.[key], fmt)} |`);
  }
  lines.push(`| top-10 = ours (native), history(0..${CALLS}) | reference | ${parity(peers[0])} | | ${parity(peers[1])} | |`);
}
console.log(`SASRec ${MODEL}: ${card.items.length} items, d=${card.config.d_model}, ${card.config.n_layers} layers, ${CALLS} calls on bench.js's histories; ours: int8 .bpk (dequantized at load); ONNX Runtime Web ${ortVersion}: f32 .onnx; TensorFlow.js ${tfjsVersion}: f32 tensors; both from the same weights.\n`);
console.log(lines.join('\n'));
console.log(JSON.stringify({ model: MODEL, calls: CALLS, ort: ortVersion, tfjs: tfjsVersion, onnx_bytes: statSync(ONNX).size, results }));
const failed = Object.values(results).some((r) => r.error || (r.parity && (r.parity.mismatches_cold || r.parity.mismatches_cached)));
process.exit(failed ? 1 : 0);
