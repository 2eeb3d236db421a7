// <vitrine-try-on garment="ID" src="product-photo.jpg" title="…" samples="a.jpg b.jpg">:
// a "Try it on" button that opens a dialog where the shopper picks a photo (or
// takes one with the camera) and sees herself wearing the garment, rendered
// in this browser. The photo is decoded, scaled and rendered on the device;
// it is never sent anywhere and never stored.

import { getTryOn, onProgress } from './engine.js';
import { garmentPixels, photoPixels } from './photo.js';
import { STRINGS, fill } from './strings.js';

const STYLE = `
:host { display: inline-block; font-family: var(--vitrine-font, inherit); color: var(--vitrine-text, inherit); }
button { font: inherit; padding: .45rem .9rem; border-radius: var(--vitrine-radius, .5rem); cursor: pointer;
         border: 1px solid var(--vitrine-accent, #2458d6); background: var(--vitrine-accent, #2458d6); color: #fff; }
button.secondary { background: var(--vitrine-card-bg, #fff); color: var(--vitrine-accent, #2458d6); }
button:focus-visible, label:focus-within { outline: 2px solid var(--vitrine-accent, #2458d6); outline-offset: 2px; }
dialog { border: none; border-radius: var(--vitrine-radius, .5rem); padding: 1rem; max-width: min(34rem, 95vw);
         background: var(--vitrine-card-bg, #fff); color: inherit; }
dialog::backdrop { background: rgb(0 0 0 / .45); }
h2 { font-size: 1.1rem; margin: 0 1.5rem .5rem 0; }
.close { position: absolute; top: .5rem; right: .5rem; border-radius: 50%; width: 2rem; height: 2rem; padding: 0; }
.privacy, .status { font-size: .85rem; color: var(--vitrine-muted, #555); }
.error { color: var(--vitrine-error, #b00020); font-size: .9rem; }
.pick { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
label.file { position: relative; display: inline-block; padding: .45rem .9rem; border-radius: var(--vitrine-radius, .5rem);
             border: 1px solid var(--vitrine-accent, #2458d6); color: var(--vitrine-accent, #2458d6); cursor: pointer; }
label.file input { position: absolute; inset: 0; opacity: 0; cursor: pointer; }
.samples { display: flex; gap: .4rem; flex-wrap: wrap; }
.samples button { padding: 0; background: none; border: 1px solid var(--vitrine-border, #ddd); }
.samples img { width: 3rem; height: 4rem; object-fit: cover; display: block; border-radius: calc(var(--vitrine-radius, .5rem) / 2); }
.stage { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; margin-top: .5rem; }
canvas, video { width: 100%; aspect-ratio: 3 / 4; background: #eee; border-radius: calc(var(--vitrine-radius, .5rem) / 2); }
video { grid-column: 1 / -1; }
.tools { display: flex; gap: .5rem; margin-top: .5rem; flex-wrap: wrap; }
progress { width: 100%; }
[hidden] { display: none !important; }
`;
const SHEET = new CSSStyleSheet();
SHEET.replaceSync(STYLE);

const el = (tag, props = {}, children = []) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

export class VitrineTryOn extends HTMLElement {
  static observedAttributes = ['garment', 'src', 'title', 'samples'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.shadowRoot.adoptedStyleSheets = [SHEET];
    this.generation = 0;
  }

  connectedCallback() {
    if (this.shadowRoot.childElementCount) return;
    const open = el('button', { type: 'button', part: 'button', textContent: STRINGS.tryOn });
    open.addEventListener('click', () => this.open());
    this.dialog = this.buildDialog();
    this.shadowRoot.append(open, this.dialog);
  }

  disconnectedCallback() {
    this.stopCamera();
  }

