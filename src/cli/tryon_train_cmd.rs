//! `vitrine train-tryon`: a try-on folder → trained pipeline → int8 weights,
//! card and loss-curve plot. Rerunning the same command resumes from the
//! run directory; a finished run goes straight to evaluation and export.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vitrine::card::tryon::WarmStartInfo;
use vitrine::data::real_photos::{load_real_photos, validation_samples, RealPhoto, MIN_GARMENT_SHARE};
use vitrine::data::tryon::{load_pairs, read_pairs};
use vitrine::model::{TryOn, TryOnConfig};
use vitrine::train::tryon::{hold_out, load_run, train_tryon, TryOnTrainConfig, TryOnTrainingData};

use super::tryon_card::write_tryon_model;

#[derive(Args, Debug)]
pub struct TrainTryOnArgs {
    /// Training folder in the VITON layout (image/, cloth/, cloth-mask/, image-parse/, PAIRS).
    #[arg(long)]
    pub data: PathBuf,
    #[arg(long, default_value = "train_pairs.txt")]
    pub pairs: String,
    /// Paired test folder, evaluated once at the end for the card (optional).
    #[arg(long)]
    pub test_data: Option<PathBuf>,
    #[arg(long, default_value = "test_pairs.txt")]
    pub test_pairs: String,
    /// Real labelled photos without product images (the real-ccp layout:
    /// image/, image-parse/, a list file), mixed into every batch. Repeatable:
    /// validation photos are held out of the first folder only (the
    /// hand-labelled one); later folders (e.g. pseudo-labelled by `vitrine
    /// parse --out`) only add training photos.
    #[arg(long)]
    pub real_data: Vec<PathBuf>,
    /// Real test photos, evaluated once at the end for the card (optional).
    #[arg(long)]
    pub real_test_data: Option<PathBuf>,
    /// Real photos per batch (the rest are pairs).
    #[arg(long, default_value_t = 2)]
    pub real_per_batch: usize,
    /// Start a new run from a trained model (its card beside it): each network
    /// whose widths match is kept, the others start afresh.
    #[arg(long)]
    pub init_from: Option<PathBuf>,
    /// Model name: writes MODELS_DIR/NAME.bpk and NAME.json.
    #[arg(long)]
    pub name: String,
    #[arg(long, default_value = "models")]
    pub models_dir: PathBuf,
    /// Checkpoints; a rerun with the same directory resumes. Default: runs/NAME.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Use only the first N pairs (tests, quick experiments).
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, default_value_t = 256)]
    pub height: usize,
    #[arg(long, default_value_t = 192)]
    pub width: usize,
    #[arg(long, value_delimiter = ',', default_value = "16,32,64,96")]
    pub parser_widths: Vec<usize>,
    #[arg(long, value_delimiter = ',', default_value = "16,32,64,96,128")]
    pub warp_widths: Vec<usize>,
    #[arg(long, value_delimiter = ',', default_value = "16,32,64,128")]
    pub generator_widths: Vec<usize>,
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,
    #[arg(long, default_value_t = 4)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    /// The learning rate decays (cosine) to this fraction of --lr by the last epoch.
    #[arg(long, default_value_t = 0.05)]
    pub final_lr_fraction: f64,
    #[arg(long, default_value_t = 20)]
    pub validation_every: usize,
    #[arg(long, default_value_t = 100)]
    pub checkpoint_steps: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Do not train: export the run directory's best model so far (weights, card,
    /// curves), marked in the card as an interim export of the planned epochs.
    #[arg(long)]
    pub export_only: bool,
    /// Compute backend for training: flex (pure Rust, always there) or tch
    /// (libtorch CPU; only in a binary built with `--features tch`, see scripts/build-tch.sh).
    #[arg(long, default_value = "flex")]
    pub backend: String,
    /// Do not train: write a PNG of N real-photo training draws as the trainer
    /// sees them (photo, part labels, own-garment product image and its mask)
    /// to target/tryon/training-draws.png, and stop.
    #[arg(long)]
    pub preview_draws: Option<usize>,
    /// Validation garment coverage an epoch needs to be kept as the best (0 in tiny tests).
    #[arg(long, default_value_t = 0.95)]
    pub min_coverage: f64,
    /// The card's person check: a photo whose weakest person cue is below this
    /// is refused as "no person" (calibrate with `vitrine person-check` on
    /// training photos, never on the test split).
    #[arg(long, default_value_t = super::tryon_card::PERSON_THRESHOLD)]
    pub person_threshold: f32,
    /// Train the parser alone; the warp and generator keep their weights (from
    /// --init-from). Every labelled real photo is used (the own-garment task,
    /// which needs a visible garment, is not trained).
    #[arg(long)]
    pub parser_only: bool,
    /// Product photos (a pair's garment image, labelled all background) per
    /// batch, taken out of --batch-size: teaches the parser, and so the person
    /// check, that a garment alone is not a person.
    #[arg(long, default_value_t = 0)]
    pub product_photos_per_batch: usize,
    /// Parse each photo and its mirror image at inference and average them
    /// (written into the card; training is unchanged, so it may be switched
    /// on at export).
    #[arg(long)]
    pub parse_flip: bool,
    /// Batch norm after every parser convolution (the real-photo parser
    /// underfits without it). A warm start keeps the parser only when this matches.
    #[arg(long)]
    pub parser_batch_norm: bool,
    /// A full-resolution refiner of this many channels after the parser (it
    /// starts as the identity, so a warm start from a parser of the same
    /// widths loses nothing). Off when absent.
    #[arg(long)]
    pub parser_refine: Option<usize>,
    /// Also parse each photo enlarged by this factor at inference and average
    /// (multi-scale; written into the card, training unchanged, so it may be
    /// set at export). Off when absent.
    #[arg(long)]
    pub parse_zoom: Option<f64>,
    /// The scale at which the parser reads the photo, relative to the
    /// model's size (default 0.5, half resolution). Training and inference
    /// both use it; a warm start keeps the weights whatever the scale.
    #[arg(long)]
    pub parse_scale: Option<f64>,
}

