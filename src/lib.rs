//! Vitrine: on-device recommendations for online shops.
//!
//! One crate serves two targets. Natively it is the `vitrine` trainer/evaluator
//! (feature `cli`); compiled to wasm32 it is the browser engine (feature `web`).
//! The network lives once, in [`model`]; everything else (training, evaluation,
//! quantization, the engine) imports it.

pub mod card;
pub mod data;
pub mod engine;
pub mod error;
pub mod eval;
pub mod infer;
pub mod model;
pub mod quantize;
pub mod weights;

#[cfg(feature = "cli")]
pub mod train;

pub use error::VitrineError;

/// Burn's flex backend has one process-wide RNG and cargo runs tests on
/// parallel threads: a test that seeds it and draws from it (weights, random
/// inputs) holds this lock for its whole run, so no other test's draws
/// interleave with its own and every run sees the same numbers.
#[cfg(test)]
pub(crate) fn seeded_flex(seed: u64) -> (burn::prelude::Device, std::sync::MutexGuard<'static, ()>) {
    static FLEX_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = FLEX_RNG.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let device = burn::prelude::Device::flex();
    device.seed(seed);
    (device, guard)
}
