//! `vitrine parse`: label people with a trained try-on model's parser, for a
//! merchant's training folder that has photos but no part labels. Writes
//! `image-parse/P.png` (LIP ids, as the trainer reads them) for every person
//! in the pairs file that has none yet.

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::*;
use clap::Args;
use vitrine::data::pixels::planes_to_tensor;
use vitrine::data::tryon::{read_image, read_pairs};
use vitrine::model::tryon::parts::lip_of_part;

use super::tryon_eval_cmd::load_tryon_model;

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// The try-on weights whose parser labels the photos; its card is the .json beside it.
    #[arg(long)]
    pub model: PathBuf,
    /// Folder in the try-on layout (image/ and the pairs file are needed).
    #[arg(long)]
    pub data: PathBuf,
    #[arg(long, default_value = "train_pairs.txt")]
    pub pairs: String,
    /// Relabel people that already have labels.
    #[arg(long)]
    pub overwrite: bool,
}

pub fn run(args: ParseArgs) -> anyhow::Result<()> {
    let (_, model, _) = load_tryon_model(&args.model, None)?;
    let [h, w] = model.size();
    let device = Device::flex();
    let out_dir = args.data.join("image-parse");
    std::fs::create_dir_all(&out_dir)?;
    let (mut written, mut kept) = (0usize, 0usize);
    for (person, _) in read_pairs(&args.data.join(&args.pairs))? {
        let stem = person.rsplit_once('.').map_or(person.as_str(), |(s, _)| s);
        let out = out_dir.join(format!("{stem}.png"));
        if out.exists() && !args.overwrite {
            kept += 1;
            continue;
        }
        let photo = read_image(&args.data.join("image").join(&person), h, w, false)?;
        let input = planes_to_tensor(vec![photo.rgb_planes()], 3, h, w, &device);
        let parts = model.parse(&input).argmax(1);
        let ids: Vec<i64> = parts.into_data().convert::<i64>().try_into_vec::<i64>().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let lip: Vec<u8> = ids.iter().map(|&p| lip_of_part(p as usize)).collect();
        image::GrayImage::from_raw(w as u32, h as u32, lip)
            .context("label buffer")?
            .save(&out)
            .with_context(|| format!("writing {}", out.display()))?;
        written += 1;
    }
    println!("{}", serde_json::json!({ "labelled": written, "already_labelled": kept, "dir": out_dir.display().to_string() }));
    Ok(())
}