pub fn run(args: TrainTryOnArgs) -> anyhow::Result<()> {
    let work_dir = args.work_dir.clone().unwrap_or_else(|| PathBuf::from("runs").join(&args.name));
    let model = TryOnConfig::new()
        .with_height(args.height)
        .with_width(args.width)
        .with_parser_widths(args.parser_widths.clone())
        .with_warp_widths(args.warp_widths.clone())
        .with_generator_widths(args.generator_widths.clone())
        .with_parse_flip(args.parse_flip.then_some(true))
        .with_parser_batch_norm(args.parser_batch_norm.then_some(true))
        .with_parser_refine(args.parser_refine)
        .with_parse_zoom(args.parse_zoom)
        .with_parse_scale(args.parse_scale);
    let config = TryOnTrainConfig::new(model)
        .with_max_epochs(args.epochs)
        .with_batch_size(args.batch_size)
        .with_learning_rate(args.lr)
        .with_final_lr_fraction(args.final_lr_fraction)
        .with_validation_every(args.validation_every)
        .with_checkpoint_steps(args.checkpoint_steps)
        .with_seed(args.seed)
        .with_min_coverage(args.min_coverage)
        .with_real_per_batch(args.real_per_batch)
        .with_parser_only(args.parser_only)
        .with_product_photos_per_batch(args.product_photos_per_batch);

    if let Some(n) = args.preview_draws {
        let dir = args.real_data.first().context("--preview-draws needs --real-data")?;
        return preview_draws(&real_training_photos(dir, args.limit, true)?, n, &args);
    }
    if args.export_only {
        // Only the split sizes are needed for the card: count pairs, decode no image.
        let mut pairs = read_pairs(&args.data.join(&args.pairs))?;
        pairs.truncate(args.limit.unwrap_or(pairs.len()));
        let (train, valid) = hold_out(pairs, args.validation_every);
        let outcome = load_run(&config, &work_dir)?;
        let (train_photos, valid_photos) = real_split(&args)?;
        let real_split = (train_photos.len(), valid_photos.len());
        return write_tryon_model(&args, &config, &work_dir, outcome, (train.len(), valid.len()), real_split);
    }
    eprintln!("reading {} ...", args.data.display());
    let samples = load_pairs(&args.data, &args.pairs, args.height, args.width, args.limit)
        .with_context(|| format!("loading {}", args.data.display()))?;
    anyhow::ensure!(samples.iter().all(|s| s.parts.is_some()), "every training person needs image-parse/ labels (label them first with `vitrine parse`)");
    let (train, valid) = hold_out(samples, args.validation_every);
    anyhow::ensure!(!train.is_empty() && !valid.is_empty(), "need at least {} pairs (validation takes every {}th)", args.validation_every, args.validation_every);
    eprintln!("{} training pairs, {} validation pairs; run directory {}", train.len(), valid.len(), work_dir.display());
    let (photos, valid_photos) = real_split(&args)?;
    let valid_real = validation_samples(&valid_photos, args.seed, args.height, args.width)?;
    if !args.real_data.is_empty() {
        eprintln!("{} real training photos, {} real validation photos", photos.len(), valid_real.len());
    }
    let warm_start = args.init_from.as_ref().map(|path| warm_start(path, &config.model)).transpose()?;

    let device = super::training_device(&args.backend)?;
    let data = TryOnTrainingData { pairs: &train, photos: &photos, valid_pairs: &valid, valid_photos: &valid_real };
    let outcome = train_tryon(&data, &config, warm_start, &work_dir, &super::command_line(), device, &args.backend, &mut |state, report| match report {
        None => {
            if let Some(p) = state.losses.last() {
                println!(
                    "step {:>6} epoch {:>6.2}  parse {:.4}  image {:.4}  warp {:.4}  ({:.2} s/step)",
                    p.step,
                    p.epoch,
                    p.parse,
                    p.image,
                    p.warp,
                    state.train_seconds / state.steps.max(1) as f64
                );
            }
        }
        Some(r) => {
            let real = state.validation.last().and_then(|v| Some((v.real_ssim?, v.real_parse_miou?)));
            println!(
                "epoch {} validation: ssim {:.4} psnr {:.2} garment_psnr {:.2} parse_miou {:.4} coverage {:.3} (agnostic ssim {:.4}, pasted ssim {:.4}){}",
                state.epoch,
                r.model.ssim,
                r.model.psnr,
                r.model.garment_psnr,
                r.parse_miou,
                r.garment_coverage,
                r.baseline_agnostic.ssim,
                r.baseline_pasted.ssim,
                real.map(|(ssim, miou)| format!("; real photos: ssim {ssim:.4} parse_miou {miou:.4}")).unwrap_or_default()
            )
        }
    })?;
    write_tryon_model(&args, &config, &work_dir, outcome, (train.len(), valid.len()), (photos.len(), valid_real.len()))
}

