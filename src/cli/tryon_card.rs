//! After try-on training: int8 export, test evaluation of both precisions,
//! loss curves and the card.

use std::path::Path;

use anyhow::Context;
use burn::module::Module;
use vitrine::card::{TrainingInfo, TryOnCard, WeightsInfo, CARD_FORMAT};
use vitrine::card::tryon::TryOnDataInfo;
use vitrine::data::tryon::load_pairs;
use vitrine::eval::tryon::evaluate_tryon;
use vitrine::quantize::quantize_int8;
use vitrine::train::tryon::{TryOnOutcome, TryOnTrainConfig};
use vitrine::weights::{load_tryon, sha256_hex, to_bytes};

use super::train_cmd::hardware;
use super::tryon_train_cmd::TrainTryOnArgs;
use super::{command_line, shell_quote};

/// Share of confidently parsed body pixels below which a photo has "no person".
pub const PERSON_THRESHOLD: f32 = 0.05;

pub fn write_tryon_model(
    args: &TrainTryOnArgs,
    config: &TryOnTrainConfig,
    work_dir: &Path,
    outcome: TryOnOutcome,
    validation_pairs: usize,
    train_pairs: usize,
) -> anyhow::Result<()> {
    let device = burn::prelude::Device::flex();
    let f32_bytes = to_bytes(outcome.model.clone())?;
    let int8_bytes = to_bytes(quantize_int8(outcome.model.clone()))?;
    let int8_model = load_tryon(&config.model, &int8_bytes, &device)?;

    let mut metrics = serde_json::json!({ "validation": outcome.state.validation });
    let mut test_pairs = 0;
    if let Some(test_dir) = &args.test_data {
        let test = load_pairs(test_dir, &args.test_pairs, args.height, args.width, args.limit)
            .with_context(|| format!("loading {}", test_dir.display()))?;
        test_pairs = test.len();
        let f32_report = evaluate_tryon(&outcome.model, &test, 4, &device);
        let int8_report = evaluate_tryon(&int8_model, &test, 4, &device);
        println!("test f32:  {}", serde_json::to_string(&f32_report)?);
        println!("test int8: {}", serde_json::to_string(&int8_report)?);
        metrics["int8_ssim_change"] = serde_json::json!(int8_report.model.ssim - f32_report.model.ssim);
        metrics["test_f32"] = serde_json::to_value(&f32_report)?;
        metrics["test_int8"] = serde_json::to_value(&int8_report)?;
    }

    std::fs::create_dir_all(&args.models_dir)?;
    let weights_path = args.models_dir.join(format!("{}.bpk", args.name));
    std::fs::write(&weights_path, &int8_bytes).with_context(|| format!("writing {}", weights_path.display()))?;
    let curves = format!("{}.curves.png", args.name);
    write_curves(work_dir, &outcome, &args.models_dir.join(&curves))?;

    let state = &outcome.state;
    let eval_command = format!(
        "vitrine eval-tryon --model {} --data {}",
        shell_quote(&weights_path.display().to_string()),
        args.test_data.as_ref().map(|d| shell_quote(&d.display().to_string())).unwrap_or_else(|| "TEST_DIR".into())
    );
    let card = TryOnCard {
        format: CARD_FORMAT,
        name: args.name.clone(),
        task: "virtual-try-on".into(),
        architecture: "parser U-Net (½ res) → agnostic mask → moment alignment + flow U-Net (¼ res, grid_sample at full res) → generator U-Net (½ res) with composition mask and shading gain".into(),
        config: config.model.clone(),
        weights: WeightsInfo {
            file: format!("{}.bpk", args.name),
            bytes: int8_bytes.len() as u64,
            sha256: sha256_hex(&int8_bytes),
            dtype: "int8".into(),
            quantization: vitrine::quantize::DESCRIPTION.into(),
            parameters: outcome.model.num_params(),
            f32_bytes: f32_bytes.len() as u64,
        },
        data: TryOnDataInfo {
            name: args.data.display().to_string(),
            source: "synthetic-v1: Blender renders of CC0 MakeHuman bodies and garments (../shared/data/tryon/synthetic-v1/README.md)".into(),
            train_pairs,
            validation_pairs,
            test_pairs,
            resolution: format!("{}×{} (width×height)", args.width, args.height),
            preprocessing: format!("validation = every {}th training pair; horizontal flips (person, garment and labels together)", args.validation_every),
        },
        protocol: PROTOCOL.into(),
        notes: (args.export_only && state.epoch < config.max_epochs).then(|| {
            format!(
                "Interim export: the best of the first {} epochs (epoch {}) of a run planned for {}; the run goes on (rerun the training command to resume it). Training segments: {}.",
                state.epoch,
                state.best_epoch,
                config.max_epochs,
                state.backends.join("; ")
            )
        }),
        person_threshold: PERSON_THRESHOLD,
        metrics,
        training: TrainingInfo {
            command: if state.command.is_empty() { command_line() } else { state.command.clone() },
            eval_command,
            seconds: state.train_seconds,
            epochs: state.epoch,
            best_epoch: state.best_epoch,
            seed: config.seed,
            hardware: hardware(),
            backend: if state.backends.is_empty() {
                super::tryon_train_cmd::backend_description(&args.backend)
            } else {
                format!("burn 0.22.1 with autodiff (flex = pure-Rust CPU, tch = libtorch 2.9.0 CPU kernels): {}", state.backends.join("; "))
            },
            loss: "parser cross-entropy + L1 of the result inside the agnostic region + warp L1 (garment pixels and mask inside the true garment region)".into(),
            optimizer: format!("Adam, learning rate {} with cosine decay to {}x over {} epochs", config.learning_rate, config.final_lr_fraction, config.max_epochs),
            batch_size: config.batch_size,
            learning_rate: config.learning_rate,
            examples_per_second: (state.steps * config.batch_size) as f64 / state.train_seconds.max(1e-9),
            burn_version: "0.22.1".into(),
        },
        curves,
    };
    let card_path = args.models_dir.join(format!("{}.json", args.name));
    std::fs::write(&card_path, card.to_json() + "\n")?;
    eprintln!("wrote {} ({} bytes int8, {} f32) and {}", weights_path.display(), int8_bytes.len(), f32_bytes.len(), card_path.display());
    Ok(())
}

