// <vitrine-history>: shows the shopper what the widget keeps about them (the
// latest events, stored only in this browser) and a "Forget my history"
// button that clears it. The store's page code gets no API to read the
// history; this element is the only place it is shown.

import { getEngine } from './engine.js';
import { clear, readEvents } from './history.js';
import { STRINGS } from './strings.js';

const STYLE = `
:host { display: block; font-family: var(--vitrine-font, inherit); color: var(--vitrine-text, inherit); }
ol { padding-left: 1.2rem; margin: .25rem 0 .75rem; font-size: .9rem; }
p { font-size: .85rem; color: var(--vitrine-muted, #666); margin: 0 0 .5rem; }
button { font: inherit; padding: .4rem .8rem; border-radius: .4rem; cursor: pointer;
         border: 1px solid var(--vitrine-accent, #2458d6); background: var(--vitrine-card-bg, #fff); color: var(--vitrine-accent, #2458d6); }
button:focus-visible { outline: 2px solid var(--vitrine-accent, #2458d6); outline-offset: 2px; }
`;
const SHEET = new CSSStyleSheet();
SHEET.replaceSync(STYLE);

export class VitrineHistory extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    // A constructed stylesheet, not a <style> element: it works under a strict
    // CSP without 'unsafe-inline' in style-src.
    this.shadowRoot.adoptedStyleSheets = [SHEET];
    this.onHistory = () => this.render();
  }

  connectedCallback() {
    window.addEventListener('vitrine:history', this.onHistory);
    this.render();
  }

  disconnectedCallback() {
    window.removeEventListener('vitrine:history', this.onHistory);
  }

  async render() {
    const events = readEvents().slice(-10).reverse();
    let titles = new Map();
    if (events.length) {
      try {
        const { engine } = await getEngine();
        titles = new Map((await engine.lookup([...new Set(events.map((e) => e.id))])).map((r) => [r.id, r.item.title]));
      } catch {
        // No engine: show the ids.
      }
    }
    const note = document.createElement('p');
    note.textContent = STRINGS.historyNote;
    const list = document.createElement('ol');
    list.part = 'list';
    for (const e of events) {
      const li = document.createElement('li');
      li.textContent = `${STRINGS[`event:${e.type}`] ?? e.type}: ${titles.get(e.id) ?? e.id}`;
      list.append(li);
    }
    if (!events.length) list.append(Object.assign(document.createElement('li'), { textContent: STRINGS.historyEmpty }));
    const forget = document.createElement('button');
    forget.type = 'button';
    forget.part = 'forget';
    forget.textContent = STRINGS.forget;
    forget.addEventListener('click', () => clear());
    this.shadowRoot.replaceChildren(note, list, forget);
  }
}
