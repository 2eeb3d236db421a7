//! `vitrine parse`: label people with a trained try-on model's parser.
//!
//! * A folder in the try-on layout (a merchant's training folder with photos
//!   but no part labels): writes `image-parse/P.png` (LIP ids, as the trainer
//!   reads them) for every person in the pairs file that has none yet.
//! * A folder in the real-photo layout (`image/` and a list file, e.g.
//!   real-ccp/unlabelled) with `--out DIR`: pseudo-labels for self-training.
//!   Each photo is parsed through the 3:4 frames that cover it (see
//!   `data::pseudo_labels`), pixels below `--min-confidence` are written as
//!   255 (unlabelled: the trainer's loss skips them), photos with more than
//!   `--max-unlabelled` of such pixels are left out, and DIR becomes a
//!   real-layout folder (`image/`, `image-parse/`, `DIR-NAME.txt`) that
//!   `train-tryon --real-data` reads, with `parse.json` saying how it was made.

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::prelude::*;
use clap::Args;
use vitrine::data::pixels::planes_to_tensor;
use vitrine::data::portrait::{crop_photo, read_rgb};
use vitrine::data::pseudo_labels::{covering_frames, ProbabilitySum};
use vitrine::data::real_photos::{is_real_layout, photo_names, stem};
use vitrine::data::tryon::{read_image, read_pairs};
use vitrine::model::tryon::parts::{lip_of_part, UNLABELLED};
use vitrine::card::TryOnCard;
use vitrine::model::TryOn;
use vitrine::VitrineError;

use super::tryon_card::parser_description;
use super::tryon_eval_cmd::load_tryon_model;

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// The try-on weights whose parser labels the photos; its card is the .json beside it.
    #[arg(long)]
    pub model: PathBuf,
    /// Folder in the try-on layout (image/ and the pairs file), or in the
    /// real-photo layout (image/ and one list file; needs --out).
    #[arg(long)]
    pub data: PathBuf,
    #[arg(long, default_value = "train_pairs.txt")]
    pub pairs: String,
    /// Relabel people that already have labels.
    #[arg(long)]
    pub overwrite: bool,
    /// Real-photo layout: the folder to write (photos copied, labels, list, parse.json).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Real-photo layout: a pixel whose most likely part has a lower mean
    /// probability is left unlabelled (255).
    #[arg(long, default_value_t = 0.0)]
    pub min_confidence: f64,
    /// Real-photo layout: photos with a larger share of unlabelled pixels are left out.
    #[arg(long, default_value_t = 1.0)]
    pub max_unlabelled: f64,
}

pub fn run(args: ParseArgs) -> anyhow::Result<()> {
    let (card, model, _) = load_tryon_model(&args.model, None)?;
    if is_real_layout(&args.data) {
        let out = args.out.as_ref().ok_or_else(|| {
            VitrineError::InvalidRequest(format!("{} is a real-photo folder: its labels go into a new folder, give --out DIR", args.data.display()))
        })?;
        return pseudo_label(&args, &model, &card, out);
    }
    let [h, w] = model.size();
    let device = Device::flex();
    let out_dir = args.data.join("image-parse");
    std::fs::create_dir_all(&out_dir)?;
    let (mut written, mut kept) = (0usize, 0usize);
    for (person, _) in read_pairs(&args.data.join(&args.pairs))? {
        let out = out_dir.join(format!("{}.png", stem(&person)));
        if out.exists() && !args.overwrite {
            kept += 1;
            continue;
        }
        let photo = read_image(&args.data.join("image").join(&person), h, w, false)?;
        let input = planes_to_tensor(vec![photo.rgb_planes()], 3, h, w, &device);
        let parts = model.parse(&input).argmax(1);
        let ids: Vec<i64> = parts.into_data().convert::<i64>().try_into_vec::<i64>().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let lip: Vec<u8> = ids.iter().map(|&p| lip_of_part(p as usize)).collect();
        save_labels(&out, w, h, lip)?;
        written += 1;
    }
    println!("{}", serde_json::json!({ "labelled": written, "already_labelled": kept, "dir": out_dir.display().to_string() }));
    Ok(())
}

fn save_labels(path: &Path, width: usize, height: usize, lip: Vec<u8>) -> anyhow::Result<()> {
    image::GrayImage::from_raw(width as u32, height as u32, lip)
        .context("label buffer")?
        .save(path)
        .with_context(|| format!("writing {}", path.display()))
}

fn pseudo_label(args: &ParseArgs, model: &TryOn, card: &TryOnCard, out: &Path) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.min_confidence) || !(0.0..=1.0).contains(&args.max_unlabelled) {
        return Err(VitrineError::InvalidRequest("--min-confidence and --max-unlabelled are between 0 and 1".into()).into());
    }
    let [h, w] = model.size();
    let device = Device::flex();
    std::fs::create_dir_all(out.join("image"))?;
    std::fs::create_dir_all(out.join("image-parse"))?;
    let names = photo_names(&args.data)?;
    let progress = indicatif::ProgressBar::new(names.len() as u64);
    let (mut kept, mut unlabelled_pixels, mut pixels) = (Vec::new(), 0usize, 0usize);
    for name in &names {
        progress.inc(1);
        let source = args.data.join("image").join(name);
        let photo = read_rgb(&source).with_context(|| format!("reading {}", source.display()))?;
        let mut sum = ProbabilitySum::new(photo.width, photo.height);
        for frame in covering_frames(photo.width, photo.height, w as f32 / h as f32) {
            let framed = crop_photo(&photo, frame, w, h)?;
            let input = planes_to_tensor(vec![framed.rgb_planes()], 3, h, w, &device);
            let planes: Vec<f32> = model.parse(&input).into_data().convert::<f32>().try_into_vec::<f32>().map_err(|e| anyhow::anyhow!("{e:?}"))?;
            sum.add_frame(frame, &planes, w, h);
        }
        let labels = sum.lip_labels(args.min_confidence as f32);
        let unsure = labels.iter().filter(|&&l| l == UNLABELLED).count();
        if unsure as f64 > args.max_unlabelled * labels.len() as f64 {
            continue;
        }
        save_labels(&out.join("image-parse").join(format!("{}.png", stem(name))), photo.width, photo.height, labels)?;
        std::fs::copy(&source, out.join("image").join(name)).with_context(|| format!("copying {}", source.display()))?;
        unlabelled_pixels += unsure;
        pixels += photo.width * photo.height;
        kept.push(name.clone());
    }
    progress.finish_and_clear();
    let folder = out.file_name().context("--out needs a folder name")?.to_string_lossy().to_string();
    std::fs::write(out.join(format!("{folder}.txt")), kept.iter().map(|n| format!("{n}\n")).collect::<String>())?;
    let summary = serde_json::json!({
        "source": args.data.display().to_string(),
        "model": args.model.display().to_string(),
        "model_sha256": card.weights.sha256,
        "method": format!("{}, over the 3:4 frames covering each photo (averaged where they overlap); pixels below {} mean probability left unlabelled (255); photos with more than {:.0} % unlabelled left out", parser_description(&card.config), args.min_confidence, args.max_unlabelled * 100.0),
        "min_confidence": args.min_confidence,
        "max_unlabelled": args.max_unlabelled,
        "photos": names.len(),
        "kept": kept.len(),
        "unlabelled_share": unlabelled_pixels as f64 / pixels.max(1) as f64,
    });
    std::fs::write(out.join("parse.json"), serde_json::to_string_pretty(&summary)?)?;
    println!("{summary}");
    Ok(())
}
