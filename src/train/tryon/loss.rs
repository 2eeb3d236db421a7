//! The try-on losses. The parser learns part labels (cross-entropy at half
//! resolution); the warp learns to put the product image where the garment
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

pub fn tryon_losses(model: &TryOn, batch: &TryOnBatch) -> TryOnLosses {
    let parts = batch.parts.clone().expect("training needs part labels");
    let parts_half = batch.parts_half.clone().expect("training needs part labels");

    let logits = model.parse_logits(&batch.person);
    let parse = (log_softmax(logits, 1) * parts_half).sum_dim(1).mean().neg();

    let out = model.forward_with_parts(batch.person.clone(), parts.clone(), batch.garment.clone(), batch.garment_mask.clone());
    let image = region_l1(out.image, batch.person.clone(), out.agnostic_mask, 3);

    let garment_region = parts_sum(&parts, &[UPPER_CLOTHES]);
    let warp = region_l1(out.warped_garment, batch.person.clone(), garment_region.clone(), 3)
        + (out.warped_mask - garment_region.clone()).abs().sum() / (garment_region.sum() + 1.0);
    TryOnLosses { parse, image, warp }
}
