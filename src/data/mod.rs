//! Interaction data: the two input forms (sequence files, event logs), the item
//! vocabulary, the leave-one-out split, and the product catalog.

pub mod baskets;
pub mod batch;
pub mod catalog;
#[cfg(feature = "cli")]
pub mod events;
#[cfg(feature = "cli")]
pub mod exports;
#[cfg(feature = "cli")]
pub mod feeds;
pub mod garment_mask;
pub mod pixels;
#[cfg(feature = "cli")]
pub mod portrait;
#[cfg(feature = "cli")]
pub mod pseudo_labels;
#[cfg(feature = "cli")]
pub mod real_photos;
pub mod sequences;
pub mod split;
#[cfg(feature = "cli")]
pub mod tryon;
pub mod vocab;

pub use catalog::{Catalog, CatalogItem};
pub use split::{Interactions, LeaveOneOut};
pub use vocab::ItemVocab;
