// <vitrine-recommendations>: product cards computed in this browser from the
// shopper's local history. Strings from the catalog are set as text, never
// parsed as HTML.

import { getEngine } from './engine.js';
import { itemSequence, readEvents } from './history.js';

const STYLE = `
:host { display: block; font-family: var(--vitrine-font, inherit); color: var(--vitrine-text, inherit); }
:host([hidden]) { display: none; }
h2 { font-size: var(--vitrine-heading-size, 1.2rem); margin: 0 0 .5rem; }
ol { list-style: none; display: grid; gap: var(--vitrine-gap, .75rem); padding: 0; margin: 0;
     grid-template-columns: repeat(auto-fill, minmax(var(--vitrine-card-width, 10rem), 1fr)); }
li { border: 1px solid var(--vitrine-border, #ddd); border-radius: var(--vitrine-radius, .5rem);
     background: var(--vitrine-card-bg, #fff); padding: .6rem; }
a { color: inherit; text-decoration: none; display: flex; flex-direction: column; gap: .35rem; height: 100%; }
a:focus-visible { outline: 2px solid var(--vitrine-accent, #2458d6); outline-offset: 2px; }
img { width: 100%; aspect-ratio: 1; object-fit: cover; border-radius: calc(var(--vitrine-radius, .5rem) / 2); }
.title { font-size: .9rem; line-height: 1.25; overflow-wrap: anywhere; }
.price { font-weight: 600; margin-top: auto; }
.status { font-size: .85rem; color: var(--vitrine-muted, #666); }
`;

export class VitrineRecommendations extends HTMLElement {
  static config = null;

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.onHistory = () => this.render();
  }

  connectedCallback() {
    window.addEventListener('vitrine:history', this.onHistory);
    this.render();
  }

  disconnectedCallback() {
    window.removeEventListener('vitrine:history', this.onHistory);
  }

  get count() {
    const k = Number.parseInt(this.getAttribute('k') ?? '8', 10);
    return Number.isFinite(k) && k > 0 ? Math.min(k, 50) : 8;
  }

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  status(text) {
    const style = document.createElement('style');
    style.textContent = STYLE;
    const p = document.createElement('p');
    p.className = 'status';
    p.setAttribute('role', 'status');
    p.textContent = text;
    this.shadowRoot.replaceChildren(style, p);
  }

  async render() {
    const generation = (this.generation = (this.generation ?? 0) + 1);
    if (!this.shadowRoot.childElementCount) this.status('Loading recommendations…');
    try {
      const { engine, currency } = await getEngine(VitrineRecommendations.config);
      const exclude = this.getAttribute('exclude');
      const history = itemSequence(readEvents());
      let result;
      try {
        result = await engine.recommend(history, this.count + (exclude ? 1 : 0));
      } catch (err) {
        if (err.name !== 'UnknownIds') throw err;
        result = engine.popular(this.count + 1); // nothing we know yet: show what is popular
      }
      if (generation !== this.generation) return; // a newer render started meanwhile
      const items = result.items.filter((r) => r.id !== exclude && r.item).slice(0, this.count);
      this.draw(items, currency, result.cold_start);
      this.emit('vitrine:ready', { backend: result.backend, coldStart: result.cold_start, ids: items.map((r) => r.id) });
    } catch (err) {
      console.error('[vitrine] recommendations unavailable:', err);
      this.hidden = true;
      this.emit('vitrine:error', { name: err.name, message: String(err.message ?? err) });
    }
  }

  draw(items, currency, coldStart) {
    this.hidden = items.length === 0;
    const price = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: 'currency', currency });
    const style = document.createElement('style');
    style.textContent = STYLE;
    const heading = document.createElement('h2');
    heading.part = 'heading';
    heading.textContent = this.getAttribute('heading') ?? (coldStart ? 'Popular right now' : 'Recommended for you');
    const list = document.createElement('ol');
    list.part = 'list';
    list.setAttribute('aria-label', heading.textContent);
    for (const { id, item } of items) {
      const li = document.createElement('li');
      li.part = 'item';
      li.dataset.id = id;
      const link = document.createElement('a');
      link.href = item.url ?? '#';
      if (item.image) {
        const img = document.createElement('img');
        img.src = item.image;
        img.alt = item.title;
        img.loading = 'lazy';
        link.append(img);
      }
      const title = document.createElement('span');
      title.className = 'title';
      title.textContent = item.title;
      const cost = document.createElement('span');
      cost.className = 'price';
      cost.textContent = price.format(item.price);
      link.append(title, cost);
      li.append(link);
      list.append(li);
    }
    this.shadowRoot.replaceChildren(style, heading, list);
    this.dataset.state = coldStart ? 'popular' : 'personal';
  }
}
