//! The model card: the contract between the trainer and every consumer of a
//! model. It says how to rebuild the network, which weights file belongs to
//! it (by sha256), the item vocabulary, the cold-start popular items, and how
//! the model was trained and measured, so anyone can rerun both.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::data::ItemVocab;
use crate::error::{Result, VitrineError};
use crate::eval::RankingMetrics;
use crate::model::SasRecConfig;

pub mod tryon;

pub use tryon::TryOnCard;

pub const CARD_FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelCard {
    pub format: u32,
    pub name: String,
    pub task: String,
    pub architecture: String,
    pub config: SasRecConfig,
    pub weights: WeightsInfo,
    pub data: DataInfo,
    pub protocol: String,
    /// What a reader must know to interpret the metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub metrics: MetricsInfo,
    pub training: TrainingInfo,
    /// How the trainer chose its own hyper-parameters on validation, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchRecord>,
    /// External ids of the most popular training items, most popular first:
    /// what a shopper with no history is shown.
    pub popular: Vec<String>,
    /// External item ids; model index `i` is `items[i - 1]` (0 is padding).
    pub items: Vec<String>,
    /// Co-purchase partners shipped beside the model (`vitrine bought-together`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bought_together: Option<SideFile>,
}

/// What the card records of the search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchRecord {
    /// Epochs each rung ends at.
    pub rungs: Vec<usize>,
    pub candidates: Vec<CandidateRecord>,
    pub winner: String,
    /// Wall time of the process that finished the search (a resumed search
    /// counts only its last process; each candidate's `train_seconds` counts all).
    pub seconds: f64,
    /// The time budget, and whether it cut the search short.
    pub budget_seconds: Option<f64>,
    pub stopped_by_budget: bool,
    pub rule: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CandidateRecord {
    pub name: String,
    /// Best validation NDCG@10 at the end of each rung it ran.
    pub validation_ndcg10: Vec<f64>,
    pub epochs: usize,
    /// Its training time over every process that trained it (validation
    /// passes excluded). Absent on cards written before 2026-12-05 10:30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_seconds: Option<f64>,
}

/// A file shipped beside the weights, checked by its sha256 like them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SideFile {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// How it was made: the exact command, and what it summarises.
    pub command: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WeightsInfo {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    pub dtype: String,
    pub quantization: String,
    pub parameters: usize,
    pub f32_bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DataInfo {
    pub name: String,
    pub source: String,
    pub users: usize,
    pub items: usize,
    pub interactions: usize,
    pub preprocessing: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_log: Option<serde_json::Value>,
    /// The catalog the trainer was given: file, size, how many trained items it names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricsInfo {
    /// Split name ("validation" / "test") -> metrics.
    pub f32: BTreeMap<String, RankingMetrics>,
    pub int8: BTreeMap<String, RankingMetrics>,
    /// The popularity baseline (training counts only), same protocol, same run.
    pub popularity: BTreeMap<String, RankingMetrics>,
    /// Relative NDCG@10 change of int8 against f32 on the test split.
    pub int8_ndcg10_change: f64,
    /// Published reference numbers for this split, for comparison.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub references: BTreeMap<String, BTreeMap<String, f64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrainingInfo {
    pub command: String,
    pub eval_command: String,
    /// Try-on cards: the same evaluation on the real-photo test split, when
    /// the model was trained with one (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_photos_eval_command: Option<String>,
    pub seconds: f64,
    pub epochs: usize,
    pub best_epoch: usize,
    pub seed: u64,
    pub hardware: String,
    pub backend: String,
    pub loss: String,
    pub optimizer: String,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// Recommenders: whether each training target was a sample of its own
    /// (prefix augmentation) rather than one pass over every position. Absent
    /// on try-on cards and on recommender cards written before the field was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_samples: Option<bool>,
    pub examples_per_second: f64,
    pub burn_version: String,
}

/// Parse a card of any kind; `what` names it in the error ("model card", "try-on card").
pub(crate) fn parse_card<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| VitrineError::InvalidCard(format!("not a Vitrine {what}: {e}")))
}

/// Checks every card shares: the format version and the weights digest.
pub(crate) fn check_common(format: u32, weights: &WeightsInfo) -> Result<()> {
    if format != CARD_FORMAT {
        return Err(VitrineError::InvalidCard(format!("card format {format} is not the supported format {CARD_FORMAT}")));
    }
    if weights.sha256.len() != 64 || !weights.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(VitrineError::InvalidCard("weights.sha256 is not a 64-digit hex digest".into()));
    }
    Ok(())
}

impl ModelCard {
    pub fn from_json(text: &str) -> Result<Self> {
        let card: ModelCard = parse_card(text, "model card")?;
        card.validate()?;
        Ok(card)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("cards always serialise")
    }

    /// Internal consistency: the vocabulary fits the network and is unique.
    pub fn validate(&self) -> Result<()> {
        check_common(self.format, &self.weights)?;
        if self.items.len() != self.config.num_items {
            return Err(VitrineError::InvalidCard(format!(
                "card lists {} items but the network has {}",
                self.items.len(),
                self.config.num_items
            )));
        }
        self.vocab().map(|_| ())
    }

    pub fn vocab(&self) -> Result<ItemVocab> {
        ItemVocab::from_ids(self.items.clone()).map_err(VitrineError::InvalidCard)
    }
}
