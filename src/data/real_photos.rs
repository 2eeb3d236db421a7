//! Real photos with part labels and no product images (the real-ccp layout):
//!
//! ```text
//! DIR/image/NAME.jpg         the photo, any size (real-ccp: 384 high, 242–264 wide)
//! DIR/image-parse/NAME.png   LIP ids per pixel, same size
//! DIR/LIST.txt               one photo file name per line (real-ccp: train.txt, test.txt)
//! ```
//!
//! Such a photo trains the parser directly, and the rest of the pipeline
//! self-supervised: the person's own upper garment is cut out by its label,
//! laid on white like a product photo, deformed (affine + a smooth wave, from
//! a seeded generator), and handed over as the "product image"; the target is
//! the photo itself.

use std::f32::consts::PI;
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::pixels::Pixels;
use super::portrait::{crop_labels, crop_photo, half_body_frame, jitter_photo, random_frame, read_rgb, Frame, Framing};
use super::tryon::{read_parts, TryOnSample};
use crate::error::{Result, VitrineError};
use crate::model::tryon::parts::UPPER_CLOTHES;

/// Photos whose upper garment covers less than this share of the frame teach
/// the self-supervised task nothing (a coat seen from far, a cropped top).
pub const MIN_GARMENT_SHARE: f32 = 0.02;

/// One labelled photo at its own size; `parts` are compact part ids.
#[derive(Debug, Clone)]
pub struct RealPhoto {
    pub name: String,
    pub photo: Pixels,
    pub parts: Vec<u8>,
}

/// A folder in this layout has `image/` and no `cloth/` (the paired layout has both).
pub fn is_real_layout(dir: &Path) -> bool {
    dir.join("image").is_dir() && !dir.join("cloth").is_dir()
}

/// The folder's photo list: `DIR/LIST.txt` where LIST is the folder's own name
/// (real-ccp/train/train.txt), else the only `*.txt` in it.
pub fn list_file(dir: &Path) -> Result<PathBuf> {
    let own = dir.file_name().map(|n| dir.join(format!("{}.txt", n.to_string_lossy())));
    if let Some(path) = own.filter(|p| p.exists()) {
        return Ok(path);
    }
    let lists: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| VitrineError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    match lists.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(VitrineError::InvalidImage(format!("{}: expected one photo list (*.txt), found {}", dir.display(), lists.len()))),
    }
}

/// A photo name without its extension (`0001.jpg` → `0001`): the stem its label file shares.
pub fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// The photo names of the folder's list file; blank lines and `#` comments skipped.
pub fn photo_names(dir: &Path) -> Result<Vec<String>> {
    let list = list_file(dir)?;
    let text = std::fs::read_to_string(&list).map_err(|e| VitrineError::io(&list, e))?;
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect())
}

/// Load the listed photos with their labels (the first `limit`).
pub fn load_real_photos(dir: &Path, limit: Option<usize>) -> Result<Vec<RealPhoto>> {
    let names = photo_names(dir)?;
    names
        .iter()
        .take(limit.unwrap_or(names.len()))
        .map(|name| {
            let photo = read_rgb(&dir.join("image").join(name))?;
            let parts = read_parts(&dir.join("image-parse").join(format!("{}.png", stem(name))), photo.height, photo.width)?;
            Ok(RealPhoto { name: name.clone(), photo, parts })
        })
        .collect()
}

/// The seed of the evaluation's own-garment deformations: photo `i` of the
/// list uses `TEST_SEED + i`, so every run deforms every garment the same way.
pub const TEST_SEED: u64 = 2014;

/// The evaluation samples of a real test folder: every listed photo in the
/// widget's centred 3:4 frame, with its own garment deformed by `TEST_SEED + i`.
pub fn real_test_samples(dir: &Path, height: usize, width: usize, limit: Option<usize>) -> Result<Vec<TryOnSample>> {
    load_real_photos(dir, limit)?
        .iter()
        .enumerate()
        .map(|(i, photo)| photo.test_sample(TEST_SEED + i as u64, height, width))
        .collect()
}

/// The trainer's validation samples of held-out real photos: each in the
/// widget's centred 3:4 frame, photo `i`'s own garment deformed with
/// `seed ^ i` (the training seed), the same set every time.
pub fn validation_samples(photos: &[RealPhoto], seed: u64, height: usize, width: usize) -> Result<Vec<TryOnSample>> {
    photos.iter().enumerate().map(|(i, photo)| photo.test_sample(seed ^ i as u64, height, width)).collect()
}

impl RealPhoto {
    /// Share of the photo labelled upper garment (upper clothes, dress or coat).
    pub fn garment_share(&self) -> f32 {
        self.parts.iter().filter(|&&p| p as usize == UPPER_CLOTHES).count() as f32 / self.parts.len() as f32
    }

