//! Full-ranking evaluation of a model (native only: it reads scores back
//! synchronously). Batches users, scores every item, ranks the held-out target
//! with the history masked, through the same functions the engine serves with.

use burn::prelude::*;

use super::RankingMetrics;
use crate::data::batch::pad_histories;
use crate::data::split::LeaveOneOut;
use crate::data::Interactions;
use crate::infer::{history_tensor, rank_of};
use crate::model::SasRec;

/// Rank every user's held-out target and average HR/NDCG.
pub fn evaluate(model: &SasRec, data: &Interactions, split: LeaveOneOut, batch_size: usize, device: &Device) -> RankingMetrics {
    let cases: Vec<_> = data.sequences.iter().filter_map(|s| split.case(s)).collect();
    let mut ranks = Vec::with_capacity(cases.len());
    for chunk in cases.chunks(batch_size.max(1)) {
        let histories: Vec<&[u32]> = chunk.iter().map(|c| c.history).collect();
        let batch = pad_histories(&histories, model.max_len());
        let scores = model.score_next(history_tensor(&batch, device));
        let width = scores.dims()[1];
        let scores: Vec<f32> = scores.into_data().convert::<f32>().try_into_vec().expect("f32 scores");
        for (row, case) in chunk.iter().enumerate() {
            ranks.push(rank_of(&scores[row * width..(row + 1) * width], case.target, case.history));
        }
    }
    RankingMetrics::from_ranks(&ranks)
}

/// The popularity baseline (PopRec) under the same protocol: items scored by
/// how many training sequences contain them (no leakage of held-out targets).
pub fn evaluate_popularity(data: &Interactions, split: LeaveOneOut) -> RankingMetrics {
    let scores = popularity_scores(data);
    let ranks: Vec<usize> = data
        .sequences
        .iter()
        .filter_map(|s| split.case(s))
        .map(|c| rank_of(&scores, c.target, c.history))
        .collect();
    RankingMetrics::from_ranks(&ranks)
}

/// Training-part popularity per item index (index 0 = padding = 0).
pub fn popularity_scores(data: &Interactions) -> Vec<f32> {
    let mut counts = vec![0f32; data.vocab.len() + 1];
    for seq in &data.sequences {
        for &i in crate::data::split::train_part(seq) {
            counts[i as usize] += 1.0;
        }
    }
    counts
}
