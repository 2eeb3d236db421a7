//! `vitrine eval-recommender`: check a shipped model against its card.

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::*;
use clap::{Args, ValueEnum};
use vitrine::card::ModelCard;
use vitrine::data::split::LeaveOneOut;
use vitrine::eval::evaluate::evaluate;
use vitrine::weights::{load_recommender, verify_sha256};

use super::input::DataArgs;

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Split {
    Validation,
    Test,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The weights file; its card is the .json beside it unless --card is given.
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long)]
    pub card: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long, value_enum, default_value = "test")]
    pub split: Split,
}

/// Read a card and its weights, refusing weights the card does not describe.
pub fn load_model(model: &PathBuf, card: Option<&PathBuf>) -> anyhow::Result<(ModelCard, vitrine::model::SasRec)> {
    let card_path = card.cloned().unwrap_or_else(|| model.with_extension("json"));
    let card = ModelCard::from_json(
        &std::fs::read_to_string(&card_path).with_context(|| format!("reading {}", card_path.display()))?,
    )
    .with_context(|| format!("loading {}", card_path.display()))?;
    let bytes = std::fs::read(model).with_context(|| format!("reading {}", model.display()))?;
    verify_sha256(&bytes, &card.weights.sha256).with_context(|| format!("checking {}", model.display()))?;
    let net = load_recommender(&card.config, &bytes, &Device::flex())?;
    Ok((card, net))
}

pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    let (card, model) = load_model(&args.model, args.card.as_ref())?;
    let (data, _) = args.data.load()?;
    let (data, dropped) = data.remap(&card.vocab()?);
    let split = match args.split {
        Split::Validation => LeaveOneOut::Validation,
        Split::Test => LeaveOneOut::Test,
    };
    let metrics = evaluate(&model, &data, split, 256, &Device::flex());
    let mut out = serde_json::to_value(&metrics)?;
    out["model"] = args.model.display().to_string().into();
    out["split"] = format!("{:?}", args.split).to_lowercase().into();
    out["unknown_items_dropped"] = dropped.into();
    println!("{out}");
    Ok(())
}
