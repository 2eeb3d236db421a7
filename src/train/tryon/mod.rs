//! The try-on trainer: Adam on the sum of the three losses over mixed
//! batches — fixed pairs (synthetic: a flat product image and the person
//! wearing it) and real photos, re-framed and re-augmented every time they
//! are drawn, each with its own garment as the product image (see
//! `data::real_photos`). A held-out slice of each is used for model selection
//! (with the model's own parser, as in evaluation), and a checkpoint is
//! written every `checkpoint_steps` steps and at every epoch end, so a run
//! killed at any moment resumes within minutes of where it stopped.

pub mod loss;

use std::path::Path;
use std::time::Instant;

use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::checkpoint::Checkpoint;
use crate::data::real_photos::RealPhoto;
use crate::card::tryon::WarmStartInfo;
use crate::data::tryon::{TryOnBatch, TryOnSample};
use crate::eval::tryon::{evaluate_tryon, TryOnReport};
use crate::model::tryon::parts::BACKGROUND;
use crate::model::{TryOn, TryOnConfig};
use loss::tryon_losses;

#[derive(Config, Debug)]
pub struct TryOnTrainConfig {
    pub model: TryOnConfig,
    #[config(default = 30)]
    pub max_epochs: usize,
    #[config(default = 4)]
    pub batch_size: usize,
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// Cosine decay of the learning rate over `max_epochs`, down to this
    /// fraction of it (1 = constant).
    #[config(default = 0.05)]
    pub final_lr_fraction: f64,
    /// Every `validation_every`-th training pair is held out for model selection.
    #[config(default = 20)]
    pub validation_every: usize,
    #[config(default = 100)]
    pub checkpoint_steps: usize,
    #[config(default = 42)]
    pub seed: u64,
    /// Validation coverage of the true garment an epoch needs to be selectable
    /// (see `TryOnReport::garment_coverage`).
    #[config(default = 0.95)]
    pub min_coverage: f64,
    /// Real photos in each batch (the rest are pairs), when both are given.
    #[config(default = 2)]
    pub real_per_batch: usize,
    /// Train the parser alone (the warp and generator are carried unchanged).
    /// They learn from the true labels, never from the parser's output, so
    /// the parser can be trained apart, at a fraction of a full step's cost.
    /// Model selection then scores parser mIoU (pairs + real photos).
    #[config(default = false)]
    pub parser_only: bool,
    /// Product photos in each batch (a pair's garment image, no person in
    /// it) labelled all background, so the parser learns that a garment alone
    /// is not a person: the person check refuses what the parser sees no body in.
    #[config(default = 0)]
    pub product_photos_per_batch: usize,
}

/// What training draws from, and what it selects the model on.
pub struct TryOnTrainingData<'a> {
    /// Fixed pairs (flip augmentation only).
    pub pairs: &'a [TryOnSample],
    /// Real labelled photos: a fresh frame, colour noise and own-garment
    /// deformation every time one is drawn.
    pub photos: &'a [RealPhoto],
    pub valid_pairs: &'a [TryOnSample],
    /// Held-out real photos as fixed evaluation samples (`RealPhoto::test_sample`).
    pub valid_photos: &'a [TryOnSample],
}

impl TryOnTrainingData<'_> {
    /// (pair slots, photo slots) of a batch of `batch_size`, after the
    /// product-photo slots.
    fn slots(&self, config: &TryOnTrainConfig) -> (usize, usize) {
        let people = config.batch_size - self.product_slots(config);
        match (self.pairs.is_empty(), self.photos.is_empty()) {
            (false, false) => {
                let real = config.real_per_batch.clamp(1, people - 1);
                (people - real, real)
            }
            (false, true) => (people, 0),
            _ => (0, people),
        }
    }

    /// Product photos come from the pairs; at least one person stays in a batch.
    fn product_slots(&self, config: &TryOnTrainConfig) -> usize {
        if self.pairs.is_empty() { 0 } else { config.product_photos_per_batch.min(config.batch_size - 1) }
    }

    /// One epoch is one pass over the real photos when there are any (the
    /// pairs cycle beside them, continuing where the last epoch stopped in
    /// their shuffled order), else one pass over the pairs.
    fn steps_per_epoch(&self, config: &TryOnTrainConfig) -> usize {
        let (pair_slots, photo_slots) = self.slots(config);
        if photo_slots > 0 { self.photos.len().div_ceil(photo_slots) } else { self.pairs.len().div_ceil(pair_slots) }
    }
}

