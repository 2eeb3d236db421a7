// The fitting room in a real headless Chromium on the demo's apparel page:
// a sample model and an unseen synthetic photo are dressed in a garment on
// WebGPU and on the CPU; the photo never leaves the page (every request is a
// same-origin GET of the site's own files, none carries a body, no cookies);
// bad photos (not an image, 10,000×10,000 pixels, landscape, no person) get a
// clear message and the page stays responsive. Screenshots go to target/e2e/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { ROOT, SITE, main, withBrowser } from './harness.mjs';

const SHOTS = path.join(ROOT, 'target/e2e');
const REAL_PHOTO_INDEX = 2; // the third photo of real-ccp/test/test.txt: a full-body street photo
mkdirSync(SHOTS, { recursive: true });
const apparel = JSON.parse(readFileSync(path.join(SITE, 'demo/apparel/apparel.json'), 'utf8'));
const PHOTO = path.join(SITE, 'demo/apparel', apparel.models[1]);
// A real person the model never saw in training (real-ccp/test, read from the
// shared data at test time, never copied into the site).
const REAL_DATA = process.env.VITRINE_TRYON_REAL_DATA ?? path.join(ROOT, '../shared/data/tryon/real-ccp');
const REAL_PHOTO = path.join(REAL_DATA, 'test/image', readFileSync(path.join(REAL_DATA, 'test/test.txt'), 'utf8').split('\n')[REAL_PHOTO_INDEX]);

/** A grey PNG of any size, written here (no image library): rows compress to almost nothing. */
function greyPng(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const row = Buffer.alloc(width + 1, 150);
  row[0] = 0;
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const tryOn = (page) => page.locator('vitrine-try-on').first();

/** Pick a file in the open dialog and wait for a render or an error message. */
async function pick(page, file) {
  await tryOn(page).locator('input[type=file]').setInputFiles(file);
  await page.waitForFunction(() => {
    const root = document.querySelector('vitrine-try-on').shadowRoot;
    const busy = !root.querySelector('progress').hidden;
    return !busy && (!root.querySelector('.error').hidden || !root.querySelector('canvas[part=render]').hidden);
  });
  return tryOn(page).evaluate((el) => ({
    error: el.shadowRoot.querySelector('.error').hidden ? null : el.shadowRoot.querySelector('.error').textContent,
    status: el.shadowRoot.querySelector('[role=status]').textContent,
    backend: el.dataset.backend ?? null,
    parseWorkers: el.dataset.parseWorkers ?? null,
  }));
}

/** Mean absolute difference (0-255) between the before and after canvases. */
const renderChange = (page) =>
  tryOn(page).evaluate((el) => {
    const [before, after] = ['canvas:not([part])', 'canvas[part=render]'].map((s) => {
      const c = el.shadowRoot.querySelector(s);
      return c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    });
    let sum = 0;
    for (let i = 0; i < before.length; i++) sum += Math.abs(before[i] - after[i]);
    return sum / before.length;
  });

/** Open the apparel page with the widget's script tag set to `backend` (the demo leaves it on auto). */
async function openApparel(page, origin, backend) {
  if (backend !== 'auto') {
    await page.route('**/demo/apparel.html', async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace('data-model=', `data-backend="${backend}" data-model=`);
      await route.fulfill({ response, body });
    });
  }
  await page.goto(`${origin}/demo/apparel.html`);
  await page.waitForSelector('vitrine-try-on');
}

/** Paths of the engine's wasm modules among the requests: pkg/, pkg/tryon/, pkg/gpu/. */
const wasmModules = (requests) => [...new Set(requests.map((r) => new URL(r.url).pathname).filter((p) => p.endsWith('_bg.wasm')))].sort();

