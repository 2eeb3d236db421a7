//! Try-on data in the VITON folder layout (see the README):
//!
//! ```text
//! DIR/image/P.jpg          the person
//! DIR/cloth/G.jpg          the garment alone on a plain background
//! DIR/cloth-mask/G.png     its mask (0 / 255); made by `vitrine garment-mask` if missing
//! DIR/image-parse/P.png    body-part labels (LIP ids); optional: without it the
//!                          trainer labels the person with a trained parser
//! DIR/PAIRS.txt            "P.jpg G.jpg" per line
//! ```
//! Images of another size are resized to the model's.

use std::path::{Path, PathBuf};

use burn::prelude::*;
use image::imageops::FilterType;

use crate::data::pixels::{planes_to_tensor, Pixels};
use crate::error::{Result, VitrineError};
use crate::model::tryon::parts::{part_of_lip, NUM_PARTS, UNLABELLED};

/// One person with one garment; images at the model's size.
#[derive(Debug, Clone)]
pub struct TryOnSample {
    pub person_file: String,
    pub garment_file: String,
    pub person: Pixels,
    pub garment: Pixels,
    pub garment_mask: Pixels,
    /// Compact part id per pixel (see `model::tryon::parts`), if labelled.
    pub parts: Option<Vec<u8>>,
}

/// Read `PAIRS.txt`: "person garment" per line; blank lines and `#` comments skipped.
pub fn read_pairs(path: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).map_err(|e| VitrineError::io(path, e))?;
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        match (fields.next(), fields.next(), fields.next()) {
            (Some(p), Some(g), None) => pairs.push((p.to_string(), g.to_string())),
            _ => {
                return Err(VitrineError::Malformed {
                    what: "pairs file",
                    line: i + 1,
                    reason: format!("expected `person.jpg garment.jpg`, got {line:?}"),
                })
            }
        }
    }
    Ok(pairs)
}

/// Decode any image file into 8-bit pixels at `height`×`width`.
pub fn read_image(path: &Path, height: usize, width: usize, grey: bool) -> Result<Pixels> {
    let bytes = std::fs::read(path).map_err(|e| VitrineError::io(path, e))?;
    let decoded = image::load_from_memory(&bytes)
        .map_err(|e| VitrineError::InvalidImage(format!("{}: {e}", path.display())))?;
    let resized = if decoded.height() as usize != height || decoded.width() as usize != width {
        decoded.resize_exact(width as u32, height as u32, if grey { FilterType::Nearest } else { FilterType::Triangle })
    } else {
        decoded
    };
    if grey {
        Pixels::new(width, height, 1, resized.into_luma8().into_raw())
    } else {
        Pixels::new(width, height, 3, resized.into_rgb8().into_raw())
    }
}

/// Part labels: LIP ids → compact part ids; unknown ids are an error naming the file.
pub fn read_parts(path: &Path, height: usize, width: usize) -> Result<Vec<u8>> {
    let labels = read_image(path, height, width, true)?;
    labels
        .data
        .iter()
        .map(|&lip| {
            part_of_lip(lip).ok_or_else(|| VitrineError::InvalidImage(format!("{}: unknown LIP label id {lip}", path.display())))
        })
        .collect()
}

fn with_extension(name: &str, ext: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, _)) => format!("{stem}.{ext}"),
        None => format!("{name}.{ext}"),
    }
}

/// Load every pair listed in `dir/pairs_file` (or the first `limit`).
pub fn load_pairs(dir: &Path, pairs_file: &str, height: usize, width: usize, limit: Option<usize>) -> Result<Vec<TryOnSample>> {
    let pairs = read_pairs(&dir.join(pairs_file))?;
    let take = limit.unwrap_or(pairs.len()).min(pairs.len());
    let sub = |folder: &str, name: &str| -> PathBuf { dir.join(folder).join(name) };
    pairs[..take]
        .iter()
        .map(|(person_file, garment_file)| {
            let parse_path = sub("image-parse", &with_extension(person_file, "png"));
            Ok(TryOnSample {
                person: read_image(&sub("image", person_file), height, width, false)?,
                garment: read_image(&sub("cloth", garment_file), height, width, false)?,
                garment_mask: read_image(&sub("cloth-mask", &with_extension(garment_file, "png")), height, width, true)?,
                parts: if parse_path.exists() { Some(read_parts(&parse_path, height, width)?) } else { None },
                person_file: person_file.clone(),
                garment_file: garment_file.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_file_is_parsed_and_bad_lines_name_their_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pairs.txt");
        std::fs::write(&path, "# comment\na_0.jpg b_1.jpg\n\nc_0.jpg d_1.jpg\n").unwrap();
        assert_eq!(read_pairs(&path).unwrap().len(), 2);
        std::fs::write(&path, "a_0.jpg b_1.jpg\nonly-one.jpg\n").unwrap();
        let err = read_pairs(&path).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn a_text_file_is_not_an_image() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.jpg");
        std::fs::write(&path, "hello").unwrap();
        assert!(matches!(read_image(&path, 256, 192, false), Err(VitrineError::InvalidImage(_))));
    }
}

/// A batch as tensors: person, garment [N, 3, H, W]; garment mask [N, 1, H, W];
/// true parts one-hot [N, P, H, W] when the samples are labelled.
pub struct TryOnBatch {
    pub person: Tensor<4>,
    pub garment: Tensor<4>,
    pub garment_mask: Tensor<4>,
    pub parts: Option<Tensor<4>>,
}

/// One-hot planes of part ids; an unlabelled pixel is all zeros (no target).
fn one_hot_planes(parts: &[u8], pixels: usize) -> Vec<f32> {
    let mut planes = vec![0f32; NUM_PARTS * pixels];
    for (i, &part) in parts.iter().enumerate().filter(|(_, &p)| p != UNLABELLED) {
        planes[part as usize * pixels + i] = 1.0;
    }
    planes
}

fn flip_parts(parts: &[u8], width: usize) -> Vec<u8> {
    parts.chunks(width).flat_map(|row| row.iter().rev().copied()).collect()
}

impl TryOnBatch {
    /// `flips[i]`: mirror sample i left-right (person, garment and labels together).
    pub fn new(samples: &[&TryOnSample], flips: &[bool], device: &Device) -> Self {
        let (h, w) = (samples[0].person.height, samples[0].person.width);
        let pick = |p: &Pixels, flip: bool| if flip { p.flipped() } else { p.clone() };
        let person = samples.iter().zip(flips).map(|(s, &f)| pick(&s.person, f).rgb_planes()).collect();
        let garment = samples.iter().zip(flips).map(|(s, &f)| pick(&s.garment, f).rgb_planes()).collect();
        let mask = samples.iter().zip(flips).map(|(s, &f)| pick(&s.garment_mask, f).mask_plane()).collect();
        let labelled = samples.iter().all(|s| s.parts.is_some());
        let parts: Vec<Vec<u8>> = if labelled {
            samples
                .iter()
                .zip(flips)
                .map(|(s, &f)| {
                    let p = s.parts.as_ref().expect("labelled");
                    if f { flip_parts(p, w) } else { p.clone() }
                })
                .collect()
        } else {
            Vec::new()
        };
        let one_hot = || {
            let planes = parts.iter().map(|p| one_hot_planes(p, h * w)).collect();
            planes_to_tensor(planes, NUM_PARTS, h, w, device)
        };
        Self {
            person: planes_to_tensor(person, 3, h, w, device),
            garment: planes_to_tensor(garment, 3, h, w, device),
            garment_mask: planes_to_tensor(mask, 1, h, w, device),
            parts: labelled.then(one_hot),
        }
    }
}
