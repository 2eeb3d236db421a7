//! After try-on training: int8 export, test evaluation of both precisions,
//! loss curves and the card.

use std::path::Path;

use anyhow::Context;
use burn::module::Module;
use vitrine::card::{TrainingInfo, TryOnCard, WeightsInfo, CARD_FORMAT};
use vitrine::card::tryon::{RealDataInfo, TryOnDataInfo};
use vitrine::data::real_photos::{real_test_samples, MIN_GARMENT_SHARE, TEST_SEED};
use vitrine::data::tryon::{load_pairs, TryOnSample};
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
    (train_pairs, validation_pairs): (usize, usize),
    (train_photos, validation_photos): (usize, usize),
) -> anyhow::Result<()> {
    let device = burn::prelude::Device::flex();
    let f32_bytes = to_bytes(outcome.model.clone())?;
    let int8_bytes = to_bytes(quantize_int8(outcome.model.clone()))?;
    let int8_model = load_tryon(&config.model, &int8_bytes, &device)?;

    let mut metrics = serde_json::json!({ "validation": outcome.state.validation });
    // Both precisions on a test set, under keys `{prefix}test_f32` / `{prefix}test_int8`.
    let mut measure = |prefix: &str, test: &[TryOnSample]| -> anyhow::Result<()> {
        let f32_report = evaluate_tryon(&outcome.model, test, 4, &device);
        let int8_report = evaluate_tryon(&int8_model, test, 4, &device);
        println!("{prefix}test f32:  {}", serde_json::to_string(&f32_report)?);
        println!("{prefix}test int8: {}", serde_json::to_string(&int8_report)?);
        metrics[format!("{prefix}int8_ssim_change")] = serde_json::json!(int8_report.model.ssim - f32_report.model.ssim);
        metrics[format!("{prefix}int8_miou_change")] = serde_json::json!(int8_report.parse_miou - f32_report.parse_miou);
        metrics[format!("{prefix}test_f32")] = serde_json::to_value(&f32_report)?;
        metrics[format!("{prefix}test_int8")] = serde_json::to_value(&int8_report)?;
        Ok(())
    };
    let mut test_pairs = 0;
    if let Some(test_dir) = &args.test_data {
        let test = load_pairs(test_dir, &args.test_pairs, args.height, args.width, args.limit)
            .with_context(|| format!("loading {}", test_dir.display()))?;
        test_pairs = test.len();
        measure("", &test)?;
    }
    let mut test_photos = 0;
    if let Some(real_dir) = &args.real_test_data {
        let test = real_test_samples(real_dir, args.height, args.width, args.limit).with_context(|| format!("loading {}", real_dir.display()))?;
        test_photos = test.len();
        measure("real_", &test)?;
    }

    std::fs::create_dir_all(&args.models_dir)?;
    let weights_path = args.models_dir.join(format!("{}.bpk", args.name));
    std::fs::write(&weights_path, &int8_bytes).with_context(|| format!("writing {}", weights_path.display()))?;
    let curves = format!("{}.curves.png", args.name);
    write_curves(work_dir, &outcome, &args.models_dir.join(&curves))?;

    let state = &outcome.state;
    let eval_on = |data: &std::path::Path| {
        format!("vitrine eval-tryon --model {} --data {}", shell_quote(&weights_path.display().to_string()), shell_quote(&data.display().to_string()))
    };
    let eval_command = eval_on(args.test_data.as_deref().unwrap_or(std::path::Path::new("TEST_DIR")));
    let real_photos_eval_command = args.real_test_data.as_deref().map(eval_on);
    let card = TryOnCard {
        format: CARD_FORMAT,
        name: args.name.clone(),
        task: "virtual-try-on".into(),
        architecture: architecture(&config.model),
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
            real: (!args.real_data.is_empty()).then(|| RealDataInfo {
                name: args.real_data.iter().map(|dir| dir.display().to_string()).collect::<Vec<_>>().join(" + "),
                source: REAL_SOURCE.into(),
                train_photos,
                validation_photos,
                test_photos,
                preprocessing: format!(
                    "{}; validation = every {}th remaining photo (centred 3:4 frame, own garment deformed with seed {} XOR its index); training draws: a random 3:4 frame (70 %: the whole person zoomed in up to 20 % anywhere; 30 %: head to waist, 45-65 % of the person's height), bilinear to {}×{} (labels nearest), brightness / contrast 0.75-1.25, saturation 0.7-1.3, red and blue gain 0.93-1.07, Gaussian blur σ 0.3-1.2 in 30 %, JPEG quality 30-90 in 30 %, horizontal flip in 50 %; then the own garment (below); {} real photos, {} pairs and {} product photos (a training pair's garment image, all pixels labelled background) in each batch of {}",
                    if config.parser_only {
                        "every labelled photo is used (the parser is trained alone)".to_string()
                    } else {
                        format!("photos whose upper garment (LIP 5, 6, 7) covers < {:.0}% of the photo are left out", MIN_GARMENT_SHARE * 100.0)
                    },
                    args.validation_every,
                    args.seed,
                    args.width,
                    args.height,
                    config.real_per_batch,
                    config.batch_size - config.real_per_batch - config.product_photos_per_batch,
                    config.product_photos_per_batch,
                    config.batch_size
                ) + &pseudo_labelled_folders(&args.real_data[1.min(args.real_data.len())..]),
            }),
        },
        protocol: if !args.real_data.is_empty() { format!("{PROTOCOL} {}", real_protocol()) } else { PROTOCOL.into() },
        notes: (args.export_only && state.epoch < config.max_epochs).then(|| {
            format!(
                "Interim export: the best of the first {} epochs (epoch {}) of a run planned for {}; the run goes on (rerun the training command to resume it). Training segments: {}.",
                state.epoch,
                state.best_epoch,
                config.max_epochs,
                state.backends.join("; ")
            )
        }),
        person_threshold: args.person_threshold,
        metrics,
        training: TrainingInfo {
            command: if state.command.is_empty() { command_line() } else { state.command.clone() },
            eval_command,
            real_photos_eval_command,
            seconds: state.train_seconds,
            epochs: state.epoch,
            best_epoch: state.best_epoch,
            seed: config.seed,
            hardware: hardware(),
            backend: if state.backends.is_empty() {
                super::backend_description(&args.backend)
            } else {
                format!("burn 0.22.1 with autodiff (flex = pure-Rust CPU, tch = libtorch 2.9.0 CPU kernels): {}", state.backends.join("; "))
            },
            loss: match (config.parser_only, !args.real_data.is_empty()) {
                (true, _) => PARSER_ONLY_LOSS.into(),
                (false, true) => format!("{LOSS} {REAL_LOSS}"),
                (false, false) => LOSS.into(),
            },
            optimizer: format!("Adam, learning rate {} with cosine decay to {}x over {} epochs", config.learning_rate, config.final_lr_fraction, config.max_epochs),
            batch_size: config.batch_size,
            learning_rate: config.learning_rate,
            prefix_samples: None,
            examples_per_second: (state.steps * config.batch_size) as f64 / state.train_seconds.max(1e-9),
            burn_version: "0.22.1".into(),
        },
        curves,
        warm_start: state.warm_start.clone(),
    };
    let card_path = args.models_dir.join(format!("{}.json", args.name));
    std::fs::write(&card_path, card.to_json() + "\n")?;
    eprintln!("wrote {} ({} bytes int8, {} f32) and {}", weights_path.display(), int8_bytes.len(), f32_bytes.len(), card_path.display());
    Ok(())
}