  buildDialog() {
    const ui = (this.ui = {});
    ui.heading = el('h2');
    ui.close = el('button', { type: 'button', className: 'close secondary', textContent: '×', ariaLabel: STRINGS.close });
    ui.close.addEventListener('click', () => this.dialog.close());
    ui.file = el('input', { type: 'file', accept: 'image/*', ariaLabel: STRINGS.choosePhoto });
    ui.file.addEventListener('change', () => ui.file.files[0] && this.tryPhoto(ui.file.files[0]));
    ui.camera = el('button', { type: 'button', className: 'secondary', textContent: STRINGS.useCamera });
    ui.camera.addEventListener('click', () => this.startCamera());
    ui.shoot = el('button', { type: 'button', textContent: STRINGS.takePhoto, hidden: true });
    ui.shoot.addEventListener('click', () => this.takePhoto());
    ui.samples = el('div', { className: 'samples' });
    ui.samplesNote = el('span', { className: 'status', textContent: STRINGS.samplePhotos, hidden: true });
    ui.progress = el('progress', { hidden: true });
    ui.status = el('p', { className: 'status', role: 'status' });
    ui.error = el('p', { className: 'error', role: 'alert', hidden: true });
    ui.video = el('video', { autoplay: true, muted: true, playsInline: true, hidden: true });
    ui.before = el('canvas', { ariaLabel: STRINGS.before });
    ui.after = el('canvas', { ariaLabel: STRINGS.after, part: 'render' });
    ui.stage = el('div', { className: 'stage', hidden: true }, [ui.video, ui.before, ui.after]);
    ui.toggle = el('button', { type: 'button', className: 'secondary', textContent: STRINGS.before, ariaPressed: 'false' });
    ui.toggle.addEventListener('click', () => this.toggleBefore());
    ui.save = el('button', { type: 'button', textContent: STRINGS.save });
    ui.save.addEventListener('click', () => this.save());
    ui.tools = el('div', { className: 'tools', hidden: true }, [ui.toggle, ui.save]);
    const dialog = el('dialog', { ariaLabel: STRINGS.tryOn }, [
      ui.close,
      ui.heading,
      el('p', { className: 'privacy', textContent: STRINGS.tryOnPrivacy }),
      el('div', { className: 'pick' }, [el('label', { className: 'file' }, [STRINGS.choosePhoto, ui.file]), ui.camera, ui.shoot]),
      el('div', { className: 'pick' }, [ui.samplesNote, ui.samples]),
      ui.progress,
      ui.status,
      ui.error,
      ui.stage,
      ui.tools,
    ]);
    dialog.addEventListener('close', () => this.stopCamera());
    return dialog;
  }

  open() {
    const { ui } = this;
    ui.heading.textContent = fill(STRINGS.tryOnTitle, { title: this.getAttribute('title') || '' }).trim();
    ui.samples.replaceChildren();
    const samples = (this.getAttribute('samples') || '').split(/\s+/).filter(Boolean);
    ui.samplesNote.hidden = samples.length === 0;
    for (const url of samples) {
      const button = el('button', { type: 'button', ariaLabel: STRINGS.samplePhotos }, [el('img', { src: url, alt: '' })]);
      button.addEventListener('click', async () => this.tryPhoto(await (await fetch(url, { credentials: 'omit' })).blob()));
      ui.samples.append(button);
    }
    this.dialog.showModal();
    // Start the model download now, while the shopper looks for a photo.
    this.model().catch(() => {});
  }

  async model() {
    const { ui } = this;
    ui.progress.hidden = false;
    ui.status.textContent = STRINGS.downloadingTryOn;
    const stop = onProgress(({ loaded, total }) => {
      if (total) Object.assign(ui.progress, { max: total, value: loaded });
    });
    try {
      return await getTryOn();
    } finally {
      stop();
    }
  }

  showError(message) {
    Object.assign(this.ui.error, { hidden: false, textContent: message });
    this.ui.status.textContent = '';
    this.ui.progress.hidden = true;
  }

