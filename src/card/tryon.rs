//! The try-on model card: how to rebuild the pipeline, which weights belong
//! to it, the person-confidence threshold the engine applies, and how it was
//! trained and measured (with the commands to redo both).

use serde::{Deserialize, Serialize};

use super::{check_common, parse_card, TrainingInfo, WeightsInfo};
use crate::error::{Result, VitrineError};
use crate::model::TryOnConfig;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TryOnCard {
    pub format: u32,
    pub name: String,
    pub task: String,
    pub architecture: String,
    pub config: TryOnConfig,
    pub weights: WeightsInfo,
    pub data: TryOnDataInfo,
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Below this share of confidently parsed body pixels a photo is refused
    /// as "no person" (see `engine::tryon`).
    pub person_threshold: f32,
    /// `eval-tryon` output for the f32 and the shipped int8 weights (test split),
    /// and the validation curve.
    pub metrics: serde_json::Value,
    pub training: TrainingInfo,
    /// Loss and validation curves, PNG beside the card.
    pub curves: String,
    /// The trained model this run started from, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_start: Option<WarmStartInfo>,
}

/// Where a warm-started run came from: enough to find the starting weights
/// (their digest, in the repository's history) and to count every hour of
/// training that went into the shipped model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WarmStartInfo {
    pub model: String,
    pub sha256: String,
    /// Networks carried over (the rest started afresh).
    pub kept: Vec<String>,
    pub command: String,
    pub seconds: f64,
    /// Training seconds of this model and every model before it.
    pub total_seconds: f64,
    /// The starting model's own start, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_start: Option<Box<WarmStartInfo>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TryOnDataInfo {
    pub name: String,
    pub source: String,
    pub train_pairs: usize,
    pub validation_pairs: usize,
    pub test_pairs: usize,
    pub resolution: String,
    pub preprocessing: String,
    /// Real labelled photos mixed into training, when there were any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real: Option<RealDataInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RealDataInfo {
    pub name: String,
    /// Origin, licence and the citation its authors ask for.
    pub source: String,
    pub train_photos: usize,
    pub validation_photos: usize,
    pub test_photos: usize,
    pub preprocessing: String,
}

impl TryOnCard {
    pub fn from_json(text: &str) -> Result<Self> {
        let card: TryOnCard = parse_card(text, "try-on card")?;
        card.validate()?;
        Ok(card)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("cards always serialise")
    }

    pub fn validate(&self) -> Result<()> {
        check_common(self.format, &self.weights)?;
        if self.task != "virtual-try-on" {
            return Err(VitrineError::InvalidCard(format!("card is for task {:?}, not virtual-try-on", self.task)));
        }
        let c = &self.config;
        let divisible = |widths: &Vec<usize>, scale: usize| {
            !widths.is_empty() && c.height % (scale << (widths.len() - 1)) == 0 && c.width % (scale << (widths.len() - 1)) == 0
        };
        if !(divisible(&c.parser_widths, 2) && divisible(&c.warp_widths, 4) && divisible(&c.generator_widths, 2)) {
            return Err(VitrineError::InvalidCard(format!("image size {}×{} does not fit the networks' depths", c.width, c.height)));
        }
        // The enlarged pass and the parser's own scale allocate their square times the parser's
        // memory: a damaged or hostile card must not ask for gigabytes.
        within("parse_zoom", c.parse_zoom, 0.5, 2.0)?;
        within("parse_scale", c.parse_scale, 0.25, 1.0)
    }
}

/// An optional config value, when present, is finite and in `min..=max`.
fn within(name: &str, value: Option<f64>, min: f64, max: f64) -> Result<()> {
    match value {
        Some(v) if !(v.is_finite() && (min..=max).contains(&v)) => Err(VitrineError::InvalidCard(format!("config.{name} {v} is outside {min}–{max}"))),
        _ => Ok(()),
    }
}
