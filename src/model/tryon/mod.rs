//! Virtual try-on: person photo + product image (+ its mask) → the person
//! wearing the garment. Three small U-Nets, trained together:
//!
//! 1. **parser** (half resolution): body-part probabilities. They decide the
//!    garment-agnostic region (old garment and torso skin, grown a little,
//!    minus hair, face, arms, trousers and legs) and the region the new
//!    garment should cover. Optionally a small full-resolution refiner
//!    (`refine.rs`) moves the upsampled part edges onto the photo's edges.
//! 2. **warp** (quarter resolution): the product image is first placed by
//!    matching its mask's centre and spread to the predicted garment region
//!    (no learning), then the network predicts a dense correction flow; the
//!    full-resolution product image is resampled with it (`grid_sample`), so
//!    the fabric keeps its detail.
//! 3. **generator** (half resolution): from the agnostic person, the warped
//!    garment and the arm map it paints a render, a composition mask α and a
//!    shading gain. Output = α·(warped·gain) + (1−α)·render inside the
//!    agnostic region; every pixel outside it is the input photo, untouched.

pub mod geometry;
pub mod parts;
pub mod refine;
pub mod unet;

use burn::prelude::*;
use burn::tensor::activation::{sigmoid, softmax};
use burn::tensor::module::{avg_pool2d, interpolate};
use burn::tensor::ops::{AvgPoolOptions, InterpolateMode, InterpolateOptions};

use geometry::{agnostic_image, agnostic_mask, parts_sum, sample, Alignment};
use parts::{ARMS, NUM_PARTS, UPPER_CLOTHES};
use refine::Refiner;
pub use unet::{UNet, UNetConfig};

/// Channels the warp network reads: aligned garment (3) + its mask (1),
/// agnostic person (3), agnostic mask (1), target garment region (1), arms (1).
const WARP_INPUTS: usize = 10;
/// Channels the generator reads: agnostic person (3), agnostic mask (1),
/// warped garment (3), warped mask (1), arms (1).
const GENERATOR_INPUTS: usize = 9;
/// Render (3), α (1), shading gain (1).
const GENERATOR_OUTPUTS: usize = 5;
/// The parser's input scale when a card does not say (half resolution).
pub const DEFAULT_PARSE_SCALE: f64 = 0.5;

#[derive(Config, Debug, PartialEq)]
pub struct TryOnConfig {
    #[config(default = 256)]
    pub height: usize,
    #[config(default = 192)]
    pub width: usize,
    #[config(default = "vec![16, 32, 64, 96]")]
    pub parser_widths: Vec<usize>,
    #[config(default = "vec![16, 32, 64, 96, 128]")]
    pub warp_widths: Vec<usize>,
    #[config(default = "vec![16, 32, 64, 128]")]
    pub generator_widths: Vec<usize>,
    /// Pixels by which the replaced region grows before kept parts are cut out.
    #[config(default = 4)]
    pub dilation: usize,
    /// Largest flow correction, as a fraction of the image half-size.
    #[config(default = 0.5)]
    pub max_flow: f64,
    /// Parse the photo and its mirror image and average the part logits
    /// (mirrored back) at inference: the usual flip test-time augmentation of
    /// human parsing, at twice the parser's cost. Absent (older cards) = off.
    pub parse_flip: Option<bool>,
    /// Batch norm in the parser's convolutions (see `UNetConfig::batch_norm`).
    /// Absent (older cards) = off.
    pub parser_batch_norm: Option<bool>,
    /// Channels of the full-resolution refiner after the parser
    /// (`refine::Refiner`). Absent (older cards) = no refiner.
    pub parser_refine: Option<usize>,
    /// Also parse the photo enlarged by this factor (e.g. 1.5) and average
    /// the part logits, brought back to the model's size, with the normal
    /// pass (and its mirror, with `parse_flip`): multi-scale test-time
    /// augmentation, at (1 + factor²) times the parser's cost. Absent = off.
    pub parse_zoom: Option<f64>,
    /// The scale at which the parser reads the photo, relative to the
    /// model's size: its cost grows with the square. Real street photos
    /// give a limb a few pixels at the default half resolution; at 2/3 the
    /// shipped parser, untrained at that scale, parses them about as well
    /// (README, Try-on). Absent (older cards) = 0.5.
    pub parse_scale: Option<f64>,
}