pub const LOSS: &str = "parser loss (pixel cross-entropy on the logits upsampled to full resolution, plus soft Dice: 1 - mean over the 8 parts of (2·Σp·y + 1) / (Σp + Σy + 1), sums over the batch) + L1 of the result inside the agnostic region + warp L1 (garment pixels and mask inside the true garment region), summed with equal weights, on every sample of the batch.";

pub const PARSER_ONLY_LOSS: &str = "parser only: pixel cross-entropy on the logits upsampled to full resolution, plus soft Dice (1 - mean over the 8 parts of (2·Σp·y + 1) / (Σp + Σy + 1), sums over the batch), on every sample of the batch (pairs and real photos alike); the warp and generator are not trained in this run and keep the weights of the warm start (see warm_start for how they were trained).";

pub const REAL_LOSS: &str = "On a real photo the same three terms are used, with its own upper garment as the product image: the pixels labelled upper clothes, dress or coat, cut out onto white and deformed (scale 0.85-1.1, rotation ±10°, shear ±0.1, shift ±10 % of the frame, then a sideways sine displacement of 0-4 px with a 60-120 px wavelength; bilinear over garment pixels only, colours kept) — so the warp must undo the deformation and the generator must rebuild the photo (its skin, light and background) inside the agnostic region from the true labels.";

