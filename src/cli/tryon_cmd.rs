//! `vitrine try-on`: dress one photo in one garment natively (what the widget
//! does in the browser) and write the render as a PNG; prints one JSON line.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vitrine::data::pixels::Pixels;
use vitrine::data::tryon::read_image;
use vitrine::engine::{BackendChoice, TryOnEngine};

use super::tryon_eval_cmd::load_tryon_model;

#[derive(Args, Debug)]
pub struct TryOnArgs {
    /// The weights file; its card is the .json beside it unless --card is given.
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long)]
    pub card: Option<PathBuf>,
    /// The person's photo (any size; centre-cropped to the model's portrait frame).
    #[arg(long)]
    pub person: PathBuf,
    /// The product photo (plain background or transparent PNG).
    #[arg(long)]
    pub garment: PathBuf,
    #[arg(long, default_value = "try-on.png")]
    pub out: PathBuf,
    /// Render this many times and report the median time (a benchmark).
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
}

pub fn run(args: TryOnArgs) -> anyhow::Result<()> {
    let (card, _, bytes) = load_tryon_model(&args.model, args.card.as_ref())?;
    let engine = pollster::block_on(TryOnEngine::load(&card.to_json(), bytes, BackendChoice::Cpu))?;
    let [h, w] = engine.input_size();
    let person = read_image(&args.person, h, w, false)?;
    let garment = read_image(&args.garment, h, w, false)?;
    let mut times = Vec::new();
    let mut render = None;
    for _ in 0..args.repeat.max(1) {
        let started = std::time::Instant::now();
        render = Some(pollster::block_on(engine.render(&person, &garment, None)).with_context(|| format!("dressing {}", args.person.display()))?);
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let render = render.expect("at least one render");
    times.sort_by(f64::total_cmp);
    let median_ms = times[times.len() / 2];
    let png = Pixels::new(render.width, render.height, 4, render.rgba.clone())?;
    image::RgbaImage::from_raw(png.width as u32, png.height as u32, png.data)
        .context("render buffer")?
        .save(&args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("{}", serde_json::json!({ "out": args.out.display().to_string(), "person_confidence": render.person_confidence, "median_ms": median_ms, "renders": times.len() }));
    Ok(())
}