/// One logged point of the loss curves (means over the steps since the last point).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LossPoint {
    pub step: usize,
    pub epoch: f64,
    pub parse: f64,
    pub image: f64,
    pub warp: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValidationPoint {
    pub epoch: usize,
    pub ssim: f64,
    pub psnr: f64,
    pub garment_psnr: f64,
    pub parse_miou: f64,
    pub garment_coverage: f64,
    /// On the held-out real photos (self-reconstruction with the own garment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_ssim: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_parse_miou: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TryOnTrainState {
    /// The command that started the run (a resumed or exported run keeps it).
    #[serde(default)]
    pub command: String,
    /// "from epoch E (step S): BACKEND", one entry per start or resume.
    #[serde(default)]
    pub backends: Vec<String>,
    pub epoch: usize,
    /// Steps already done in the current epoch (a mid-epoch checkpoint).
    pub step_in_epoch: usize,
    pub steps: usize,
    pub train_seconds: f64,
    pub best_epoch: usize,
    /// The selection score of the best epoch: validation SSIM on the pairs
    /// (parser mIoU when only the parser trains), plus parser mIoU on the real
    /// photos when there are any.
    #[serde(alias = "best_ssim")]
    pub best_score: f64,
    pub losses: Vec<LossPoint>,
    pub validation: Vec<ValidationPoint>,
    /// The trained model the run started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_start: Option<WarmStartInfo>,
}

pub struct TryOnOutcome {
    pub model: TryOn,
    pub state: TryOnTrainState,
}

/// Draw `d` of a source of `n` items that is shuffled anew for each pass
/// over it (pass `d / n`, order fixed by the seed and the pass), so draws can
/// run on across epochs and a resumed run draws the same items.
struct PassOrder {
    seed: u64,
    pass: Option<usize>,
    order: Vec<usize>,
}

impl PassOrder {
    fn new(seed: u64, n: usize) -> Self {
        Self { seed, pass: None, order: (0..n).collect() }
    }

    fn at(&mut self, draw: usize) -> usize {
        let n = self.order.len();
        let pass = draw / n;
        if self.pass != Some(pass) {
            self.order.sort_unstable();
            self.order.shuffle(&mut StdRng::seed_from_u64(self.seed ^ (pass as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407)));
            self.pass = Some(pass);
        }
        self.order[draw % n]
    }
}

/// A pair's product image as a photo with no person in it: every pixel background.
fn product_photo(pair: &TryOnSample) -> TryOnSample {
    TryOnSample {
        person_file: pair.garment_file.clone(),
        garment_file: pair.garment_file.clone(),
        person: pair.garment.clone(),
        garment: pair.garment.clone(),
        garment_mask: pair.garment_mask.clone(),
        parts: Some(vec![BACKGROUND as u8; pair.garment.width * pair.garment.height]),
    }
}

/// Split training pairs into (train, validation) by position.
pub fn hold_out<T>(samples: Vec<T>, every: usize) -> (Vec<T>, Vec<T>) {
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    for (i, s) in samples.into_iter().enumerate() {
        if every > 0 && i % every == every - 1 { valid.push(s) } else { train.push(s) }
    }
    (train, valid)
}

/// Cosine schedule: `learning_rate` at the start, `final_lr_fraction` of it at the end.
fn learning_rate(config: &TryOnTrainConfig, progress: f64) -> f64 {
    let f = config.final_lr_fraction;
    config.learning_rate * (f + (1.0 - f) * 0.5 * (1.0 + (std::f64::consts::PI * progress.clamp(0.0, 1.0)).cos()))
}

fn adam() -> burn::optim::ModuleOptimizer {
    AdamConfig::new().init()
}

pub type ProgressHook<'a> = &'a mut dyn FnMut(&TryOnTrainState, Option<&TryOnReport>);

