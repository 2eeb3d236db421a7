// `node bench-weight.mjs` (from scripts/bench.sh): what the widget costs a
// store's page, measured as a browser sees it. Prints the README's "Widget
// weight" table:
//   - each engine module (wasm + its JS bindings) and the widget's own JS, as
//     the demo server sends them to a browser that accepts Brotli (the .br
//     copies of scripts/precompress.py, quality 11), and gzip -9 for others;
//   - the bytes the browser actually transferred (encoded body sizes) for the
//     recommendations-only home page, by kind, and which modules it fetched;
//   - the same for the fitting room: what opening the dialog adds;
//   - the longest main-thread task that runs the widget's code (Long
//     Animation Frame script attribution), and the longest long task of all.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { SITE, launch, serve } from './harness.mjs';

const gz = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
/** Brotli as sent: the build's .br copies (gzip -9 where there is none: no brotli package at build time). */
const br = (files) => files.reduce((n, f) => n + (existsSync(`${f}.br`) ? statSync(`${f}.br`).size : gzipSync(readFileSync(f), { level: 9 }).length), 0);
const raw = (files) => files.reduce((n, f) => n + statSync(f).size, 0);
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
const kb = (n) => `${(n / 1e3).toFixed(1)} kB`;

const module = (folder) => ['vitrine_bg.wasm', 'vitrine.js'].map((f) => path.join(SITE, 'pkg', folder, f));
const widgetDir = path.join(SITE, 'widget');
const tryOnOnly = new Set(['tryon-element.js', 'photo.js', 'parse-split.js', 'parse-worker.js']);
const widgetJs = [path.join(SITE, 'vitrine.js'), ...readdirSync(widgetDir).filter((f) => f.endsWith('.js') && !tryOnOnly.has(f)).map((f) => path.join(widgetDir, f))];
const tryOnJs = [...tryOnOnly].map((f) => path.join(widgetDir, f));

/** Is this URL one of the widget's files (its script, widget/ or pkg/)? */
const isWidgetCode = (pathname) => /^\/(vitrine\.js|widget\/|pkg\/)/.test(pathname);
const isModelFile = (pathname) => /^\/models\//.test(pathname);

// Registered before any page script: main-thread long tasks and long animation
// frames (whose script entries name the source file that ran).
const OBSERVE = () => {
  window.__longTasks = [];
  window.__frames = [];
  new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__frames.push({ duration: e.duration, scripts: e.scripts.map((s) => ({ url: s.sourceURL, duration: s.duration, invoker: s.invoker })) });
  }).observe({ type: 'long-animation-frame', buffered: true });
};

/** Visit `url`, wait for `ready`, then return {transfers, longest task, longest widget script}. */
async function visit(context, url, ready) {
  const page = await context.newPage();
  const responses = [];
  context.on('response', (r) => responses.push(r));
  await page.addInitScript(OBSERVE);
  await page.goto(url);
  await ready(page);
  await page.waitForTimeout(500); // let the observers deliver the last entries
  const transfers = [];
  for (const r of responses) {
    const sizes = await r.request().sizes().catch(() => null);
    if (sizes) transfers.push({ path: new URL(r.url()).pathname, bytes: sizes.responseBodySize, status: r.status() });
  }
  const { longTasks, frames } = await page.evaluate(() => ({ longTasks: window.__longTasks, frames: window.__frames }));
  const widgetScripts = frames.flatMap((f) => f.scripts).filter((s) => s.url && isWidgetCode(new URL(s.url).pathname));
  await page.close();
  return {
    transfers,
    longestTaskMs: Math.max(0, ...longTasks),
    longestWidgetScriptMs: Math.max(0, ...widgetScripts.map((s) => s.duration)),
    longestWidgetScript: widgetScripts.sort((a, b) => b.duration - a.duration)[0] ?? null,
  };
}

const byKind = (transfers) => {
  const sum = (filter) => transfers.filter((t) => filter(t.path)).reduce((n, t) => n + t.bytes, 0);
  return { widget: sum(isWidgetCode), models: sum(isModelFile), other: sum((p) => !isWidgetCode(p) && !isModelFile(p)) };
};
const modulesFetched = (transfers) => [...new Set(transfers.map((t) => t.path).filter((p) => p.endsWith('_bg.wasm')))].sort();

const server = await serve();
/** The apparel page (fresh context: nothing cached): open the dialog and render a sample model; `backend` goes into the script tag. */
async function fittingRoomVisit(browser, origin, backend = null) {
  const context = await browser.newContext();
  if (backend) {
    await context.route('**/demo/apparel.html', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: (await response.text()).replace('data-model=', `data-backend="${backend}" data-model=`) });
    });
  }
  const result = await visit(context, `${origin}/demo/apparel.html`, async (page) => {
    await page.waitForSelector('vitrine-try-on');
    const tryOn = page.locator('vitrine-try-on').first();
    await tryOn.locator('button').first().click();
    await tryOn.locator('.samples button').first().click();
    await page.waitForFunction(
      () => {
        const root = document.querySelector('vitrine-try-on').shadowRoot;
        return root.querySelector('progress').hidden && !root.querySelector('canvas[part=render]').hidden;
      },
      null,
      { timeout: 600_000 },
    );
  });
  await context.close();
  return result;
}

