//! Weights files: burnpack bytes in and out, checked against the card's
//! sha256 before anything is decoded. No file I/O here, so the browser and the
//! CLI share it (the CLI reads files, the browser fetches bytes).

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use burn::store::ModuleRecord;
use sha2::{Digest, Sha256};

use crate::error::{Result, VitrineError};
use crate::model::{SasRec, SasRecConfig, TryOn, TryOnConfig};
use crate::quantize::dequantize;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Serialize a module's parameters (f32 or quantized) to burnpack bytes.
pub fn to_bytes<M: Module>(module: M) -> Result<Vec<u8>> {
    let bytes = module
        .into_record()
        .into_bytes()
        .map_err(|e| VitrineError::CorruptModel(format!("could not encode weights: {e}")))?;
    Ok(bytes.to_vec())
}

/// Refuse bytes whose sha256 differs from the card's.
pub fn verify_sha256(bytes: &[u8], expected: &str) -> Result<()> {
    verify_digest(bytes, None, expected)
}

/// `verify_sha256` with the bytes' digest computed elsewhere when `computed`
/// is given: the browser's SubtleCrypto hashes at native speed (in wasm,
/// sha2 costs about 15 ms per MB here, a sixth of the first answer). The
/// caller handed over both the bytes and their digest, so trusting the
/// digest trusts no one new; decoding still refuses bytes that do not fit.
pub fn verify_digest(bytes: &[u8], computed: Option<&str>, expected: &str) -> Result<()> {
    let actual = computed.map(str::to_string).unwrap_or_else(|| sha256_hex(bytes));
    if !actual.eq_ignore_ascii_case(expected) {
        return Err(VitrineError::ChecksumMismatch {
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(())
}

/// Build the recommender from its config and load (and dequantize) weights.
/// Any decoding problem or shape mismatch is a `CorruptModel` error, never a panic.
///
/// Decoding and dequantizing happen on the CPU backend (WebGPU kernels do not
/// dequantize burn's Q8S blocks); the f32 model then moves to `device`.
pub fn load_recommender(config: &SasRecConfig, bytes: &[u8], device: &Device) -> Result<SasRec> {
    Ok(onto(load_on_cpu(config, bytes)?, device))
}

/// Decode and dequantize onto the CPU backend.
pub fn load_on_cpu(config: &SasRecConfig, bytes: &[u8]) -> Result<SasRec> {
    decode_into(config.init(&Device::flex()), bytes)
}

/// Build the try-on pipeline from its config and load (and dequantize) weights;
/// same checks and CPU-first decoding as [`load_recommender`].
pub fn load_tryon(config: &TryOnConfig, bytes: &[u8], device: &Device) -> Result<TryOn> {
    Ok(onto(decode_into(config.init(&Device::flex()), bytes)?, device))
}

/// Move a model decoded on the CPU to `device` (a no-op for the CPU itself).
fn onto<M: Module>(model: M, device: &Device) -> M {
    if *device == Device::flex() { model } else { model.to_device(device) }
}

/// Decode burnpack bytes into `fresh` (built on the CPU) and dequantize.
/// Every parameter must keep the shape the card's architecture gives it:
/// loading alone would accept a tensor of another shape and fail later,
/// inside a forward pass.
fn decode_into<M: Module>(fresh: M, bytes: &[u8]) -> Result<M> {
    let expected = parameter_shapes(&fresh);
    let record = ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| VitrineError::CorruptModel(format!("not a burnpack weights file: {e}")))?;
    let model = fresh
        .try_load_record(record)
        .map_err(|e| VitrineError::CorruptModel(format!("weights do not fit the architecture in the card: {e}")))?;
    let found = parameter_shapes(&model);
    if let Some((i, (want, got))) = expected.iter().zip(&found).enumerate().find(|(_, (w, g))| w != g) {
        return Err(VitrineError::CorruptModel(format!(
            "weights do not fit the architecture in the card: parameter {i} has shape {got:?}, the card's network needs {want:?}"
        )));
    }
    Ok(dequantize(model))
}

struct ShapeCollector(Vec<Vec<usize>>);

impl ModuleVisitor for ShapeCollector {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        // `lazy_shape`, not `val()`: reading a fresh model's value would run
        // its random initialisation (2 M values for amazon-beauty, most of
        // the load time) only for the loaded weights to replace it.
        self.0.push(param.lazy_shape().to_vec());
    }
}

fn parameter_shapes<M: Module>(module: &M) -> Vec<Vec<usize>> {
    let mut collector = ShapeCollector(Vec::new());
    module.visit(&mut collector);
    collector.0
}
