// The widget's UI strings, in English; a store translates them with
// setStrings() / init({strings}). `{name}` marks a value filled in at run time.

/** UI strings; a store can translate them with `Vitrine.setStrings({...})`. */
export const STRINGS = {
  loading: 'Loading recommendations…',
  downloading: 'Downloading the recommendation model',
  forYou: 'Recommended for you',
  popular: 'Popular right now',
  similar: 'Similar products',
  recentlyViewed: 'Recently viewed',
  boughtTogether: 'Often bought together',
  why: 'Why this? You viewed {title}',
  previous: 'Previous products',
  next: 'Next products',
  slide: '{index} of {count}',
  historyNote: 'What this shop remembers about your visits, stored only in this browser and never sent anywhere.',
  historyEmpty: 'Nothing yet.',
  forget: 'Forget my history',
  'event:view': 'Viewed',
  'event:add-to-cart': 'Added to basket',
  'event:purchase': 'Bought',
};

/** Fill `{name}` placeholders. */
export const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
