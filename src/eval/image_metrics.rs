//! Image quality metrics, written out so the protocol is exact and visible.
//!
//! * SSIM: Wang et al. 2004 — 11×11 Gaussian window (σ = 1.5), K1 = 0.01,
//!   K2 = 0.03, data range 1, valid windows only (no padding), averaged over
//!   the window positions and the three colour channels.
//! * PSNR: 10·log10(1 / MSE) over all pixels and channels, per image.
//! * Region PSNR: the same, with the MSE taken over the pixels of a region only.
//! * mIoU: per class, intersection over union summed over the whole set, then
//!   averaged over the classes that occur (in truth or prediction); pixels
//!   whose truth is unlabelled (255) are not scored.

use crate::model::tryon::parts::UNLABELLED;

/// Images are channel-first planes in [0, 1]: 3·H·W values.
const WINDOW: usize = 11;
const SIGMA: f64 = 1.5;

fn gaussian() -> [f64; WINDOW] {
    let mut g = [0.0; WINDOW];
    let c = (WINDOW / 2) as f64;
    for (i, v) in g.iter_mut().enumerate() {
        *v = (-((i as f64 - c).powi(2)) / (2.0 * SIGMA * SIGMA)).exp();
    }
    let sum: f64 = g.iter().sum();
    g.map(|v| v / sum)
}

/// Separable valid-mode filter of one plane.
fn blur(plane: &[f64], h: usize, w: usize, g: &[f64; WINDOW]) -> (Vec<f64>, usize, usize) {
    let (oh, ow) = (h - WINDOW + 1, w - WINDOW + 1);
    let mut rows = vec![0.0; h * ow];
    for y in 0..h {
        for x in 0..ow {
            rows[y * ow + x] = (0..WINDOW).map(|k| g[k] * plane[y * w + x + k]).sum();
        }
    }
    let mut out = vec![0.0; oh * ow];
    for y in 0..oh {
        for x in 0..ow {
            out[y * ow + x] = (0..WINDOW).map(|k| g[k] * rows[(y + k) * ow + x]).sum();
        }
    }
    (out, oh, ow)
}

