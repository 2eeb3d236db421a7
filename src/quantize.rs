//! Int8 weights. Every float parameter whose last dimension splits into
//! blocks of [`BLOCK`] values is stored as symmetric int8 with one f32 scale
//! per block (burn's quantized tensors, written into the same burnpack
//! format). Loading dequantizes once, so inference runs the f32 kernels on
//! both backends and the only difference from f32 is the int8 rounding.

use burn::module::{ModuleMapper, Param};
use burn::prelude::*;
use burn::tensor::quantization::{QuantScheme, QuantValue};
use burn::tensor::DType;

/// What the card says about the int8 format.
pub const DESCRIPTION: &str = "burn Q8S symmetric int8; 2-D and wider parameters whose last dimension is a multiple of 32: one f32 scale per block of 32 values; convolution kernels: one f32 scale per tensor; biases and norms stay f32";

/// Values per scale: one embedding row of 64 gets two scales.
pub const BLOCK: usize = 32;

/// The scheme written into the weights file.
pub fn int8_scheme() -> QuantScheme {
    QuantScheme::default()
        .with_value(QuantValue::Q8S)
        .per_block([BLOCK as u8], burn::tensor::quantization::ScaleDtype::F32)
}

fn per_tensor_scheme() -> QuantScheme {
    QuantScheme::default().with_value(QuantValue::Q8S)
}

struct Int8Quantizer {
    scheme: QuantScheme,
}

impl ModuleMapper for Int8Quantizer {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        param.map(|tensor| {
            let last = tensor.dims()[D - 1];
            if D >= 2 && last % BLOCK == 0 {
                tensor.quantize_dynamic(&self.scheme)
            } else if D == 4 {
                // Convolution kernels [out, in, k, k]: the last dimension is the
                // kernel width, so blocks cannot run along it; one scale per tensor.
                tensor.quantize_dynamic(&per_tensor_scheme())
            } else {
                tensor
            }
        })
    }
}

struct Dequantizer;

impl ModuleMapper for Dequantizer {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        param.map(|tensor| {
            if matches!(tensor.dtype(), DType::QFloat(_)) {
                tensor.dequantize()
            } else {
                tensor
            }
        })
    }
}

/// Quantize a trained module's weights to int8 blocks.
pub fn quantize_int8<M: Module>(module: M) -> M {
    module.map(&mut Int8Quantizer { scheme: int8_scheme() })
}

/// Turn quantized parameters back into f32 for computation.
pub fn dequantize<M: Module>(module: M) -> M {
    module.map(&mut Dequantizer)
}
