//! The try-on losses. The parser learns part labels (see [`parser_loss`]); the warp learns to put the product image where the garment
//! is in the real photo; the whole pipeline learns to reproduce the photo
//! inside the agnostic region (L1). During training the agnostic region comes
//! from the true labels, so the three nets learn at once without waiting for
//! the parser.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;

use crate::data::tryon::TryOnBatch;
use crate::model::tryon::geometry::parts_sum;
use crate::model::tryon::parts::UPPER_CLOTHES;
use crate::model::TryOn;

pub struct TryOnLosses {
    pub parse: Tensor<1>,
    pub image: Tensor<1>,
    pub warp: Tensor<1>,
}

impl TryOnLosses {
    pub fn total(&self) -> Tensor<1> {
        self.parse.clone() + self.image.clone() + self.warp.clone()
    }
}

/// Mean absolute error inside `region` (weights [N, 1, H, W]) over `channels` channels.
fn region_l1(a: Tensor<4>, b: Tensor<4>, region: Tensor<4>, channels: usize) -> Tensor<1> {
    let total = region.clone().sum() * channels as f64 + 1.0;
    ((a - b).abs() * region).sum() / total
}

/// The parser's loss: pixel cross-entropy on the logits brought to full
/// resolution as in inference (so part borders are learnt where they are
/// scored), plus a soft Dice term (Milletari et al. 2016, 1 − mean over parts
/// of 2·|P∩Y| / (|P| + |Y|), sums over the whole batch, +1 smoothing). The
/// Dice term counts every part equally, as mIoU does, where the cross-entropy
/// is dominated by the background and the large garments: it is what pulls
/// the thin parts (arms, torso skin, hair) up. An unlabelled pixel (all-zero
/// one-hot, from a pseudo-label below its confidence threshold) adds to neither.
pub fn parser_loss(model: &TryOn, person: &Tensor<4>, parts: Tensor<4>) -> Tensor<1> {
    let log_p = log_softmax(model.full_logits(person), 1);
    let cross_entropy = (log_p.clone() * parts.clone()).sum_dim(1).mean().neg();
    let per_part = |x: Tensor<4>| x.sum_dim(0).sum_dim(2).sum_dim(3);
    let labelled = parts.clone().sum_dim(1);
    let p = log_p.exp() * labelled;
    let overlap = per_part(p.clone() * parts.clone());
    let dice = (overlap * 2.0 + 1.0) / (per_part(p) + per_part(parts) + 1.0);
    cross_entropy + dice.mean().neg() + 1.0
}

/// `parser_only`: only the parser's loss (the warp and generator are not run;
/// their terms are zero), for a run that trains the parser alone.
pub fn tryon_losses(model: &TryOn, batch: &TryOnBatch, parser_only: bool) -> TryOnLosses {
    let parts = batch.parts.clone().expect("training needs part labels");
    let parse = parser_loss(model, &batch.person, parts.clone());
    if parser_only {
        let zero = || Tensor::<1>::zeros([1], &parse.device());
        return TryOnLosses { image: zero(), warp: zero(), parse };
    }

    let out = model.forward_with_parts(batch.person.clone(), parts.clone(), batch.garment.clone(), batch.garment_mask.clone());
    let image = region_l1(out.image, batch.person.clone(), out.agnostic_mask, 3);

    let garment_region = parts_sum(&parts, &[UPPER_CLOTHES]);
    let warp = region_l1(out.warped_garment, batch.person.clone(), garment_region.clone(), 3)
        + (out.warped_mask - garment_region.clone()).abs().sum() / (garment_region.sum() + 1.0);
    TryOnLosses { parse, image, warp }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tryon::parts::NUM_PARTS;
    use crate::model::TryOnConfig;

    #[test]
    fn unlabelled_pixels_teach_the_parser_nothing() {
        let (device, _rng) = crate::seeded_flex(5);
        let config = TryOnConfig::new().with_height(32).with_width(24).with_warp_widths(vec![8, 16]).with_parser_widths(vec![8, 16]).with_generator_widths(vec![8, 16]);
        let model = config.init(&device);
        let person = Tensor::<4>::random([2, 3, 32, 24], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        // All pixels unlabelled (an all-zero one-hot): neither term has a target.
        let none = Tensor::<4>::zeros([2, NUM_PARTS, 32, 24], &device);
        assert!(parser_loss(&model, &person, none).into_scalar::<f32>().abs() < 1e-6);
        // Labelled pixels do teach it.
        let all_background = Tensor::<4>::zeros([2, NUM_PARTS, 32, 24], &device).slice_assign([0..2, 0..1, 0..32, 0..24], Tensor::ones([2, 1, 32, 24], &device));
        assert!(parser_loss(&model, &person, all_background).into_scalar::<f32>() > 0.1);
    }
}
