//! Checkpoints: after every epoch the model, the optimizer state and a small
//! JSON state are written; the best model so far is kept beside them. A run
//! started again with the same directory resumes where it stopped.

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::module::Module;
use burn::optim::{ModuleOptimizer, OptimizerRecord};
use burn::prelude::*;
use burn::store::ModuleRecord;
use serde::{Deserialize, Serialize};

use super::TrainConfig;
use crate::model::{SasRec, SasRecConfig};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrainState {
    pub epoch: usize,
    pub best_epoch: usize,
    pub best_ndcg10: f64,
    pub evals_without_gain: usize,
    pub train_seconds: f64,
    pub trained_targets: usize,
    pub losses: Vec<f64>,
    pub validation_ndcg10: Vec<f64>,
}

pub struct Checkpoint {
    dir: PathBuf,
}

impl Checkpoint {
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Write atomically (temp file + rename) so a kill mid-write never leaves
    /// a half checkpoint behind.
    fn write(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir).with_context(|| format!("creating {}", self.dir.display()))?;
        let tmp = self.path(&format!("{name}.tmp"));
        std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, self.path(name)).with_context(|| format!("renaming {}", tmp.display()))?;
        Ok(())
    }

    pub fn save(&self, model: &SasRec, optim: &ModuleOptimizer, state: &TrainState) -> anyhow::Result<()> {
        self.write("last.bpk", &crate::weights::to_bytes(model.clone())?)?;
        self.write("optim.bpk", &optim.to_record().into_bytes()?.to_vec())?;
        // The state goes last: it is what marks the checkpoint complete.
        self.write("state.json", serde_json::to_string_pretty(state)?.as_bytes())
    }

    pub fn save_best(&self, model: &SasRec) -> anyhow::Result<()> {
        self.write("best.bpk", &crate::weights::to_bytes(model.clone())?)
    }

    pub fn load_best(&self, config: &SasRecConfig, device: &Device) -> anyhow::Result<SasRec> {
        let bytes = std::fs::read(self.path("best.bpk")).context("reading best.bpk")?;
        Ok(crate::weights::load_recommender(config, &bytes, device)?)
    }

    /// The model, optimizer and state of the last completed epoch, if any.
    pub fn resume(&self, config: &TrainConfig, device: &Device) -> anyhow::Result<Option<(SasRec, ModuleOptimizer, TrainState)>> {
        let state_path = self.path("state.json");
        if !state_path.exists() {
            return Ok(None);
        }
        let state: TrainState = serde_json::from_str(&std::fs::read_to_string(&state_path)?)
            .with_context(|| format!("reading {}", state_path.display()))?;
        let record = ModuleRecord::load(self.path("last.bpk")).context("reading last.bpk")?;
        let model = config.model.init(device).try_load_record(record)?;
        let optim = burn::optim::AdamConfig::new()
            .with_beta_2(0.98)
            .init()
            .load_record(OptimizerRecord::load(self.path("optim.bpk")).context("reading optim.bpk")?);
        Ok(Some((model, optim, state)))
    }
}