#[derive(Module, Debug)]
pub struct TryOn {
    parser: UNet,
    refiner: Option<Refiner>,
    warp: UNet,
    generator: UNet,
    height: usize,
    width: usize,
    dilation: usize,
    max_flow: f64,
    parse_flip: bool,
    /// 1.0: no enlarged pass (see `TryOnConfig::parse_zoom`).
    parse_zoom: f64,
    /// See `TryOnConfig::parse_scale`.
    parse_scale: f64,
}

/// One inference pass of the parser: the photo at `zoom` times the parser's
/// scale, mirrored or not.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParsePass {
    pub zoom: f64,
    pub mirrored: bool,
}

/// Everything the pipeline computes, for the losses, the metrics and the widget.
#[derive(Debug, Clone)]
pub struct TryOnOutput {
    /// [N, 3, H, W] in [0, 1].
    pub image: Tensor<4>,
    /// Part probabilities used for the agnostic region [N, P, H, W].
    pub parts: Tensor<4>,
    /// [N, 1, H, W]: 1 where the pipeline painted.
    pub agnostic_mask: Tensor<4>,
    pub agnostic: Tensor<4>,
    /// The product image resampled onto the person [N, 3, H, W] and its mask [N, 1, H, W].
    pub warped_garment: Tensor<4>,
    pub warped_mask: Tensor<4>,
    /// Composition mask α at full resolution [N, 1, H, W].
    pub alpha: Tensor<4>,
}

impl TryOnConfig {
    /// [height, width] of every image the pipeline takes and renders.
    pub fn size(&self) -> [usize; 2] {
        [self.height, self.width]
    }

    pub fn init(&self, device: &Device) -> TryOn {
        let net = |inputs, outputs, widths: &Vec<usize>| UNetConfig::new(inputs, outputs, widths.clone()).init(device);
        TryOn {
            parser: UNetConfig::new(3, NUM_PARTS, self.parser_widths.clone())
                .with_batch_norm(self.parser_batch_norm.unwrap_or(false))
                .init(device),
            refiner: self.parser_refine.map(|width| Refiner::new(NUM_PARTS, width, device)),
            warp: net(WARP_INPUTS, 2, &self.warp_widths),
            generator: net(GENERATOR_INPUTS, GENERATOR_OUTPUTS, &self.generator_widths),
            height: self.height,
            width: self.width,
            dilation: self.dilation,
            max_flow: self.max_flow,
            parse_flip: self.parse_flip.unwrap_or(false),
            parse_zoom: self.parse_zoom.unwrap_or(1.0),
            parse_scale: self.parse_scale.unwrap_or(DEFAULT_PARSE_SCALE),
        }
    }

    /// A new pipeline that keeps every network of `previous` (built from
    /// `previous_config`) whose widths this config shares, and initialises the
    /// others afresh: how a run on new data starts from a trained model while
    /// one network changes size. Returns the names of the networks kept.
    pub fn init_from(&self, previous: TryOn, previous_config: &TryOnConfig, device: &Device) -> (TryOn, Vec<&'static str>) {
        let mut model = self.init(device);
        let mut kept = Vec::new();
        let batch_norm = |c: &TryOnConfig| c.parser_batch_norm.unwrap_or(false);
        if self.parser_widths == previous_config.parser_widths && batch_norm(self) == batch_norm(previous_config) {
            model.parser = previous.parser;
            kept.push("parser");
            // A refiner new to this config starts as the identity (see refine.rs).
            if self.parser_refine == previous_config.parser_refine && previous.refiner.is_some() {
                model.refiner = previous.refiner;
                kept.push("refiner");
            }
        }
        if self.warp_widths == previous_config.warp_widths {
            model.warp = previous.warp;
            kept.push("warp");
        }
        if self.generator_widths == previous_config.generator_widths {
            model.generator = previous.generator;
            kept.push("generator");
        }
        (model, kept)
    }
}