    /// The photo and labels inside `frame` at the model's size.
    pub fn framed(&self, frame: Frame, height: usize, width: usize) -> Result<(Pixels, Vec<u8>)> {
        let photo = crop_photo(&self.photo, frame, width, height)?;
        let parts = crop_labels(&self.parts, self.photo.width, self.photo.height, frame, width, height);
        Ok((photo, parts))
    }

    /// A training sample: a random full- or half-body frame, colour and camera
    /// noise, then the own-garment "product image" from the augmented photo.
    pub fn training_sample(&self, rng: &mut StdRng, height: usize, width: usize) -> Result<TryOnSample> {
        let framing = if rng.random_bool(0.3) { Framing::HalfBody } else { Framing::FullBody };
        let frame = random_frame(rng, framing, self.photo.width, self.photo.height, &self.parts, width as f32 / height as f32);
        let (photo, parts) = self.framed(frame, height, width)?;
        let photo = jitter_photo(rng, &photo)?;
        Ok(self.sample(photo, parts, rng))
    }

    /// The evaluation sample: the widget's centred 3:4 frame, no noise, and the
    /// own garment deformed by a generator seeded with `seed`.
    pub fn test_sample(&self, seed: u64, height: usize, width: usize) -> Result<TryOnSample> {
        let (photo, parts) = self.framed(self.centred_frame(height, width), height, width)?;
        Ok(self.sample(photo, parts, &mut StdRng::seed_from_u64(seed)))
    }

    /// The whole person in the widget's centred 3:4 frame (evaluation grids).
    pub fn whole(&self, height: usize, width: usize) -> Result<Pixels> {
        crop_photo(&self.photo, self.centred_frame(height, width), width, height)
    }

    fn centred_frame(&self, height: usize, width: usize) -> Frame {
        Frame::centred(self.photo.width, self.photo.height, width as f32 / height as f32)
    }

    /// The head-to-waist frame of the evaluation grid.
    pub fn half_body(&self, height: usize, width: usize) -> Result<Pixels> {
        let frame = half_body_frame(self.photo.width, self.photo.height, &self.parts, width as f32 / height as f32);
        Ok(self.framed(frame, height, width)?.0)
    }

    fn sample(&self, photo: Pixels, parts: Vec<u8>, rng: &mut StdRng) -> TryOnSample {
        let (garment, garment_mask) = own_garment(rng, &photo, &parts);
        TryOnSample {
            person_file: self.name.clone(),
            garment_file: format!("own garment of {}", self.name),
            person: photo,
            garment,
            garment_mask,
            parts: Some(parts),
        }
    }
}