/// The real training and validation photos of `--real-data`: validation is
/// every `validation_every`th photo of the first folder; the other folders
/// train only.
fn real_split(args: &TrainTryOnArgs) -> anyhow::Result<(Vec<RealPhoto>, Vec<RealPhoto>)> {
    let mut folders = args.real_data.iter();
    let Some(first) = folders.next() else { return Ok((Vec::new(), Vec::new())) };
    let (mut train, valid) = hold_out(real_training_photos(first, args.limit, !args.parser_only)?, args.validation_every);
    for dir in folders {
        train.extend(real_training_photos(dir, args.limit, !args.parser_only)?);
    }
    Ok((train, valid))
}

/// The real photos that can train: labelled, and when `need_garment` (the
/// own-garment task) with enough upper garment (see `MIN_GARMENT_SHARE`).
fn real_training_photos(dir: &std::path::Path, limit: Option<usize>, need_garment: bool) -> anyhow::Result<Vec<RealPhoto>> {
    let photos = load_real_photos(dir, limit).with_context(|| format!("loading {}", dir.display()))?;
    let total = photos.len();
    if !need_garment {
        eprintln!("{}: {} photos", dir.display(), total);
        return Ok(photos);
    }
    let kept: Vec<RealPhoto> = photos.into_iter().filter(|p| p.garment_share() >= MIN_GARMENT_SHARE).collect();
    eprintln!("{}: {} of {} photos show enough upper garment (>= {:.0}% of the frame)", dir.display(), kept.len(), total, MIN_GARMENT_SHARE * 100.0);
    Ok(kept)
}

