//! The item vocabulary: external product ids <-> dense model indices.
//!
//! One convention, stated once: index 0 is padding and is never recommended;
//! items are numbered 1..=len in order of first appearance.

use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemVocab {
    /// `ids[i - 1]` is the external id of model index `i`.
    ids: Vec<String>,
    index: HashMap<String, u32>,
}

impl ItemVocab {
    pub fn from_ids(ids: Vec<String>) -> Result<Self, String> {
        let mut index = HashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            if index.insert(id.clone(), i as u32 + 1).is_some() {
                return Err(format!("item id {id:?} appears twice in the vocabulary"));
            }
        }
        Ok(Self { ids, index })
    }

    /// Index of `id`, adding it if new.
    pub fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        self.ids.push(id.to_string());
        let i = self.ids.len() as u32;
        self.index.insert(id.to_string(), i);
        i
    }

    pub fn get(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// External id of a model index (None for padding or out of range).
    pub fn id(&self, index: u32) -> Option<&str> {
        if index == 0 {
            return None;
        }
        self.ids.get(index as usize - 1).map(String::as_str)
    }

    /// Number of real items (padding excluded).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_index_zero_and_items_start_at_one() {
        let mut v = ItemVocab::default();
        assert_eq!(v.intern("a"), 1);
        assert_eq!(v.intern("b"), 2);
        assert_eq!(v.intern("a"), 1);
        assert_eq!(v.id(0), None);
        assert_eq!(v.id(2), Some("b"));
        assert_eq!(v.id(3), None);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        assert!(ItemVocab::from_ids(vec!["x".into(), "x".into()]).is_err());
    }
}
