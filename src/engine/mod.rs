//! The browser engine: a recommender built from a card and weight bytes that
//! the page fetched (no I/O here), answering `recommend(history, k)` on
//! WebGPU or the CPU. The core is plain async Rust, tested natively and in
//! the browser; `web` is the thin wasm-bindgen façade over it.

pub mod device;
mod recommender;
mod similarity;
mod tryon;
#[cfg(feature = "web")]
pub mod web;
#[cfg(feature = "web-tryon")]
mod web_tryon;

pub use device::{Backend, BackendChoice};
pub use recommender::{CatalogSummary, Recommendation, Recommendations, Recommender, MAX_K};
pub use tryon::{weakest, Render, TryOnEngine};
