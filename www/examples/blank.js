// The example store's own script: configure Vitrine as an ES module, in German.
import { init } from '../vitrine.js';

init({
  model: '../models/online-retail.json',
  catalog: '../catalog.json',
  strings: { forYou: 'Für dich empfohlen', popular: 'Gerade beliebt', why: 'Warum? Du hast {title} angesehen' },
});