/// The model a new run starts from: `path` and its card, with the networks
/// whose widths differ from `config` initialised afresh, and the record of
/// where it came from for the new card.
fn warm_start(path: &std::path::Path, config: &TryOnConfig) -> anyhow::Result<(TryOn, WarmStartInfo)> {
    let (card, previous, _) = super::tryon_eval_cmd::load_tryon_model(path, None)?;
    anyhow::ensure!(card.config.size() == config.size(), "{} renders {:?}, this run {:?}", path.display(), card.config.size(), config.size());
    let (model, kept) = config.init_from(previous, &card.config, &burn::prelude::Device::flex());
    eprintln!("warm start from {}: keeping its {}", path.display(), if kept.is_empty() { "nothing".into() } else { kept.join(", ") });
    let earlier = card.warm_start.as_ref().map_or(0.0, |w| w.total_seconds);
    let origin = WarmStartInfo {
        model: path.display().to_string(),
        sha256: card.weights.sha256.clone(),
        kept: kept.iter().map(|k| k.to_string()).collect(),
        command: card.training.command.clone(),
        seconds: card.training.seconds,
        total_seconds: card.training.seconds + earlier,
        warm_start: card.warm_start.map(Box::new),
    };
    Ok((model, origin))
}

/// Rows of (photo, labels in false colour, product image, mask) for `n` draws
/// with the training's own seeding, so augmentation bugs can be seen.
fn preview_draws(photos: &[RealPhoto], n: usize, args: &TrainTryOnArgs) -> anyhow::Result<()> {
    use image::{Rgb, RgbImage};
    use rand::SeedableRng;
    let (h, w) = (args.height, args.width);
    let palette = [[0, 0, 0], [120, 60, 20], [250, 200, 160], [220, 30, 30], [250, 140, 90], [60, 160, 60], [40, 60, 200], [200, 200, 40]];
    let mut grid = RgbImage::from_pixel((4 * w + 12) as u32, (n * (h + 4)) as u32, Rgb([255, 255, 255]));
    for row in 0..n {
        let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed ^ row as u64);
        let sample = photos[row % photos.len()].training_sample(&mut rng, h, w)?;
        let labels: Vec<u8> = sample.parts.as_ref().expect("labelled").iter().flat_map(|&p| palette[p as usize % palette.len()]).collect();
        let mask: Vec<u8> = sample.garment_mask.data.iter().flat_map(|&m| [m, m, m]).collect();
        for (col, data) in [&sample.person.data, &labels, &sample.garment.data, &mask].into_iter().enumerate() {
            super::tryon_eval_cmd::blit(&mut grid, data, 3, col * (w + 4), row * (h + 4), w, h);
        }
    }
    let path = std::path::Path::new("target/tryon/training-draws.png");
    std::fs::create_dir_all(path.parent().expect("has a folder"))?;
    grid.save(path)?;
    eprintln!("wrote {n} training draws to {}", path.display());
    Ok(())
}
