//! The try-on engine: a pipeline built from a card and weight bytes the page
//! fetched, rendering a person photo and a product image on WebGPU or the CPU.
//! Input images arrive at the model's size (the widget scales photos on a
//! canvas first, so a 10,000×10,000 photo never reaches wasm memory whole).

use std::cell::RefCell;

use burn::prelude::*;
use serde::Serialize;

use super::device::{self, Backend, BackendChoice};
use crate::card::TryOnCard;
use crate::data::garment_mask::garment_mask;
use crate::data::pixels::{planes_to_tensor, rgba_from_planes, Pixels};
use crate::error::{Result, VitrineError};
use crate::model::tryon::geometry::parts_sum;
use crate::model::tryon::parts::{ARMS, FACE, NUM_PARTS, TORSO_SKIN, UPPER_CLOTHES};
use crate::model::TryOn;
use crate::weights::{load_tryon, verify_digest};

#[derive(Clone, Serialize)]
pub struct Render {
    pub width: usize,
    pub height: usize,
    /// RGBA bytes, row-major.
    #[serde(skip)]
    pub rgba: Vec<u8>,
    /// The weakest of the parser's three person cues (see `person_evidence`), in [0, 1].
    pub person_confidence: f32,
    pub backend: Backend,
}

/// Without the pixels: a failing test prints the facts, not 200,000 numbers.
impl std::fmt::Debug for Render {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Render {}×{} on {:?}, person confidence {:.3}", self.width, self.height, self.backend, self.person_confidence)
    }
}

#[derive(Clone)]
struct Compute {
    model: TryOn,
    device: Device,
    backend: Backend,
}

pub struct TryOnEngine {
    card: TryOnCard,
    weights: Vec<u8>,
    compute: RefCell<Compute>,
    fallback_reason: RefCell<Option<String>>,
}

impl TryOnEngine {
    pub async fn load(card_json: &str, weights: Vec<u8>, choice: BackendChoice) -> Result<Self> {
        Self::load_with_digest(card_json, weights, None, choice).await
    }

    /// `load` given the weights' sha256 (hex) when the caller has computed it (`weights::verify_digest`).
    pub async fn load_with_digest(card_json: &str, weights: Vec<u8>, weights_sha256: Option<&str>, choice: BackendChoice) -> Result<Self> {
        let card = TryOnCard::from_json(card_json)?;
        verify_digest(&weights, weights_sha256, &card.weights.sha256)?;
        let (device, backend, fallback_reason) = device::pick(choice).await;
        let model = load_tryon(&card.config, &weights, &device)?;
        Ok(Self { card, weights, compute: RefCell::new(Compute { model, device, backend }), fallback_reason: RefCell::new(fallback_reason) })
    }

    pub fn card(&self) -> &TryOnCard {
        &self.card
    }

    pub fn backend(&self) -> Backend {
        self.compute.borrow().backend
    }

    pub fn fallback_reason(&self) -> Option<String> {
        self.fallback_reason.borrow().clone()
    }

    /// [height, width] every input must have.
    pub fn input_size(&self) -> [usize; 2] {
        [self.card.config.height, self.card.config.width]
    }

    /// Dress `person` in `garment`. `garment_mask`: 1 channel, or `None` to
    /// compute it (transparency, else plain-background flood fill). A photo the
    /// parser sees no person in is refused (`NoPerson`).
    pub async fn render(&self, person: &Pixels, garment: &Pixels, garment_mask_pixels: Option<&Pixels>) -> Result<Render> {
        self.render_with_threshold(person, garment, garment_mask_pixels, None, self.card.person_threshold).await
    }

    /// How many parser passes a render combines (`TryOn::parse_passes`).
    pub fn parse_pass_count(&self) -> usize {
        self.compute.borrow().model.parse_passes().len()
    }

