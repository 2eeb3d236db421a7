//! The try-on trainer: Adam on the sum of the three losses, every pair of
//! the training folder except a held-out slice used for model selection
//! (validation SSIM with the model's own parser, as in evaluation), and a
//! checkpoint every `checkpoint_steps` steps and at every epoch end, so a
//! run killed at any moment resumes within minutes of where it stopped.

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
use crate::data::tryon::{TryOnBatch, TryOnSample};
use crate::eval::tryon::{evaluate_tryon, TryOnReport};
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
    pub best_ssim: f64,
    pub losses: Vec<LossPoint>,
    pub validation: Vec<ValidationPoint>,
}

pub struct TryOnOutcome {
    pub model: TryOn,
    pub state: TryOnTrainState,
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

/// Train (or resume from `dir`); returns the best model by validation SSIM.
/// `base`: the device to train on (flex, or libtorch with the `tch` feature);
/// validation runs there too.
pub fn train_tryon(
    train: &[TryOnSample],
    valid: &[TryOnSample],
    config: &TryOnTrainConfig,
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
        None => (config.model.init(&device), adam(), TryOnTrainState { command: command.to_string(), ..Default::default() }),
    };
    if state.epoch < config.max_epochs {
        state.backends.push(format!(
            "from epoch {} (step {}): {backend}, lr {} cosine to {}x over {} epochs",
            state.epoch + 1,
            state.steps,
            config.learning_rate,
            config.final_lr_fraction,
            config.max_epochs
        ));
    }
    let steps_per_epoch = train.len().div_ceil(config.batch_size);
    let log_every = 10usize;
    let (mut sums, mut since_log) = ([0f64; 3], 0usize);

    while state.epoch < config.max_epochs {
        // The epoch's order and flips depend only on (seed, epoch): a resumed
        // epoch replays the same batches and skips the ones already done.
        let mut rng = StdRng::seed_from_u64(config.seed ^ (state.epoch as u64).wrapping_mul(0x9E37_79B9));
        let mut order: Vec<usize> = (0..train.len()).collect();
        order.shuffle(&mut rng);
        let flips: Vec<bool> = (0..train.len()).map(|_| rng.random_bool(0.5)).collect();
        let mut started = Instant::now();
        for (step, chunk) in order.chunks(config.batch_size).enumerate().skip(state.step_in_epoch) {
            let samples: Vec<&TryOnSample> = chunk.iter().map(|&i| &train[i]).collect();
            let chunk_flips: Vec<bool> = chunk.iter().map(|&i| flips[i]).collect();
            let batch = TryOnBatch::new(&samples, &chunk_flips, &device);
            let losses = tryon_losses(&model, &batch);
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

        let report = evaluate_tryon(&model.valid(), valid, 4, &eval_device);
        state.validation.push(ValidationPoint {
            epoch: state.epoch,
            ssim: report.model.ssim,
            psnr: report.model.psnr,
            garment_psnr: report.model.garment_psnr,
            parse_miou: report.parse_miou,
            garment_coverage: report.garment_coverage,
        });
        // Only a parser that finds the garment makes a fair score (see TryOnReport).
        if report.garment_coverage >= config.min_coverage && report.model.ssim > state.best_ssim {
            state.best_ssim = report.model.ssim;
            state.best_epoch = state.epoch;
            store.save_best(&model)?;
        }
        store.save(&model, &optim, &state)?;
        on_progress(&state, Some(&report));
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
    fn cosine_schedule_runs_from_the_rate_to_its_final_fraction() {
        let config = TryOnTrainConfig::new(TryOnConfig::new()).with_learning_rate(1e-3).with_final_lr_fraction(0.1);
        assert!((learning_rate(&config, 0.0) - 1e-3).abs() < 1e-12);
        assert!((learning_rate(&config, 0.5) - 0.55e-3).abs() < 1e-12);
        assert!((learning_rate(&config, 1.0) - 1e-4).abs() < 1e-12);
        assert!((learning_rate(&config, 2.0) - 1e-4).abs() < 1e-12, "clamped after the last epoch");
    }
}
