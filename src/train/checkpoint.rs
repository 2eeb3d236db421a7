//! Checkpoints: after every epoch the model, the optimizer state and a small
//! JSON state are written; the best model so far is kept beside them. A run
//! started again with the same directory resumes where it stopped.

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::module::Module;
use burn::optim::{ModuleOptimizer, OptimizerRecord};
use burn::prelude::*;
use burn::store::ModuleRecord;
use serde::de::DeserializeOwned;
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

    /// Model, optimizer, then the state: the state is written last because it
    /// is what marks the checkpoint complete.
    pub fn save<M: Module, S: Serialize>(&self, model: &M, optim: &ModuleOptimizer, state: &S) -> anyhow::Result<()> {
        self.write("last.bpk", &crate::weights::to_bytes(model.clone())?)?;
        self.write("optim.bpk", &optim.to_record().into_bytes()?.to_vec())?;
        self.write("state.json", serde_json::to_string_pretty(state)?.as_bytes())
    }

    pub fn save_best<M: Module>(&self, model: &M) -> anyhow::Result<()> {
        self.write("best.bpk", &crate::weights::to_bytes(model.clone())?)
    }

    pub fn load_best(&self, config: &SasRecConfig, device: &Device) -> anyhow::Result<SasRec> {
        let bytes = std::fs::read(self.path("best.bpk")).context("reading best.bpk")?;
        Ok(crate::weights::load_recommender(config, &bytes, device)?)
    }

    /// The state of the last complete checkpoint, if there is one.
    pub fn state<S: DeserializeOwned>(&self) -> anyhow::Result<Option<S>> {
        let path = self.path("state.json");
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)?;
        Ok(Some(serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?))
    }

    /// Load the last checkpoint's weights into a freshly initialised module.
    pub fn load_last<M: Module>(&self, fresh: M) -> anyhow::Result<M> {
        let record = ModuleRecord::load(self.path("last.bpk")).context("reading last.bpk")?;
        Ok(fresh.try_load_record(record)?)
    }

    /// Load the last checkpoint's optimizer state (Adam moments).
    pub fn load_optim(&self, optim: ModuleOptimizer) -> anyhow::Result<ModuleOptimizer> {
        Ok(optim.load_record(OptimizerRecord::load(self.path("optim.bpk")).context("reading optim.bpk")?))
    }

    /// Write any extra file of the run (e.g. the loss log) atomically.
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.write(name, bytes)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.path(name)
    }

    /// The model, optimizer and state of the last completed epoch, if any.
    pub fn resume(&self, config: &TrainConfig, device: &Device) -> anyhow::Result<Option<(SasRec, ModuleOptimizer, TrainState)>> {
        let Some(state) = self.state::<TrainState>()? else { return Ok(None) };
        let model = self.load_last(config.model.init(device))?;
        let optim = self.load_optim(config.adam().init())?;
        Ok(Some((model, optim, state)))
    }
}