let home;
let fittingRoom;
let gpuRoom;
try {
  const browser = await launch({ webgpu: false });
  const context = await browser.newContext();
  home = await visit(context, `${server.origin}/demo/`, (page) =>
    page.waitForFunction(() => document.querySelector('vitrine-recommendations')?.shadowRoot?.querySelector('li'), null, { timeout: 300_000 }),
  );
  await context.close();
  fittingRoom = await fittingRoomVisit(browser, server.origin);
  await browser.close();
  // The WebGPU module as a page with data-backend="webgpu" fetches it (SwiftShader renders here).
  const gpuBrowser = await launch({ webgpu: true });
  gpuRoom = await fittingRoomVisit(gpuBrowser, server.origin, 'webgpu');
  await gpuBrowser.close();
} finally {
  server.close();
}

const sizes = Object.fromEntries(
  Object.entries({ core: module(''), tryon: module('tryon'), gpu: module('gpu'), widgetJs, tryOnJs }).map(([k, files]) => [k, { raw: raw(files), br: br(files), gz: gz(files) }]),
);
/** The longest widget script the Long Animation Frame API attributed (it lists scripts of 5 ms or more in frames of 50 ms or more). */
const widgetScript = (visit) =>
  visit.longestWidgetScript ? `${visit.longestWidgetScriptMs.toFixed(0)} ms (${new URL(visit.longestWidgetScript.url).pathname})` : 'none (no widget script of ≥ 5 ms in any frame of ≥ 50 ms)';
const homeKinds = byKind(home.transfers);
const roomKinds = byKind(fittingRoom.transfers);
const gpuKinds = byKind(gpuRoom.transfers);
const sent = (...keys) => ['br', 'gz'].map((enc) => keys.reduce((n, k) => n + sizes[k][enc], 0));
const [recommendationsPath, recommendationsGz] = sent('core', 'widgetJs');
const [cpuRoom, cpuRoomGz] = sent('tryon', 'tryOnJs');
const [gpuAdds, gpuAddsGz] = sent('gpu', 'tryOnJs');
const judged = (n, target) => (n <= target ? 'met' : 'NOT met');
const rows = [
  ['recommendations path: `pkg/` (wasm + bindings) + widget JS, Brotli as sent (gzip -9)', `**${mb(recommendationsPath)}** (${mb(sizes.core.br)} + ${kb(sizes.widgetJs.br)}; gzip ${mb(recommendationsGz)}; floor 1.5 MB, aim 1 MB: ${recommendationsPath <= 1e6 ? 'met' : recommendationsPath <= 1.5e6 ? 'floor met, aim not' : 'NOT met'})`],
  ['fitting room adds on the CPU: `pkg/tryon/` + its JS, Brotli (gzip -9)', `**${mb(cpuRoom)}** (gzip ${mb(cpuRoomGz)}; target 2 MB: ${judged(cpuRoom, 2e6)})`],
  ['fitting room adds on a hardware GPU: `pkg/gpu/` + its JS, Brotli (gzip -9)', `**${mb(gpuAdds)}** (gzip ${mb(gpuAddsGz)}; target 2 MB: ${judged(gpuAdds, 2e6)})`],
  ['modules raw: `pkg/` / `pkg/tryon/` / `pkg/gpu/`', `${mb(sizes.core.raw)} / ${mb(sizes.tryon.raw)} / ${mb(sizes.gpu.raw)}`],
  ['home page (recommendations only), transferred: widget code / model files / rest', `${mb(homeKinds.widget)} / ${mb(homeKinds.models)} / ${mb(homeKinds.other)}`],
  ['home page: engine modules fetched', modulesFetched(home.transfers).join(', ')],
  ['fitting room page after one render, transferred: widget code / model files / rest', `${mb(roomKinds.widget)} / ${mb(roomKinds.models)} / ${mb(roomKinds.other)}`],
  ['fitting room page: engine modules fetched', modulesFetched(fittingRoom.transfers).join(', ')],
  ['fitting room page with data-backend="webgpu" after one render, transferred: widget code / model files / rest', `${mb(gpuKinds.widget)} / ${mb(gpuKinds.models)} / ${mb(gpuKinds.other)} (modules: ${modulesFetched(gpuRoom.transfers).join(', ')})`],
  ['home page: widget script in a long frame (LoAF) / longest long task of the page', `${widgetScript(home)} / ${home.longestTaskMs.toFixed(0)} ms (aim: widget under 50 ms)`],
  ['fitting room page, dialog + one render: widget script in a long frame / longest long task', `${widgetScript(fittingRoom)} / ${fittingRoom.longestTaskMs.toFixed(0)} ms`],
];
console.log('| measure | value |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
console.log(JSON.stringify({ sizes, home: { ...homeKinds, modules: modulesFetched(home.transfers), longestTaskMs: home.longestTaskMs, longestWidgetScript: home.longestWidgetScript }, fittingRoom: { ...roomKinds, modules: modulesFetched(fittingRoom.transfers), longestTaskMs: fittingRoom.longestTaskMs, longestWidgetScript: fittingRoom.longestWidgetScript }, gpuRoom: { ...gpuKinds, modules: modulesFetched(gpuRoom.transfers) } }));
