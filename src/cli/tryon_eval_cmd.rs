//! `vitrine eval-tryon`: the paired test metrics of a shipped try-on model (one
//! JSON line, baselines included) and a PNG grid of unpaired renders to look at.

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::prelude::*;
use clap::Args;
use image::{Rgb, RgbImage};
use vitrine::card::TryOnCard;
use vitrine::data::garment_mask::garment_mask;
use vitrine::data::pixels::Pixels;
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
    /// Paired test folder (VITON layout with image-parse/ labels).
    #[arg(long)]
    pub data: PathBuf,
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
    #[arg(long, default_value = "www/demo/tryon/astronaut.jpg")]
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
    let test = load_pairs(&args.data, &args.pairs, h, w, args.limit).with_context(|| format!("loading {}", args.data.display()))?;
    anyhow::ensure!(test.iter().all(|s| s.parts.is_some()), "paired evaluation needs image-parse/ labels in {}", args.data.display());
    let report = evaluate_tryon(&model, &test, 4, &Device::flex());
    let mut out = serde_json::to_value(&report)?;
    out["model"] = args.model.display().to_string().into();
    out["grid"] = args.grid.display().to_string().into();
    out["grid_refused_by_person_check"] = write_grid(&args, &card, bytes, h, w)?.into();
    println!("{out}");
    Ok(())
}

/// Rows of (person, garment, render): unpaired test pairs, then the extra people.
/// Rows the engine refused (e.g. "no person") are still rendered, with the
/// check bypassed, so the grid shows what the model makes of them; their
/// names and reasons are returned (and printed in the JSON line).
fn write_grid(args: &EvalTryOnArgs, card: &TryOnCard, bytes: Vec<u8>, h: usize, w: usize) -> anyhow::Result<Vec<String>> {
    let engine = pollster::block_on(TryOnEngine::load(&card.to_json(), bytes, BackendChoice::Cpu))?;
    let unpaired = read_pairs(&args.data.join(&args.unpaired))?;
    let mut rows: Vec<(String, Pixels, Pixels)> = Vec::new();
    for (person, garment) in unpaired.iter().take(args.grid_rows) {
        rows.push((
            person.clone(),
            read_image(&args.data.join("image").join(person), h, w, false)?,
            read_image(&args.data.join("cloth").join(garment), h, w, false)?,
        ));
    }
    for (i, path) in args.extra_person.iter().enumerate() {
        let (_, garment) = &unpaired[i % unpaired.len()];
        rows.push((path.display().to_string(), read_image(path, h, w, false)?, read_image(&args.data.join("cloth").join(garment), h, w, false)?));
    }
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

fn blit(grid: &mut RgbImage, data: &[u8], channels: usize, x0: usize, y0: usize, w: usize, h: usize) {
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) * channels;
            grid.put_pixel((x0 + x) as u32, (y0 + y) as u32, Rgb([data[i], data[i + 1], data[i + 2]]));
        }
    }
}
