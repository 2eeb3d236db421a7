//! `vitrine eval-tryon`: the test metrics of a shipped try-on model (one JSON
//! line, baselines included) and a PNG grid of unpaired renders to look at.
//! Two kinds of test folder: paired (synthetic-v1: each person re-dressed in
//! her own flat product image) and real photos without product images
//! (real-ccp: parsing against the real labels, and self-reconstruction with
//! the person's own garment, deformed with a fixed seed).

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::prelude::*;
use clap::Args;
use image::{Rgb, RgbImage};
use vitrine::card::TryOnCard;
use vitrine::data::garment_mask::garment_mask;
use vitrine::data::pixels::Pixels;
use vitrine::data::portrait::read_portrait;
use vitrine::data::real_photos::{is_real_layout, load_real_photos, real_test_samples};
use vitrine::data::tryon::{load_pairs, read_image, read_pairs};
use vitrine::engine::{BackendChoice, TryOnEngine};
use vitrine::eval::tryon::evaluate_tryon;
use vitrine::model::TryOn;
use vitrine::weights::{load_tryon, verify_sha256};

#[derive(Args, Debug)]
pub struct EvalTryOnArgs {
    /// The weights file; its card is the .json beside it unless --card is given.
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long)]
    pub card: Option<PathBuf>,
    /// Test folder: paired (VITON layout with image-parse/ labels) or real
    /// photos (image/, image-parse/, a list file; no cloth/).
    #[arg(long)]
    pub data: PathBuf,
    /// For real photos: the paired folder whose unpaired garments the grid's
    /// people wear.
    #[arg(long, default_value = "../shared/data/tryon/synthetic-v1/test")]
    pub garments: PathBuf,
    #[arg(long, default_value = "test_pairs.txt")]
    pub pairs: String,
    #[arg(long, default_value = "pairs_unpaired.txt")]
    pub unpaired: String,
    /// Where the PNG grid of unpaired renders goes.
    #[arg(long, default_value = "target/tryon/unpaired-grid.png")]
    pub grid: PathBuf,
    /// Unpaired rows in the grid.
    #[arg(long, default_value_t = 6)]
    pub grid_rows: usize,
    /// Extra people for the grid, dressed in the first unpaired garments (rendered even
    /// when the person check refuses them; the JSON line lists those).
    #[arg(long, default_values = ["www/demo/tryon/astronaut.jpg", "www/demo/tryon/grace-hopper.jpg"])]
    pub extra_person: Vec<PathBuf>,
    /// Evaluate only the first N pairs (quick checks).
    #[arg(long)]
    pub limit: Option<usize>,
}

pub fn load_tryon_model(model: &Path, card: Option<&PathBuf>) -> anyhow::Result<(TryOnCard, TryOn, Vec<u8>)> {
    let card_path = card.cloned().unwrap_or_else(|| model.with_extension("json"));
    let text = std::fs::read_to_string(&card_path).with_context(|| format!("reading {}", card_path.display()))?;
    let card = TryOnCard::from_json(&text).with_context(|| format!("loading {}", card_path.display()))?;
    let bytes = std::fs::read(model).with_context(|| format!("reading {}", model.display()))?;
    verify_sha256(&bytes, &card.weights.sha256).with_context(|| format!("checking {}", model.display()))?;
    let net = load_tryon(&card.config, &bytes, &Device::flex())?;
    Ok((card, net, bytes))
}

pub fn run(args: EvalTryOnArgs) -> anyhow::Result<()> {
    let (card, model, bytes) = load_tryon_model(&args.model, args.card.as_ref())?;
    let [h, w] = model.size();
    let real = is_real_layout(&args.data);
    let test = if real {
        real_test_samples(&args.data, h, w, args.limit)
    } else {
        load_pairs(&args.data, &args.pairs, h, w, args.limit)
    }
    .with_context(|| format!("loading {}", args.data.display()))?;
    anyhow::ensure!(test.iter().all(|s| s.parts.is_some()), "evaluation needs image-parse/ labels in {}", args.data.display());
    let report = evaluate_tryon(&model, &test, 4, &Device::flex());
    let mut out = serde_json::to_value(&report)?;
    out["model"] = args.model.display().to_string().into();
    out["task"] = if real { "real photos: parsing + self-reconstruction with the own garment" } else { "paired try-on" }.into();
    out["grid"] = args.grid.display().to_string().into();
    let rows = if real { real_grid_rows(&args, h, w)? } else { paired_grid_rows(&args, h, w)? };
    out["grid_refused_by_person_check"] = write_grid(&args, &card, bytes, rows, h, w)?.into();
    println!("{out}");
    Ok(())
}

