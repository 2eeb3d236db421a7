//! Full softmax cross-entropy over every item in the catalog. Two ways to
//! draw targets from a batch of training sequences:
//!
//! - [`next_item_loss`]: every position of each sequence predicts its next
//!   item (causal encoders only; padding rows are gathered away first, so the
//!   catalog-wide matrix product is never spent on padding);
//! - [`last_item_loss`]: each sample is a prefix whose last item is the target
//!   and only the final position predicts, exactly as at inference (prefix
//!   augmentation; any encoder).

use burn::prelude::*;
use burn::tensor::activation::log_softmax;

use crate::data::batch::{next_item_batch, pad_histories};
use crate::infer::history_tensor;
use crate::model::SasRec;

/// Mean negative log-likelihood of each true next item: `[1]`.
pub fn next_item_loss(model: &SasRec, sequences: &[&[u32]], device: &Device) -> Tensor<1> {
    let batch = next_item_batch(sequences, model.max_len());
    let (positions, targets): (Vec<i64>, Vec<i64>) = batch
        .targets
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t != 0)
        .map(|(p, &t)| (p as i64, t))
        .unzip();
    let n = positions.len();
    let hidden = model.hidden(history_tensor(&batch.inputs, device));
    let [b, l, d] = hidden.dims();
    let hidden = hidden
        .reshape([b * l, d])
        .select(0, Tensor::<1, Int>::from_data(TensorData::new(positions, [n]), device));
    let log_probs = log_softmax(model.score_hidden(hidden), 1);
    let targets = Tensor::<2, Int>::from_data(TensorData::new(targets, [n, 1]), device);
    log_probs.gather(1, targets).mean().neg()
}

/// Mean negative log-likelihood of the last item of each sample given the
/// items before it (the most recent `max_len`): `[1]`.
pub fn last_item_loss(model: &SasRec, samples: &[&[u32]], device: &Device) -> Tensor<1> {
    let histories: Vec<&[u32]> = samples.iter().map(|s| &s[..s.len() - 1]).collect();
    let targets: Vec<i64> = samples.iter().map(|s| s[s.len() - 1] as i64).collect();
    let inputs = pad_histories(&histories, model.max_len());
    let log_probs = log_softmax(model.score_next(history_tensor(&inputs, device)), 1);
    let targets = Tensor::<2, Int>::from_data(TensorData::new(targets, [samples.len(), 1]), device);
    log_probs.gather(1, targets).mean().neg()
}
