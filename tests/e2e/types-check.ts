// Compiled with `tsc --noEmit` by the test command: the widget's published
// types must describe what a bundler user writes.
import { init, recommend, track, backend, DEFAULTS, type Recommendation } from '../../www/vitrine.js';

const api = init({ model: '/models/online-retail.json', catalog: '/catalog.json', backend: 'auto', retentionDays: 30, strings: { forYou: 'Für dich' } });
const ok: boolean = track('view', '85123A') && api.track('purchase', 42);
const defaults: string = DEFAULTS.backend;

async function show(): Promise<string[]> {
  const { coldStart, items } = await recommend({ placement: 'similar', item: '85123A', k: 4 });
  const where: 'webgpu' | 'cpu' = await backend();
  const first: Recommendation | undefined = items[0];
  return [String(coldStart), where, first?.item?.title ?? '', first?.because ?? '', String(ok), defaults];
}

document.querySelector('vitrine-recommendations')?.addEventListener('vitrine:error', (e) => console.log(e.detail.name, e.detail.message));
void show();
