//! The garment mask of a product photo, computed from the photo alone.
//!
//! * A PNG with transparency: the mask is its alpha channel (alpha > 127).
//! * A photo on a plain background: the background colour is the median of
//!   the border pixels; every pixel connected to the border through pixels
//!   within `TOLERANCE` of that colour is background (a flood fill), the rest
//!   is garment. A white shirt on white therefore keeps its inside as long as
//!   its outline differs from the background somewhere along each edge.

use std::collections::VecDeque;

use crate::data::pixels::Pixels;
use crate::error::{Result, VitrineError};

/// Largest per-channel difference (0–255) still counted as background.
pub const TOLERANCE: u8 = 24;

/// 0/255 mask, one byte per pixel.
pub fn garment_mask(garment: &Pixels) -> Result<Pixels> {
    let (w, h) = (garment.width, garment.height);
    let c = garment.channels;
    let mask: Vec<u8> = if c == 4 && garment.data.chunks(4).any(|px| px[3] < 250) {
        garment.data.chunks(4).map(|px| if px[3] > 127 { 255 } else { 0 }).collect()
    } else {
        flood_background(garment)
    };
    let covered = mask.iter().filter(|&&m| m > 0).count();
    if covered < (w * h) / 100 {
        return Err(VitrineError::InvalidImage(
            "no garment found in the product image: it needs a plain background or a transparent PNG".into(),
        ));
    }
    if covered > (w * h) * 95 / 100 {
        return Err(VitrineError::InvalidImage(
            "the product image has no plain background around the garment, so its outline cannot be found".into(),
        ));
    }
    Pixels::new(w, h, 1, mask)
}

fn colour(p: &Pixels, i: usize) -> [u8; 3] {
    let px = &p.data[i * p.channels..(i + 1) * p.channels];
    if p.channels < 3 { [px[0]; 3] } else { [px[0], px[1], px[2]] }
}

fn flood_background(p: &Pixels) -> Vec<u8> {
    let (w, h) = (p.width, p.height);
    let border: Vec<usize> = (0..w).flat_map(|x| [x, (h - 1) * w + x]).chain((0..h).flat_map(|y| [y * w, y * w + w - 1])).collect();
    let mut background = [0u8; 3];
    for (ch, value) in background.iter_mut().enumerate() {
        let mut values: Vec<u8> = border.iter().map(|&i| colour(p, i)[ch]).collect();
        values.sort_unstable();
        *value = values[values.len() / 2];
    }
    let near = |i: usize| colour(p, i).iter().zip(background).all(|(&a, b)| a.abs_diff(b) <= TOLERANCE);
    let mut mask = vec![255u8; w * h];
    let mut queue: VecDeque<usize> = border.into_iter().filter(|&i| near(i)).collect();
    for &i in &queue {
        mask[i] = 0;
    }
    while let Some(i) = queue.pop_front() {
        let (x, y) = (i % w, i / w);
        let neighbours = [(x > 0).then(|| i - 1), (x + 1 < w).then(|| i + 1), (y > 0).then(|| i - w), (y + 1 < h).then(|| i + w)];
        for j in neighbours.into_iter().flatten() {
            if mask[j] == 255 && near(j) {
                mask[j] = 0;
                queue.push_back(j);
            }
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20×20 white image with a red 10×10 square in the middle, whose centre is white too.
    fn shirt_on_white() -> Pixels {
        let mut data = vec![255u8; 20 * 20 * 3];
        for y in 5..15 {
            for x in 5..15 {
                let inner = (8..12).contains(&x) && (8..12).contains(&y);
                if !inner {
                    data[(y * 20 + x) * 3 + 1] = 0;
                    data[(y * 20 + x) * 3 + 2] = 0;
                }
            }
        }
        Pixels::new(20, 20, 3, data).unwrap()
    }

    #[test]
    fn plain_background_is_flooded_and_enclosed_white_stays_garment() {
        let mask = garment_mask(&shirt_on_white()).unwrap();
        assert_eq!(mask.data.iter().filter(|&&m| m == 255).count(), 100);
        assert_eq!(mask.data[10 * 20 + 10], 255, "white inside the outline is garment");
        assert_eq!(mask.data[0], 0);
    }

    #[test]
    fn transparency_is_the_mask_and_blank_images_are_refused() {
        let mut data = vec![0u8; 10 * 10 * 4];
        for i in 0..50 {
            data[i * 4 + 3] = 255;
        }
        let mask = garment_mask(&Pixels::new(10, 10, 4, data).unwrap()).unwrap();
        assert_eq!(mask.data.iter().filter(|&&m| m == 255).count(), 50);
        let blank = Pixels::new(10, 10, 3, vec![255; 300]).unwrap();
        assert!(matches!(garment_mask(&blank), Err(VitrineError::InvalidImage(_))));
    }
}
