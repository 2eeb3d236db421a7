//! Defaults chosen on validation: a merchant never tunes, so when no
//! hyper-parameters are given the trainer tries a few settings itself and
//! keeps the best by validation NDCG@10 (the test split is never read).
//!
//! Successive halving: every candidate trains for the first rung of epochs,
//! the better half (by best validation NDCG@10 so far) goes on to the next
//! rung, and so on until one is left; the caller then trains that one to its
//! early stop, resuming from its checkpoint, so no epoch of the winner is
//! wasted. A time budget ends the search early (the best so far wins); it is
//! checked between candidate rungs, never mid-epoch.

use std::path::Path;
use std::time::Instant;

use burn::prelude::*;

use super::checkpoint::TrainState;
use super::{train, EpochHook, TrainConfig};
use crate::eval::RankingMetrics;
use crate::card::{CandidateRecord, SearchRecord};
use crate::data::Interactions;

/// One setting tried: a short name for logs and the card, and its config.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub name: String,
    pub config: TrainConfig,
}

/// Run the search; returns the index of the winner and the record. Each
/// candidate trains in `dir/<name>`; the winner's directory is where the
/// caller resumes it.
pub fn successive_halving(
    data: &Interactions,
    candidates: &[Candidate],
    rungs: &[usize],
    budget_seconds: Option<f64>,
    dir: &Path,
    device: &Device,
    on_epoch: &mut dyn FnMut(&str, &TrainState, &RankingMetrics),
) -> anyhow::Result<(usize, SearchRecord)> {
    anyhow::ensure!(!candidates.is_empty(), "a search needs at least one candidate");
    let started = Instant::now();
    let mut records: Vec<CandidateRecord> =
        candidates.iter().map(|c| CandidateRecord { name: c.name.clone(), validation_ndcg10: Vec::new(), epochs: 0 }).collect();
    let mut alive: Vec<usize> = (0..candidates.len()).collect();
    let mut stopped_by_budget = false;
    'rungs: for &rung_epochs in rungs {
        if alive.len() == 1 {
            break;
        }
        for &i in &alive {
            if budget_seconds.is_some_and(|b| started.elapsed().as_secs_f64() >= b) {
                stopped_by_budget = true;
                break 'rungs;
            }
            let candidate = &candidates[i];
            let config = candidate.config.clone().with_max_epochs(rung_epochs);
            let hook: EpochHook = &mut |state, metrics| on_epoch(&candidate.name, state, metrics);
            let outcome = train(data, &config, &dir.join(&candidate.name), device.clone(), hook)?;
            records[i].validation_ndcg10.push(outcome.state.best_ndcg10);
            records[i].epochs = outcome.state.epoch;
        }
        let score = |i: &usize| records[*i].validation_ndcg10.last().copied().unwrap_or(f64::NEG_INFINITY);
        alive.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.cmp(b)));
        alive.truncate(alive.len().div_ceil(2));
    }
    // The best by its latest validation score among those still in the race
    // (after a budget stop, some may have run one rung fewer: ties go to the
    // earlier candidate, the documented default).
    let winner = *alive
        .iter()
        .max_by(|&&a, &&b| {
            let score = |i: usize| records[i].validation_ndcg10.last().copied().unwrap_or(f64::NEG_INFINITY);
            score(a).total_cmp(&score(b)).then(b.cmp(&a))
        })
        .expect("at least one candidate");
    let record = SearchRecord {
        rungs: rungs.to_vec(),
        winner: candidates[winner].name.clone(),
        candidates: records,
        seconds: started.elapsed().as_secs_f64(),
        budget_seconds,
        stopped_by_budget,
        rule: "successive halving on best validation NDCG@10 (the better half of the candidates goes on at each rung); the test split is never read".into(),
    };
    Ok((winner, record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::sequences::parse_sequences;
    use crate::model::SasRecConfig;

    #[test]
    fn halving_keeps_the_better_half_and_the_winner_resumes_where_it_stopped() {
        // Training draws from the flex backend's one RNG: hold it like the other seeded tests.
        let (device, _rng) = crate::seeded_flex(3);
        let data = parse_sequences(include_str!("../../tests/fixtures/tiny-sequences.txt")).unwrap();
        let base = |lr: f64| {
            let model = SasRecConfig::new(data.vocab.len()).with_d_model(16).with_n_layers(1).with_n_heads(1).with_max_len(10).with_dropout(0.1);
            TrainConfig::new(model).with_batch_size(32).with_learning_rate(lr).with_seed(3)
        };
        // A learning rate of zero cannot learn: it must be dropped at the first rung.
        let candidates = vec![
            Candidate { name: "frozen".into(), config: base(0.0) },
            Candidate { name: "learning".into(), config: base(0.01) },
            Candidate { name: "frozen-too".into(), config: base(0.0) },
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut epochs_run = Vec::new();
        let (winner, record) = successive_halving(&data, &candidates, &[1, 3], None, dir.path(), &device, &mut |name, state, _| {
            epochs_run.push((name.to_string(), state.epoch))
        })
        .unwrap();
        assert_eq!(candidates[winner].name, "learning");
        assert_eq!(record.winner, "learning");
        assert_eq!(record.candidates[1].epochs, 3);
        // Rung 1: all three train one epoch; rung 2: the better two go on to epoch 3, resuming.
        let count = |name: &str| epochs_run.iter().filter(|(n, _)| n == name).count();
        assert_eq!(count("learning"), 3);
        assert_eq!(count("frozen") + count("frozen-too"), 1 + 1 + 2);
        assert!(!record.stopped_by_budget);

        // A zero budget stops before any training; the first candidate is the default.
        let dir = tempfile::tempdir().unwrap();
        let (winner, record) = successive_halving(&data, &candidates, &[1], Some(0.0), dir.path(), &device, &mut |_, _, _| {}).unwrap();
        assert_eq!((winner, record.stopped_by_budget), (0, true));
    }
}