fn downsample(x: Tensor<4>, factor: usize) -> Tensor<4> {
    avg_pool2d(x, AvgPoolOptions::new([factor, factor]).with_stride([factor, factor]))
}

fn resize(x: Tensor<4>, h: usize, w: usize) -> Tensor<4> {
    interpolate(x, InterpolateOptions::new(InterpolateMode::Bilinear).with_output_size([h, w]))
}

impl TryOn {
    pub fn size(&self) -> [usize; 2] {
        [self.height, self.width]
    }

    /// Part logits at the parser's scale: person [N, 3, H, W] → [N, P, H·s, W·s]
    /// (s = `parse_scale`; H/2 × W/2 by default).
    pub fn parse_logits(&self, person: &Tensor<4>) -> Tensor<4> {
        self.parse_logits_at(person, 1.0)
    }

    /// Part logits of the photo enlarged by `zoom` beyond the parser's own
    /// scale. The photo is resized to twice the parser's input and averaged
    /// down 2×2, the pixel mix of the default half-resolution pass (which
    /// is exactly that 2×2 average, no resize); any side is allowed
    /// (`UNet::forward_padded`).
    fn parse_logits_at(&self, person: &Tensor<4>, zoom: f64) -> Tensor<4> {
        let factor = 2.0 * self.parse_scale * zoom;
        let input = if factor == 1.0 {
            downsample(person.clone(), 2)
        } else {
            let scaled = |n: usize| ((n as f64 * factor).round() as usize).max(2);
            downsample(resize(person.clone(), scaled(self.height), scaled(self.width)), 2)
        };
        self.parser.forward_padded(input)
    }

    /// The parser's part logits brought to full resolution [N, P, H, W]
    /// (bilinear): where the parts are decided and scored.
    pub fn full_resolution(&self, logits: Tensor<4>) -> Tensor<4> {
        resize(logits, self.height, self.width)
    }

    /// Full-resolution part probabilities [N, P, H, W] from the parser's
    /// logits, without the refiner.
    pub fn part_probabilities(&self, logits: Tensor<4>) -> Tensor<4> {
        softmax(self.full_resolution(logits), 1)
    }

    /// Full-resolution part logits of a photo [N, P, H, W]: the parser's,
    /// upsampled, then refined when the config has a refiner. What training
    /// scores and inference uses.
    pub fn full_logits(&self, person: &Tensor<4>) -> Tensor<4> {
        self.refined(person, self.full_resolution(self.parse_logits(person)))
    }

    /// Full-resolution logits corrected by the refiner against the photo (as they are without one).
    fn refined(&self, person: &Tensor<4>, logits: Tensor<4>) -> Tensor<4> {
        match &self.refiner {
            Some(refiner) => refiner.forward(person.clone(), logits),
            None => logits,
        }
    }

    /// The parser's inference passes, in the order their logits are summed:
    /// the photo; its mirror image with `parse_flip`; each of those enlarged
    /// with `parse_zoom`.
    pub fn parse_passes(&self) -> Vec<ParsePass> {
        let zooms: &[f64] = if self.parse_zoom == 1.0 { &[1.0] } else { &[1.0, self.parse_zoom] };
        let mirrors: &[bool] = if self.parse_flip { &[false, true] } else { &[false] };
        zooms.iter().flat_map(|&zoom| mirrors.iter().map(move |&mirrored| ParsePass { zoom, mirrored })).collect()
    }

    /// Full-resolution part logits [N, P, H, W] of one inference pass (a
    /// mirrored pass mirrored back). Passes are independent of one another,
    /// so the widget computes some of them in a second worker.
    pub fn pass_logits(&self, person: &Tensor<4>, pass: ParsePass) -> Tensor<4> {
        if pass.mirrored {
            self.full_resolution(self.parse_logits_at(&person.clone().flip([3]), pass.zoom)).flip([3])
        } else {
            self.full_resolution(self.parse_logits_at(person, pass.zoom))
        }
    }

