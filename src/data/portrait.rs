//! Framing a photo into the model's 3:4 portrait, and the augmentations real
//! photos need in training (a shopper's photo is a phone shot: any crop, any
//! light, some blur, JPEG noise).
//!
//! A photo and its part labels are always cropped by the same rectangle: the
//! photo bilinearly, the labels by nearest neighbour, so a label never lands
//! on a pixel of another part.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::RgbImage;
use rand::rngs::StdRng;
use rand::RngExt;

use crate::data::pixels::Pixels;
use crate::error::{Result, VitrineError};
use crate::model::tryon::parts::{BACKGROUND, UNLABELLED};

/// A rectangle of the source photo, in pixels (may be fractional).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Frame {
    /// The largest rectangle of aspect `aspect` (width / height) inside a
    /// `width`×`height` photo, centred: what the widget does with a shopper's photo.
    pub fn centred(width: usize, height: usize, aspect: f32) -> Self {
        let (w, h) = (width as f32, height as f32);
        let (fw, fh) = if w / h > aspect { (h * aspect, h) } else { (w, w / aspect) };
        Frame { x: (w - fw) / 2.0, y: (h - fh) / 2.0, width: fw, height: fh }
    }

    /// Shrink to fit inside the photo (keeping the aspect) and shift inside it.
    fn clamped(self, width: usize, height: usize) -> Self {
        let (w, h) = (width as f32, height as f32);
        let scale = (w / self.width).min(h / self.height).min(1.0);
        let (fw, fh) = (self.width * scale, self.height * scale);
        let cx = self.x + self.width / 2.0;
        let cy = self.y + self.height / 2.0;
        Frame { x: (cx - fw / 2.0).clamp(0.0, w - fw), y: (cy - fh / 2.0).clamp(0.0, h - fh), width: fw, height: fh }
    }
}

/// Where the labelled person is: (top, bottom, left, right) of all labels
/// other than background (and other than "unlabelled").
pub fn person_bounds(parts: &[u8], width: usize) -> Option<(usize, usize, usize, usize)> {
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for (i, &p) in parts.iter().enumerate() {
        if p != BACKGROUND as u8 && p != UNLABELLED {
            let (y, x) = (i / width, i % width);
            bounds = Some(match bounds {
                None => (y, y, x, x),
                Some((t, b, l, r)) => (t.min(y), b.max(y), l.min(x), r.max(x)),
            });
        }
    }
    bounds
}

/// How a training photo is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// The whole person, zoomed in by up to 20 %, anywhere in the photo.
    FullBody,
    /// Head to waist, like a selfie or a mirror shot.
    HalfBody,
}

/// A random frame of aspect `aspect` around the labelled person.
pub fn random_frame(rng: &mut StdRng, framing: Framing, photo_width: usize, photo_height: usize, parts: &[u8], aspect: f32) -> Frame {
    let widest = Frame::centred(photo_width, photo_height, aspect);
    match (framing, person_bounds(parts, photo_width)) {
        (Framing::HalfBody, Some((top, bottom, left, right))) => {
            let person_height = (bottom - top + 1) as f32;
            let height = person_height * rng.random_range(0.45..0.65);
            let width = height * aspect;
            let centre_x = (left + right) as f32 / 2.0 + rng.random_range(-0.1..0.1) * width;
            let y = top as f32 - rng.random_range(0.02..0.12) * height;
            Frame { x: centre_x - width / 2.0, y, width, height }.clamped(photo_width, photo_height)
        }
        _ => {
            let scale = rng.random_range(0.8..1.0);
            let (width, height) = (widest.width * scale, widest.height * scale);
            let x = rng.random_range(0.0..=(photo_width as f32 - width).max(0.0));
            let y = rng.random_range(0.0..=(photo_height as f32 - height).max(0.0));
            Frame { x, y, width, height }
        }
    }
}

