// The widget in a real headless Chromium on the demo store: cold start shows
// popular items, product visits personalise the list, nothing but the
// widget's own files is fetched, no request carries the history, no cookie is
// set, and the CPU fallback works without WebGPU. Screenshots go to
// target/e2e/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, SITE, main, withBrowser } from './harness.mjs';

const SHOTS = path.join(ROOT, 'target/e2e');
mkdirSync(SHOTS, { recursive: true });
const card = JSON.parse(readFileSync(path.join(SITE, 'models/online-retail.json'), 'utf8'));
const catalog = JSON.parse(readFileSync(path.join(SITE, 'catalog.json'), 'utf8'));
const inCatalog = new Set(catalog.items.map((i) => i.id));

async function shownIds(page, placement = 'for-you') {
  return page.$$eval(`vitrine-recommendations[placement="${placement}"]`, (els) =>
    els.flatMap((el) => (el.hidden ? [] : [...el.shadowRoot.querySelectorAll('li')].map((li) => li.dataset.id))),
  );
}

async function whyLines(page) {
  return page.$$eval('vitrine-recommendations[placement="for-you"]', (els) =>
    els.flatMap((el) => [...el.shadowRoot.querySelectorAll('.why')].map((w) => w.textContent)),
  );
}

async function waitForState(page, state) {
  await page.waitForFunction(
    (s) => document.querySelector('vitrine-recommendations[placement="for-you"]')?.dataset.state === s,
    state,
  );
}

/** Serve the demo's pages with the widget's script tag set to `backend` (they leave it on auto). */
async function withBackend(page, backend) {
  if (backend === 'auto') return;
  await page.route(/\/demo\/(index\.html|product\.html)?(\?.*)?$/, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('data-model=', `data-backend="${backend}" data-model=`);
    await route.fulfill({ response, body });
  });
}

/** The engine's wasm modules a page fetched (pkg/, pkg/tryon/, pkg/gpu/). */
const wasmModules = (requests) => [...new Set(requests.map((r) => new URL(r.url).pathname).filter((p) => p.endsWith('_bg.wasm')))].sort();

