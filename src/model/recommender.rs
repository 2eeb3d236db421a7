//! SASRec: a causal self-attention encoder over the shopper's item sequence
//! (Kang & McAuley, ICDM 2018), with pre-layer-norm blocks, a final layer
//! norm and output scores tied to the item embeddings, so every item in the
//! catalog gets a score from one matrix product.

use burn::nn::attention::generate_autoregressive_mask;
use burn::nn::transformer::{TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput};
use burn::nn::{Dropout, DropoutConfig, Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig};
use burn::prelude::*;

/// Hyper-parameters of the recommender. Saved in the model card; the browser
/// rebuilds the network from it before loading the weights.
#[derive(Config, Debug, PartialEq)]
pub struct SasRecConfig {
    /// Number of real items; the embedding table has one more row (index 0 = padding).
    pub num_items: usize,
    #[config(default = 64)]
    pub d_model: usize,
    #[config(default = 2)]
    pub n_layers: usize,
    #[config(default = 2)]
    pub n_heads: usize,
    /// Only the most recent `max_len` items of a history are read.
    #[config(default = 50)]
    pub max_len: usize,
    #[config(default = 0.3)]
    pub dropout: f64,
}

#[derive(Module, Debug)]
pub struct SasRec {
    item_embedding: Embedding,
    position_embedding: Embedding,
    encoder: TransformerEncoder,
    final_norm: LayerNorm,
    dropout: Dropout,
    d_model: usize,
    max_len: usize,
}

impl SasRecConfig {
    pub fn init(&self, device: &Device) -> SasRec {
        // Embeddings start at unit scale after the sqrt(d) input scaling, so
        // tied output logits start near unit variance.
        let std = 1.0 / (self.d_model as f64).sqrt();
        let embedding = |n| {
            EmbeddingConfig::new(n, self.d_model)
                .with_initializer(Initializer::Normal { mean: 0.0, std })
                .init(device)
        };
        SasRec {
            item_embedding: embedding(self.num_items + 1),
            position_embedding: embedding(self.max_len),
            encoder: TransformerEncoderConfig::new(self.d_model, self.d_model * 4, self.n_heads, self.n_layers)
                .with_dropout(self.dropout)
                .with_norm_first(true)
                .init(device),
            final_norm: LayerNormConfig::new(self.d_model).init(device),
            dropout: DropoutConfig::new(self.dropout).init(),
            d_model: self.d_model,
            max_len: self.max_len,
        }
    }
}

impl SasRec {
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Encode left-padded histories (0 = padding).
    ///
    /// - items: `[batch, len]` with `len <= max_len`, most recent item last
    /// - returns: `[batch, len, d_model]`, position `t` summarising items `..=t`
    pub fn hidden(&self, items: Tensor<2, Int>) -> Tensor<3> {
        let [batch, len] = items.dims();
        assert!(len <= self.max_len, "history of {len} columns exceeds max_len {}", self.max_len);
        let device = items.device();
        let padding = items.clone().equal_elem(0);
        let x = self.item_embedding.forward(items) * (self.d_model as f64).sqrt();
        // Positions count back from the most recent item, so the last column
        // always gets the same position whatever the batch width.
        let positions = self
            .position_embedding
            .weight
            .val()
            .slice(self.max_len - len..self.max_len)
            .unsqueeze_dim::<3>(0);
        let x = self.dropout.forward(x + positions);
        // Zero padded rows so they carry nothing into the residual stream.
        let keep = padding.clone().bool_not().float().unsqueeze_dim::<3>(2);
        let x = x * keep.clone();
        let causal = generate_autoregressive_mask(batch, len, &device);
        let h = self
            .encoder
            .forward(TransformerEncoderInput::new(x).mask_pad(padding).mask_attn(causal));
        self.final_norm.forward(h) * keep
    }

    /// Scores of every item (index 0 included; callers mask it) for the next
    /// step after each history: `[batch, num_items + 1]`.
    pub fn score_next(&self, items: Tensor<2, Int>) -> Tensor<2> {
        let [batch, len] = items.dims();
        let last = self
            .hidden(items)
            .slice([0..batch, len - 1..len])
            .reshape([batch as i32, -1]);
        self.score_hidden(last)
    }

    /// Tied output layer: `[n, d_model]` -> `[n, num_items + 1]`.
    pub fn score_hidden(&self, hidden: Tensor<2>) -> Tensor<2> {
        hidden.matmul(self.item_embedding.weight.val().transpose())
    }

    /// The item embedding table `[num_items + 1, d_model]` (for similar-item lookups).
    pub fn item_embeddings(&self) -> Tensor<2> {
        self.item_embedding.weight.val()
    }
}
