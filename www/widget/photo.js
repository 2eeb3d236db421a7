// Photos and product images → RGBA pixels at the try-on model's size, on the
// page. The browser decodes and scales (createImageBitmap with a target width,
// so a 10,000×10,000 photo is never held at full size in wasm memory); nothing
// is uploaded anywhere.

/** Width photos are decoded at before cropping: enough for a 192×256 crop of a landscape photo. */
const DECODE_WIDTH = 768;

export class TryOnInputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidImage';
  }
}

function canvas(width, height) {
  const c = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  return [c, c.getContext('2d', { willReadFrequently: true })];
}

async function decode(blob) {
  if (!(blob instanceof Blob) || blob.size === 0) throw new TryOnInputError('Please choose a photo.');
  try {
    return await createImageBitmap(blob, { resizeWidth: DECODE_WIDTH, resizeQuality: 'medium' });
  } catch {
    throw new TryOnInputError('That file is not a photo we can read. Please choose a JPEG, PNG or WebP image.');
  }
}

/**
 * The shopper's photo, cropped to the model's portrait frame around its
 * centre: `{pixels, width, height, cropped}` (`cropped`: a landscape photo lost its sides).
 */
export async function photoPixels(blob, width, height) {
  const bitmap = await decode(blob);
  try {
    const target = width / height;
    const source = bitmap.width / bitmap.height;
    let [sx, sy, sw, sh] = [0, 0, bitmap.width, bitmap.height];
    if (source > target) {
      sw = bitmap.height * target;
      sx = (bitmap.width - sw) / 2;
    } else {
      sh = bitmap.width / target;
      sy = (bitmap.height - sh) / 2;
    }
    const [, ctx] = canvas(width, height);
    ctx.drawImage(bitmap, sx, sy, sw, sh, 0, 0, width, height);
    const pixels = new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer);
    return { pixels, width, height, cropped: source > target * 1.05 };
  } finally {
    bitmap.close();
  }
}

/**
 * A product image fitted whole into the frame. Transparent PNGs keep their
 * alpha (the engine uses it as the garment mask); opaque photos get a white
 * margin so their plain background reaches the edges.
 */
export async function garmentPixels(blob, width, height) {
  const bitmap = await decode(blob);
  try {
    const scale = Math.min(width / bitmap.width, height / bitmap.height);
    const [w, h] = [bitmap.width * scale, bitmap.height * scale];
    const [x, y] = [(width - w) / 2, (height - h) / 2];
    const [, ctx] = canvas(width, height);
    ctx.drawImage(bitmap, x, y, w, h);
    const inside = ctx.getImageData(Math.floor(x), Math.floor(y), Math.max(1, Math.floor(w)), Math.max(1, Math.floor(h))).data;
    let transparent = false;
    for (let i = 3; i < inside.length; i += 4) {
      if (inside[i] < 250) {
        transparent = true;
        break;
      }
    }
    if (!transparent) {
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, width, height);
    }
    return new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer);
  } finally {
    bitmap.close();
  }
}