async function shoppingSession(browser, origin, label, backend = 'auto') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await withBackend(page, backend);
  const requests = [];
  const errors = [];
  // Context-wide, so the widget's Web Worker requests are seen too.
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), type: r.resourceType(), body: r.postData() }));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  // 1. Cold start: no history, popular items from the card.
  await page.goto(`${origin}/demo/`);
  await waitForState(page, 'popular');
  const popular = await shownIds(page);
  assert.equal(popular.length, 8);
  assert.deepEqual(await shownIds(page, 'recently-viewed'), [], 'nothing viewed yet: the placement hides itself');
  const expectedPopular = card.popular.filter((id) => inCatalog.has(id)).slice(0, 8);
  assert.deepEqual(popular, expectedPopular, 'cold start shows the card popular items in order');
  await page.screenshot({ path: path.join(SHOTS, `${label}-home-cold.png`), fullPage: false });

  // An event older than the 90-day retention window is forgotten, never used.
  await page.evaluate((id) => localStorage.setItem('vitrine.history.v1', JSON.stringify([{ type: 'purchase', id, at: 0 }])), popular[0]);

  // 2. Visit three related products (a run of one customer's purchases) and add one to the basket.
  const visits = card.items.slice(200, 203);
  for (const id of visits) {
    await page.goto(`${origin}/demo/product.html?id=${encodeURIComponent(id)}`);
    await waitForState(page, 'personal');
  }
  await page.click('#add');
  const recsOnProduct = await shownIds(page);
  assert.ok(!recsOnProduct.includes(visits[2]), 'the product on screen is not recommended to itself');
  await page.waitForFunction(() => document.querySelector('vitrine-recommendations[placement="similar"]')?.shadowRoot.querySelectorAll('li').length > 0);
  const similar = await shownIds(page, 'similar');
  assert.equal(similar.length, 6);
  assert.ok(!similar.includes(visits[2]), 'similar never shows the product itself');
  assert.deepEqual(await shownIds(page, 'recently-viewed'), [visits[1], visits[0]], 'recently viewed, newest first, without the product on screen');
  const together = await shownIds(page, 'bought-together');
  const partners = JSON.parse(readFileSync(path.join(SITE, 'models/online-retail.bought-together'), 'utf8')).pairs[visits[2]];
  assert.ok(together.length > 0, 'bought-together shows partners');
  assert.deepEqual(together, partners.filter((id) => inCatalog.has(id)).slice(0, together.length), 'in the shipped order');
  await page.screenshot({ path: path.join(SHOTS, `${label}-product.png`), fullPage: true });

  // 3. Back home: personal recommendations, different from the popular list, none from the history.
  await page.goto(`${origin}/demo/`);
  await waitForState(page, 'personal');
  const personal = await shownIds(page);
  assert.equal(personal.length, 8);
  assert.notDeepEqual(personal, popular, 'visits changed the recommendations');
  for (const id of visits) assert.ok(!personal.includes(id), `history item ${id} is not recommended`);
  const titles = new Map(catalog.items.map((i) => [i.id, i.title]));
  const why = await whyLines(page);
  assert.equal(why.length, 8, 'every personal pick says why');
  for (const line of why) {
    assert.ok(visits.some((id) => line === `Why this? You viewed ${titles.get(id)}`), `names a visited product: ${line}`);
  }
  const history = await page.evaluate(() => JSON.parse(localStorage.getItem('vitrine.history.v1')).map((e) => `${e.type}:${e.id}`));
  assert.equal(await page.evaluate(() => 'history' in window.Vitrine), false, 'the API offers no way to read the history');
  const shown = await page.$eval('vitrine-history', (el) => [...el.shadowRoot.querySelectorAll('li')].map((li) => li.textContent));
  assert.equal(shown[0], `Added to basket: ${catalog.items.find((i) => i.id === visits[2]).title}`, 'the shopper sees what is stored');
  assert.deepEqual(history, [...visits.map((id) => `view:${id}`), `add-to-cart:${visits[2]}`]);
  const used = await page.evaluate(() => window.Vitrine.backend());
  assert.equal(page.workers().length, 1, 'the model runs in one Web Worker, off the main thread');
  await page.screenshot({ path: path.join(SHOTS, `${label}-home-personal.png`), fullPage: false });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, `${label}-phone.png`), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Keyboard: one tab stop per carousel; arrows, Home and End move between cards.
  const focused = () =>
    page.$eval('vitrine-recommendations[placement="for-you"]', (el) => el.shadowRoot.activeElement?.closest('li')?.dataset.id ?? null);
  await page.$eval('vitrine-recommendations[placement="for-you"]', (el) => el.shadowRoot.querySelector('a[tabindex="0"]').focus());
  assert.equal(await focused(), personal[0]);
  await page.keyboard.press('ArrowRight');
  assert.equal(await focused(), personal[1], 'ArrowRight moves to the next card');
  await page.keyboard.press('End');
  assert.equal(await focused(), personal[7], 'End moves to the last card');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused(), personal[6]);
  const tabStops = await page.$eval('vitrine-recommendations[placement="for-you"]', (el) => el.shadowRoot.querySelectorAll('a[tabindex="0"]').length);
  assert.equal(tabStops, 1, 'one tab stop per carousel');
  const labels = await page.$eval('vitrine-recommendations[placement="for-you"]', (el) => [...el.shadowRoot.querySelectorAll('button')].map((b) => b.getAttribute('aria-label')));
  assert.deepEqual(labels, ['Previous products', 'Next products']);

  // 4. Privacy: same-origin static files only, GET only, the widget's fetches carry no query or body.
  const allowed = /^\/(demo\/(|index\.html|product\.html|demo\.js|demo\.css)|vitrine\.js|widget\/[a-z-]+\.js|pkg\/(gpu\/)?vitrine(_bg\.wasm|\.js)|models\/online-retail\.(json|bpk|bought-together)|catalog\.json|favicon\.ico)$/;
  for (const r of requests) {
    const url = new URL(r.url);
    assert.equal(url.origin, origin, `no third-party request: ${r.url}`);
    assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
    assert.equal(r.body ?? null, null, `no request body: ${r.url}`);
    assert.match(url.pathname, allowed, `unexpected file ${url.pathname}`);
    if (r.type !== 'document') assert.equal(url.search, '', `a fetch carries a query: ${r.url}`);
  }
  // A recommendations-only page never loads the fitting room's code or weights,
  // and loads the WebGPU module only when the page asks for WebGPU.
  const tryOnFiles = requests.map((r) => new URL(r.url).pathname).filter((p) => /tryon|try-on|photo\.js|fitting-room/.test(p));
  assert.deepEqual(tryOnFiles, [], 'no try-on file on a page without <vitrine-try-on>');
  assert.deepEqual(wasmModules(requests), [backend === 'webgpu' ? '/pkg/gpu/vitrine_bg.wasm' : '/pkg/vitrine_bg.wasm'], `the one engine module for data-backend ${backend}`);
  // The demo runs under a strict CSP: no inline scripts or styles, no eval.
  const csp = (await (await context.request.get(`${origin}/demo/`)).headers())['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
  const cookies = await context.cookies();
  assert.deepEqual(cookies, [], 'no cookies');
  assert.deepEqual(errors, [], 'no page errors');

  // The weights were downloaded once in this session: later pages took them from the Cache API.
  for (const file of ['online-retail.bpk', 'online-retail.bought-together']) {
    const downloads = requests.filter((r) => r.url.endsWith(`/models/${file}`)).length;
    assert.equal(downloads, 1, `${file} downloaded once, then served from the cache`);
  }

  // 5. "Forget my history" clears everything stored locally.
  await page.$eval('vitrine-history', (el) => el.shadowRoot.querySelector('button').click());
  await waitForState(page, 'popular');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), []);
  await context.close();
  return used;
}

