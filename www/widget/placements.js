// What each placement shows, from the engine and the local history. Shared
// by <vitrine-recommendations> and the `recommend()` API.

import { itemSequence, readEvents } from './history.js';

/**
 * The items a placement shows: `{items, coldStart}`, items carrying catalog
 * entries. Shared by <vitrine-recommendations> and `Vitrine.recommend()`.
 */
export async function pickItems(engine, { placement = 'for-you', item: current = null, k = 8 } = {}) {
  const events = readEvents();
  if (placement === 'recently-viewed') {
    const viewed = itemSequence(events.filter((e) => e.type === 'view')).reverse().filter((id) => id !== current);
    return { items: await engine.lookup(viewed.slice(0, k)), coldStart: false };
  }
  if (placement === 'similar' || placement === 'bought-together') {
    if (!current) return { items: [], coldStart: false };
    try {
      const result =
        placement === 'similar'
          ? await engine.similar(current, [], k)
          : // Leave out what is already in the basket.
            await engine.boughtTogether(current, events.filter((e) => e.type === 'add-to-cart').map((e) => e.id), k);
      return { items: result.items, coldStart: false };
    } catch (err) {
      if (err.name === 'UnknownIds') return { items: [], coldStart: false }; // a product the model never saw
      throw err;
    }
  }
  if (placement !== 'for-you') throw Object.assign(new Error(`unknown placement ${placement}`), { name: 'InvalidRequest' });
  let result;
  try {
    result = await engine.recommend(itemSequence(events), k + (current ? 1 : 0));
  } catch (err) {
    if (err.name !== 'UnknownIds') throw err;
    result = await engine.popular(k + 1); // nothing we know yet: show what is popular
  }
  return { items: result.items.filter((r) => r.id !== current).slice(0, k), coldStart: result.cold_start };
}
