//! The sequences file form: one line per user, `user item item ...`, oldest
//! first (the S3-Rec / SASRec benchmark format).

use super::{Interactions, ItemVocab};
use crate::error::{Result, VitrineError};

/// Parse a sequences text. Blank lines are skipped; a line with a user but no
/// items is an error (it cannot be split or trained on).
pub fn parse_sequences(text: &str) -> Result<Interactions> {
    let mut vocab = ItemVocab::default();
    let mut users = Vec::new();
    let mut sequences = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let Some(user) = fields.next() else { continue };
        let items: Vec<u32> = fields.map(|id| vocab.intern(id)).collect();
        if items.is_empty() {
            return Err(VitrineError::Malformed {
                what: "sequences file",
                line: n + 1,
                reason: format!("user {user:?} has no items"),
            });
        }
        users.push(user.to_string());
        sequences.push(items);
    }
    if sequences.is_empty() {
        return Err(VitrineError::Malformed {
            what: "sequences file",
            line: 0,
            reason: "no sequences found".into(),
        });
    }
    Ok(Interactions {
        users,
        sequences,
        vocab,
    })
}

/// Like [`parse_sequences`] but with a fixed vocabulary (the one a trained
/// model carries); see [`Interactions::remap`].
pub fn parse_sequences_with_vocab(text: &str, vocab: &ItemVocab) -> Result<(Interactions, usize)> {
    Ok(parse_sequences(text)?.remap(vocab))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_users_and_items_in_first_appearance_order() {
        let data = parse_sequences("1 1 2 3\n2 4 2\n\n3 5 1 6\n").unwrap();
        assert_eq!(data.users, vec!["1", "2", "3"]);
        assert_eq!(data.sequences, vec![vec![1, 2, 3], vec![4, 2], vec![5, 1, 6]]);
        assert_eq!(data.vocab.len(), 6);
        assert_eq!(data.vocab.id(4), Some("4"));
    }

    #[test]
    fn a_user_without_items_is_a_typed_error_with_its_line() {
        let err = parse_sequences("1 1 2\n2\n").unwrap_err();
        assert!(matches!(err, VitrineError::Malformed { line: 2, .. }), "{err}");
    }

    #[test]
    fn an_empty_file_is_an_error() {
        assert!(parse_sequences("\n\n").is_err());
    }

    #[test]
    fn fixed_vocab_drops_unknown_items() {
        let vocab = ItemVocab::from_ids(vec!["a".into(), "b".into()]).unwrap();
        let (data, dropped) = parse_sequences_with_vocab("u a zz b\n", &vocab).unwrap();
        assert_eq!(data.sequences, vec![vec![1, 2]]);
        assert_eq!(dropped, 1);
    }
}
