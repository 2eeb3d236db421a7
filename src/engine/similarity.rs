//! Item-to-item similarity from the trained item embeddings (cosine), kept
//! on the host: it serves the "similar" placement and the "Why this?" line
//! without another network or another download.


use crate::error::{Result, VitrineError};
use crate::infer::top_k;
use crate::model::SasRec;

pub struct ItemSimilarity {
    dim: usize,
    /// Unit-length embedding rows, `[num_items + 1, dim]`, row 0 (padding) zero.
    unit: Vec<f32>,
}

impl ItemSimilarity {
    /// Read the embedding table back (async: the only readback a browser allows).
    pub async fn from_model(model: &SasRec) -> Result<Self> {
        let table = model.item_embeddings();
        let [rows, dim] = table.dims();
        let mut unit: Vec<f32> = table
            .into_data_async()
            .await
            .map_err(|e| VitrineError::Backend(format!("reading embeddings failed: {e:?}")))?
            .convert::<f32>()
            .try_into_vec()
            .map_err(|e| VitrineError::Backend(format!("unexpected embedding data: {e:?}")))?;
        for (r, row) in unit.chunks_mut(dim).enumerate() {
            let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
            let scale = if r == 0 || norm == 0.0 { 0.0 } else { 1.0 / norm };
            row.iter_mut().for_each(|x| *x *= scale);
        }
        debug_assert_eq!(unit.len(), rows * dim);
        Ok(Self { dim, unit })
    }

    fn row(&self, index: u32) -> &[f32] {
        let start = index as usize * self.dim;
        &self.unit[start..start + self.dim]
    }

    pub fn cosine(&self, a: u32, b: u32) -> f32 {
        self.row(a).iter().zip(self.row(b)).map(|(x, y)| x * y).sum()
    }

    /// The `k` items most similar to `index`, never `index` itself or `exclude`.
    pub fn most_similar(&self, index: u32, exclude: &[u32], k: usize) -> Vec<(u32, f32)> {
        let anchor = self.row(index);
        let scores: Vec<f32> = self.unit.chunks(self.dim).map(|row| row.iter().zip(anchor).map(|(x, y)| x * y).sum()).collect();
        let mut skip = exclude.to_vec();
        skip.push(index);
        top_k(&scores, &skip, k)
    }

    /// Which of `candidates` is closest to `index` (for "Because you viewed …").
    pub fn closest(&self, index: u32, candidates: &[u32]) -> Option<u32> {
        candidates
            .iter()
            .copied()
            .max_by(|&a, &b| self.cosine(index, a).total_cmp(&self.cosine(index, b)))
    }
}
