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
