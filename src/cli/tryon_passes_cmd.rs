//! `vitrine tryon-passes`: change a trained try-on model's inference passes
//! (the parser's mirrored and enlarged passes) and measure them again. No
//! training: the weights file is unchanged, only its card. The new passes
//! are measured on the real validation photos (the trainer's hold-out) and
//! on both test sets with the shipped int8 weights; the card keeps the
//! previous passes' figures under `metrics.previous_passes`, so it says what
//! changed and by how much. The f32 weights are not shipped (models/ holds
//! int8 only), so the f32 rows of the new passes cannot be measured from
//! models/: the card says so rather than copy them.

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::*;
use clap::Args;
use vitrine::data::real_photos::{load_real_photos, real_test_samples, validation_samples};
use vitrine::data::tryon::{load_pairs, TryOnSample};
use vitrine::eval::tryon::evaluate_tryon;
use vitrine::model::{TryOn, TryOnConfig};
use vitrine::train::tryon::hold_out;
use vitrine::weights::load_tryon;

use super::command_line;
use super::tryon_card::{architecture, parser_description};
use super::tryon_eval_cmd::load_tryon_model;

#[derive(Args, Debug)]
pub struct TryOnPassesArgs {
    /// The weights file; its card (the .json beside it) is rewritten.
    #[arg(long)]
    pub model: PathBuf,
    /// Parse the mirror image too (true / false); the card's setting when not given.
    #[arg(long)]
    pub parse_flip: Option<bool>,
    /// Also parse the photo enlarged by this factor (1 = no enlarged pass); the card's setting when not given.
    #[arg(long)]
    pub parse_zoom: Option<f64>,
    /// Paired test folder (synthetic-v1/test).
    #[arg(long)]
    pub test_data: PathBuf,
    #[arg(long, default_value = "test_pairs.txt")]
    pub test_pairs: String,
    /// Real labelled test photos (real-ccp/test).
    #[arg(long)]
    pub real_test_data: PathBuf,
    /// The real training folder whose hold-out chose the passes (real-ccp/train):
    /// every `--validation-every`th photo, framed and seeded as the trainer's validation.
    #[arg(long)]
    pub real_validation_data: PathBuf,
    #[arg(long, default_value_t = 20)]
    pub validation_every: usize,
    /// The training seed (the validation photos' own-garment deformation).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

pub fn run(args: TryOnPassesArgs) -> anyhow::Result<()> {
    let card_path = args.model.with_extension("json");
    let (mut card, _, bytes) = load_tryon_model(&args.model, None)?;
    let previous = card.config.clone();
    let mut config = previous.clone();
    if let Some(flip) = args.parse_flip {
        config.parse_flip = Some(flip);
    }
    if let Some(zoom) = args.parse_zoom {
        config.parse_zoom = (zoom != 1.0).then_some(zoom);
    }
    card.config = config.clone();
    card.validate().context("the new passes")?;

    let [h, w] = config.size();
    let device = Device::flex();
    let (_, valid_photos) = hold_out(load_real_photos(&args.real_validation_data, None)?, args.validation_every);
    let validation = validation_samples(&valid_photos, args.seed, h, w)?;
    let test = load_pairs(&args.test_data, &args.test_pairs, h, w, None).with_context(|| format!("loading {}", args.test_data.display()))?;
    let real_test = real_test_samples(&args.real_test_data, h, w, None).with_context(|| format!("loading {}", args.real_test_data.display()))?;
    // The same weights under each config: the configs differ only in inference passes.
    let (old_model, new_model) = (load_tryon(&previous, &bytes, &device)?, load_tryon(&config, &bytes, &device)?);
    let measure = |model: &TryOn, samples: &[TryOnSample]| -> anyhow::Result<serde_json::Value> {
        Ok(serde_json::to_value(evaluate_tryon(model, samples, 4, &device))?)
    };
    let old_validation = measure(&old_model, &validation)?;
    let new_validation = measure(&new_model, &validation)?;
    eprintln!(
        "real validation ({} photos) parse_miou: {:.4} with the previous passes, {:.4} with the new",
        validation.len(),
        old_validation["parse_miou"].as_f64().unwrap_or(f64::NAN),
        new_validation["parse_miou"].as_f64().unwrap_or(f64::NAN)
    );

    let metrics = card.metrics.as_object_mut().context("the card's metrics are not an object")?;
    let mut kept = serde_json::Map::new();
    kept.insert("passes".into(), parser_description(&previous).into());
    kept.insert("real_validation_int8".into(), old_validation);
    for key in ["test_f32", "test_int8", "real_test_f32", "real_test_int8", "int8_ssim_change", "int8_miou_change", "real_int8_ssim_change", "real_int8_miou_change", "previous_passes"] {
        if let Some(value) = metrics.remove(key) {
            kept.insert(key.into(), value);
        }
    }
    metrics.insert("real_validation_int8".into(), new_validation);
    metrics.insert("test_int8".into(), measure(&new_model, &test)?);
    metrics.insert("real_test_int8".into(), measure(&new_model, &real_test)?);
    metrics.insert("previous_passes".into(), kept.into());
    println!("test int8: {}", metrics["test_int8"]);
    println!("real test int8: {}", metrics["real_test_int8"]);

    card.architecture = architecture(&config);
    let note = format!(
        "Inference passes changed without retraining (the weights are unchanged) by `{}`: the int8 rows of metrics (test_int8, real_test_int8, real_validation_int8 on {} held-out real training photos) are measured with the new passes; the f32 weights are not shipped, so f32 rows of the new passes are not measured, and every figure of the previous passes ({}) is kept under metrics.previous_passes.",
        command_line(),
        validation.len(),
        previous_passes_in_words(&previous)
    );
    card.notes = Some(match card.notes.take() {
        Some(earlier) => format!("{earlier} {note}"),
        None => note,
    });
    std::fs::write(&card_path, card.to_json() + "\n").with_context(|| format!("writing {}", card_path.display()))?;
    eprintln!("wrote {}", card_path.display());
    Ok(())
}

fn previous_passes_in_words(c: &TryOnConfig) -> String {
    format!("mirror {}, enlarged {}", if c.parse_flip == Some(true) { "on" } else { "off" }, c.parse_zoom.map(|z| format!("{z}×")).unwrap_or_else(|| "off".into()))
}
