//! Full-resolution refinement of the parser's part logits.
//!
//! The parser runs at half resolution, so its boundaries are decided on a
//! grid twice as coarse as the one they are scored (and used) on: an arm ten
//! pixels wide loses a pixel on each side to the bilinear upsampling. This
//! small head reads the photo at full resolution beside the upsampled logits
//! and adds a correction to them — two 3×3 convolutions (a 5×5 view), so it
//! moves edges onto the photo's own edges and cannot re-parse the person.
//!
//! Its last convolution starts at zero, so a refiner added to a trained
//! parser changes nothing until training teaches it: a warm start keeps the
//! parser's quality from the first step.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;

#[derive(Module, Debug)]
pub struct Refiner {
    first: Conv2d,
    second: Conv2d,
    correction: Conv2d,
}

impl Refiner {
    /// `parts` logit channels in and out, `width` channels inside.
    pub fn new(parts: usize, width: usize, device: &Device) -> Self {
        let conv3 = |i, o| Conv2dConfig::new([i, o], [3, 3]).with_padding(PaddingConfig2d::Same).init(device);
        Self {
            first: conv3(3 + parts, width),
            second: conv3(width, width),
            correction: Conv2dConfig::new([width, parts], [1, 1]).with_initializer(Initializer::Zeros).init(device),
        }
    }

    /// person [N, 3, H, W], logits [N, P, H, W] (already at full resolution)
    /// → refined logits [N, P, H, W].
    pub fn forward(&self, person: Tensor<4>, logits: Tensor<4>) -> Tensor<4> {
        let x = relu(self.first.forward(Tensor::cat(vec![person, logits.clone()], 1)));
        let x = relu(self.second.forward(x));
        logits + self.correction.forward(x)
    }

    /// A refiner of the same shape with large random weights everywhere, so
    /// that it corrects visibly and far from linearly (tests).
    #[cfg(test)]
    pub fn randomised(self, device: &Device) -> Self {
        let strong = |conv: &Conv2d| {
            let [out, inputs, k, _] = conv.weight.dims();
            Conv2dConfig::new([inputs, out], [k, k]).with_padding(PaddingConfig2d::Same).with_initializer(Initializer::Normal { mean: 0.0, std: 1.0 }).init(device)
        };
        Self { first: strong(&self.first), second: strong(&self.second), correction: strong(&self.correction) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    #[test]
    fn a_new_refiner_leaves_the_logits_unchanged() {
        let (device, _rng) = crate::seeded_flex(17);
        let refiner = Refiner::new(8, 4, &device);
        let person = Tensor::<4>::random([1, 3, 16, 12], Distribution::Default, &device);
        let logits = Tensor::<4>::random([1, 8, 16, 12], Distribution::Normal(0.0, 3.0), &device);
        let refined = refiner.forward(person, logits.clone());
        assert_eq!((refined - logits).abs().max().into_scalar::<f32>(), 0.0);
    }
}