pub const PROTOCOL: &str = "Paired test split at 256×192: each test person is re-dressed in her own garment. The person image given to the model is the garment-agnostic image made by the model's own parser (garment and torso skin, grown by 4 px, greyed; hair, face, arms, trousers, legs and background kept), so copying the input cannot score. SSIM (Wang et al. 2004: 11×11 Gaussian σ 1.5, K1 0.01, K2 0.03, valid windows, mean over RGB), PSNR over the whole image, garment_psnr inside the true garment region (LIP label 5), parse_miou over 8 compact parts (background, hair, face, upper clothes, torso skin, arms, pants, legs+shoes), each averaged over all pairs. Baselines in the same run: the agnostic image unchanged, and the garment image pasted unwarped into the parser's garment region.";

/// Loss and validation curves: CSV in the run directory, PNG via scripts/plot_curves.py.
fn write_curves(work_dir: &Path, outcome: &TryOnOutcome, png: &Path) -> anyhow::Result<()> {
    let mut csv = String::from("step,epoch,parse,image,warp\n");
    for p in &outcome.state.losses {
        csv += &format!("{},{:.4},{:.6},{:.6},{:.6}\n", p.step, p.epoch, p.parse, p.image, p.warp);
    }
    let losses = work_dir.join("losses.csv");
    std::fs::write(&losses, csv)?;
    let mut val = String::from("epoch,ssim,psnr,garment_psnr,parse_miou\n");
    for v in &outcome.state.validation {
        val += &format!("{},{:.5},{:.3},{:.3},{:.4}\n", v.epoch, v.ssim, v.psnr, v.garment_psnr, v.parse_miou);
    }
    let validation = work_dir.join("validation.csv");
    std::fs::write(&validation, val)?;
    let status = std::process::Command::new("python3")
        .arg("scripts/plot_curves.py")
        .arg(&losses)
        .arg(&validation)
        .arg(png)
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        _ => {
            eprintln!("warning: could not plot {} (needs python3 + matplotlib); the CSVs are in {}", png.display(), work_dir.display());
            Ok(())
        }
    }
}