/// A fixed head-to-waist frame (evaluation grids): the top 55 % of the person.
pub fn half_body_frame(photo_width: usize, photo_height: usize, parts: &[u8], aspect: f32) -> Frame {
    match person_bounds(parts, photo_width) {
        Some((top, bottom, left, right)) => {
            let height = (bottom - top + 1) as f32 * 0.55;
            let width = height * aspect;
            let frame = Frame { x: (left + right) as f32 / 2.0 - width / 2.0, y: top as f32 - 0.06 * height, width, height };
            frame.clamped(photo_width, photo_height)
        }
        None => Frame::centred(photo_width, photo_height, aspect),
    }
}

/// Decode an image file and frame it as the widget frames a shopper's photo:
/// the largest centred 3:4 rectangle, resized to `width`×`height`.
pub fn read_portrait(path: &std::path::Path, height: usize, width: usize) -> Result<Pixels> {
    let photo = read_rgb(path)?;
    crop_photo(&photo, Frame::centred(photo.width, photo.height, width as f32 / height as f32), width, height)
}

/// Decode an image file at its own size, as RGB.
pub fn read_rgb(path: &std::path::Path) -> Result<Pixels> {
    let bytes = std::fs::read(path).map_err(|e| VitrineError::io(path, e))?;
    let rgb = image::load_from_memory(&bytes)
        .map_err(|e| VitrineError::InvalidImage(format!("{}: {e}", path.display())))?
        .into_rgb8();
    Ok(from_rgb(rgb))
}

fn to_rgb(photo: &Pixels) -> Result<RgbImage> {
    if photo.channels != 3 {
        return Err(VitrineError::InvalidImage(format!("expected an RGB photo, got {} channels", photo.channels)));
    }
    RgbImage::from_raw(photo.width as u32, photo.height as u32, photo.data.clone())
        .ok_or_else(|| VitrineError::InvalidImage("pixel buffer does not match its size".into()))
}

fn from_rgb(image: RgbImage) -> Pixels {
    let (w, h) = (image.width() as usize, image.height() as usize);
    Pixels { width: w, height: h, channels: 3, data: image.into_raw() }
}

/// The photo inside `frame`, resized to `width`×`height` (bilinear).
pub fn crop_photo(photo: &Pixels, frame: Frame, width: usize, height: usize) -> Result<Pixels> {
    let image = to_rgb(photo)?;
    let x = frame.x.floor().max(0.0) as u32;
    let y = frame.y.floor().max(0.0) as u32;
    let w = (frame.width.round() as u32).clamp(1, image.width() - x);
    let h = (frame.height.round() as u32).clamp(1, image.height() - y);
    let cropped = imageops::crop_imm(&image, x, y, w, h).to_image();
    Ok(from_rgb(imageops::resize(&cropped, width as u32, height as u32, FilterType::Triangle)))
}

/// Labels inside `frame` at `width`×`height`, nearest neighbour.
pub fn crop_labels(labels: &[u8], photo_width: usize, photo_height: usize, frame: Frame, width: usize, height: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(width * height);
    for oy in 0..height {
        let sy = (frame.y + (oy as f32 + 0.5) * frame.height / height as f32).floor().clamp(0.0, (photo_height - 1) as f32) as usize;
        for ox in 0..width {
            let sx = (frame.x + (ox as f32 + 0.5) * frame.width / width as f32).floor().clamp(0.0, (photo_width - 1) as f32) as usize;
            out.push(labels[sy * photo_width + sx]);
        }
    }
    out
}

