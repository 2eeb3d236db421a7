//! `vitrine train`: data -> trained f32 model -> int8 weights + card, with
//! both precisions and the popularity baseline measured in the same run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use burn::prelude::*;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use vitrine::card::{DataInfo, MetricsInfo, ModelCard, TrainingInfo, WeightsInfo, CARD_FORMAT};
use vitrine::data::split::LeaveOneOut;
use vitrine::eval::evaluate::{evaluate, evaluate_popularity, popularity_scores};
use vitrine::infer::top_k;
use vitrine::model::SasRecConfig;
use vitrine::quantize::{quantize_int8, BLOCK};
use vitrine::train::{train, TrainConfig};
use vitrine::weights::{load_recommender, sha256_hex, to_bytes};

use super::input::DataArgs;

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Model name: writes MODELS_DIR/NAME.bpk and NAME.json.
    #[arg(long)]
    pub name: String,
    /// Human name of the data set, for the card.
    #[arg(long, default_value = "")]
    pub dataset: String,
    /// How the data was preprocessed, for the card (the filters above are recorded too).
    #[arg(long, default_value = "")]
    pub preprocessing: String,
    #[arg(long, default_value = "models")]
    pub models_dir: PathBuf,
    /// Checkpoints; a rerun with the same directory resumes. Default: runs/NAME.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    #[arg(long, default_value_t = 64)]
    pub d_model: usize,
    #[arg(long, default_value_t = 2)]
    pub layers: usize,
    #[arg(long, default_value_t = 2)]
    pub heads: usize,
    #[arg(long, default_value_t = 50)]
    pub max_len: usize,
    #[arg(long, default_value_t = 0.3)]
    pub dropout: f64,
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    #[arg(long, default_value_t = 128)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    #[arg(long, default_value_t = 10)]
    pub patience: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Published reference numbers to print in the card, e.g. `SASRec:hr@10=0.0605,ndcg@10=0.0318`. Repeatable.
    #[arg(long = "reference", value_name = "NAME:METRIC=V,...")]
    pub references: Vec<String>,
    /// The shop's catalog (JSON; CSV with id,title,price[,image,url,available];
    /// a Google Merchant Center TSV; a Shopify product CSV): checked against the
    /// trained items, and used to name the popular items in the log.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    #[arg(long, default_value = "GBP")]
    pub currency: String,
    /// How many popular items the card carries for shoppers with no history.
    #[arg(long, default_value_t = 100)]
    pub popular: usize,
}

fn parse_reference(text: &str) -> anyhow::Result<(String, BTreeMap<String, f64>)> {
    let (name, rest) = text.split_once(':').context("reference must be NAME:METRIC=V,...")?;
    let values = rest
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=').context("reference metric must be METRIC=V")?;
            Ok((k.to_string(), v.parse::<f64>()?))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok((name.to_string(), values))
}