fn ssim_plane(a: &[f64], b: &[f64], h: usize, w: usize) -> f64 {
    let g = gaussian();
    let (c1, c2) = (0.01f64.powi(2), 0.03f64.powi(2));
    let prod = |x: &[f64], y: &[f64]| -> Vec<f64> { x.iter().zip(y).map(|(p, q)| p * q).collect() };
    let (mu_a, _, _) = blur(a, h, w, &g);
    let (mu_b, _, _) = blur(b, h, w, &g);
    let (aa, _, _) = blur(&prod(a, a), h, w, &g);
    let (bb, _, _) = blur(&prod(b, b), h, w, &g);
    let (ab, _, _) = blur(&prod(a, b), h, w, &g);
    let n = mu_a.len();
    (0..n)
        .map(|i| {
            let (ma, mb) = (mu_a[i], mu_b[i]);
            let (va, vb, cov) = (aa[i] - ma * ma, bb[i] - mb * mb, ab[i] - ma * mb);
            ((2.0 * ma * mb + c1) * (2.0 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
        })
        .sum::<f64>()
        / n as f64
}

/// SSIM of two RGB images (channel-first planes, 3·H·W values in [0, 1]).
pub fn ssim(a: &[f32], b: &[f32], h: usize, w: usize) -> f64 {
    let n = h * w;
    (0..3)
        .map(|c| {
            let pa: Vec<f64> = a[c * n..(c + 1) * n].iter().map(|&v| v as f64).collect();
            let pb: Vec<f64> = b[c * n..(c + 1) * n].iter().map(|&v| v as f64).collect();
            ssim_plane(&pa, &pb, h, w)
        })
        .sum::<f64>()
        / 3.0
}

/// PSNR in dB over the pixels where `region` is true (all pixels if `None`);
/// `None` when the region is empty. Identical images give 100 dB (capped).
pub fn psnr(a: &[f32], b: &[f32], pixels: usize, region: Option<&[bool]>) -> Option<f64> {
    let mut sum = 0.0f64;
    let mut count = 0usize;
    for c in 0..3 {
        for i in 0..pixels {
            if region.is_none_or(|r| r[i]) {
                let d = (a[c * pixels + i] - b[c * pixels + i]) as f64;
                sum += d * d;
                count += 1;
            }
        }
    }
    if count == 0 {
        return None;
    }
    let mse = sum / count as f64;
    Some(if mse <= 1e-10 { 100.0 } else { 10.0 * (1.0 / mse).log10() })
}

/// Running per-class intersection/union counts.
#[derive(Debug, Clone)]
pub struct IouCounts {
    intersection: Vec<u64>,
    union: Vec<u64>,
}

impl IouCounts {
    pub fn new(classes: usize) -> Self {
        Self { intersection: vec![0; classes], union: vec![0; classes] }
    }

    /// Count one image; pixels whose truth is `UNLABELLED` are not scored.
    pub fn add(&mut self, predicted: &[u8], truth: &[u8]) {
        for (&p, &t) in predicted.iter().zip(truth).filter(|(_, &t)| t != UNLABELLED) {
            if p == t {
                self.intersection[p as usize] += 1;
                self.union[p as usize] += 1;
            } else {
                self.union[p as usize] += 1;
                self.union[t as usize] += 1;
            }
        }
    }

    /// Mean IoU over classes that occurred; per-class IoU alongside.
    pub fn mean(&self) -> (f64, Vec<Option<f64>>) {
        let per: Vec<Option<f64>> = self
            .intersection
            .iter()
            .zip(&self.union)
            .map(|(&i, &u)| (u > 0).then(|| i as f64 / u as f64))
            .collect();
        let seen: Vec<f64> = per.iter().flatten().copied().collect();
        (seen.iter().sum::<f64>() / seen.len().max(1) as f64, per)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 24) as f32
            })
            .collect()
    }

    #[test]
    fn ssim_is_one_for_identical_and_drops_for_noise() {
        let (h, w) = (32, 24);
        let a = noise(3 * h * w, 1);
        assert!((ssim(&a, &a, h, w) - 1.0).abs() < 1e-9);
        let b = noise(3 * h * w, 2);
        assert!(ssim(&a, &b, h, w) < 0.1);
        // A constant shift of 0.1 keeps structure: SSIM stays high but below 1.
        let shifted: Vec<f32> = a.iter().map(|v| v * 0.8 + 0.1).collect();
        let s = ssim(&a, &shifted, h, w);
        assert!(s > 0.8 && s < 1.0, "{s}");
    }

    #[test]
    fn psnr_by_hand_and_inside_a_region() {
        // MSE 0.01 everywhere → 20 dB.
        let a = vec![0.5f32; 3 * 4];
        let b = vec![0.6f32; 3 * 4];
        assert!((psnr(&a, &b, 4, None).unwrap() - 20.0).abs() < 1e-4);
        // Error only outside the region → perfect inside it.
        let mut c = a.clone();
        c[0] = 1.0;
        let region = [false, true, true, true];
        assert_eq!(psnr(&a, &c, 4, Some(&region)), Some(100.0));
        assert_eq!(psnr(&a, &c, 4, Some(&[false; 4])), None);
    }

    #[test]
    fn miou_by_hand() {
        let mut counts = IouCounts::new(3);
        counts.add(&[0, 0, 1, 1], &[0, 1, 1, 1]);
        let (mean, per) = counts.mean();
        // class 0: 1/2, class 1: 2/3, class 2 never occurs.
        assert_eq!(per[2], None);
        assert!((mean - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-12);

        // An unlabelled truth pixel counts for nothing, whatever was predicted there.
        let mut with_unlabelled = IouCounts::new(3);
        with_unlabelled.add(&[0, 0, 1, 1, 2, 0], &[0, 1, 1, 1, UNLABELLED, UNLABELLED]);
        assert_eq!(with_unlabelled.mean(), counts.mean());
    }
}