/// The person's own upper garment on white, deformed: scaled 0.85–1.1×,
/// rotated ±10°, sheared ±0.1, shifted ±10 % of the frame, then displaced
/// sideways by a sine wave (amplitude 0–4 px, wavelength 60–120 px) so the
/// warp must undo a non-rigid change too. Colours are kept. Returns the
/// garment image (RGB) and its mask (1 channel, 0/255).
pub fn own_garment(rng: &mut StdRng, photo: &Pixels, parts: &[u8]) -> (Pixels, Pixels) {
    let (w, h) = (photo.width, photo.height);
    let inside: Vec<bool> = parts.iter().map(|&p| p as usize == UPPER_CLOTHES).collect();
    let count = inside.iter().filter(|&&g| g).count().max(1) as f32;
    let (mut cx, mut cy) = (0f32, 0f32);
    for (i, _) in inside.iter().enumerate().filter(|(_, &g)| g) {
        cx += (i % w) as f32;
        cy += (i / w) as f32;
    }
    let (cx, cy) = (cx / count, cy / count);
    let scale = rng.random_range(0.85..1.1f32);
    let angle = rng.random_range(-10.0..10.0f32).to_radians();
    let shear = rng.random_range(-0.1..0.1f32);
    let (tx, ty) = (rng.random_range(-0.1..0.1f32) * w as f32, rng.random_range(-0.1..0.1f32) * h as f32);
    let amplitude = rng.random_range(0.0..4.0f32);
    let wavelength = rng.random_range(60.0..120.0f32);
    let phase = rng.random_range(0.0..2.0 * PI);
    // Forward map: p' = c + t + R(angle) · Shear · scale · (p - c); sampled by its inverse.
    let (sin, cos) = angle.sin_cos();
    let m = [[cos * scale, (cos * shear - sin) * scale], [sin * scale, (sin * shear + cos) * scale]];
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let inv = [[m[1][1] / det, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det]];

    let at = |x: isize, y: isize| -> Option<usize> {
        (x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h).then(|| y as usize * w + x as usize).filter(|&i| inside[i])
    };
    let mut garment = vec![255u8; w * h * 3];
    let mut mask = vec![0u8; w * h];
    for oy in 0..h {
        for ox in 0..w {
            let (dx, dy) = (ox as f32 - cx - tx, oy as f32 - cy - ty);
            let sy = inv[1][0] * dx + inv[1][1] * dy + cy;
            let sx = inv[0][0] * dx + inv[0][1] * dy + cx + amplitude * (2.0 * PI * sy / wavelength + phase).sin();
            let (x0, y0) = (sx.floor() as isize, sy.floor() as isize);
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            // Bilinear over the garment's own pixels only (white never bleeds in).
            let mut rgb = [0f32; 3];
            let mut weight = 0f32;
            for (x, y, wt) in [(x0, y0, (1.0 - fx) * (1.0 - fy)), (x0 + 1, y0, fx * (1.0 - fy)), (x0, y0 + 1, (1.0 - fx) * fy), (x0 + 1, y0 + 1, fx * fy)] {
                if let Some(i) = at(x, y) {
                    for (sum, &v) in rgb.iter_mut().zip(&photo.data[i * 3..i * 3 + 3]) {
                        *sum += wt * v as f32;
                    }
                    weight += wt;
                }
            }
            let o = oy * w + ox;
            if weight >= 0.5 {
                mask[o] = 255;
                for (out, sum) in garment[o * 3..o * 3 + 3].iter_mut().zip(rgb) {
                    *out = (sum / weight).round() as u8;
                }
            }
        }
    }
    (Pixels { width: w, height: h, channels: 3, data: garment }, Pixels { width: w, height: h, channels: 1, data: mask })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> (Pixels, Vec<u8>) {
        // 40×40: a red "shirt" block (part UPPER_CLOTHES) on grey.
        let (w, h) = (40, 40);
        let parts: Vec<u8> = (0..w * h).map(|i| if (10..30).contains(&(i / w)) && (12..28).contains(&(i % w)) { UPPER_CLOTHES as u8 } else { 0 }).collect();
        let data = parts.iter().flat_map(|&p| if p != 0 { [200, 30, 30] } else { [90, 90, 90] }).collect();
        (Pixels::new(w, h, 3, data).unwrap(), parts)
    }

    #[test]
    fn own_garment_keeps_its_colours_on_white_and_moves_by_the_seed() {
        let (photo, parts) = person();
        let (garment, mask) = own_garment(&mut StdRng::seed_from_u64(3), &photo, &parts);
        let covered = mask.data.iter().filter(|&&m| m == 255).count();
        assert!((200..=480).contains(&covered), "a 320-pixel garment scaled 0.85–1.1×: {covered}");
        for (i, &m) in mask.data.iter().enumerate() {
            let px = &garment.data[i * 3..i * 3 + 3];
            if m == 255 { assert_eq!(px, [200, 30, 30], "garment colour kept") } else { assert_eq!(px, [255, 255, 255], "white outside") }
        }
        let (_, again) = own_garment(&mut StdRng::seed_from_u64(3), &photo, &parts);
        let (_, other) = own_garment(&mut StdRng::seed_from_u64(4), &photo, &parts);
        assert_eq!(mask, again, "same seed, same deformation");
        assert_ne!(mask, other, "another seed deforms differently");
    }

    #[test]
    fn samples_come_at_the_model_size_with_matching_labels() {
        let (photo, parts) = person();
        let real = RealPhoto { name: "0001.jpg".into(), photo, parts };
        let test = real.test_sample(7, 32, 24).unwrap();
        assert_eq!((test.person.width, test.person.height), (24, 32));
        assert_eq!(test.parts.as_ref().unwrap().len(), 24 * 32);
        let again = real.test_sample(7, 32, 24).unwrap();
        assert_eq!(test.garment_mask, again.garment_mask);
        let train = real.training_sample(&mut StdRng::seed_from_u64(1), 32, 24).unwrap();
        assert_eq!((train.garment.width, train.garment.height), (24, 32));
        assert!(real.garment_share() > MIN_GARMENT_SHARE);
    }

    #[test]
    fn the_list_file_is_found_by_the_folder_name() {
        let dir = tempfile::tempdir().unwrap();
        let test = dir.path().join("test");
        std::fs::create_dir_all(test.join("image")).unwrap();
        std::fs::write(test.join("test.txt"), "0001.jpg\n").unwrap();
        std::fs::write(test.join("notes.txt"), "x").unwrap();
        assert_eq!(list_file(&test).unwrap(), test.join("test.txt"));
        assert!(is_real_layout(&test));
    }
}
