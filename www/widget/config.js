// The widget's configuration, in one place. `Vitrine.init(options)` and the
// script tag's data-* attributes set the same keys; these are the defaults.

/** Defaults of every option (data attribute in brackets). */
export const DEFAULTS = Object.freeze({
  model: 'models/online-retail.json', // [data-model] the model card URL; its weights file sits beside it
  tryOnModel: 'models/fitting-room.json', // [data-try-on-model] the try-on model card URL
  catalog: null, //                     [data-catalog] the catalog JSON URL (needed to draw cards)
  backend: 'auto', //                   [data-backend] 'auto', 'webgpu' or 'cpu' (see worker.js: auto = CPU for
  //                                    recommendations, WebGPU for try-on on a hardware GPU)
  retentionDays: 90, //                 [data-retention-days] events older than this are forgotten
  template: null, //                    [data-template] id of a <template> for product cards
  strings: {}, //                       UI strings to replace (see STRINGS in recommendations.js)
});

export const config = {
  base: new URL('../', import.meta.url), // where vitrine.js, widget/ and pkg/ live
  model: null,
  tryOnModel: null,
  catalog: null,
  backend: DEFAULTS.backend,
  retentionDays: DEFAULTS.retentionDays,
  template: DEFAULTS.template,
};

let started = false;

/** Mark the configuration as in use (the engine has started loading). */
export function freeze() {
  started = true;
}

/** Apply options over the defaults. URLs resolve against the page. */
export function configure(options = {}) {
  if (started) throw new Error('Vitrine is already running; call init() before the first placement renders');
  const merged = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!['auto', 'webgpu', 'cpu'].includes(merged.backend)) throw new Error(`backend must be auto, webgpu or cpu, not ${merged.backend}`);
  config.model = new URL(merged.model, document.baseURI).href;
  config.tryOnModel = new URL(merged.tryOnModel, document.baseURI).href;
  config.catalog = merged.catalog ? new URL(merged.catalog, document.baseURI).href : null;
  config.backend = merged.backend;
  config.retentionDays = Number(merged.retentionDays) > 0 ? Number(merged.retentionDays) : DEFAULTS.retentionDays;
  config.template = merged.template;
  return merged;
}