    /// The full-resolution part logits of the passes numbered `passes` (in
    /// `TryOn::parse_passes` order), one [parts, height, width] block each,
    /// concatenated. The passes are independent: on the CPU the widget has a
    /// second engine, in a second worker, compute some of them while this
    /// one computes the rest, and renders with `render_with_pass_logits`.
    pub async fn pass_logits(&self, person: &Pixels, passes: &[usize]) -> Result<Vec<f32>> {
        let [h, w] = self.input_size();
        person.expect_size(h, w, "the photo")?;
        let compute = self.compute.borrow().clone();
        let all = compute.model.parse_passes();
        let person_t = photo_tensor(person, &compute.device);
        let mut out = Vec::with_capacity(passes.len() * NUM_PARTS * h * w);
        for &i in passes {
            let pass = *all.get(i).ok_or_else(|| VitrineError::InvalidRequest(format!("parse pass {i}: this model has {} passes", all.len())))?;
            out.extend(read(compute.model.pass_logits(&person_t, pass)).await?);
        }
        Ok(out)
    }

    /// `render` with the parser's passes already computed: `logits` holds
    /// every pass of `pass_logits`, in pass order. They are summed in that
    /// order, so the render is bit for bit the one `render` makes on the
    /// same backend. Logits of the wrong length or not finite are refused
    /// (`InvalidRequest`).
    pub async fn render_with_pass_logits(&self, person: &Pixels, garment: &Pixels, garment_mask_pixels: Option<&Pixels>, logits: &[f32]) -> Result<Render> {
        let [h, w] = self.input_size();
        let expected = self.parse_pass_count() * NUM_PARTS * h * w;
        if logits.len() != expected {
            return Err(VitrineError::InvalidRequest(format!(
                "part logits: {} values, expected {} passes × {NUM_PARTS} parts × {w}×{h} = {expected}",
                logits.len(),
                self.parse_pass_count()
            )));
        }
        if let Some(i) = logits.iter().position(|v| !v.is_finite()) {
            return Err(VitrineError::InvalidRequest(format!("part logits: value {i} is {}", logits[i])));
        }
        self.render_with_threshold(person, garment, garment_mask_pixels, Some(logits), self.card.person_threshold).await
    }

    /// The three person cues of `person_evidence`, each in [0, 1], without
    /// rendering (for calibrating the threshold); `weakest` of them is what
    /// the card's `person_threshold` is compared with.
    pub async fn person_cues(&self, person: &Pixels) -> Result<[f32; 3]> {
        let [h, w] = self.input_size();
        person.expect_size(h, w, "the photo")?;
        let compute = self.compute.borrow().clone();
        Ok(judge(&compute, person, None).await?.2)
    }

    /// The same render without the person check, for evaluation grids that
    /// show what the model makes of a photo the widget would refuse.
    pub async fn render_unchecked(&self, person: &Pixels, garment: &Pixels, garment_mask_pixels: Option<&Pixels>) -> Result<Render> {
        self.render_with_threshold(person, garment, garment_mask_pixels, None, f32::NEG_INFINITY).await
    }

    /// `passes`: the parser's pass logits when computed already (`render_with_pass_logits`).
    async fn render_with_threshold(
        &self,
        person: &Pixels,
        garment: &Pixels,
        garment_mask_pixels: Option<&Pixels>,
        passes: Option<&[f32]>,
        threshold: f32,
    ) -> Result<Render> {
        let [h, w] = self.input_size();
        person.expect_size(h, w, "the photo")?;
        garment.expect_size(h, w, "the product image")?;
        let computed;
        let mask = match garment_mask_pixels {
            Some(m) => {
                m.expect_size(h, w, "the garment mask")?;
                m
            }
            None => {
                computed = garment_mask(garment)?;
                &computed
            }
        };
        let compute = self.compute.borrow().clone();
        match run(&compute, person, garment, mask, passes, threshold).await {
            Err(VitrineError::Backend(gpu_error)) if compute.backend == Backend::Webgpu => {
                // The GPU failed (device lost, readback failed): rebuild on the CPU and answer from there.
                let (device, backend) = device::cpu();
                let cpu = Compute { model: load_tryon(&self.card.config, &self.weights, &device)?, device, backend };
                *self.fallback_reason.borrow_mut() = Some(format!("WebGPU failed during rendering: {gpu_error}"));
                *self.compute.borrow_mut() = cpu.clone();
                run(&cpu, person, garment, mask, passes, threshold).await
            }
            other => other,
        }
    }
}