pub const REAL_SOURCE: &str = "real-ccp: street-fashion photos from Clothing Co-Parsing (Wei Yang, Ping Luo, Liang Lin, \"Clothing Co-Parsing by Joint Image Segmentation and Labeling\", CVPR 2014; repository bearpaw/clothing-co-parsing, which declares the Apache-2.0 licence; the photos' original source is not stated), resized to 384 px high with CCP labels mapped to LIP ids and skin split by MediaPipe Pose (../shared/data/tryon/real-ccp/README.md)";

pub fn real_protocol() -> String {
    format!("Real photos (real-ccp/test, 100 photos never used in training): each photo in the widget's centred 3:4 frame at 256×192 (labels nearest neighbour); parse_iou per compact part and parse_miou over the 8 parts against the real labels; self-reconstruction: the person's own upper garment, deformed as in training with the seed {TEST_SEED} + the photo's index in test.txt, is the product image, and ssim / psnr / garment_psnr compare the render (agnostic region from the model's own parser) with the photo; both baselines as above, same run.")
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

/// What the card says of the `--real-data` folders after the first: they add
/// training photos only, and a folder written by `vitrine parse --out` says
/// in its parse.json how its labels were made.
fn pseudo_labelled_folders(folders: &[std::path::PathBuf]) -> String {
    folders
        .iter()
        .map(|dir| {
            let how = std::fs::read_to_string(dir.join("parse.json")).map(|text| format!(" (its parse.json: {})", text.split_whitespace().collect::<Vec<_>>().join(" "))).unwrap_or_default();
            format!("; {} adds training photos only{how}", dir.display())
        })
        .collect()
}

/// The card's `architecture`: the whole pipeline as the config runs it.
pub fn architecture(c: &vitrine::model::TryOnConfig) -> String {
    format!(
        "{} → agnostic mask → moment alignment + flow U-Net (¼ res, grid_sample at full res) → generator U-Net (½ res) with composition mask and shading gain",
        parser_description(c)
    )
}

/// The parser as the card's config runs it: its scale, its refiner and the
/// inference passes whose mean logits decide the parts.
pub fn parser_description(c: &vitrine::model::TryOnConfig) -> String {
    let scale = c.parse_scale.unwrap_or(vitrine::model::tryon::DEFAULT_PARSE_SCALE);
    let mut passes = vec!["the photo".to_string()];
    if c.parse_flip == Some(true) {
        passes.push("its mirror image".into());
    }
    if let Some(zoom) = c.parse_zoom.filter(|&z| z != 1.0) {
        passes.push(format!("{} enlarged {zoom}×", if c.parse_flip == Some(true) { "both" } else { "the photo" }));
    }
    let refiner = c.parser_refine.map(|w| format!(", then refined once by a full-resolution {w}-channel refiner")).unwrap_or_default();
    format!("parser U-Net ({scale:.2} res, edge-padded to its depth; inference: mean logits of {}{refiner})", passes.join(", "))
}
