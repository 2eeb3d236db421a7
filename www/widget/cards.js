// Product cards: the built-in one, or the store's own <template> whose
// [data-field] elements are filled with text (never HTML), link and image URLs.

import { config } from './config.js';

/** The store's card <template>, when the placement or init() names one. */
export function cardTemplate(element) {
  const id = element.getAttribute('template') ?? config.template;
  const template = id ? document.getElementById(id) : null;
  return template instanceof HTMLTemplateElement ? template : null;
}

/** Fill a store template: [data-field] elements get text (never HTML), links and images their URL. */
export function fillTemplate(template, item, price, why) {
  const card = template.content.cloneNode(true);
  const text = { title: item.title, price: price.format(item.price), why: why ?? '' };
  for (const el of card.querySelectorAll('[data-field]')) {
    const field = el.dataset.field;
    if (field === 'link') el.href = item.url ?? '#';
    else if (field === 'image') {
      if (item.image) Object.assign(el, { src: item.image, alt: item.title });
      else el.remove();
    } else if (field in text) el.textContent = text[field];
  }
  return card;
}

/** The built-in card: image (when the catalog has one), title, price, "Why this?" line. */
export function defaultCard(item, price, why) {
  const card = document.createDocumentFragment();
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
  card.append(link);
  if (why) {
    const line = document.createElement('span');
    line.className = 'why';
    line.part = 'why';
    line.textContent = why;
    card.append(line);
  }
  return card;
}
