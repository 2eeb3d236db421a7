// Vitrine: one script tag, recommendations computed in the shopper's browser.
//
//   <script type="module" src="/vitrine.js"
//           data-model="/models/online-retail.json"
//           data-catalog="/catalog.json"
//           data-backend="auto"></script>
//   <vitrine-recommendations k="8"></vitrine-recommendations>
//
// Events are recorded with data attributes ([data-vitrine-view="ID"] on a
// product page; [data-vitrine-add-to-cart="ID"] and [data-vitrine-purchase="ID"]
// on buttons, recorded when clicked) or with window.Vitrine.track(type, id).

import { clear, itemSequence, record, setRetentionDays } from './widget/history.js';
import { getEngine } from './widget/engine.js';
import { STRINGS, VitrineRecommendations } from './widget/recommendations.js';
import { VitrineHistory } from './widget/history-element.js';

function ownScript() {
  const here = import.meta.url;
  return [...document.querySelectorAll('script[src]')].find((s) => s.src === here) ?? null;
}

const script = ownScript();
const config = {
  base: new URL('./', import.meta.url),
  model: new URL(script?.dataset.model ?? 'models/online-retail.json', document.baseURI).href,
  catalog: script?.dataset.catalog ? new URL(script.dataset.catalog, document.baseURI).href : null,
  backend: script?.dataset.backend ?? 'auto',
};
VitrineRecommendations.config = config;
VitrineHistory.config = config;
setRetentionDays(Number(script?.dataset.retentionDays ?? 90));

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

if (!customElements.get('vitrine-recommendations')) {
  customElements.define('vitrine-recommendations', VitrineRecommendations);
}
if (!customElements.get('vitrine-history')) {
  customElements.define('vitrine-history', VitrineHistory);
}

/** The page-facing API. It can add events and forget them, but not read them
 * back: the history is the shopper's, shown only by <vitrine-history>. */
window.Vitrine = Object.freeze({
  track: (type, id) => record(type, id),
  clearHistory: () => clear(),
  async recommend(k = 8) {
    const { engine } = await getEngine(config);
    return engine.recommend(itemSequence(), k);
  },
  /** Translate the widget: any keys of the built-in English strings. */
  setStrings(strings) {
    for (const [key, value] of Object.entries(strings)) {
      if (key in STRINGS && typeof value === 'string') STRINGS[key] = value;
    }
  },
  async backend() {
    return (await getEngine(config)).engine.currentBackend();
  },
});
