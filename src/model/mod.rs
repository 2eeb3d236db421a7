//! The networks, defined once. Training, evaluation, quantization, the CLI and
//! the browser engine all import these; none of them copies a forward pass.

pub mod recommender;
pub mod tryon;

pub use recommender::{SasRec, SasRecConfig};
pub use tryon::{TryOn, TryOnConfig};