async fn read(t: Tensor<4>) -> Result<Vec<f32>> {
    let data = t.into_data_async().await.map_err(|e| VitrineError::Backend(format!("reading the render back failed: {e:?}")))?;
    data.convert::<f32>().try_into_vec::<f32>().map_err(|e| VitrineError::Backend(format!("unexpected render data: {e:?}")))
}

/// How sure the parser is that one person faces the camera, as three shares
/// in [0, 1] whose minimum is compared with the card's threshold: face pixels
/// (more likely face than not, relative to 0.3 % of the frame: a full-body
/// street photo's face), garment or torso pixels (relative to 5 %), and the
/// mean confidence of the pixels it calls body. A wall, a landscape, a grey
/// frame or a product photo (no face) fails at least one of them.
async fn person_evidence(parts: &Tensor<4>) -> Result<[f32; 3]> {
    let share = |which: &[usize]| parts_sum(parts, which).greater_elem(0.5).float().mean().reshape([1, 1, 1, 1]);
    let face = share(&[FACE]) / 0.003;
    let torso = share(&[UPPER_CLOTHES, TORSO_SKIN]) / 0.05;
    let body = parts_sum(parts, &[FACE, UPPER_CLOTHES, TORSO_SKIN, ARMS]);
    let in_body = body.clone().greater_elem(0.5).float();
    let mean_confidence = (body * in_body.clone()).sum() / (in_body.sum() + 1e-6);
    let values = read(Tensor::cat(vec![face, torso, mean_confidence.reshape([1, 1, 1, 1])], 3)).await?;
    Ok([values[0].min(1.0), values[1].min(1.0), values[2]])
}

/// The person confidence: the weakest of the three cues.
pub fn weakest(cues: [f32; 3]) -> f32 {
    cues.iter().copied().fold(f32::INFINITY, f32::min)
}

/// The photo as the model reads it: [1, 3, H, W].
fn photo_tensor(person: &Pixels, device: &Device) -> Tensor<4> {
    planes_to_tensor(vec![person.rgb_planes()], 3, person.height, person.width, device)
}

/// The photo as a tensor, its part probabilities (from the given pass
/// logits, checked by the caller, or the model's own passes) and the person cues.
async fn judge(compute: &Compute, person: &Pixels, passes: Option<&[f32]>) -> Result<(Tensor<4>, Tensor<4>, [f32; 3])> {
    let (h, w) = (person.height, person.width);
    let person_t = photo_tensor(person, &compute.device);
    let parts = match passes {
        None => compute.model.parse(&person_t),
        Some(logits) => {
            let block = NUM_PARTS * h * w;
            let tensors = logits.chunks(block).map(|pass| planes_to_tensor(vec![pass.to_vec()], NUM_PARTS, h, w, &compute.device)).collect();
            compute.model.parse_from_passes(&person_t, tensors)
        }
    };
    let evidence = person_evidence(&parts).await?;
    Ok((person_t, parts, evidence))
}

async fn run(compute: &Compute, person: &Pixels, garment: &Pixels, mask: &Pixels, passes: Option<&[f32]>, threshold: f32) -> Result<Render> {
    let (h, w) = (person.height, person.width);
    let device = &compute.device;
    let garment_t = planes_to_tensor(vec![garment.rgb_planes()], 3, h, w, device);
    let mask_t = planes_to_tensor(vec![mask.mask_plane()], 1, h, w, device);

    // Judge the photo before rendering: the parser must see a person.
    let (person_t, parts, cues) = judge(compute, person, passes).await?;
    let confidence = weakest(cues);
    if confidence < threshold {
        return Err(VitrineError::NoPerson { confidence, needed: threshold });
    }
    let out = compute.model.forward_with_parts(person_t, parts, garment_t, mask_t);
    let planes = read(out.image).await?;
    Ok(Render { width: w, height: h, rgba: rgba_from_planes(&planes, h, w), person_confidence: confidence, backend: compute.backend })
}