/// Colour and camera noise: brightness, contrast, saturation and white-balance
/// jitter always; a slight blur in 30 % of photos; JPEG re-encoding at quality
/// 30–90 in 30 %.
pub fn jitter_photo(rng: &mut StdRng, photo: &Pixels) -> Result<Pixels> {
    let brightness = rng.random_range(0.75..1.25f32);
    let contrast = rng.random_range(0.75..1.25f32);
    let saturation = rng.random_range(0.7..1.3f32);
    let balance = [rng.random_range(0.93..1.07f32), 1.0, rng.random_range(0.93..1.07f32)];
    let n = photo.width * photo.height;
    let mean = photo.data.iter().map(|&v| v as f32).sum::<f32>() / (3 * n) as f32;
    let mut data = Vec::with_capacity(photo.data.len());
    for px in photo.data.chunks(3) {
        let grey = 0.299 * px[0] as f32 + 0.587 * px[1] as f32 + 0.114 * px[2] as f32;
        for c in 0..3 {
            let saturated = grey + (px[c] as f32 - grey) * saturation;
            let v = ((saturated - mean) * contrast + mean) * brightness * balance[c];
            data.push(v.round().clamp(0.0, 255.0) as u8);
        }
    }
    let mut image = RgbImage::from_raw(photo.width as u32, photo.height as u32, data).expect("same size");
    if rng.random_bool(0.3) {
        image = imageops::blur(&image, rng.random_range(0.3..1.2f32));
    }
    if rng.random_bool(0.3) {
        let quality = rng.random_range(30..=90u8);
        let mut encoded = Vec::new();
        JpegEncoder::new_with_quality(&mut encoded, quality)
            .encode_image(&image)
            .map_err(|e| VitrineError::InvalidImage(format!("JPEG re-encoding failed: {e}")))?;
        image = image::load_from_memory(&encoded)
            .map_err(|e| VitrineError::InvalidImage(format!("JPEG re-decoding failed: {e}")))?
            .into_rgb8();
    }
    Ok(from_rgb(image))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn centred_frame_is_the_widest_portrait_inside_the_photo() {
        let f = Frame::centred(250, 384, 0.75);
        assert_eq!((f.width, f.x), (250.0, 0.0));
        assert!((f.height - 333.333).abs() < 0.01 && (f.y - 25.333).abs() < 0.01, "{f:?}");
        let wide = Frame::centred(400, 300, 0.75);
        assert_eq!((wide.width, wide.height, wide.x, wide.y), (225.0, 300.0, 87.5, 0.0));
    }

    #[test]
    fn labels_follow_the_photo_crop_exactly() {
        // A 4×4 photo whose right half is part 3; a frame over the right half.
        let labels: Vec<u8> = (0..16).map(|i| if i % 4 >= 2 { 3 } else { 0 }).collect();
        let frame = Frame { x: 2.0, y: 0.0, width: 2.0, height: 4.0 };
        assert_eq!(crop_labels(&labels, 4, 4, frame, 2, 4), vec![3; 8]);
        let left = Frame { x: 0.0, y: 0.0, width: 2.0, height: 4.0 };
        assert_eq!(crop_labels(&labels, 4, 4, left, 1, 2), vec![0; 2]);
    }

    #[test]
    fn random_frames_stay_inside_the_photo_and_half_body_frames_start_at_the_head() {
        let (w, h) = (250, 384);
        // A "person" from row 40 to row 360, columns 80-170.
        let parts: Vec<u8> = (0..w * h).map(|i| if (40..=360).contains(&(i / w)) && (80..=170).contains(&(i % w)) { 1 } else { 0 }).collect();
        let mut rng = StdRng::seed_from_u64(1);
        for framing in [Framing::FullBody, Framing::HalfBody] {
            for _ in 0..50 {
                let f = random_frame(&mut rng, framing, w, h, &parts, 0.75);
                assert!(f.x >= 0.0 && f.y >= 0.0 && f.x + f.width <= w as f32 + 1e-3 && f.y + f.height <= h as f32 + 1e-3, "{framing:?} {f:?}");
                assert!((f.width / f.height - 0.75).abs() < 1e-3);
                if framing == Framing::HalfBody {
                    assert!(f.y < 40.0 && f.y + f.height < 300.0, "head to waist: {f:?}");
                }
            }
        }
    }

    #[test]
    fn jitter_is_deterministic_per_seed_and_keeps_the_size() {
        let photo = Pixels::new(16, 12, 3, (0..16 * 12 * 3).map(|i| (i * 7 % 256) as u8).collect()).unwrap();
        let a = jitter_photo(&mut StdRng::seed_from_u64(5), &photo).unwrap();
        let b = jitter_photo(&mut StdRng::seed_from_u64(5), &photo).unwrap();
        assert_eq!(a, b);
        assert_eq!((a.width, a.height, a.channels), (16, 12, 3));
        assert_ne!(a.data, photo.data);
    }
}
