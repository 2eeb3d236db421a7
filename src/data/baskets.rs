//! Co-purchase ("bought together"): from baskets (e.g. invoices), each item's
//! partners ranked by how often they share a basket, normalised by both
//! items' popularity (cosine of basket-incidence vectors), so a best-seller
//! does not become everyone's partner.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use super::ItemVocab;
use crate::error::{Result, VitrineError};

pub const FORMAT: u32 = 1;

/// How partners are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoPurchaseConfig {
    /// Partners kept per item.
    pub per_item: usize,
    /// Pairs must share at least this many baskets.
    pub min_support: u32,
    /// Baskets with more distinct items are skipped (bulk orders say little about pairs).
    pub max_basket: usize,
}

/// For every item index `1..=num_items` (index 0 unused), its partners with
/// scores `shared / sqrt(baskets_a * baskets_b)`, best first, ties by index.
pub fn co_purchase(baskets: &[Vec<u32>], num_items: usize, config: CoPurchaseConfig) -> Vec<Vec<(u32, f32)>> {
    let mut item_baskets = vec![0u32; num_items + 1];
    let mut shared: HashMap<(u32, u32), u32> = HashMap::new();
    for basket in baskets.iter().filter(|b| b.len() >= 2 && b.len() <= config.max_basket) {
        for (i, &a) in basket.iter().enumerate() {
            item_baskets[a as usize] += 1;
            for &b in &basket[i + 1..] {
                *shared.entry((a.min(b), a.max(b))).or_default() += 1;
            }
        }
    }
    let mut partners: Vec<Vec<(u32, f32)>> = vec![Vec::new(); num_items + 1];
    for ((a, b), n) in shared {
        if n < config.min_support {
            continue;
        }
        let score = n as f32 / ((item_baskets[a as usize] as f32) * (item_baskets[b as usize] as f32)).sqrt();
        partners[a as usize].push((b, score));
        partners[b as usize].push((a, score));
    }
    for list in &mut partners {
        list.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        list.truncate(config.per_item);
    }
    partners
}

/// The file shipped beside a model: partners by external id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoughtTogetherFile {
    pub format: u32,
    pub config: CoPurchaseConfig,
    pub baskets: usize,
    /// Item id -> partner ids, best first.
    pub pairs: BTreeMap<String, Vec<String>>,
}

impl BoughtTogetherFile {
    pub fn new(partners: &[Vec<(u32, f32)>], vocab: &ItemVocab, baskets: usize, config: CoPurchaseConfig) -> Self {
        let pairs = partners
            .iter()
            .enumerate()
            .filter(|(_, list)| !list.is_empty())
            .filter_map(|(i, list)| {
                let id = vocab.id(i as u32)?.to_string();
                Some((id, list.iter().filter_map(|&(j, _)| vocab.id(j).map(str::to_string)).collect()))
            })
            .collect();
        Self {
            format: FORMAT,
            config,
            baskets,
            pairs,
        }
    }

    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let file: Self = serde_json::from_slice(bytes)
            .map_err(|e| VitrineError::CorruptModel(format!("bought-together file is not valid: {e}")))?;
        if file.format != FORMAT {
            return Err(VitrineError::CorruptModel(format!("bought-together format {} is not {FORMAT}", file.format)));
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: CoPurchaseConfig = CoPurchaseConfig {
        per_item: 2,
        min_support: 2,
        max_basket: 3,
    };

    #[test]
    fn hand_checked_partners() {
        // Item 1 is in 4 baskets, 2 in 3, 3 in 2, 4 in 2 (one basket of 4 items is too big).
        let baskets = vec![vec![1, 2], vec![1, 2, 3], vec![1, 2], vec![1, 3, 4], vec![3, 4], vec![1, 2, 3, 4], vec![4]];
        let p = co_purchase(&baskets, 4, CONFIG);
        // 1-2 share 3 baskets: 3 / sqrt(4 * 3) = 0.866; 1-3 share 2: 2 / sqrt(4 * 3) = 0.577 (3 is in 3 counted baskets).
        assert_eq!(p[1].iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 3]);
        assert!((p[1][0].1 - 3.0 / 12f32.sqrt()).abs() < 1e-6);
        // 3-4 share 2 baskets out of 3 and 2: 2 / sqrt(6) = 0.816, above 3-1.
        assert_eq!(p[3][0], (4, 2.0 / 6f32.sqrt()));
        // 1-4 share one basket only: below min_support.
        assert!(p[4].iter().all(|x| x.0 != 1));
        assert!(p[0].is_empty());
    }

    #[test]
    fn the_file_round_trips_by_external_id() {
        let vocab = ItemVocab::from_ids(vec!["a".into(), "b".into()]).unwrap();
        let p = co_purchase(&[vec![1, 2], vec![1, 2]], 2, CONFIG);
        let file = BoughtTogetherFile::new(&p, &vocab, 2, CONFIG);
        assert_eq!(file.pairs["a"], vec!["b".to_string()]);
        let back = BoughtTogetherFile::from_json(serde_json::to_string(&file).unwrap().as_bytes()).unwrap();
        assert_eq!(back, file);
        assert_eq!(BoughtTogetherFile::from_json(b"{}").unwrap_err().kind(), "CorruptModel");
    }
}
