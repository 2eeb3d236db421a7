//! Leave-one-out split by time: per user the last item is the test target, the
//! one before it the validation target, the rest is training data.

use super::ItemVocab;

/// Users' item sequences, oldest first, as model indices (>= 1).
#[derive(Debug, Clone)]
pub struct Interactions {
    pub users: Vec<String>,
    pub sequences: Vec<Vec<u32>>,
    pub vocab: ItemVocab,
}

impl Interactions {
    pub fn num_interactions(&self) -> usize {
        self.sequences.iter().map(Vec::len).sum()
    }

    /// Re-express the sequences in another vocabulary (a trained model's):
    /// unknown items are dropped; returns how many occurrences were dropped.
    pub fn remap(self, vocab: &ItemVocab) -> (Interactions, usize) {
        let mut dropped = 0;
        let sequences = self
            .sequences
            .iter()
            .map(|seq| {
                seq.iter()
                    .filter_map(|&i| {
                        let mapped = self.vocab.id(i).and_then(|id| vocab.get(id));
                        dropped += mapped.is_none() as usize;
                        mapped
                    })
                    .collect()
            })
            .collect();
        let remapped = Interactions {
            users: self.users,
            sequences,
            vocab: vocab.clone(),
        };
        (remapped, dropped)
    }
}

/// Which held-out target an evaluation ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveOneOut {
    /// Input `seq[..n-2]`, target `seq[n-2]`.
    Validation,
    /// Input `seq[..n-1]`, target `seq[n-1]`.
    Test,
}

/// One ranking case: the history the model sees and the item it should rank high.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalCase<'a> {
    pub history: &'a [u32],
    pub target: u32,
}

impl LeaveOneOut {
    /// The ranking case for one user, or None when the sequence is too short
    /// to hold out this target and still leave some history (n < 3).
    pub fn case(self, seq: &[u32]) -> Option<EvalCase<'_>> {
        let n = seq.len();
        if n < 3 {
            return None;
        }
        let cut = match self {
            LeaveOneOut::Validation => n - 2,
            LeaveOneOut::Test => n - 1,
        };
        Some(EvalCase {
            history: &seq[..cut],
            target: seq[cut],
        })
    }
}

/// The training part of a sequence: everything before the validation target.
/// Sequences too short to split are used whole (they have no eval case).
pub fn train_part(seq: &[u32]) -> &[u32] {
    if seq.len() >= 3 {
        &seq[..seq.len() - 2]
    } else {
        seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leave_one_out_holds_out_the_last_two_items() {
        let seq = [1, 2, 3, 4, 5];
        let t = LeaveOneOut::Test.case(&seq).unwrap();
        assert_eq!((t.history, t.target), (&[1, 2, 3, 4][..], 5));
        let v = LeaveOneOut::Validation.case(&seq).unwrap();
        assert_eq!((v.history, v.target), (&[1, 2, 3][..], 4));
        assert_eq!(train_part(&seq), &[1, 2, 3]);
    }

    #[test]
    fn too_short_sequences_have_no_case() {
        assert!(LeaveOneOut::Test.case(&[1, 2]).is_none());
        assert_eq!(train_part(&[1, 2]), &[1, 2]);
    }
}
