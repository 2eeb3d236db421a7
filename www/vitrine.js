// Vitrine: recommendations computed in the shopper's browser.
//
// As one script tag (configured by data attributes, see widget/config.js):
//   <script type="module" src="/vitrine.js" data-model="/models/online-retail.json"
//           data-catalog="/catalog.json"></script>
//   <vitrine-recommendations placement="for-you"></vitrine-recommendations>
//
// Or as an ES module (bundlers): import { init, track, recommend } from '.../vitrine.js';
//   init({ model: '/models/online-retail.json', catalog: '/catalog.json' });
//
// Events are recorded with data attributes ([data-vitrine-view="ID"] on a
// product page; [data-vitrine-add-to-cart="ID"] and [data-vitrine-purchase="ID"]
// on buttons, recorded when clicked) or with track(type, id).

import { DEFAULTS, configure } from './widget/config.js';
import { getEngine } from './widget/engine.js';
import { clear, record } from './widget/history.js';
import { VitrineHistory } from './widget/history-element.js';
import { pickItems } from './widget/placements.js';
import { VitrineRecommendations } from './widget/recommendations.js';
import { STRINGS } from './widget/strings.js';

export { DEFAULTS };

/** Configure Vitrine (before the first placement renders); see DEFAULTS for every option. */
export function init(options = {}) {
  const merged = configure(options);
  setStrings(merged.strings);
  return api;
}

/** Record a shopper event: 'view', 'add-to-cart' or 'purchase'. Returns false for bad input. */
export function track(type, id) {
  return record(type, id);
}

/** Forget everything stored about the shopper. */
export function clearHistory() {
  clear();
}

/**
 * Items for a placement, computed locally: `{placement: 'for-you' | 'similar' |
 * 'recently-viewed', item?, k?}` -> `{coldStart, items: [{id, score, item, because}]}`.
 */
export async function recommend(options = {}) {
  const { engine } = await getEngine();
  return pickItems(engine, typeof options === 'number' ? { k: options } : options);
}

/** Where the model runs: 'webgpu' or 'cpu'. */
export async function backend() {
  return (await getEngine()).engine.currentBackend();
}

/** Translate the widget: any keys of the built-in English strings. */
export function setStrings(strings = {}) {
  for (const [key, value] of Object.entries(strings)) {
    if (key in STRINGS && typeof value === 'string') STRINGS[key] = value;
  }
}

const api = Object.freeze({ init, track, clearHistory, recommend, backend, setStrings, DEFAULTS });

function ownScript() {
  const here = import.meta.url;
  return [...document.querySelectorAll('script[src]')].find((s) => s.src === here) ?? null;
}

// A script tag configures from its data attributes; an ES-module import waits for init().
const tag = ownScript();
configure(
  tag
    ? {
        model: tag.dataset.model,
        tryOnModel: tag.dataset.tryOnModel,
        catalog: tag.dataset.catalog,
        backend: tag.dataset.backend,
        retentionDays: tag.dataset.retentionDays,
        template: tag.dataset.template,
      }
    : {},
);

function recordFromAttributes(root) {
  for (const el of root.querySelectorAll('[data-vitrine-view]')) record('view', el.dataset.vitrineView);
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('[data-vitrine-add-to-cart],[data-vitrine-purchase]') : null;
  if (!target) return;
  if (target.dataset.vitrineAddToCart) record('add-to-cart', target.dataset.vitrineAddToCart);
  if (target.dataset.vitrinePurchase) record('purchase', target.dataset.vitrinePurchase);
});

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => recordFromAttributes(document));
} else {
  recordFromAttributes(document);
}

if (!customElements.get('vitrine-recommendations')) customElements.define('vitrine-recommendations', VitrineRecommendations);
defineTryOnWhenUsed();
if (!customElements.get('vitrine-history')) customElements.define('vitrine-history', VitrineHistory);

/**
 * The fitting room's code (its element and photo handling) loads only on a
 * page that has a <vitrine-try-on>, now or later: a recommendations-only page
 * never fetches it.
 */
function defineTryOnWhenUsed() {
  if (customElements.get('vitrine-try-on')) return;
  const used = document.getElementsByTagName('vitrine-try-on'); // live: no query per mutation
  const load = () =>
    import('./widget/tryon-element.js').then(({ VitrineTryOn }) => {
      if (!customElements.get('vitrine-try-on')) customElements.define('vitrine-try-on', VitrineTryOn);
    });
  if (used.length > 0) {
    load();
    return;
  }
  const observer = new MutationObserver(() => {
    if (used.length === 0) return;
    observer.disconnect();
    load();
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** The same API for pages without a bundler. It can add and forget events but
 * not read them back: the history is the shopper's, shown only by <vitrine-history>. */
window.Vitrine = api;
