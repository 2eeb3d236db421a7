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
use vitrine::model::recommender::FrequencyConfig;
use vitrine::model::SasRecConfig;
use vitrine::quantize::{quantize_int8, BLOCK};
use vitrine::eval::RankingMetrics;
use vitrine::train::checkpoint::TrainState;
use vitrine::train::search::{planned_epochs, successive_halving, Candidate};
use vitrine::train::{defaults, train, TrainConfig};
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
    /// The sequence encoder: `bsarec` (attention beside a frequency filter) or `sasrec` (attention only).
    #[arg(long, value_enum, default_value_t = Encoder::Bsarec)]
    pub encoder: Encoder,
    #[arg(long, default_value_t = 64)]
    pub d_model: usize,
    #[arg(long, default_value_t = 2)]
    pub layers: usize,
    #[arg(long, default_value_t = 1)]
    pub heads: usize,
    #[arg(long, default_value_t = 50)]
    pub max_len: usize,
    /// Dropout on embeddings, attention and every sub-layer. Giving it (or
    /// --alpha) turns the search off; the other one then takes its default.
    #[arg(long)]
    pub dropout: Option<f64>,
    /// BSARec's α: weight of the frequency path (attention gets 1 − α); see --dropout.
    #[arg(long)]
    pub alpha: Option<f64>,
    // Help built from train::defaults, so the numbers it shows cannot drift.
    #[arg(long, help = format!("Use the default dropout ({}) and α ({}) without searching", defaults::DROPOUT, defaults::ALPHA))]
    pub no_search: bool,
    /// Time the search may take (minutes; default: no limit). Checked before
    /// each candidate's rung; when it runs out, the best latest validation
    /// score among the candidates still in the race wins, so the result then
    /// depends on the machine's speed.
    #[arg(long)]
    pub search_minutes: Option<f64>,
    /// BSARec's c: the low-pass keeps the c/2 + 1 lowest frequencies of a history.
    #[arg(long, default_value_t = 5)]
    pub cutoff: usize,
    /// What the low-pass is taken over: `window` (the --max-len positions
    /// ending at each one, missing ones zero, as BSARec's code filters its
    /// padded window) or `prefix` (each history's own items only: a history
    /// of up to c items passes unfiltered; the filter of cards made before
    /// 2026-12-05). On Beauty the window tracks the official BSARec log
    /// (validation NDCG@10 0.0646 at epoch 10 against its 0.0648 and the
    /// prefix filter's 0.0602).
    #[arg(long, value_enum, default_value_t = FilterSpan::Window)]
    pub filter_span: FilterSpan,
    /// Train every position of a sequence in one pass (the same targets in
    /// about half the time) instead of the default prefix augmentation, where
    /// each target is a sample of its own with its history right-aligned as at
    /// inference, as the published recipes train (BSARec, its successors).
    #[arg(long)]
    pub all_positions: bool,
    /// Accepted so that older commands still run: prefix augmentation is now the default.
    #[arg(long, hide = true, conflicts_with = "all_positions")]
    pub prefix_samples: bool,
    #[arg(long, default_value_t = defaults::MAX_EPOCHS)]
    pub epochs: usize,
    /// Samples per step (with --all-positions: sequences, each contributing
    /// one target per position). 256 and the learning rate below are BSARec's
    /// published Beauty recipe.
    #[arg(long, default_value_t = defaults::BATCH_SIZE)]
    pub batch_size: usize,
    #[arg(long, default_value_t = defaults::LEARNING_RATE)]
    pub lr: f64,
    #[arg(long, default_value_t = defaults::PATIENCE)]
    pub patience: usize,
    /// Adam's β2: 0.999, as BSARec's published runs (the default before
    /// 2026-12-05 was SASRec's 0.98, which lagged that recipe on Beauty).
    #[arg(long, default_value_t = defaults::ADAM_BETA2)]
    pub adam_beta2: f64,
    /// Stop training after the epoch in which the model's training time passes
    /// this many minutes (its search epochs included); the best epoch so far
    /// is kept and the card says where it stopped.
    #[arg(long)]
    pub max_minutes: Option<f64>,
    #[arg(long, default_value_t = defaults::SEED)]
    pub seed: u64,
    /// Compute backend for training: flex (pure Rust, in every build) or tch
    /// (libtorch CPU; only in a binary built by scripts/build-tch.sh).
    #[arg(long, default_value = "flex")]
    pub backend: String,
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

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterSpan {
    Window,
    Prefix,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoder {
    Bsarec,
    Sasrec,
}

/// Epochs after which the search keeps the better α at each dropout; the two
/// dropouts then train to their early stop and the better one is the model
/// (a short rung favours low dropout for learning faster: see train::search).
const ALPHA_RUNG_EPOCHS: usize = 5;

/// The settings the search tries. Dropout, because the right amount depends
/// on how sparse the data is (0.5 suits the sparse Amazon sets the published
/// recipes were tuned on, denser logs want less); α, because how much the
/// frequency filter should weigh against attention is what BSARec's own
/// sensitivity study shows to vary most between data sets. Size, length and
/// learning rate stay at the published recipe's values. Each dropout is a
/// group: α is chosen within it after a short rung, the dropouts only at
/// their early stop.
fn search_candidates(settings: &dyn Fn(f64, f64) -> TrainConfig, encoder: Encoder) -> Vec<Candidate> {
    let alphas: &[f64] = if encoder == Encoder::Bsarec { &[defaults::ALPHA, 0.3] } else { &[defaults::ALPHA] };
    let mut candidates = Vec::new();
    for &dropout in &[defaults::DROPOUT, 0.2] {
        for &alpha in alphas {
            let name = if encoder == Encoder::Bsarec { format!("dropout{dropout}-alpha{alpha}") } else { format!("dropout{dropout}") };
            candidates.push(Candidate { name, group: format!("dropout{dropout}"), config: settings(dropout, alpha) });
        }
    }
    candidates
}

fn epoch_bar(len: u64) -> ProgressBar {
    ProgressBar::new(len).with_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed_precise}]").expect("valid template"))
}

