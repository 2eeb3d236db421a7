//! Try-on evaluation on paired test data: each person is re-dressed in her own
//! garment, starting from the agnostic image the model's own parser makes, and
//! the result is compared with the real photo. Two baselines run in the same
//! pass: the agnostic image itself, and the garment pasted unwarped into the
//! parser's garment region.

use burn::prelude::*;
use serde::Serialize;

use super::image_metrics::{psnr, ssim, IouCounts};
use crate::data::tryon::{TryOnBatch, TryOnSample};
use crate::model::tryon::geometry::parts_sum;
use crate::model::tryon::parts::{NUM_PARTS, UPPER_CLOTHES};
use crate::model::TryOn;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImageScores {
    pub ssim: f64,
    pub psnr: f64,
    /// PSNR inside the true garment region of the real photo.
    pub garment_psnr: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TryOnReport {
    pub pairs: usize,
    #[serde(flatten)]
    pub model: ImageScores,
    /// Parser mIoU over the 8 compact parts, against the true labels.
    pub parse_miou: f64,
    pub parse_iou: Vec<Option<f64>>,
    /// Share of the true garment pixels inside the agnostic region the parser
    /// made. Pixels outside it keep the input photo, so a parser that misses the
    /// garment would "score" by copying: this number shows how much it covers.
    pub garment_coverage: f64,
    pub baseline_agnostic: ImageScores,
    pub baseline_pasted: ImageScores,
}

#[derive(Default)]
struct Sums {
    ssim: f64,
    psnr: f64,
    garment_psnr: f64,
    garment_count: usize,
}

impl Sums {
    fn add(&mut self, output: &[f32], truth: &[f32], garment: &[bool], h: usize, w: usize) {
        self.ssim += ssim(output, truth, h, w);
        self.psnr += psnr(output, truth, h * w, None).expect("non-empty image");
        if let Some(p) = psnr(output, truth, h * w, Some(garment)) {
            self.garment_psnr += p;
            self.garment_count += 1;
        }
    }

    fn mean(&self, n: usize) -> ImageScores {
        ImageScores {
            ssim: self.ssim / n.max(1) as f64,
            psnr: self.psnr / n.max(1) as f64,
            garment_psnr: self.garment_psnr / self.garment_count.max(1) as f64,
        }
    }
}

fn planes(t: Tensor<4>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 tensor")
}

/// Index of the largest channel per pixel: [N, P, H, W] planes → part ids.
fn argmax_parts(probabilities: &[f32], n: usize, pixels: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|b| {
            let base = b * NUM_PARTS * pixels;
            (0..pixels)
                .map(|i| {
                    (0..NUM_PARTS)
                        .max_by(|&p, &q| probabilities[base + p * pixels + i].total_cmp(&probabilities[base + q * pixels + i]))
                        .expect("parts") as u8
                })
                .collect()
        })
        .collect()
}

/// Evaluate every sample (all must carry true labels) in batches of `batch`.
pub fn evaluate_tryon(model: &TryOn, samples: &[TryOnSample], batch: usize, device: &Device) -> TryOnReport {
    let [h, w] = model.size();
    let pixels = h * w;
    let (mut ours, mut agnostic, mut pasted) = (Sums::default(), Sums::default(), Sums::default());
    let mut iou = IouCounts::new(NUM_PARTS);
    let (mut covered, mut garment_pixels) = (0usize, 0usize);
    for chunk in samples.chunks(batch.max(1)) {
        let refs: Vec<&TryOnSample> = chunk.iter().collect();
        let tensors = TryOnBatch::new(&refs, &vec![false; refs.len()], device);
        let out = model.forward(tensors.person.clone(), tensors.garment.clone(), tensors.garment_mask.clone());
        // Baseline: garment image pasted as is wherever the parser saw a garment.
        let region = parts_sum(&out.parts, &[UPPER_CLOTHES]).greater_elem(0.5).float() * out.agnostic_mask.clone();
        let pasted_image = out.agnostic.clone() + region * (tensors.garment.clone() - 0.5);

        let n = refs.len();
        let truth = planes(tensors.person);
        let (image, agn, pst) = (planes(out.image), planes(out.agnostic), planes(pasted_image));
        let predicted = argmax_parts(&planes(out.parts), n, pixels);
        let mask = planes(out.agnostic_mask);
        for (b, sample) in refs.iter().enumerate() {
            let labels = sample.parts.as_ref().expect("evaluation needs true part labels");
            let garment: Vec<bool> = labels.iter().map(|&p| p as usize == UPPER_CLOTHES).collect();
            let range = b * 3 * pixels..(b + 1) * 3 * pixels;
            ours.add(&image[range.clone()], &truth[range.clone()], &garment, h, w);
            agnostic.add(&agn[range.clone()], &truth[range.clone()], &garment, h, w);
            pasted.add(&pst[range.clone()], &truth[range], &garment, h, w);
            iou.add(&predicted[b], labels);
            let sample_mask = &mask[b * pixels..(b + 1) * pixels];
            garment_pixels += garment.iter().filter(|&&g| g).count();
            covered += garment.iter().zip(sample_mask).filter(|(&g, &m)| g && m > 0.5).count();
        }
    }
    let n = samples.len();
    let (parse_miou, parse_iou) = iou.mean();
    TryOnReport {
        pairs: n,
        model: ours.mean(n),
        parse_miou,
        parse_iou,
        garment_coverage: covered as f64 / garment_pixels.max(1) as f64,
        baseline_agnostic: agnostic.mean(n),
        baseline_pasted: pasted.mean(n),
    }
}
