// <vitrine-recommendations>: product cards computed in this browser from the
// shopper's local history. Strings from the catalog are set as text, never
// parsed as HTML.

import { cardTemplate, defaultCard, fillTemplate } from './cards.js';
import { getEngine, onProgress, popularWithoutModel } from './engine.js';
import { pickItems } from './placements.js';
import { STRINGS, fill } from './strings.js';

const STYLE = `
:host { display: block; font-family: var(--vitrine-font, inherit); color: var(--vitrine-text, inherit); }
:host([hidden]) { display: none; }
h2 { font-size: var(--vitrine-heading-size, 1.2rem); margin: 0 0 .5rem; }
.bar { display: flex; align-items: center; gap: .5rem; }
.bar h2 { flex: 1; }
button { font: inherit; border: 1px solid var(--vitrine-border, #ddd); background: var(--vitrine-card-bg, #fff);
         color: inherit; border-radius: 50%; width: 2rem; height: 2rem; cursor: pointer; }
button:focus-visible { outline: 2px solid var(--vitrine-accent, #2458d6); outline-offset: 2px; }
ol { list-style: none; display: grid; gap: var(--vitrine-gap, .75rem); padding: .25rem .1rem; margin: 0;
     grid-auto-flow: column; grid-auto-columns: var(--vitrine-card-width, 11rem);
     overflow-x: auto; scroll-snap-type: x mandatory; scroll-behavior: smooth; }
@media (prefers-reduced-motion: reduce) { ol { scroll-behavior: auto; } }
@media (max-width: 30rem) { ol { grid-auto-columns: 70%; } }
li { scroll-snap-align: start; border: 1px solid var(--vitrine-border, #ddd); border-radius: var(--vitrine-radius, .5rem);
     background: var(--vitrine-card-bg, #fff); padding: .6rem; display: flex; flex-direction: column; }
a { color: inherit; text-decoration: none; display: flex; flex-direction: column; gap: .35rem; flex: 1; }
a:focus-visible { outline: 2px solid var(--vitrine-accent, #2458d6); outline-offset: 2px; }
img { width: 100%; aspect-ratio: 1; object-fit: cover; border-radius: calc(var(--vitrine-radius, .5rem) / 2); }
.title { font-size: .9rem; line-height: 1.25; overflow-wrap: anywhere; }
.price { font-weight: 600; margin-top: auto; }
progress { width: 100%; }
.status { font-size: .85rem; color: var(--vitrine-muted, #666); }
.why { display: block; font-size: .75rem; color: var(--vitrine-muted, #666); margin-top: .35rem; overflow-wrap: anywhere; }
`;
const SHEET = new CSSStyleSheet();
SHEET.replaceSync(STYLE);

let reported = false;

/** One console error per page, whatever the number of placements. */
function reportOnce(err) {
  if (reported) return;
  reported = true;
  console.error(`[vitrine] recommendations unavailable (${err?.name ?? 'Error'}): ${err?.message ?? err}; showing popular items where possible`);
}

export class VitrineRecommendations extends HTMLElement {
  static observedAttributes = ['placement', 'item', 'k', 'heading', 'template'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    // A constructed stylesheet, not a <style> element: it works under a strict
    // CSP without 'unsafe-inline' in style-src.
    this.shadowRoot.adoptedStyleSheets = [SHEET];
    this.onHistory = () => this.visible && this.render();
  }