    /// Full-resolution part probabilities from the logits of every pass (in
    /// `parse_passes` order): their mean, refined once against the photo.
    /// Refining the mean rather than each pass scored the same on the real
    /// validation photos (0.7101 vs 0.7104 mIoU with four passes) at one
    /// refiner's cost.
    pub fn parse_from_passes(&self, person: &Tensor<4>, logits: Vec<Tensor<4>>) -> Tensor<4> {
        let passes = logits.len() as f64;
        // Summed in pass order, so that passes computed apart add up bit for bit as here.
        let sum = logits.into_iter().reduce(|sum, pass| sum + pass).expect("at least one pass");
        softmax(self.refined(person, sum / passes), 1)
    }

    /// Full-resolution part probabilities of a photo as inference sees them:
    /// every pass of `parse_passes`, combined by `parse_from_passes`.
    pub fn parse(&self, person: &Tensor<4>) -> Tensor<4> {
        let logits = self.parse_passes().into_iter().map(|pass| self.pass_logits(person, pass)).collect();
        self.parse_from_passes(person, logits)
    }

    /// The whole pipeline with the model's own parser.
    /// person, garment: [N, 3, H, W] in [0, 1]; garment_mask: [N, 1, H, W] in {0, 1}.
    pub fn forward(&self, person: Tensor<4>, garment: Tensor<4>, garment_mask: Tensor<4>) -> TryOnOutput {
        let parts = self.parse(&person);
        self.forward_with_parts(person, parts, garment, garment_mask)
    }

