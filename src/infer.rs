//! From scores to recommendations: the one place that masks what the shopper
//! already has and orders the rest. Evaluation, the CLI and the browser engine
//! all call these, so metrics measure exactly what the widget serves.

use burn::prelude::*;

use crate::data::batch::PaddedBatch;

/// The padded history grid as an Int tensor on `device`.
pub fn history_tensor(batch: &PaddedBatch, device: &Device) -> Tensor<2, Int> {
    Tensor::from_data(TensorData::new(batch.items.clone(), [batch.batch, batch.len]), device)
}

/// Is `a` (score, index) ranked before `b`? Higher score first; ties go to the
/// lower index so results are deterministic across backends.
#[inline]
fn before(a: (f32, u32), b: (f32, u32)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// The `k` best items by score, skipping padding (index 0), NaN scores and
/// every index in `exclude` (the shopper's history).
pub fn top_k(scores: &[f32], exclude: &[u32], k: usize) -> Vec<(u32, f32)> {
    let mut excluded = vec![false; scores.len()];
    for &i in exclude {
        if let Some(e) = excluded.get_mut(i as usize) {
            *e = true;
        }
    }
    // A bounded selection: O(n log k), no full sort of the catalog.
    let mut best: Vec<(f32, u32)> = Vec::with_capacity(k + 1);
    for (i, &s) in scores.iter().enumerate().skip(1) {
        if excluded[i] || s.is_nan() || k == 0 {
            continue;
        }
        let cand = (s, i as u32);
        if best.len() == k && !before(cand, best[k - 1]) {
            continue;
        }
        let pos = best.partition_point(|&b| before(b, cand));
        best.insert(pos, cand);
        best.truncate(k);
    }
    best.into_iter().map(|(s, i)| (i, s)).collect()
}

/// 0-based rank of `target` among all items except padding and `exclude`,
/// using the same ordering as [`top_k`]: `rank < k` iff `target` is in `top_k(.., k)`.
pub fn rank_of(scores: &[f32], target: u32, exclude: &[u32]) -> usize {
    let t = (scores[target as usize], target);
    let mut excluded = vec![false; scores.len()];
    for &i in exclude {
        if i != target {
            if let Some(e) = excluded.get_mut(i as usize) {
                *e = true;
            }
        }
    }
    scores
        .iter()
        .enumerate()
        .skip(1)
        .filter(|&(i, &s)| !excluded[i] && (t.0.is_nan() || (!s.is_nan() && before((s, i as u32), t))))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_skips_padding_history_and_nan_and_breaks_ties_by_index() {
        let scores = [9.0, 1.0, 5.0, f32::NAN, 5.0, 7.0, 0.5];
        assert_eq!(top_k(&scores, &[5], 3), vec![(2, 5.0), (4, 5.0), (1, 1.0)]);
        assert_eq!(top_k(&scores, &[], 0), vec![]);
        assert_eq!(top_k(&scores, &[99], 10).len(), 5);
    }

    #[test]
    fn rank_agrees_with_top_k() {
        let scores = [0.0, 0.3, 0.9, 0.1, 0.9, 0.5];
        for target in 1..6u32 {
            let r = rank_of(&scores, target, &[5]);
            for k in 1..6 {
                let in_top = top_k(&scores, &[5], k).iter().any(|&(i, _)| i == target);
                if target != 5 {
                    assert_eq!(r < k, in_top, "target {target} k {k}");
                }
            }
        }
        // Item 4 ties with 2 and loses on index; item 5 (history) does not count.
        assert_eq!(rank_of(&scores, 4, &[5]), 1);
        assert_eq!(rank_of(&scores, 1, &[5]), 2);
    }
}
