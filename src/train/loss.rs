//! Full softmax cross-entropy over every item in the catalog, computed only at
//! positions that have a next item (padding rows are gathered away first, so
//! the catalog-wide matrix product is never spent on padding).

use burn::prelude::*;
use burn::tensor::activation::log_softmax;

use crate::data::batch::next_item_batch;
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