// A catalog whose most popular product is titled like an XSS payload: the
// widget must show those characters and run nothing.
async function hostileCatalog(browser, origin) {
  const hostile = '<img src=x onerror=alert(1)>';
  const first = card.popular.find((id) => inCatalog.has(id));
  const poisoned = { ...catalog, items: catalog.items.map((i) => (i.id === first ? { ...i, title: hostile } : i)) };
  const context = await browser.newContext();
  const page = await context.newPage();
  const dialogs = [];
  const requests = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.route('**/catalog.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(poisoned) }));
  await page.goto(`${origin}/demo/`);
  await waitForState(page, 'popular');
  const titles = await page.$$eval('vitrine-recommendations[placement="for-you"]', (els) =>
    [...els[0].shadowRoot.querySelectorAll('.title')].map((t) => t.textContent),
  );
  assert.equal(titles[0], hostile, 'the payload is shown as text');
  const injected = await page.$$eval('vitrine-recommendations', (els) => els.some((el) => el.shadowRoot.querySelector('img')));
  assert.equal(injected, false, 'no element was created from the title');
  assert.deepEqual(dialogs, [], 'nothing ran');
  assert.ok(!requests.some((p) => p.endsWith('/x')), 'the fake image was never requested');
  await context.close();
}

// One product with a negative price, one with a javascript: link, one out of
// stock: the widget drops the first two (one console warning says so) and
// never shows the third; the popular list served when the model is broken
// never shows any of them either.
async function badCatalogRows(browser, origin) {
  const [priced, linked, sold] = card.popular.filter((id) => inCatalog.has(id));
  const items = catalog.items.map((i) =>
    i.id === priced ? { ...i, price: -5 } : i.id === linked ? { ...i, url: 'javascript:alert(1)' } : i.id === sold ? { ...i, available: false } : i,
  );
  for (const broken of [false, true]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && m.text().includes('[vitrine]') && warnings.push(m.text()));
    await page.route('**/catalog.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ...catalog, items }) }));
    if (broken) await page.route('**/models/online-retail.bpk', (route) => route.fulfill({ contentType: 'application/octet-stream', body: Buffer.from('not the weights') }));
    await page.goto(`${origin}/demo/`);
    await waitForState(page, broken ? 'fallback' : 'popular');
    const shown = await shownIds(page);
    const expected = card.popular.filter((id) => inCatalog.has(id) && ![priced, linked, sold].includes(id)).slice(0, 8);
    assert.deepEqual(shown, expected, `${broken ? 'fallback' : 'popular'}: the valid items in stock, in order, without the two bad rows`);
    const prices = await page.$$eval('vitrine-recommendations[placement="for-you"]', (els) => [...els[0].shadowRoot.querySelectorAll('.price')].map((p) => p.textContent));
    assert.ok(prices.every((p) => !p.includes('-')), `no negative price shown: ${prices}`);
    assert.equal(warnings.length, 1, `one console warning: ${warnings.join(' | ')}`);
    assert.match(warnings[0], new RegExp(`2 of ${items.length} rows dropped`));
    await context.close();
  }
}

// A corrupted weights file: refused by its sha256; for-you falls back to the
// card's popular items, the other placements hide, one console error says why.
async function brokenModel(browser, origin) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await page.route('**/models/online-retail.bpk', (route) => route.fulfill({ contentType: 'application/octet-stream', body: Buffer.from('not the weights') }));
  const id = card.popular.find((p) => inCatalog.has(p));
  await page.goto(`${origin}/demo/product.html?id=${encodeURIComponent(id)}`);
  await waitForState(page, 'fallback');
  const shown = await shownIds(page);
  assert.deepEqual(shown, card.popular.filter((p) => inCatalog.has(p) && p !== id).slice(0, 8), 'popular items without the model');
  for (const placement of ['similar', 'bought-together', 'recently-viewed']) {
    await page.waitForFunction((p) => document.querySelector(`vitrine-recommendations[placement="${p}"]`).hidden, placement);
  }
  assert.equal(consoleErrors.length, 1, `one console error: ${consoleErrors.join(' | ')}`);
  assert.match(consoleErrors[0], /ChecksumMismatch/);
  await context.close();
}

