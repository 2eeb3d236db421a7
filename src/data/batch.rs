//! Turning item sequences into the padded integer grids the model eats.
//!
//! Sequences are left-padded with 0 so the most recent item is always in the
//! last column; the batch is only as wide as its longest row (capped at
//! `max_len`), which keeps short-history batches cheap.

/// A `[batch, len]` grid of item indices, row-major, left-padded with 0.
#[derive(Debug, Clone, PartialEq)]
pub struct PaddedBatch {
    pub batch: usize,
    pub len: usize,
    pub items: Vec<i64>,
}

/// Left-pad histories, keeping each one's most recent `max_len` items.
/// Every row keeps at least one column so an empty history still has a shape.
pub fn pad_histories<S: AsRef<[u32]>>(histories: &[S], max_len: usize) -> PaddedBatch {
    let len = histories
        .iter()
        .map(|h| h.as_ref().len().min(max_len))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut items = vec![0i64; histories.len() * len];
    for (row, h) in histories.iter().enumerate() {
        let h = h.as_ref();
        let kept = &h[h.len().saturating_sub(max_len)..];
        let start = row * len + (len - kept.len());
        for (slot, &item) in items[start..start + kept.len()].iter_mut().zip(kept) {
            *slot = item as i64;
        }
    }
    PaddedBatch {
        batch: histories.len(),
        len,
        items,
    }
}

/// Next-item training pairs: inputs `seq[..m-1]`, targets `seq[1..]`, both
/// left-padded the same way (target 0 = no loss at that position).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainBatch {
    pub inputs: PaddedBatch,
    pub targets: Vec<i64>,
}

pub fn next_item_batch<S: AsRef<[u32]>>(sequences: &[S], max_len: usize) -> TrainBatch {
    let inputs: Vec<&[u32]> = sequences
        .iter()
        .map(|s| {
            let s = s.as_ref();
            &s[..s.len().saturating_sub(1)]
        })
        .collect();
    let targets: Vec<&[u32]> = sequences
        .iter()
        .map(|s| {
            let s = s.as_ref();
            &s[1.min(s.len())..]
        })
        .collect();
    let inputs = pad_histories(&inputs, max_len);
    let mut padded_targets = pad_histories(&targets, max_len);
    // Both grids have the same width because each target row is as long as its input row.
    debug_assert_eq!(inputs.len, padded_targets.len);
    let targets = std::mem::take(&mut padded_targets.items);
    TrainBatch { inputs, targets }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_left_and_truncates_to_the_most_recent_items() {
        let b = pad_histories(&[vec![1, 2, 3], vec![4]], 2);
        assert_eq!((b.batch, b.len), (2, 2));
        assert_eq!(b.items, vec![2, 3, 0, 4]);
    }

    #[test]
    fn empty_histories_still_have_one_column() {
        let b = pad_histories(&[Vec::<u32>::new()], 50);
        assert_eq!((b.batch, b.len, b.items.clone()), (1, 1, vec![0]));
    }

    #[test]
    fn next_item_targets_are_shifted_inputs() {
        let b = next_item_batch(&[vec![1, 2, 3], vec![7, 8]], 50);
        assert_eq!(b.inputs.items, vec![1, 2, 0, 7]);
        assert_eq!(b.targets, vec![2, 3, 0, 8]);
    }
}