    /// The pipeline given part probabilities (the trainer passes true labels here,
    /// evaluation and the browser pass the parser's).
    pub fn forward_with_parts(&self, person: Tensor<4>, parts: Tensor<4>, garment: Tensor<4>, garment_mask: Tensor<4>) -> TryOnOutput {
        let (h, w) = (self.height, self.width);
        let mask = agnostic_mask(&parts, self.dilation);
        let agnostic = agnostic_image(&person, &mask);
        let target = parts_sum(&parts, &[UPPER_CLOTHES]);
        let arms = parts_sum(&parts, &[ARMS]);

        // Warp: moment alignment, then a learned correction at quarter resolution.
        let (qh, qw) = (h / 4, w / 4);
        let garment_layer = Tensor::cat(vec![garment.clone() * garment_mask.clone(), garment_mask.clone()], 1);
        let alignment = Alignment::new(&garment_mask, &target);
        let coarse = sample(garment_layer.clone(), alignment.grid(qh, qw));
        let person_quarter = downsample(Tensor::cat(vec![agnostic.clone(), mask.clone(), target.clone(), arms.clone()], 1), 4);
        let flow = self.warp.forward(Tensor::cat(vec![coarse, person_quarter], 1)).tanh() * self.max_flow;
        let flow = resize(flow, h, w).permute([0, 2, 3, 1]);
        let warped = sample(garment_layer, alignment.grid(h, w) + flow);
        let [n, _, _, _] = warped.dims();
        let warped_garment = warped.clone().slice([0..n, 0..3, 0..h, 0..w]);
        let warped_mask = warped.slice([0..n, 3..4, 0..h, 0..w]);

        // Generator at half resolution; the garment itself is composed at full resolution.
        let inputs = Tensor::cat(vec![agnostic.clone(), mask.clone(), warped_garment.clone(), warped_mask.clone(), arms], 1);
        let out = resize(self.generator.forward(downsample(inputs, 2)), h, w);
        let render = sigmoid(out.clone().slice([0..n, 0..3, 0..h, 0..w]));
        let alpha = sigmoid(out.clone().slice([0..n, 3..4, 0..h, 0..w])) * warped_mask.clone();
        let gain = sigmoid(out.slice([0..n, 4..5, 0..h, 0..w])) * 2.0;
        let composed = alpha.clone() * warped_garment.clone() * gain + (alpha.clone().neg() + 1.0) * render;
        let image = composed * mask.clone() + person * (mask.clone().neg() + 1.0);
        TryOnOutput { image, parts, agnostic_mask: mask, agnostic, warped_garment, warped_mask, alpha }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_shapes_and_untouched_outside_the_agnostic_region() {
        let (device, _rng) = crate::seeded_flex(7);
        let config = TryOnConfig::new()
            .with_height(64)
            .with_width(48)
            .with_warp_widths(vec![8, 16])
            .with_parser_widths(vec![8, 16])
            .with_generator_widths(vec![8, 16]);
        let model = config.init(&device);
        let person = Tensor::<4>::random([2, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let garment = Tensor::<4>::random([2, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let garment_mask = Tensor::<4>::ones([2, 1, 64, 48], &device);
        let out = model.forward(person.clone(), garment, garment_mask);
        assert_eq!(out.image.dims(), [2, 3, 64, 48]);
        assert_eq!(out.parts.dims(), [2, NUM_PARTS, 64, 48]);
        let keep = out.agnostic_mask.clone().neg() + 1.0;
        let diff = ((out.image - person) * keep).abs().max().into_scalar::<f32>();
        assert_eq!(diff, 0.0, "pixels outside the agnostic region are the input's");
    }

    #[test]
    fn a_warm_start_keeps_the_networks_whose_widths_match() {
        let (device, _rng) = crate::seeded_flex(11);
        let small = |parser: Vec<usize>| TryOnConfig::new().with_height(64).with_width(48).with_warp_widths(vec![8, 16]).with_parser_widths(parser).with_generator_widths(vec![8, 16]);
        let (old_config, new_config) = (small(vec![8, 16]), small(vec![8, 16, 24]));
        let previous = old_config.init(&device);
        let person = Tensor::<4>::random([1, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let garment = Tensor::<4>::random([1, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let mask = Tensor::<4>::ones([1, 1, 64, 48], &device);
        let parts = previous.part_probabilities(previous.parse_logits(&person));
        let before = previous.forward_with_parts(person.clone(), parts.clone(), garment.clone(), mask.clone()).image;
        let (model, kept) = new_config.init_from(previous, &old_config, &device);
        assert_eq!(kept, vec!["warp", "generator"]);
        assert_eq!(model.parse_logits(&person).dims(), [1, NUM_PARTS, 32, 24]);
        let after = model.forward_with_parts(person, parts, garment, mask).image;
        assert_eq!((before - after).abs().max().into_scalar::<f32>(), 0.0, "warp and generator carried over unchanged");
    }

    #[test]
    fn a_refiner_added_to_a_trained_parser_starts_as_the_identity_and_is_carried_on() {
        let (device, _rng) = crate::seeded_flex(13);
        let plain = TryOnConfig::new().with_height(64).with_width(48).with_warp_widths(vec![8, 16]).with_parser_widths(vec![8, 16]).with_generator_widths(vec![8, 16]);
        let refined = plain.clone().with_parser_refine(Some(4));
        let previous = plain.init(&device);
        let person = Tensor::<4>::random([1, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let before = previous.parse(&person);
        let (model, kept) = refined.init_from(previous, &plain, &device);
        assert_eq!(kept, vec!["parser", "warp", "generator"], "the refiner is new");
        assert_eq!((model.parse(&person) - before).abs().max().into_scalar::<f32>(), 0.0, "and changes nothing yet");
        // Once it has weights of its own, a warm start with the same refiner keeps them.
        let trained = refined.init(&device);
        let want = trained.full_logits(&person);
        let (again, kept) = refined.init_from(trained, &refined, &device);
        assert_eq!(kept, vec!["parser", "refiner", "warp", "generator"]);
        assert_eq!((again.full_logits(&person) - want).abs().max().into_scalar::<f32>(), 0.0);
        let bytes = crate::weights::to_bytes(crate::quantize::quantize_int8(again.clone())).unwrap();
        let back = crate::weights::load_tryon(&refined, &bytes, &device).unwrap();
        assert!(crate::weights::load_tryon(&plain, &bytes, &device).is_err(), "a card without the refiner does not load its weights");
        assert_eq!(back.full_logits(&person).dims(), [1, NUM_PARTS, 64, 48]);
    }

    #[test]
    fn the_passes_are_averaged_then_refined_once_and_keep_the_mirror_symmetry() {
        let (device, _rng) = crate::seeded_flex(11);
        let config = TryOnConfig::new().with_height(64).with_width(48).with_warp_widths(vec![8, 16]).with_parser_widths(vec![8, 16]).with_generator_widths(vec![8, 16]);
        let mut plain = config.clone().with_parser_refine(Some(4)).init(&device);
        // A refiner that corrects something, so refining the mean differs from refining each pass.
        plain.refiner = plain.refiner.map(|r| r.randomised(&device));
        let person = Tensor::<4>::random([1, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let zoomed = config.clone().with_parser_refine(Some(4)).with_parse_zoom(Some(1.5)).init(&device).load_record(plain.clone().into_record());
        let enlarged = resize(person.clone(), 96, 72);
        let zoom_logits = plain.full_resolution(plain.parser.forward(downsample(enlarged, 2)));
        let normal_logits = plain.full_resolution(plain.parse_logits(&person));
        let refiner = plain.refiner.as_ref().expect("refiner");
        let expected = softmax(refiner.forward(person.clone(), (normal_logits.clone() + zoom_logits.clone()) / 2.0), 1);
        assert!((zoomed.parse(&person) - expected.clone()).abs().max().into_scalar::<f32>() < 1e-5, "the mean of the passes, refined once");
        let refined_each = softmax((refiner.forward(person.clone(), normal_logits) + refiner.forward(person.clone(), zoom_logits)) / 2.0, 1);
        let apart = (refined_each - expected).abs().max().into_scalar::<f32>();
        assert!(apart > 1e-4, "which is not the mean of refined passes: {apart}");
        assert!((zoomed.parse(&person) - plain.parse(&person)).abs().max().into_scalar::<f32>() > 1e-4, "the zoomed pass changes the parse");

        // The passes are mirror symmetric; the refiner reads the photo once, unmirrored, so the whole
        // parse is as symmetric as the refiner is (exactly, for a fresh one).
        let both = config.with_parser_refine(Some(4)).with_parse_zoom(Some(1.5)).with_parse_flip(Some(true)).init(&device);
        let asymmetry = (both.parse(&person.clone().flip([3])) - both.parse(&person).flip([3])).abs().max().into_scalar::<f32>();
        assert!(asymmetry < 1e-5, "{asymmetry}");
    }

    #[test]
    fn the_mirrored_parse_is_mirror_symmetric_and_off_by_default() {
        let (device, _rng) = crate::seeded_flex(9);
        let config = TryOnConfig::new().with_height(64).with_width(48).with_warp_widths(vec![8, 16]).with_parser_widths(vec![8, 16]).with_generator_widths(vec![8, 16]);
        let plain = config.init(&device);
        let person = Tensor::<4>::random([1, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let asymmetry = |m: &TryOn| (m.parse(&person.clone().flip([3])) - m.parse(&person).flip([3])).abs().max().into_scalar::<f32>();
        assert!(asymmetry(&plain) > 1e-4, "a plain parser is not mirror symmetric");
        let flipped = config.clone().with_parse_flip(Some(true)).init(&device).load_record(plain.clone().into_record());
        assert!(asymmetry(&flipped) < 1e-5, "with the mirrored pass, a mirrored photo gets the mirrored parse");
        let expected = plain.part_probabilities((plain.parse_logits(&person) + plain.parse_logits(&person.clone().flip([3])).flip([3])) / 2.0);
        assert!((flipped.parse(&person) - expected).abs().max().into_scalar::<f32>() < 1e-6);
    }

    #[test]
    fn the_parser_reads_the_photo_at_its_configured_scale() {
        let (device, _rng) = crate::seeded_flex(13);
        let config = TryOnConfig::new().with_height(64).with_width(48).with_warp_widths(vec![8, 16]).with_parser_widths(vec![8, 16, 32]).with_generator_widths(vec![8, 16]);
        let half = config.clone().init(&device);
        let person = Tensor::<4>::random([2, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        assert_eq!(half.parse_logits(&person).dims(), [2, NUM_PARTS, 32, 24], "half resolution by default");
        let explicit = config.clone().with_parse_scale(Some(0.5)).init(&device).load_record(half.clone().into_record());
        assert_eq!((explicit.parse(&person) - half.parse(&person)).abs().max().into_scalar::<f32>(), 0.0, "0.5 is the default pass, bit for bit");
        // 2/3: the photo is resized to 85×64 and averaged down to 42×32 (42 is not a multiple of 4: padded inside).
        let larger = config.with_parse_scale(Some(2.0 / 3.0)).init(&device).load_record(half.into_record());
        assert_eq!(larger.parse_logits(&person).dims(), [2, NUM_PARTS, 42, 32]);
        let parts = larger.parse(&person);
        assert_eq!(parts.dims(), [2, NUM_PARTS, 64, 48]);
        let total = parts.sum_dim(1);
        assert!((total - 1.0).abs().max().into_scalar::<f32>() < 1e-5, "probabilities at the model's size");
    }

    #[test]
    fn int8_weights_round_trip_close_to_f32() {
        let (device, _rng) = crate::seeded_flex(3);
        let config = TryOnConfig::new().with_height(64).with_width(48).with_warp_widths(vec![8, 16]).with_parser_widths(vec![8, 16]).with_generator_widths(vec![8, 16]);
        let model = config.init(&device);
        let bytes = crate::weights::to_bytes(crate::quantize::quantize_int8(model.clone())).unwrap();
        let f32_bytes = crate::weights::to_bytes(model.clone()).unwrap();
        assert!(bytes.len() * 2 < f32_bytes.len(), "int8 {} vs f32 {}", bytes.len(), f32_bytes.len());
        let back = crate::weights::load_tryon(&config, &bytes, &device).unwrap();
        let person = Tensor::<4>::random([1, 3, 64, 48], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let a = model.parse_logits(&person);
        let b = back.parse_logits(&person);
        let err = (a.clone() - b).abs().max().into_scalar::<f32>();
        let scale = a.abs().max().into_scalar::<f32>();
        assert!(err < 0.05 * scale, "int8 error {err} vs logit scale {scale}");
    }

    #[test]
    #[cfg(feature = "cli")] // training-mode passes need burn's autodiff
    fn a_batch_norm_parser_learns_statistics_that_survive_int8_weights() {
        let (device, _rng) = crate::seeded_flex(5);
        let small = |norm: Option<bool>| {
            TryOnConfig::new().with_height(64).with_width(48).with_warp_widths(vec![8, 16]).with_parser_widths(vec![8, 16]).with_generator_widths(vec![8, 16]).with_parser_batch_norm(norm)
        };
        let config = small(Some(true));
        let training_device = device.clone().autodiff();
        let model = config.init(&training_device);
        // Photos far from the initial statistics (mean 0, variance 1), so learnt ones are visible.
        let person = Tensor::<4>::random([2, 3, 64, 48], burn::tensor::Distribution::Uniform(4.0, 9.0), &device);
        let untrained = model.valid().parse_logits(&person);
        for _ in 0..30 {
            let _ = model.parse_logits(&person.clone().to_device(&training_device));
        }
        let trained = model.valid();
        let inferred = trained.parse_logits(&person);
        let moved = (inferred.clone() - untrained).abs().max().into_scalar::<f32>();
        assert!(moved > 1e-3, "training-mode passes update the running statistics ({moved})");
        assert_eq!((trained.parse_logits(&person) - inferred.clone()).abs().max().into_scalar::<f32>(), 0.0, "inference does not");

        let f32_bytes = crate::weights::to_bytes(trained.clone()).unwrap();
        let back = crate::weights::load_tryon(&config, &f32_bytes, &device).unwrap();
        assert_eq!((back.parse_logits(&person) - inferred.clone()).abs().max().into_scalar::<f32>(), 0.0, "the statistics are in the weights file");
        let bytes = crate::weights::to_bytes(crate::quantize::quantize_int8(trained)).unwrap();
        let back = crate::weights::load_tryon(&config, &bytes, &device).unwrap();
        let err = (back.parse_logits(&person) - inferred.clone()).abs().max().into_scalar::<f32>();
        let scale = inferred.abs().max().into_scalar::<f32>();
        // Looser than the plain parser's 5 %: the norm rescales each kernel's
        // rounding error (one scale per kernel) by 1/σ of its output.
        assert!(err < 0.1 * scale, "int8 error {err} vs logit scale {scale}");

        let plain = small(None);
        let (_, kept) = config.init_from(plain.init(&device), &plain, &device);
        assert_eq!(kept, vec!["warp", "generator"], "a parser without norms is not carried into one with them");
    }
}