pub fn hardware() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cpu}, {cores} cores, no GPU")
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let (data, log_stats) = args.data.load()?;
    let catalog = args.catalog.as_deref().map(|p| super::input::load_catalog(p, &args.currency)).transpose()?;
    eprintln!(
        "data: {} users, {} items, {} interactions",
        data.sequences.len(),
        data.vocab.len(),
        data.num_interactions()
    );
    let model_config = SasRecConfig::new(data.vocab.len())
        .with_d_model(args.d_model)
        .with_n_layers(args.layers)
        .with_n_heads(args.heads)
        .with_max_len(args.max_len)
        .with_dropout(args.dropout);
    let config = TrainConfig::new(model_config.clone())
        .with_max_epochs(args.epochs)
        .with_batch_size(args.batch_size)
        .with_learning_rate(args.lr)
        .with_patience(args.patience)
        .with_seed(args.seed);
    let work_dir = args.work_dir.clone().unwrap_or_else(|| PathBuf::from("runs").join(&args.name));

    let bar = ProgressBar::new(args.epochs as u64).with_style(
        ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg} [{elapsed_precise}]").expect("valid template"),
    );
    let started = Instant::now();
    let outcome = train(&data, &config, &work_dir, &mut |state, metrics| {
        bar.set_position(state.epoch as u64);
        let line = format!(
            "epoch {} loss {:.4} val ndcg@10 {:.4} hr@10 {:.4} (best {:.4} @ {}) {:.0}s",
            state.epoch,
            state.losses.last().copied().unwrap_or(f64::NAN),
            metrics.get("ndcg@10"),
            metrics.get("hr@10"),
            state.best_ndcg10,
            state.best_epoch,
            state.train_seconds
        );
        bar.set_message(line.clone());
        bar.suspend(|| eprintln!("{line}"));
    })?;
    bar.finish_and_clear();
    eprintln!("training done in {:.0}s (this process)", started.elapsed().as_secs_f64());

    let device = Device::flex();
    let mut f32_metrics = BTreeMap::new();
    let mut int8_metrics = BTreeMap::new();
    let mut popularity = BTreeMap::new();
    let f32_bytes = to_bytes(outcome.model.clone())?;
    let parameters = outcome.model.num_params();
    let int8_bytes = to_bytes(quantize_int8(outcome.model.clone()))?;
    // Measure int8 exactly as it ships: decoded from the bytes written to disk.
    let int8_model = load_recommender(&model_config, &int8_bytes, &device)?;
    for (name, split) in [("validation", LeaveOneOut::Validation), ("test", LeaveOneOut::Test)] {
        f32_metrics.insert(name.to_string(), evaluate(&outcome.model, &data, split, 256, &device));
        int8_metrics.insert(name.to_string(), evaluate(&int8_model, &data, split, 256, &device));
        popularity.insert(name.to_string(), evaluate_popularity(&data, split));
    }
    let change = int8_metrics["test"].get("ndcg@10") / f32_metrics["test"].get("ndcg@10") - 1.0;

    let popular: Vec<String> = top_k(&popularity_scores(&data), &[], args.popular)
        .into_iter()
        .filter_map(|(i, _)| data.vocab.id(i).map(str::to_string))
        .collect();
    let catalog_info = catalog.as_ref().map(|c| {
        let titles: std::collections::HashMap<&str, &str> = c.items.iter().map(|i| (i.id.as_str(), i.title.as_str())).collect();
        let covered = data.vocab.ids().iter().filter(|id| titles.contains_key(id.as_str())).count();
        eprintln!("catalog: {} of {} trained items have a catalog entry", covered, data.vocab.len());
        for id in popular.iter().take(5) {
            eprintln!("  popular: {id} {}", titles.get(id.as_str()).unwrap_or(&"(not in catalog)"));
        }
        serde_json::json!({ "file": args.catalog.as_ref().map(|p| p.display().to_string()), "items": c.items.len(), "trained_items_covered": covered })
    });

    std::fs::create_dir_all(&args.models_dir)?;
    let weights_path = args.models_dir.join(format!("{}.bpk", args.name));
    let card_path = args.models_dir.join(format!("{}.json", args.name));
    std::fs::write(&weights_path, &int8_bytes).with_context(|| format!("writing {}", weights_path.display()))?;

    let eval_command = format!("vitrine eval-recommender --model {} {}", weights_path.display(), args.data.as_flags());
    let state = &outcome.state;
    let card = ModelCard {
        format: CARD_FORMAT,
        name: args.name.clone(),
        task: "sequential next-item recommendation".into(),
        architecture: format!(
            "SASRec: {} pre-LN causal self-attention blocks, {} heads, d={}, FFN {} (GELU), max history {}, learned positions, output tied to item embeddings",
            args.layers, args.heads, args.d_model, args.d_model * 4, args.max_len
        ),
        config: model_config,
        weights: WeightsInfo {
            file: format!("{}.bpk", args.name),
            bytes: int8_bytes.len() as u64,
            sha256: sha256_hex(&int8_bytes),
            dtype: "int8".into(),
            quantization: format!(
                "symmetric int8 (burn Q8S), one f32 scale per block of {BLOCK} values along the last dimension, for every parameter whose last dimension is a multiple of {BLOCK}; dequantized to f32 once at load"
            ),
            parameters,
            f32_bytes: f32_bytes.len() as u64,
        },
        data: DataInfo {
            name: if args.dataset.is_empty() { args.name.clone() } else { args.dataset.clone() },
            source: args.data.source(),
            users: data.sequences.len(),
            items: data.vocab.len(),
            interactions: data.num_interactions(),
            preprocessing: args.preprocessing.clone(),
            event_log: log_stats.map(|s| serde_json::to_value(s).expect("stats serialise")),
            catalog: catalog_info,
        },
        protocol: "Leave-one-out by time: per user the last item is the test target and the one before it the validation target; \
                   training uses the rest (next-item targets at every position). Full ranking: each target is ranked against all items, \
                   the items in the user's input history excluded (S3-Rec protocol). HR@k and NDCG@k averaged over all users with at least 3 items. \
                   Model selection: best validation NDCG@10, early stopping with the patience given in the command."
            .into(),
        notes: None,
        metrics: MetricsInfo {
            f32: f32_metrics,
            int8: int8_metrics,
            popularity,
            int8_ndcg10_change: change,
            references: args.references.iter().map(|r| parse_reference(r)).collect::<anyhow::Result<_>>()?,
        },
        training: TrainingInfo {
            command: super::command_line(),
            eval_command,
            seconds: state.train_seconds,
            epochs: state.epoch,
            best_epoch: state.best_epoch,
            seed: args.seed,
            hardware: hardware(),
            backend: "burn 0.22.1 flex (CPU), autodiff".into(),
            loss: "full softmax cross-entropy over all items".into(),
            optimizer: "Adam (beta1 0.9, beta2 0.98)".into(),
            batch_size: args.batch_size,
            learning_rate: args.lr,
            examples_per_second: state.trained_targets as f64 / state.train_seconds.max(1e-9),
            burn_version: "0.22.1".into(),
        },
        popular,
        items: data.vocab.ids().to_vec(),
        bought_together: None,
    };
    std::fs::write(&card_path, card.to_json()).with_context(|| format!("writing {}", card_path.display()))?;
    println!(
        "{}",
        serde_json::json!({
            "model": weights_path.display().to_string(),
            "f32_test": card.metrics.f32["test"],
            "int8_test": card.metrics.int8["test"],
            "popularity_test": card.metrics.popularity["test"],
            "int8_ndcg10_change": change,
            "bytes": card.weights.bytes,
        })
    );
    Ok(())
}
