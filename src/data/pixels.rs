//! Pixels in and out of tensors. The CLI decodes files into these buffers, the
//! browser hands over canvas pixels; both go through the same conversions.

use burn::prelude::*;

use crate::error::{Result, VitrineError};

/// An 8-bit image, row-major, `channels` interleaved values per pixel (1, 3 or 4).
#[derive(Debug, Clone, PartialEq)]
pub struct Pixels {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub data: Vec<u8>,
}

impl Pixels {
    pub fn new(width: usize, height: usize, channels: usize, data: Vec<u8>) -> Result<Self> {
        if !(1..=4).contains(&channels) || channels == 2 {
            return Err(VitrineError::InvalidImage(format!("{channels} channels per pixel; expected 1, 3 or 4")));
        }
        if width == 0 || height == 0 || data.len() != width * height * channels {
            return Err(VitrineError::InvalidImage(format!(
                "{} bytes do not make a {width}×{height} image with {channels} channels",
                data.len()
            )));
        }
        Ok(Self { width, height, channels, data })
    }

    /// Refuse anything but the model's input size: resizing is the caller's job
    /// (the widget scales photos on a canvas, the CLI with the `image` crate).
    pub fn expect_size(&self, height: usize, width: usize, what: &str) -> Result<()> {
        if self.height != height || self.width != width {
            return Err(VitrineError::InvalidImage(format!(
                "{what} is {}×{} pixels; the model takes {width}×{height} (width×height)",
                self.width, self.height
            )));
        }
        Ok(())
    }

    /// Colour channels as floats in [0, 1], channel-first (alpha dropped, grey repeated).
    pub fn rgb_planes(&self) -> Vec<f32> {
        let n = self.width * self.height;
        let mut planes = vec![0f32; 3 * n];
        for i in 0..n {
            let px = &self.data[i * self.channels..(i + 1) * self.channels];
            for c in 0..3 {
                let v = if self.channels < 3 { px[0] } else { px[c] };
                planes[c * n + i] = v as f32 / 255.0;
            }
        }
        planes
    }

    /// A 0/1 plane: grey value (or alpha, for 4 channels) above half.
    pub fn mask_plane(&self) -> Vec<f32> {
        let pick = if self.channels == 4 { 3 } else { 0 };
        self.data.chunks(self.channels).map(|px| if px[pick] > 127 { 1.0 } else { 0.0 }).collect()
    }

    /// Mirror left-right (training augmentation).
    pub fn flipped(&self) -> Self {
        let mut data = Vec::with_capacity(self.data.len());
        for row in self.data.chunks(self.width * self.channels) {
            for px in row.chunks(self.channels).rev() {
                data.extend_from_slice(px);
            }
        }
        Self { data, ..*self }
    }
}

/// Stack per-image planes into a [N, C, H, W] tensor.
pub fn planes_to_tensor(planes: Vec<Vec<f32>>, channels: usize, height: usize, width: usize, device: &Device) -> Tensor<4> {
    let n = planes.len();
    let flat: Vec<f32> = planes.into_iter().flatten().collect();
    Tensor::<1>::from_floats(flat.as_slice(), device).reshape([n, channels, height, width])
}

/// [1, 3, H, W] floats in [0, 1] → RGBA bytes (opaque), for canvases and PNGs.
pub fn rgba_from_planes(planes: &[f32], height: usize, width: usize) -> Vec<u8> {
    let n = height * width;
    let mut out = Vec::with_capacity(4 * n);
    for i in 0..n {
        for c in 0..3 {
            out.push((planes[c * n + i].clamp(0.0, 1.0) * 255.0).round() as u8);
        }
        out.push(255);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_wrong_lengths_and_sizes_with_a_message() {
        assert!(matches!(Pixels::new(2, 2, 3, vec![0; 11]), Err(VitrineError::InvalidImage(_))));
        assert!(matches!(Pixels::new(0, 2, 3, vec![]), Err(VitrineError::InvalidImage(_))));
        let p = Pixels::new(2, 1, 4, vec![255, 0, 0, 255, 0, 0, 255, 0]).unwrap();
        let err = p.expect_size(256, 192, "the photo").unwrap_err().to_string();
        assert!(err.contains("2×1") && err.contains("192×256"), "{err}");
    }

    #[test]
    fn planes_masks_and_flips() {
        let p = Pixels::new(2, 1, 4, vec![255, 0, 0, 255, 0, 0, 255, 0]).unwrap();
        assert_eq!(p.rgb_planes(), vec![1., 0., 0., 0., 0., 1.]);
        assert_eq!(p.mask_plane(), vec![1., 0.], "alpha is the mask of an RGBA garment");
        assert_eq!(p.flipped().data, vec![0, 0, 255, 0, 255, 0, 0, 255]);
        let back = rgba_from_planes(&p.rgb_planes(), 1, 2);
        assert_eq!(back, vec![255, 0, 0, 255, 0, 0, 255, 255]);
    }
}