// A placement far below the fold: nothing of the model is fetched until the
// shopper scrolls near it.
async function lazyStart(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const fetched = [];
  context.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
    <script type="module" src="/vitrine.js" data-model="/models/online-retail.json" data-catalog="/catalog.json"></script></head>
    <body><div id="spacer">tall content</div><vitrine-recommendations placement="for-you"></vitrine-recommendations></body></html>`;
  await page.route('**/examples/lazy.html', (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.addInitScript(() => document.addEventListener('DOMContentLoaded', () => (document.getElementById('spacer').style.height = '5000px')));
  await page.goto(`${origin}/examples/lazy.html`);
  // No sleep: once the element is defined and a few frames have rendered, its
  // IntersectionObserver has delivered its first (not intersecting) entry.
  await page.evaluate(async () => {
    await customElements.whenDefined('vitrine-recommendations');
    for (let frame = 0; frame < 3; frame++) await new Promise((done) => requestAnimationFrame(done));
  });
  const modelFiles = (list) => list.filter((p) => /vitrine_bg\.wasm|\/models\//.test(p));
  assert.deepEqual(modelFiles(fetched), [], 'nothing of the model is fetched while the placement is out of view');
  await page.$eval('vitrine-recommendations', (el) => el.scrollIntoView());
  await waitForState(page, 'popular');
  assert.ok(modelFiles(fetched).length >= 2, 'scrolling into view starts the model');
  await context.close();
}

// The README's blank-page example: ES-module init(), German strings, the
// store's own card template, price formatted for the page's locale.
async function blankPage(browser, origin) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/examples/blank.html`);
  await waitForState(page, 'popular');
  const heading = await page.$eval('vitrine-recommendations', (el) => el.shadowRoot.querySelector('h2').textContent);
  assert.equal(heading, 'Gerade beliebt');
  await page.click('button[data-vitrine-add-to-cart]');
  await waitForState(page, 'personal');
  const cards = await page.$eval('vitrine-recommendations', (el) =>
    [...el.shadowRoot.querySelectorAll('li')].map((li) => ({
      design: li.querySelector('a.card') !== null,
      border: getComputedStyle(li.querySelector('a.card')).borderTopStyle,
      price: li.querySelector('[data-field="price"]').textContent,
      why: li.querySelector('[data-field="why"]').textContent,
      image: li.querySelector('img') !== null,
    })),
  );
  assert.equal(cards.length, 4);
  for (const c of cards) {
    assert.ok(c.design, 'the store template is used');
    assert.equal(c.border, 'dashed', "the page's ::part() styles reach the card");
    assert.match(c.price, /^\d+,\d\d\s£$/, `German price format: ${c.price}`);
    assert.match(c.why, /^Warum\? Du hast .+ angesehen$/);
    assert.equal(c.image, false, 'no image field without a catalog image');
  }
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, 'blank-page.png') });
  await context.close();
}

/** On auto, recommendations stay on the CPU module even where WebGPU is available. */
async function autoRecommendsOnTheCpu(browser, origin) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  context.on('request', (r) => requests.push({ url: r.url() }));
  await page.goto(`${origin}/demo/`);
  await waitForState(page, 'popular');
  assert.equal(await page.evaluate(() => Boolean(navigator.gpu)), true, 'this browser offers WebGPU');
  assert.equal(await page.evaluate(() => window.Vitrine.backend()), 'cpu');
  assert.deepEqual(wasmModules(requests), ['/pkg/vitrine_bg.wasm'], 'only the CPU module is fetched');
  await context.close();
}

await main(async (origin) => {
  // The WebGPU browser runs the session with data-backend="webgpu" (the GPU module); auto is checked apart.
  for (const [label, webgpu, backend] of [['webgpu', true, 'webgpu'], ['cpu', false, 'auto']]) {
    await withBrowser({ webgpu }, async (browser) => {
      const used = await shoppingSession(browser, origin, label, backend);
      assert.equal(used, label, `backend with webgpu=${webgpu}, data-backend=${backend}`);
      console.log(`ok - shopping session on ${used} (data-backend ${backend})`);
      if (webgpu) {
        await autoRecommendsOnTheCpu(browser, origin);
        console.log('ok - auto keeps recommendations on the CPU module where WebGPU exists');
      }
      if (!webgpu) {
        await hostileCatalog(browser, origin);
        console.log('ok - hostile catalog strings are rendered as text');
        await blankPage(browser, origin);
        console.log('ok - blank page: ES-module init, strings, card template');
        await lazyStart(browser, origin);
        console.log('ok - placements start the model only when scrolled into view');
        await brokenModel(browser, origin);
        console.log('ok - a corrupted model falls back to popular items with one console error');
        await badCatalogRows(browser, origin);
        console.log('ok - bad catalog rows are dropped with one console warning, items out of stock are hidden, with and without the model');
      }
    });
  }
});
