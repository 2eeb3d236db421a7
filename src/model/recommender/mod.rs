//! The sequential recommender: an encoder over the shopper's item sequence
//! whose last position scores every catalog item through the tied item
//! embeddings (one matrix product). Two encoders, chosen by the config:
//!
//! - SASRec (Kang & McAuley, ICDM 2018): causal self-attention, pre-LN blocks,
//!   a final layer norm (cards without a `frequency` field);
//! - BSARec (Shin et al., AAAI 2024): attention mixed with a causal frequency
//!   filter over the history, post-LN, layer-normed embeddings ([`frequency`]).
//!
//! Both read left-padded histories with positions counted back from the most
//! recent item, so the last column always has the same position.

pub mod frequency;

use burn::nn::attention::generate_autoregressive_mask;
use burn::nn::transformer::{TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput};
use burn::nn::{Dropout, DropoutConfig, Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig};
use burn::prelude::*;

pub use frequency::{FrequencyConfig, FrequencyEncoder};

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
    /// BSARec's frequency path beside attention; absent = plain SASRec.
    pub frequency: Option<FrequencyConfig>,
}

#[derive(Module, Debug)]
pub struct SasRec {
    item_embedding: Embedding,
    position_embedding: Embedding,
    /// SASRec's blocks (none when `frequency` is set).
    encoder: TransformerEncoder,
    /// BSARec's blocks (absent for SASRec, and in older weight files).
    frequency: Option<FrequencyEncoder>,
    final_norm: LayerNorm,
    dropout: Dropout,
    d_model: usize,
    max_len: usize,
}

impl SasRecConfig {
    /// The architecture in words, for the card.
    pub fn describe(&self) -> String {
        match &self.frequency {
            None => format!(
                "SASRec: {} pre-LN causal self-attention blocks, {} heads, d={}, FFN {} (GELU), max history {}, dropout {}, learned positions, output tied to item embeddings",
                self.n_layers, self.n_heads, self.d_model, self.d_model * 4, self.max_len, self.dropout
            ),
            Some(f) => format!(
                "BSARec (Shin et al., AAAI 2024): {} post-LN blocks, each α={}·frequency filter (causal low-pass keeping the {} lowest DFT bins of {}, c={}; the rest scaled by a learned β² per channel) + (1−α)·causal self-attention ({} heads), then FFN {} (GELU); d={}, max history {}, dropout {}, layer-normed embeddings with learned positions, output tied to item embeddings",
                self.n_layers,
                f.alpha,
                f.kept_bins(),
                match f.window {
                    None => "each prefix of the history".to_string(),
                    Some(n) => format!("the {n} positions ending at each one (zero before the history)"),
                },
                f.cutoff,
                self.n_heads,
                self.d_model * 4,
                self.d_model,
                self.max_len,
                self.dropout
            ),
        }
    }

    pub fn init(&self, device: &Device) -> SasRec {
        // SASRec: embeddings start at unit scale after the sqrt(d) input
        // scaling, so tied output logits start near unit variance. BSARec
        // layer-norms its inputs instead and starts from BERT's 0.02.
        let std = if self.frequency.is_some() { 0.02 } else { 1.0 / (self.d_model as f64).sqrt() };
        let attention_layers = if self.frequency.is_some() { 0 } else { self.n_layers };
        let embedding = |n| {
            EmbeddingConfig::new(n, self.d_model)
                .with_initializer(Initializer::Normal { mean: 0.0, std })
                .init(device)
        };
        SasRec {
            item_embedding: embedding(self.num_items + 1),
            position_embedding: embedding(self.max_len),
            encoder: TransformerEncoderConfig::new(self.d_model, self.d_model * 4, self.n_heads, attention_layers)
                .with_dropout(self.dropout)
                .with_norm_first(true)
                .init(device),
            frequency: self
                .frequency
                .as_ref()
                .map(|f| FrequencyEncoder::new(f, self.d_model, self.n_layers, self.n_heads, self.dropout, device)),
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
    ///   (both encoders are causal)
    pub fn hidden(&self, items: Tensor<2, Int>) -> Tensor<3> {
        let [batch, len] = items.dims();
        assert!(len <= self.max_len, "history of {len} columns exceeds max_len {}", self.max_len);
        let device = items.device();
        let padding = items.clone().equal_elem(0);
        let x = self.item_embedding.forward(items);
        // Positions count back from the most recent item, so the last column
        // always gets the same position whatever the batch width.
        let positions = self
            .position_embedding
            .weight
            .val()
            .slice(self.max_len - len..self.max_len)
            .unsqueeze_dim::<3>(0);
        let keep = padding.clone().bool_not().float().unsqueeze_dim::<3>(2);
        let causal = generate_autoregressive_mask(batch, len, &device);
        if let Some(frequency) = &self.frequency {
            let x = self.dropout.forward(frequency.norm_embeddings(x + positions)) * keep.clone();
            return frequency.forward(x, padding, causal) * keep;
        }
        let x = self.dropout.forward(x * (self.d_model as f64).sqrt() + positions);
        // Zero padded rows so they carry nothing into the residual stream.
        let x = x * keep.clone();
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