type GridRow = (String, Pixels, Pixels);

/// The paired folder's unpaired test pairs, then the extra people in its first garments.
fn paired_grid_rows(args: &EvalTryOnArgs, h: usize, w: usize) -> anyhow::Result<Vec<GridRow>> {
    let unpaired = read_pairs(&args.data.join(&args.unpaired))?;
    let mut rows = Vec::new();
    for (person, garment) in unpaired.iter().take(args.grid_rows) {
        rows.push((
            person.clone(),
            read_image(&args.data.join("image").join(person), h, w, false)?,
            read_image(&args.data.join("cloth").join(garment), h, w, false)?,
        ));
    }
    extra_rows(args, &args.data, &unpaired, h, w, rows)
}

/// Real test people in catalog garments of `--garments`: each person twice,
/// the whole person (the widget's centred frame) and head to waist (a selfie
/// crop); then the extra people.
fn real_grid_rows(args: &EvalTryOnArgs, h: usize, w: usize) -> anyhow::Result<Vec<GridRow>> {
    let unpaired = read_pairs(&args.garments.join(&args.unpaired)).with_context(|| format!("garments for the grid from {}", args.garments.display()))?;
    let photos = load_real_photos(&args.data, Some(args.grid_rows.div_ceil(2)))?;
    let mut rows = Vec::new();
    for (i, photo) in photos.iter().enumerate() {
        let garment = |k: usize| read_image(&args.garments.join("cloth").join(&unpaired[k % unpaired.len()].1), h, w, false);
        rows.push((photo.name.clone(), photo.whole(h, w)?, garment(2 * i)?));
        rows.push((format!("{} (head to waist)", photo.name), photo.half_body(h, w)?, garment(2 * i + 1)?));
    }
    rows.truncate(args.grid_rows);
    extra_rows(args, &args.garments, &unpaired, h, w, rows)
}

fn extra_rows(args: &EvalTryOnArgs, garments: &Path, unpaired: &[(String, String)], h: usize, w: usize, mut rows: Vec<GridRow>) -> anyhow::Result<Vec<GridRow>> {
    for (i, path) in args.extra_person.iter().enumerate() {
        let (_, garment) = &unpaired[i % unpaired.len()];
        // Framed as the widget frames a photo (centred 3:4), not stretched.
        rows.push((path.display().to_string(), read_portrait(path, h, w)?, read_image(&garments.join("cloth").join(garment), h, w, false)?));
    }
    Ok(rows)
}

/// Rows of (person, garment, render): unpaired test pairs, then the extra people.
/// Rows the engine refused (e.g. "no person") are still rendered, with the
/// check bypassed, so the grid shows what the model makes of them; their
/// names and reasons are returned (and printed in the JSON line).
fn write_grid(args: &EvalTryOnArgs, card: &TryOnCard, bytes: Vec<u8>, rows: Vec<GridRow>, h: usize, w: usize) -> anyhow::Result<Vec<String>> {
    let engine = pollster::block_on(TryOnEngine::load(&card.to_json(), bytes, BackendChoice::Cpu))?;
    let mut grid = RgbImage::from_pixel((3 * w + 8) as u32, (rows.len() * (h + 4)) as u32, Rgb([255, 255, 255]));
    let mut refused = Vec::new();
    for (r, (name, person, garment)) in rows.iter().enumerate() {
        // The garment mask is computed from the product photo, as the catalog tooling does.
        let mask = garment_mask(garment)?;
        let render = match pollster::block_on(engine.render(person, garment, Some(&mask))) {
            Ok(render) => render.rgba,
            Err(e) => {
                refused.push(format!("{name}: {e}"));
                pollster::block_on(engine.render_unchecked(person, garment, Some(&mask)))?.rgba
            }
        };
        let y0 = r * (h + 4);
        for (col, px) in [(0usize, &person.data), (1, &garment.data)] {
            blit(&mut grid, px, 3, col * (w + 4), y0, w, h);
        }
        blit(&mut grid, &render, 4, 2 * (w + 4), y0, w, h);
    }
    if let Some(dir) = args.grid.parent() {
        std::fs::create_dir_all(dir)?;
    }
    grid.save(&args.grid).with_context(|| format!("writing {}", args.grid.display()))?;
    Ok(refused)
}

pub fn blit(grid: &mut RgbImage, data: &[u8], channels: usize, x0: usize, y0: usize, w: usize, h: usize) {
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) * channels;
            grid.put_pixel((x0 + x) as u32, (y0 + y) as u32, Rgb([data[i], data[i + 1], data[i + 2]]));
        }
    }
}