async function fittingRoom(browser, origin, label, backend = label) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
  page.on('pageerror', (e) => errors.push(String(e)));

  await openApparel(page, origin, backend);
  await page.waitForFunction(() => customElements.get('vitrine-try-on'));
  const fittingRoomModule = label === 'webgpu' ? '/pkg/gpu/vitrine_bg.wasm' : '/pkg/tryon/vitrine_bg.wasm';
  assert.deepEqual(wasmModules(requests), [], 'no engine module is fetched before the dialog opens (this page has no recommendations)');
  assert.ok(!requests.some((r) => r.url.endsWith('fitting-room.bpk')), 'nor the try-on weights');
  await tryOn(page).locator('button').first().click();
  const first = await pick(page, PHOTO);
  assert.equal(first.error, null, `renders: ${first.error}`);
  assert.equal(first.backend, label);
  // On the CPU the parser's four passes are split over two workers (two cores here); WebGPU runs them all.
  assert.equal(first.parseWorkers, label === 'cpu' ? '2' : '1', 'parser passes split on the CPU only');
  assert.deepEqual(wasmModules(requests), [fittingRoomModule], `backend ${backend} loads ${fittingRoomModule} alone`);
  const change = await renderChange(page);
  assert.ok(change > 2, `the garment area changed (mean |diff| ${change.toFixed(2)})`);
  await page.screenshot({ path: path.join(SHOTS, `tryon-${label}.png`) });

  // A real street photo: accepted by the person check and dressed too.
  const real = await pick(page, REAL_PHOTO);
  assert.equal(real.error, null, `a real person renders: ${real.error}`);
  assert.equal(real.parseWorkers, first.parseWorkers);
  const realChange = await renderChange(page);
  assert.ok(realChange > 2, `the real person's garment area changed (mean |diff| ${realChange.toFixed(2)})`);
  await page.screenshot({ path: path.join(SHOTS, `tryon-real-${label}.png`) });

  // Before/after toggle and save.
  const toggle = tryOn(page).locator('.tools button').first();
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await toggle.click();
  const download = page.waitForEvent('download');
  await tryOn(page).locator('.tools button').nth(1).click();
  assert.match((await download).suggestedFilename(), /^try-on-.+\.png$/);

  // A sample model (the demo's own) renders too.
  await tryOn(page).locator('.samples button').first().click();
  await page.waitForFunction(() => document.querySelector('vitrine-try-on').shadowRoot.querySelector('progress').hidden);

  // Privacy: only same-origin GETs of the site's files; no body; no cookies; the photo is not among them.
  const photoName = path.basename(PHOTO);
  for (const r of requests) {
    assert.equal(new URL(r.url).origin, origin, `same origin: ${r.url}`);
    assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
    assert.equal(r.body ?? null, null, `no body: ${r.url}`);
  }
  assert.ok(!requests.some((r) => r.url.includes(photoName) && !r.url.includes('/demo/apparel/')), 'the picked photo is never requested');
  assert.ok(!requests.some((r) => r.url.includes(path.basename(REAL_PHOTO))), 'the real photo is never requested');
  assert.deepEqual(await context.cookies(), []);
  assert.equal(requests.filter((r) => r.url.endsWith('fitting-room.bpk')).length, 1, 'weights downloaded once');
  assert.deepEqual(errors, []);
  await context.close();
}

async function badPhotos(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/demo/apparel.html`);
  await page.waitForSelector('vitrine-try-on');
  await tryOn(page).locator('button').first().click();

  const text = await pick(page, { name: 'holiday.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a photo') });
  assert.match(text.error ?? '', /not a photo we can read/);

  const started = Date.now();
  const huge = await pick(page, { name: 'huge.png', mimeType: 'image/png', buffer: greyPng(10_000, 10_000) });
  assert.match(huge.error ?? '', /could not find a person/, 'a 10,000×10,000 grey photo is scaled down and judged: no person');
  assert.equal(await page.evaluate(() => 1 + 1), 2, 'the page still answers');
  console.log(`  10,000×10,000 photo handled in ${Date.now() - started} ms`);

  // A landscape photo: the sample model in the middle of a wide grey frame.
  const landscape = await page.evaluate(async (url) => {
    const img = await createImageBitmap(await (await fetch(url)).blob());
    const c = new OffscreenCanvas(img.height * 2, img.height);
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#8a8a8a';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(img, (c.width - img.width) / 2, 0);
    return [...new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer())];
  }, `apparel/${apparel.models[0]}`);
  const wide = await pick(page, { name: 'wide.png', mimeType: 'image/png', buffer: Buffer.from(landscape) });
  assert.equal(wide.error, null, `a landscape photo renders: ${wide.error}`);
  assert.match(wide.status, /middle of your landscape photo/);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, 'tryon-landscape.png') });
  await context.close();
}

await main(async (origin) => {
  for (const [label, webgpu] of [['webgpu', true], ['cpu', false]]) {
    await withBrowser({ webgpu }, async (browser) => {
      await fittingRoom(browser, origin, label);
      console.log(`ok - fitting room on ${label}: render, toggle, save, privacy, modules fetched only when the dialog opens`);
      if (webgpu) {
        // auto with only a software adapter (SwiftShader): the CPU module, measured faster there.
        await fittingRoom(browser, origin, 'cpu', 'auto');
        console.log('ok - auto on a software WebGPU adapter renders on the CPU module');
      }
      if (!webgpu) {
        await badPhotos(browser, origin);
        console.log('ok - bad photos: not an image, 10,000×10,000, landscape');
      }
    });
  }
});
