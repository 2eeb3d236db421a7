//! A short training run on the tiny fixture must learn: the loss falls and
//! the model beats the popularity baseline by a wide margin.
#![cfg(not(target_family = "wasm"))]

use vitrine::data::sequences::parse_sequences;
use vitrine::data::split::LeaveOneOut;
use vitrine::eval::evaluate::evaluate_popularity;
use vitrine::model::recommender::FrequencyConfig;
use vitrine::model::SasRecConfig;
use vitrine::train::{train, TrainConfig};

#[test]
fn a_short_run_lowers_the_loss_and_beats_popularity() {
    let data = parse_sequences(include_str!("fixtures/tiny-sequences.txt")).unwrap();
    let model = SasRecConfig::new(data.vocab.len()).with_d_model(32).with_n_layers(1).with_n_heads(1).with_max_len(20).with_dropout(0.1);
    short_run_learns(&data, TrainConfig::new(model).with_max_epochs(6).with_batch_size(32).with_learning_rate(0.005).with_seed(1).with_prefix_samples(false));
}

#[test]
fn bsarec_learns_with_every_position_and_with_prefix_samples_per_prefix_or_windowed() {
    let data = parse_sequences(include_str!("fixtures/tiny-sequences.txt")).unwrap();
    let model = SasRecConfig::new(data.vocab.len())
        .with_d_model(32)
        .with_n_layers(1)
        .with_n_heads(1)
        .with_max_len(20)
        .with_dropout(0.1)
        .with_frequency(Some(FrequencyConfig::new()));
    let config = TrainConfig::new(model).with_max_epochs(6).with_batch_size(32).with_learning_rate(0.005).with_seed(1);
    short_run_learns(&data, config.clone().with_prefix_samples(false));
    short_run_learns(&data, config.clone().with_batch_size(128).with_prefix_samples(true));
    // The trainer's default filter: a fixed window as long as the history (BSARec's zero-padded DFT).
    let windowed = config.model.clone().with_frequency(Some(FrequencyConfig::new().with_window(Some(config.model.max_len))));
    short_run_learns(&data, TrainConfig { model: windowed, ..config }.with_batch_size(128).with_prefix_samples(true));
}

fn short_run_learns(data: &vitrine::data::Interactions, config: TrainConfig) {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    let outcome = train(data, &config, dir.path(), burn::prelude::Device::flex(), &mut |state, metrics| seen.push((state.epoch, metrics.get("ndcg@10")))).unwrap();
    let losses = &outcome.state.losses;
    assert_eq!(losses.len(), 6);
    assert!(losses[5] < losses[0] * 0.7, "loss did not fall enough: {losses:?}");
    let popularity = evaluate_popularity(data, LeaveOneOut::Validation).get("ndcg@10");
    assert!(outcome.state.best_ndcg10 > 2.0 * popularity, "ndcg {} vs popularity {popularity}", outcome.state.best_ndcg10);
    assert_eq!(seen.len(), 6);
}

#[test]
fn a_time_limit_ends_training_after_the_epoch_that_reaches_it() {
    let data = parse_sequences(include_str!("fixtures/tiny-sequences.txt")).unwrap();
    let model = SasRecConfig::new(data.vocab.len()).with_d_model(16).with_n_layers(1).with_n_heads(1).with_max_len(20);
    // A limit of zero seconds is reached by the first epoch whatever the machine's speed.
    let config = TrainConfig::new(model).with_max_epochs(5).with_batch_size(64).with_max_train_seconds(Some(0.0));
    let dir = tempfile::tempdir().unwrap();
    let outcome = train(&data, &config, dir.path(), burn::prelude::Device::flex(), &mut |_, _| {}).unwrap();
    assert_eq!((outcome.state.epoch, outcome.state.best_epoch), (1, 1), "one epoch, and it is kept");
    // Resumed with no limit, the same run goes on to its last epoch.
    let outcome = train(&data, &config.with_max_train_seconds(None), dir.path(), burn::prelude::Device::flex(), &mut |_, _| {}).unwrap();
    assert_eq!(outcome.state.epoch, 5);
}