  async tryPhoto(blob) {
    const { ui } = this;
    const generation = ++this.generation;
    ui.error.hidden = true;
    try {
      const tryOn = await this.model();
      const { width, height } = tryOn;
      const photo = await photoPixels(blob, width, height);
      // A copy: the render call moves its buffers to the worker.
      const garment = (await this.garment(width, height)).slice();
      this.draw(ui.before, photo.pixels.slice(), width, height);
      ui.stage.hidden = false;
      ui.after.hidden = true;
      ui.progress.removeAttribute('value');
      ui.progress.hidden = false;
      ui.status.textContent = STRINGS.rendering;
      const out = await tryOn.render(photo.pixels, garment);
      if (generation !== this.generation) return; // a newer photo was picked meanwhile
      this.draw(ui.after, out.pixels, out.width, out.height);
      ui.after.hidden = false;
      ui.progress.hidden = true;
      ui.tools.hidden = false;
      ui.toggle.ariaPressed = 'false';
      ui.toggle.textContent = STRINGS.before;
      ui.before.hidden = true;
      ui.status.textContent = photo.cropped ? STRINGS.landscape : '';
      this.dataset.backend = out.backend;
      this.dataset.parseWorkers = out.parseWorkers;
      this.dispatchEvent(new CustomEvent('vitrine:rendered', { bubbles: true, composed: true, detail: { backend: out.backend, parseWorkers: out.parseWorkers, ms: out.ms } }));
    } catch (err) {
      if (generation !== this.generation) return;
      ui.stage.hidden = true;
      ui.tools.hidden = true;
      const message =
        err?.name === 'NoPerson' ? STRINGS.noPerson : err?.name === 'InvalidImage' ? err.message : fill(STRINGS.tryOnFailed, { message: err?.message ?? err });
      this.showError(message);
      this.dispatchEvent(new CustomEvent('vitrine:error', { bubbles: true, composed: true, detail: { name: err?.name ?? 'Error', message } }));
    }
  }

  /** The product image's pixels, fetched and decoded once per `src`. */
  garment(width, height) {
    const src = new URL(this.getAttribute('src') || '', document.baseURI).href;
    if (this.garmentCache?.src !== src) {
      const pixels = fetch(src, { credentials: 'omit' })
        .then((response) => response.blob())
        .then((blob) => garmentPixels(blob, width, height));
      pixels.catch(() => {
        if (this.garmentCache?.pixels === pixels) this.garmentCache = null; // let a later photo retry
      });
      this.garmentCache = { src, pixels };
    }
    return this.garmentCache.pixels;
  }

  draw(canvas, pixels, width, height) {
    Object.assign(canvas, { width, height });
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(pixels.buffer, pixels.byteOffset, pixels.length), width, height), 0, 0);
  }

  toggleBefore() {
    const { ui } = this;
    const showBefore = ui.before.hidden;
    ui.before.hidden = !showBefore;
    ui.after.hidden = showBefore;
    ui.toggle.ariaPressed = String(showBefore);
    ui.toggle.textContent = showBefore ? STRINGS.after : STRINGS.before;
  }

  save() {
    this.ui.after.toBlob((blob) => {
      const url = URL.createObjectURL(blob);
      const a = el('a', { href: url, download: `try-on-${this.getAttribute('garment') || 'render'}.png` });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }, 'image/png');
  }

  async startCamera() {
    const { ui } = this;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
      ui.video.srcObject = this.stream;
      ui.video.hidden = false;
      ui.stage.hidden = false;
      ui.shoot.hidden = false;
    } catch (err) {
      this.showError(fill(STRINGS.cameraFailed, { message: err?.message ?? err }));
    }
  }

  takePhoto() {
    const { ui } = this;
    const [w, h] = [ui.video.videoWidth, ui.video.videoHeight];
    if (!w || !h) return;
    const c = el('canvas', { width: w, height: h });
    c.getContext('2d').drawImage(ui.video, 0, 0);
    this.stopCamera();
    c.toBlob((blob) => blob && this.tryPhoto(blob), 'image/png');
  }

  stopCamera() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    if (this.ui) {
      this.ui.video.hidden = true;
      this.ui.shoot.hidden = true;
    }
  }
}
