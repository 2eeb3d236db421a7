//! Ranking metrics under the leave-one-out, full-ranking protocol (S3-Rec):
//! each held-out target is ranked against every item, the user's history
//! items excluded; HR@k and NDCG@k are averaged over users.

pub mod image_metrics;
pub mod metrics;
#[cfg(not(target_family = "wasm"))]
pub mod evaluate;

pub use metrics::RankingMetrics;
#[cfg(feature = "cli")]
pub mod tryon;
