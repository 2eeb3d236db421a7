//! Shuffled batches of similar length: users are shuffled, cut into pools
//! of 50 batches, each pool is sorted by length and cut into batches, and the
//! batches are shuffled again. Padding work drops to a few percent while
//! every epoch still sees a different mix.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

pub fn bucketed(sequences: &[&[u32]], batch_size: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..sequences.len()).collect();
    order.shuffle(&mut rng);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for pool in order.chunks(batch_size * 50) {
        let mut pool = pool.to_vec();
        pool.sort_by_key(|&i| sequences[i].len());
        batches.extend(pool.chunks(batch_size).map(<[usize]>::to_vec));
    }
    batches.shuffle(&mut rng);
    batches
}

/// Prefix augmentation: one sample per target in the most recent `max_len`
/// positions of each sequence (as BSARec's code draws them), each a slice
/// whose last item is the target and whose up to `max_len` items before it
/// are the history.
pub fn prefix_samples<'a>(sequences: &[&'a [u32]], max_len: usize) -> Vec<&'a [u32]> {
    let mut samples = Vec::new();
    for seq in sequences {
        for end in seq.len().saturating_sub(max_len).max(1)..seq.len() {
            samples.push(&seq[end.saturating_sub(max_len)..=end]);
        }
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_samples_end_at_every_recent_target_with_at_most_max_len_history() {
        let long: Vec<u32> = (1..=8).collect();
        let short = [9u32, 10];
        let samples = prefix_samples(&[&long, &short, &[11]], 3);
        let expected: Vec<&[u32]> = vec![&[3, 4, 5, 6], &[4, 5, 6, 7], &[5, 6, 7, 8], &[9, 10]];
        assert_eq!(samples, expected);
        assert_eq!(prefix_samples(&[&long], 50).len(), 7, "short sequences give every prefix");
    }

    #[test]
    fn every_sequence_once_and_deterministic_per_seed() {
        let data: Vec<Vec<u32>> = (0..1000).map(|i| vec![1; 2 + i % 7]).collect();
        let refs: Vec<&[u32]> = data.iter().map(Vec::as_slice).collect();
        let a = bucketed(&refs, 16, 7);
        let mut all: Vec<usize> = a.iter().flatten().copied().collect();
        all.sort();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        assert_eq!(a, bucketed(&refs, 16, 7));
        assert_ne!(a, bucketed(&refs, 16, 8));
    }
}
