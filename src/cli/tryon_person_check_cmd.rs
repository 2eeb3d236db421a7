//! `vitrine person-check`: how often the fitting room's person check accepts
//! real people and refuses images without one, with the card's threshold and
//! the engine's own code path. Prints one JSON line.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::json;
use vitrine::data::pixels::Pixels;
use vitrine::data::portrait::read_portrait;
use vitrine::data::real_photos::photo_names;
use vitrine::engine::{weakest, BackendChoice, TryOnEngine};

use super::tryon_eval_cmd::load_tryon_model;

#[derive(Args, Debug)]
pub struct PersonCheckArgs {
    /// The weights file; its card is the .json beside it.
    #[arg(long)]
    pub model: PathBuf,
    /// Photos that show a person: a folder in the real-photo layout (its list
    /// file names the photos in image/), or image files.
    #[arg(long, required = true)]
    pub people: Vec<PathBuf>,
    /// Images without a person: folders (every .jpg / .png in them) or files.
    /// Blank and noise images are always added (--generated of each).
    #[arg(long)]
    pub not_people: Vec<PathBuf>,
    /// How many blank (one colour) and how many noise images to add.
    #[arg(long, default_value_t = 10)]
    pub generated: usize,
    /// Judge with this threshold instead of the card's (to calibrate one on
    /// training photos before writing it into a card).
    #[arg(long)]
    pub threshold: Option<f32>,
}

/// The value at each share `q` of the sorted values (nearest rank).
fn quantiles(values: impl IntoIterator<Item = f32>, shares: &[f64]) -> Vec<f32> {
    let mut sorted: Vec<f32> = values.into_iter().collect();
    sorted.sort_by(f32::total_cmp);
    shares.iter().map(|q| sorted.get(((q * sorted.len() as f64).ceil() as usize).saturating_sub(1)).copied().unwrap_or(f32::NAN)).collect()
}

fn images_in(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    if path.join("image").is_dir() {
        return Ok(photo_names(path)?.iter().map(|name| path.join("image").join(name)).collect());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| ["jpg", "jpeg", "png"].contains(&x.to_string_lossy().to_lowercase().as_str())))
        .collect();
    files.sort();
    Ok(files)
}

/// `count` one-colour frames and `count` uniform-noise frames, from a fixed seed.
fn generated_images(count: usize, height: usize, width: usize) -> Vec<(String, Pixels)> {
    let mut rng = StdRng::seed_from_u64(99);
    let mut out = Vec::new();
    for i in 0..count {
        let colour = [rng.random_range(0..=255u8), rng.random_range(0..=255u8), rng.random_range(0..=255u8)];
        let data = colour.iter().copied().cycle().take(width * height * 3).collect();
        out.push((format!("blank {i} {colour:?}"), Pixels::new(width, height, 3, data).expect("sized")));
    }
    for i in 0..count {
        let data = (0..width * height * 3).map(|_| rng.random_range(0..=255u8)).collect();
        out.push((format!("noise {i}"), Pixels::new(width, height, 3, data).expect("sized")));
    }
    out
}

const LOW_SHARES: [f64; 5] = [0.01, 0.02, 0.05, 0.1, 0.5];
const HIGH_SHARES: [f64; 5] = [0.5, 0.9, 0.95, 0.98, 0.99];

pub fn run(args: PersonCheckArgs) -> anyhow::Result<()> {
    let (card, _, bytes) = load_tryon_model(&args.model, None)?;
    let [h, w] = card.config.size();
    let engine = pollster::block_on(TryOnEngine::load(&card.to_json(), bytes, BackendChoice::Cpu))?;
    // Each image's three cues (face, torso, body confidence); its confidence is the weakest.
    let mut cues: [Vec<f32>; 6] = Default::default();
    let mut confidence = |image: &Pixels, person: bool| -> anyhow::Result<f32> {
        let c = pollster::block_on(engine.person_cues(image))?;
        for (k, v) in c.iter().enumerate() {
            cues[k + if person { 0 } else { 3 }].push(*v);
        }
        Ok(weakest(c))
    };
    let threshold = args.threshold.unwrap_or(card.person_threshold);

    let (mut people, mut others) = (Vec::new(), Vec::new());
    for (paths, person, judged) in [(&args.people, true, &mut people), (&args.not_people, false, &mut others)] {
        for path in paths {
            for file in images_in(path).with_context(|| format!("listing {}", path.display()))? {
                let c = confidence(&read_portrait(&file, h, w).with_context(|| format!("reading {}", file.display()))?, person)?;
                judged.push((file.display().to_string(), c));
            }
        }
    }
    for (name, image) in generated_images(args.generated, h, w) {
        others.push((name, confidence(&image, false)?));
    }
    anyhow::ensure!(!people.is_empty(), "no photos of people found");
    let refused_people: Vec<_> = people.iter().filter(|(_, c)| *c < threshold).map(|(n, c)| format!("{n} ({c:.3})")).collect();
    let accepted_others: Vec<_> = others.iter().filter(|(_, c)| *c >= threshold).map(|(n, c)| format!("{n} ({c:.3})")).collect();
    let out = json!({
        "model": args.model.display().to_string(),
        "threshold": threshold,
        "people": people.len(),
        "people_accepted": people.len() - refused_people.len(),
        "accept_rate": (people.len() - refused_people.len()) as f64 / people.len() as f64,
        "not_people": others.len(),
        "not_people_refused": others.len() - accepted_others.len(),
        "refuse_rate": (others.len() - accepted_others.len()) as f64 / others.len().max(1) as f64,
        "people_confidence_at": {"shares": LOW_SHARES, "values": quantiles(people.iter().map(|(_, c)| *c), &LOW_SHARES)},
        "not_people_confidence_at": {"shares": HIGH_SHARES, "values": quantiles(others.iter().map(|(_, c)| *c), &HIGH_SHARES)},
        "cues_at": {
            "people": {"shares": LOW_SHARES, "face": quantiles(cues[0].iter().copied(), &LOW_SHARES), "torso": quantiles(cues[1].iter().copied(), &LOW_SHARES), "body": quantiles(cues[2].iter().copied(), &LOW_SHARES)},
            "not_people": {"shares": HIGH_SHARES, "face": quantiles(cues[3].iter().copied(), &HIGH_SHARES), "torso": quantiles(cues[4].iter().copied(), &HIGH_SHARES), "body": quantiles(cues[5].iter().copied(), &HIGH_SHARES)},
        },
        "refused_people": refused_people,
        "accepted_not_people": accepted_others,
    });
    println!("{out}");
    Ok(())
}