  connectedCallback() {
    window.addEventListener('vitrine:history', this.onHistory);
    // Start the model only when the placement is about to be seen.
    this.visible = false;
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !this.visible) {
          this.visible = true;
          this.render();
        }
      },
      { rootMargin: '200px' },
    );
    this.observer.observe(this);
  }

  attributeChangedCallback() {
    if (this.isConnected && this.visible) this.render();
  }

  disconnectedCallback() {
    this.observer?.disconnect();
    window.removeEventListener('vitrine:history', this.onHistory);
  }

  get count() {
    const k = Number.parseInt(this.getAttribute('k') ?? '8', 10);
    return Number.isFinite(k) && k > 0 ? Math.min(k, 50) : 8;
  }

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** The loading state: a message and a progress bar fed by the weights download. */
  showLoading() {
    const p = document.createElement('p');
    p.className = 'status';
    p.setAttribute('role', 'status');
    p.textContent = STRINGS.loading;
    const bar = document.createElement('progress');
    bar.part = 'progress';
    bar.setAttribute('aria-label', STRINGS.downloading);
    this.shadowRoot.replaceChildren(p, bar);
    this.stopProgress?.();
    this.stopProgress = onProgress(({ loaded, total }) => {
      if (total > 0) {
        bar.max = total;
        bar.value = Math.min(loaded, total);
      }
    });
  }

  async render() {
    const generation = (this.generation = (this.generation ?? 0) + 1);
    if (!this.shadowRoot.childElementCount) this.showLoading();
    try {
      const { engine, currency } = await getEngine();
      const { items, coldStart } = await pickItems(engine, {
        placement: this.getAttribute('placement') ?? 'for-you',
        item: this.getAttribute('item'),
        k: this.count,
      });
      if (generation !== this.generation) return; // a newer render started meanwhile
      this.stopProgress?.();
      const shown = items.filter((r) => r.item).slice(0, this.count);
      const reasons = new Map((await engine.lookup([...new Set(shown.map((r) => r.because).filter(Boolean))])).map((r) => [r.id, r.item.title]));
      this.draw(shown, currency, coldStart, reasons);
      this.emit('vitrine:ready', { coldStart, ids: shown.map((r) => r.id) });
    } catch (err) {
      this.stopProgress?.();
      this.emit('vitrine:error', { name: err.name, message: String(err.message ?? err) });
      if (generation !== this.generation) return;
      await this.fallBack(err);
    }
  }

  /**
   * The model failed: `for-you` shows the card's popular items (read without
   * the engine), every other placement hides; the page gets one console error.
   */
  async fallBack(err) {
    reportOnce(err);
    const popular = (this.getAttribute('placement') ?? 'for-you') === 'for-you' ? await popularWithoutModel() : null;
    if (!popular) {
      this.hidden = true;
      return;
    }
    const current = this.getAttribute('item');
    const items = popular.items.filter((r) => r.id !== current).slice(0, this.count);
    this.draw(items, popular.currency, true, new Map());
    this.dataset.state = 'fallback';
  }

  defaultHeading(coldStart) {
    const placement = this.getAttribute('placement') ?? 'for-you';
    if (placement === 'similar') return STRINGS.similar;
    if (placement === 'recently-viewed') return STRINGS.recentlyViewed;
    if (placement === 'bought-together') return STRINGS.boughtTogether;
    return coldStart ? STRINGS.popular : STRINGS.forYou;
  }

  draw(items, currency, coldStart, reasons) {
    this.hidden = items.length === 0;
    const price = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: 'currency', currency });
    const heading = document.createElement('h2');
    heading.part = 'heading';
    heading.textContent = this.getAttribute('heading') ?? this.defaultHeading(coldStart);
    const list = document.createElement('ol');
    list.part = 'list';
    list.setAttribute('aria-label', heading.textContent);
    list.setAttribute('aria-roledescription', 'carousel');
    const forYou = (this.getAttribute('placement') ?? 'for-you') === 'for-you';
    const template = cardTemplate(this);
    for (const [index, { id, item, because }] of items.entries()) {
      const li = document.createElement('li');
      li.part = 'item';
      li.dataset.id = id;
      li.setAttribute('aria-roledescription', 'slide');
      li.setAttribute('aria-label', fill(STRINGS.slide, { index: index + 1, count: items.length }));
      const why = forYou && because && reasons.has(because) ? fill(STRINGS.why, { title: reasons.get(because) }) : null;
      const card = template ? fillTemplate(template, item, price, why) : defaultCard(item, price, why);
      const link = card.querySelector('a');
      if (link) link.tabIndex = index === 0 ? 0 : -1; // roving focus: Tab enters once, arrows move
      li.append(card);
      list.append(li);
    }
    const bar = document.createElement('div');
    bar.className = 'bar';
    const scrollBy = (direction) => list.scrollBy({ left: direction * list.clientWidth * 0.9 });
    const prev = Object.assign(document.createElement('button'), { type: 'button', textContent: '‹' });
    const next = Object.assign(document.createElement('button'), { type: 'button', textContent: '›' });
    prev.part = 'previous';
    next.part = 'next';
    prev.setAttribute('aria-label', STRINGS.previous);
    next.setAttribute('aria-label', STRINGS.next);
    prev.addEventListener('click', () => scrollBy(-1));
    next.addEventListener('click', () => scrollBy(1));
    bar.append(heading, prev, next);
    list.addEventListener('keydown', (event) => this.moveFocus(event, list));
    this.shadowRoot.replaceChildren(bar, list);
    this.dataset.state = coldStart ? 'popular' : 'personal';
  }

  /** Arrow keys, Home and End move between cards; the focused card scrolls into view. */
  moveFocus(event, list) {
    const links = [...list.querySelectorAll('a')];
    const at = links.indexOf(this.shadowRoot.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: links.length - 1 }[event.key];
    if (to === undefined || to < 0 || to >= links.length) return;
    event.preventDefault();
    links[at].tabIndex = -1;
    links[to].tabIndex = 0;
    links[to].focus();
    const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    links[to].scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: reduce ? 'auto' : 'smooth' });
  }
}