/// Train (or resume from `dir`); returns the best model by the selection score.
/// `base`: the device to train on (flex, or libtorch with the `tch` feature);
/// validation runs there too. `warm_start`: the model a new run starts from
/// and where it came from (ignored when resuming).
#[allow(clippy::too_many_arguments)]
pub fn train_tryon(
    data: &TryOnTrainingData,
    config: &TryOnTrainConfig,
    warm_start: Option<(TryOn, WarmStartInfo)>,
    dir: &Path,
    command: &str,
    base: Device,
    backend: &str,
    on_progress: ProgressHook,
) -> anyhow::Result<TryOnOutcome> {
    let eval_device = base;
    let device = eval_device.clone().autodiff();
    device.seed(config.seed);
    let store = Checkpoint::new(dir);
    let (mut model, mut optim, mut state) = match store.state::<TryOnTrainState>()? {
        Some(state) => (store.load_last(config.model.init(&device))?, store.load_optim(adam())?, state),
        None => {
            // The warm start goes in as a record, the way a checkpoint is resumed.
            let fresh = config.model.init(&device);
            let (model, origin) = match warm_start {
                Some((model, origin)) => (fresh.try_load_record(model.into_record())?, Some(origin)),
                None => (fresh, None),
            };
            (model, adam(), TryOnTrainState { command: command.to_string(), warm_start: origin, ..Default::default() })
        }
    };
    if state.epoch < config.max_epochs {
        state.backends.push(format!(
            "from epoch {} (step {}): {backend}, {}lr {} cosine to {}x over {} epochs, selectable at >= {} garment coverage",
            state.epoch + 1,
            state.steps,
            if config.parser_only { "parser only, " } else { "" },
            config.learning_rate,
            config.final_lr_fraction,
            config.max_epochs,
            config.min_coverage
        ));
    }
    let steps_per_epoch = data.steps_per_epoch(config);
    let (pair_slots, photo_slots) = data.slots(config);
    let product_slots = data.product_slots(config);
    let (height, width) = (config.model.height, config.model.width);
    let log_every = 10usize;
    let (mut sums, mut since_log) = ([0f64; 3], 0usize);

    while state.epoch < config.max_epochs {
        // The epoch's order and flips depend only on (seed, epoch): a resumed
        // epoch replays the same batches and skips the ones already done.
        let epoch_seed = config.seed ^ (state.epoch as u64).wrapping_mul(0x9E37_79B9);
        let mut rng = StdRng::seed_from_u64(epoch_seed);
        let mut pair_order = PassOrder::new(config.seed, data.pairs.len());
        let mut product_order = PassOrder::new(config.seed ^ 0x5EED_0F_9A26, data.pairs.len());
        let mut photo_order: Vec<usize> = (0..data.photos.len()).collect();
        photo_order.shuffle(&mut rng);
        let flips: Vec<bool> = (0..data.pairs.len() + data.photos.len()).map(|_| rng.random_bool(0.5)).collect();
        let mut started = Instant::now();
        for step in state.step_in_epoch..steps_per_epoch {
            let mut samples: Vec<TryOnSample> = Vec::with_capacity(config.batch_size);
            let mut batch_flips = Vec::with_capacity(config.batch_size);
            for slot in 0..pair_slots {
                // Pairs continue across epochs so that every pair is drawn before any repeats.
                let draw = (state.epoch * steps_per_epoch + step) * pair_slots + slot;
                let i = pair_order.at(draw);
                samples.push(data.pairs[i].clone());
                batch_flips.push(flips[i]);
            }
            for slot in 0..photo_slots {
                let draw = step * photo_slots + slot;
                let i = photo_order[draw % photo_order.len()];
                // Each draw gets its own frame and noise, fixed by (seed, epoch, draw) for resumption.
                let mut draw_rng = StdRng::seed_from_u64(epoch_seed ^ (draw as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
                samples.push(data.photos[i].training_sample(&mut draw_rng, height, width)?);
                batch_flips.push(flips[data.pairs.len() + i]);
            }
            for slot in 0..product_slots {
                let draw = (state.epoch * steps_per_epoch + step) * product_slots + slot;
                let pair = &data.pairs[product_order.at(draw)];
                samples.push(product_photo(pair));
                batch_flips.push(draw % 2 == 1);
            }
            let refs: Vec<&TryOnSample> = samples.iter().collect();
            let batch = TryOnBatch::new(&refs, &batch_flips, &device);
            let losses = tryon_losses(&model, &batch, config.parser_only);
            let total = losses.total();
            // One readback for the three logged losses, not one sync each.
            let values = Tensor::cat(vec![losses.parse.clone(), losses.image.clone(), losses.warp.clone()], 0).into_data();
            for (sum, value) in sums.iter_mut().zip(values.convert::<f32>().iter::<f32>()) {
                *sum += value as f64;
            }
            since_log += 1;
            let grads = GradientsParams::from_grads(total.backward(), &model);
            let progress = (state.epoch as f64 + step as f64 / steps_per_epoch as f64) / config.max_epochs as f64;
            model = optim.step(learning_rate(config, progress), model, grads);
            state.steps += 1;
            state.step_in_epoch = step + 1;

            if since_log == log_every || state.step_in_epoch == steps_per_epoch {
                state.train_seconds += started.elapsed().as_secs_f64();
                started = Instant::now();
                let n = since_log as f64;
                state.losses.push(LossPoint {
                    step: state.steps,
                    epoch: state.epoch as f64 + state.step_in_epoch as f64 / steps_per_epoch as f64,
                    parse: sums[0] / n,
                    image: sums[1] / n,
                    warp: sums[2] / n,
                });
                (sums, since_log) = ([0f64; 3], 0);
                on_progress(&state, None);
            }
            if state.step_in_epoch % config.checkpoint_steps == 0 && state.step_in_epoch < steps_per_epoch {
                store.save(&model, &optim, &state)?;
            }
        }
        state.train_seconds += started.elapsed().as_secs_f64();
        state.epoch += 1;
        state.step_in_epoch = 0;

        let inference = model.valid();
        let pairs = (!data.valid_pairs.is_empty()).then(|| evaluate_tryon(&inference, data.valid_pairs, 4, &eval_device));
        let real = (!data.valid_photos.is_empty()).then(|| evaluate_tryon(&inference, data.valid_photos, 4, &eval_device));
        let report = pairs.as_ref().or(real.as_ref()).expect("validation data");
        state.validation.push(ValidationPoint {
            epoch: state.epoch,
            ssim: report.model.ssim,
            psnr: report.model.psnr,
            garment_psnr: report.model.garment_psnr,
            parse_miou: report.parse_miou,
            garment_coverage: report.garment_coverage,
            real_ssim: real.as_ref().map(|r| r.model.ssim),
            real_parse_miou: real.as_ref().map(|r| r.parse_miou),
        });
        let pair_score = |r: &TryOnReport| if config.parser_only { r.parse_miou } else { r.model.ssim };
        let score = pairs.as_ref().map_or(0.0, pair_score) + real.as_ref().map_or(0.0, |r| r.parse_miou);
        // Only a parser that finds the garment makes a fair score (see TryOnReport).
        if report.garment_coverage >= config.min_coverage && score > state.best_score {
            state.best_score = score;
            state.best_epoch = state.epoch;
            store.save_best(&model)?;
        }
        store.save(&model, &optim, &state)?;
        on_progress(&state, Some(report));
    }
    finished(config, dir, state)
}

/// The best model and the state of a run directory, without training further
/// (an interim export while the run goes on).
pub fn load_run(config: &TryOnTrainConfig, dir: &Path) -> anyhow::Result<TryOnOutcome> {
    let state = Checkpoint::new(dir).state::<TryOnTrainState>()?.ok_or_else(|| anyhow::anyhow!("no checkpoint in {}", dir.display()))?;
    finished(config, dir, state)
}

fn finished(config: &TryOnTrainConfig, dir: &Path, state: TryOnTrainState) -> anyhow::Result<TryOnOutcome> {
    let best = Checkpoint::new(dir).file("best.bpk");
    anyhow::ensure!(best.exists(), "no epoch reached {} validation garment coverage; train longer", config.min_coverage);
    let bytes = std::fs::read(best)?;
    let model = crate::weights::load_tryon(&config.model, &bytes, &Device::flex())?;
    Ok(TryOnOutcome { model, state })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pass_draws_every_item_once_in_its_own_order() {
        let mut order = PassOrder::new(7, 5);
        let first: Vec<usize> = (0..5).map(|d| order.at(d)).collect();
        let second: Vec<usize> = (5..10).map(|d| order.at(d)).collect();
        for pass in [&first, &second] {
            let mut sorted = pass.clone();
            sorted.sort();
            assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
        }
        assert_ne!(first, second, "a new pass, a new order");
        assert_eq!(PassOrder::new(7, 5).at(6), second[1], "a resumed run draws the same items");
    }

    #[test]
    fn cosine_schedule_runs_from_the_rate_to_its_final_fraction() {
        let config = TryOnTrainConfig::new(TryOnConfig::new()).with_learning_rate(1e-3).with_final_lr_fraction(0.1);
        assert!((learning_rate(&config, 0.0) - 1e-3).abs() < 1e-12);
        assert!((learning_rate(&config, 0.5) - 0.55e-3).abs() < 1e-12);
        assert!((learning_rate(&config, 1.0) - 1e-4).abs() < 1e-12);
        assert!((learning_rate(&config, 2.0) - 1e-4).abs() < 1e-12, "clamped after the last epoch");
    }
}
