//! HR@k and NDCG@k from target ranks. With one target per user, HR@k equals
//! Recall@k and NDCG@k is `1 / log2(rank + 2)` for a 0-based rank below k.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const CUTOFFS: [usize; 3] = [5, 10, 20];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RankingMetrics {
    pub users: usize,
    /// `hr@k` / `ndcg@k` for k in [`CUTOFFS`].
    #[serde(flatten)]
    pub values: BTreeMap<String, f64>,
}

impl RankingMetrics {
    /// Average the metrics over 0-based target ranks.
    pub fn from_ranks(ranks: &[usize]) -> Self {
        let n = ranks.len().max(1) as f64;
        let mut values = BTreeMap::new();
        for k in CUTOFFS {
            let hits = ranks.iter().filter(|&&r| r < k).count() as f64;
            let ndcg: f64 = ranks
                .iter()
                .filter(|&&r| r < k)
                .map(|&r| 1.0 / ((r + 2) as f64).log2())
                .sum();
            values.insert(format!("hr@{k}"), hits / n);
            values.insert(format!("ndcg@{k}"), ndcg / n);
        }
        Self {
            users: ranks.len(),
            values,
        }
    }

    pub fn get(&self, name: &str) -> f64 {
        self.values.get(name).copied().unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_values() {
        // Ranks 0, 1, 9, 10, 30 (0-based).
        let m = RankingMetrics::from_ranks(&[0, 1, 9, 10, 30]);
        assert_eq!(m.users, 5);
        assert!((m.get("hr@5") - 2.0 / 5.0).abs() < 1e-12);
        assert!((m.get("hr@10") - 3.0 / 5.0).abs() < 1e-12);
        assert!((m.get("hr@20") - 4.0 / 5.0).abs() < 1e-12);
        // NDCG@10 = (1 + 1/log2(3) + 1/log2(11)) / 5
        let want = (1.0 + 1.0 / 3f64.log2() + 1.0 / 11f64.log2()) / 5.0;
        assert!((m.get("ndcg@10") - want).abs() < 1e-12);
        // NDCG@5 = (1 + 1/log2(3)) / 5 = 0.32618...
        assert!((m.get("ndcg@5") - 0.326185950714).abs() < 1e-9);
    }

    #[test]
    fn serialises_with_flat_metric_keys() {
        let json = serde_json::to_string(&RankingMetrics::from_ranks(&[0])).unwrap();
        assert!(json.contains("\"hr@10\":1.0") && json.contains("\"users\":1"), "{json}");
    }
}