/// One log line per epoch, printed above the progress bar.
fn report_epoch(bar: &ProgressBar, label: &str, state: &TrainState, metrics: &RankingMetrics) {
    let line = format!(
        "{label} {} loss {:.4} val ndcg@10 {:.4} hr@10 {:.4} (best {:.4} @ {}) {:.0}s",
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
}

/// The card's note when `--max-minutes` ended training before early stopping did.
fn stopped_by_time(config: &TrainConfig, state: &TrainState) -> Option<String> {
    let limit = config.max_train_seconds?;
    let stopped = state.train_seconds >= limit && state.epoch < config.max_epochs && state.evals_without_gain < config.patience;
    stopped.then(|| {
        format!(
            "Stopped by --max-minutes {:.1} after epoch {} ({:.0} s of training), before early stopping: {} epochs without a better validation NDCG@10 (patience {}).",
            limit / 60.0,
            state.epoch,
            state.train_seconds,
            state.evals_without_gain,
            config.patience
        )
    })
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
    let settings = |dropout: f64, alpha: f64| {
        let model = SasRecConfig::new(data.vocab.len())
            .with_d_model(args.d_model)
            .with_n_layers(args.layers)
            .with_n_heads(args.heads)
            .with_max_len(args.max_len)
            .with_dropout(dropout)
            .with_frequency((args.encoder == Encoder::Bsarec).then(|| {
                let window = (args.filter_span == FilterSpan::Window).then_some(args.max_len);
                FrequencyConfig::new().with_alpha(alpha).with_cutoff(args.cutoff).with_window(window)
            }));
        TrainConfig::new(model)
            .with_prefix_samples(!args.all_positions)
            .with_max_epochs(args.epochs)
            .with_batch_size(args.batch_size)
            .with_learning_rate(args.lr)
            .with_adam_beta2(args.adam_beta2)
            .with_patience(args.patience)
            .with_seed(args.seed)
            .with_max_train_seconds(args.max_minutes.map(|m| m * 60.0))
    };
    let work_dir = args.work_dir.clone().unwrap_or_else(|| PathBuf::from("runs").join(&args.name));
    let device = super::training_device(&args.backend)?;
    let started = Instant::now();

    let searching = !args.no_search && args.dropout.is_none() && args.alpha.is_none();
    let (config, run_dir, search) = if searching {
        let candidates = search_candidates(&settings, args.encoder);
        let names: Vec<&str> = candidates.iter().map(|c| c.name.as_str()).collect();
        let limit = args.search_minutes.map_or(String::new(), |m| format!(", up to {m} min"));
        eprintln!("no hyper-parameters given: choosing among {} on validation{limit} (--no-search skips)", names.join(", "));
        // SASRec's candidates differ in dropout alone: they race from the start.
        // A run shorter than the first rung searches within its own epochs.
        let first: &[usize] = if args.encoder == Encoder::Bsarec { &[ALPHA_RUNG_EPOCHS] } else { &[] };
        let mut rungs: Vec<usize> = first.iter().chain([&args.epochs]).map(|&r| r.min(args.epochs)).collect();
        rungs.dedup();
        let bar = epoch_bar(planned_epochs(&candidates, &rungs) as u64);
        let mut done = 0u64;
        let (winner, record) = successive_halving(&data, &candidates, &rungs, args.search_minutes.map(|m| m * 60.0), &work_dir.join("search"), &device, &mut |name, state, metrics| {
            done += 1;
            bar.set_position(done);
            report_epoch(&bar, &format!("search {name}"), state, metrics);
        })?;
        bar.finish_and_clear();
        eprintln!("search: {} wins ({:.0}s)", record.winner, record.seconds);
        let dir = work_dir.join("search").join(&record.winner);
        (candidates[winner].config.clone(), dir, Some(record))
    } else {
        (settings(args.dropout.unwrap_or(defaults::DROPOUT), args.alpha.unwrap_or(defaults::ALPHA)), work_dir.clone(), None)
    };
    let model_config = config.model.clone();

    let bar = epoch_bar(args.epochs as u64);
    let outcome = train(&data, &config, &run_dir, device, &mut |state, metrics| {
        bar.set_position(state.epoch as u64);
        report_epoch(&bar, "epoch", state, metrics);
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
        architecture: model_config.describe(),
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
        protocol: format!("Leave-one-out by time: per user the last item is the test target and the one before it the validation target; \
                   training uses the rest ({}). Full ranking: each target is ranked against all items, \
                   the items in the user's input history excluded (S3-Rec protocol). HR@k and NDCG@k averaged over all users with at least 3 items. \
                   Model selection: best validation NDCG@10, early stopping with the patience given in the command.",
            if !config.prefix_samples { "next-item targets at every position" } else { "one sample per target among each user's most recent max-history training items, its history the items before it: prefix augmentation" }),
        notes: stopped_by_time(&config, &state),
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
            real_photos_eval_command: None,
            seconds: state.train_seconds,
            epochs: state.epoch,
            best_epoch: state.best_epoch,
            seed: args.seed,
            hardware: hardware(),
            backend: super::backend_description(&args.backend),
            loss: "full softmax cross-entropy over all items".into(),
            optimizer: format!("Adam (beta1 0.9, beta2 {})", config.adam_beta2),
            batch_size: config.batch_size,
            learning_rate: config.learning_rate,
            prefix_samples: Some(config.prefix_samples),
            examples_per_second: state.trained_targets as f64 / state.train_seconds.max(1e-9),
            burn_version: "0.22.1".into(),
        },
        search,
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
