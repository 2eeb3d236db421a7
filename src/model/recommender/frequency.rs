//! BSARec's block (Shin et al., "An Attentive Inductive Bias for Sequential
//! Recommendation beyond the Self-Attention", AAAI 2024): beside causal
//! self-attention, a frequency path splits the history into its low
//! frequencies (the shopper's lasting taste) and the rest (recent jumps),
//! re-weights the rest with a learned per-channel β², and mixes the two paths
//! as α·filter + (1−α)·attention. Each path and the feed-forward are post-LN
//! residual sub-layers, as in the paper's code.
//!
//! The Fourier transform is a fixed matrix product, so the block runs on every
//! burn backend (WebGPU and CPU alike) with no FFT kernel: the low-pass of a
//! real sequence x of length n, `irfft(rfft(x) with bins ≥ k zeroed)`, is
//! `P·x` with `P[t,s] = (1 + Σ_{f=1}^{k-1} w_f·cos(2πf(t−s)/n)) / n`, where
//! w_f = 2 for f < n/2, 1 for f = n/2 (the Nyquist bin), 0 beyond.
//!
//! The paper's code filters the whole zero-padded window of 50 at once. Here
//! each position t gets the low-pass of the window of 50 positions ending at
//! t, evaluated at t (positions before the history count as zero), so the
//! block is causal like SASRec, while the last position, the one that
//! recommends, gets the paper's filter with one difference: padding content
//! (position embeddings there) never enters it, so a history gets the same
//! result in any batch and whatever the batch's width. Cards
//! before 2026-12-05 filtered each prefix over its own length instead
//! (`FrequencyConfig::window` None), which leaves a history of up to c items
//! unfiltered; on Beauty that version lagged the official training curve.

use burn::module::Param;
use burn::nn::attention::{MhaInput, MultiHeadAttention, MultiHeadAttentionConfig};
use burn::nn::{Dropout, DropoutConfig, Gelu, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;

/// How the frequency path is built and weighted (saved in the card).
#[derive(Config, Debug, PartialEq)]
pub struct FrequencyConfig {
    /// Weight of the frequency path; attention gets 1 − α (BSARec's α).
    #[config(default = 0.7)]
    pub alpha: f64,
    /// BSARec's c: the low-pass keeps the c/2 + 1 lowest frequency bins.
    #[config(default = 5)]
    pub cutoff: usize,
    /// Length of the DFT the low-pass is taken over. None (cards before
    /// 2026-12-05): each prefix's own length, so a history of up to c items
    /// keeps every bin and passes the filter unchanged. Some(n): a fixed
    /// window of the n positions ending at each one, positions before the
    /// history counting as zero, as BSARec's code filters its zero-padded
    /// window of 50: every history, short ones too, is smoothed by the same
    /// recency kernel.
    #[config(default = "None")]
    pub window: Option<usize>,
}

impl FrequencyConfig {
    /// Frequency bins the low-pass keeps (the mean counts as one).
    pub fn kept_bins(&self) -> usize {
        self.cutoff / 2 + 1
    }
}

/// `[batch, len, len]` causal low-pass operators built on the device from the
/// padding mask (`[batch, len]`, true = padding, histories left-padded): row
/// t holds the low-pass, evaluated at t, of the history's items up to t
/// (`window` None: its own prefix, n = its length; Some(n): the n positions
/// ending at t, missing ones zero). Rows and columns of padding are zero.
pub fn low_pass_operator(padding: Tensor<2, Bool>, kept_bins: usize, window: Option<usize>) -> Tensor<3> {
    let [batch, len] = padding.dims();
    let device = padding.device();
    let real = padding.bool_not().float();
    let index = Tensor::<1, Int>::arange(0..len as i64, &device).float();
    // The DFT length at each row: [batch, len, 1].
    let n = match window {
        Some(n) => Tensor::<3>::full([batch, len, 1], n as f32, &device),
        None => {
            let first_real = real.clone().sum_dim(1).neg() + len as f64; // [batch, 1]
            (index.clone().reshape([1, len]) - first_real + 1.0).clamp_min(1.0).reshape([batch, len, 1])
        }
    };
    let lag = index.clone().reshape([1, len, 1]) - index.reshape([1, 1, len]);
    let mut sum = Tensor::<3>::ones([batch, len, len], &device);
    for f in 1..kept_bins {
        let bin = 2.0 * f as f64;
        // Hermitian pairs count twice, the Nyquist bin once, absent bins not at all.
        let weight = n.clone().greater_elem(bin).float() * 2.0 + n.clone().equal_elem(bin).float();
        let angle = lag.clone() * (2.0 * std::f64::consts::PI * f as f64) / n.clone();
        sum = sum + angle.cos() * weight;
    }
    // Items from t back to t - n + 1 (the window; a prefix always fits its own).
    let causal = lag.clone().greater_equal_elem(0.0).float() * (n.clone() - lag).greater_elem(0.0).float();
    let both_real = real.clone().reshape([batch, len, 1]) * real.reshape([batch, 1, len]);
    sum * causal * both_real / n
}

/// One BSARec block: (α·frequency + (1−α)·attention) then a feed-forward.
#[derive(Module, Debug)]
pub struct FrequencyBlock {
    attention: MultiHeadAttention,
    attention_dropout: Dropout,
    attention_norm: LayerNorm,
    /// √β per channel: the high frequencies are scaled by β².
    sqrt_beta: Param<Tensor<1>>,
    filter_dropout: Dropout,
    filter_norm: LayerNorm,
    expand: Linear,
    contract: Linear,
    activation: Gelu,
    feed_forward_dropout: Dropout,
    feed_forward_norm: LayerNorm,
    alpha: f64,
}

impl FrequencyBlock {
    pub fn new(d_model: usize, n_heads: usize, dropout: f64, config: &FrequencyConfig, device: &Device) -> Self {
        let norm = || LayerNormConfig::new(d_model).with_epsilon(1e-12).init(device);
        let drop = || DropoutConfig::new(dropout).init();
        Self {
            attention: MultiHeadAttentionConfig::new(d_model, n_heads).with_dropout(dropout).init(device),
            attention_dropout: drop(),
            attention_norm: norm(),
            sqrt_beta: Param::from_tensor(Tensor::random([d_model], Distribution::Normal(0.0, 1.0), device)),
            filter_dropout: drop(),
            filter_norm: norm(),
            expand: LinearConfig::new(d_model, 4 * d_model).init(device),
            contract: LinearConfig::new(4 * d_model, d_model).init(device),
            activation: Gelu::new(),
            feed_forward_dropout: drop(),
            feed_forward_norm: norm(),
            alpha: config.alpha,
        }
    }

    /// x: `[batch, len, d]`; low_pass: from [`low_pass_operator`]; padding `[batch, len]`;
    /// causal `[batch, len, len]` (true = masked).
    pub fn forward(&self, x: Tensor<3>, low_pass: &Tensor<3>, padding: &Tensor<2, Bool>, causal: &Tensor<3, Bool>) -> Tensor<3> {
        let [_, _, d] = x.dims();
        let low = low_pass.clone().matmul(x.clone());
        let high = x.clone() - low.clone();
        let beta = self.sqrt_beta.val().powi_scalar(2).reshape([1, 1, d]);
        let filtered = self.filter_norm.forward(self.filter_dropout.forward(low + high * beta) + x.clone());

        let input = MhaInput::self_attn(x.clone()).mask_pad(padding.clone()).mask_attn(causal.clone());
        let attended = self.attention.forward(input).context;
        let attended = self.attention_norm.forward(self.attention_dropout.forward(attended) + x);

        let mixed = filtered * self.alpha + attended * (1.0 - self.alpha);
        let hidden = self.contract.forward(self.activation.forward(self.expand.forward(mixed.clone())));
        self.feed_forward_norm.forward(self.feed_forward_dropout.forward(hidden) + mixed)
    }
}

/// BSARec's encoder: layer-normed embeddings, then the blocks.
#[derive(Module, Debug)]
pub struct FrequencyEncoder {
    embedding_norm: LayerNorm,
    blocks: Vec<FrequencyBlock>,
    kept_bins: usize,
    window: Option<usize>,
}

impl FrequencyEncoder {
    pub fn new(config: &FrequencyConfig, d_model: usize, n_layers: usize, n_heads: usize, dropout: f64, device: &Device) -> Self {
        Self {
            embedding_norm: LayerNormConfig::new(d_model).with_epsilon(1e-12).init(device),
            blocks: (0..n_layers).map(|_| FrequencyBlock::new(d_model, n_heads, dropout, config, device)).collect(),
            kept_bins: config.kept_bins(),
            window: config.window,
        }
    }

    pub fn norm_embeddings(&self, x: Tensor<3>) -> Tensor<3> {
        self.embedding_norm.forward(x)
    }

    /// x: `[batch, len, d]` (normed, dropped out); padding `[batch, len]`; causal mask `[batch, len, len]`.
    pub fn forward(&self, x: Tensor<3>, padding: Tensor<2, Bool>, causal: Tensor<3, Bool>) -> Tensor<3> {
        let low_pass = low_pass_operator(padding.clone(), self.kept_bins, self.window);
        self.blocks.iter().fold(x, |x, block| block.forward(x, &low_pass, &padding, &causal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The low-pass by the textbook route: real DFT of the history's own items,
    /// bins ≥ kept zeroed, inverse DFT (f64, no shortcuts).
    fn naive_low_pass(x: &[f64], kept: usize) -> Vec<f64> {
        let n = x.len();
        let spectrum: Vec<(f64, f64)> = (0..n)
            .map(|f| {
                let keep = f < kept || n - f < kept;
                if !keep {
                    return (0.0, 0.0);
                }
                x.iter().enumerate().fold((0.0, 0.0), |(re, im), (t, v)| {
                    let a = -2.0 * std::f64::consts::PI * (f * t) as f64 / n as f64;
                    (re + v * a.cos(), im + v * a.sin())
                })
            })
            .collect();
        (0..n)
            .map(|t| {
                spectrum.iter().enumerate().map(|(f, (re, im))| {
                    let a = 2.0 * std::f64::consts::PI * (f * t) as f64 / n as f64;
                    re * a.cos() - im * a.sin()
                }).sum::<f64>() / n as f64
            })
            .collect()
    }

    /// The operator (3 bins kept, c = 5) applied to left-padded rows of
    /// `width` columns holding `lengths` real items of one test signal:
    /// (the signal, the output rows flattened).
    fn filter_rows(lengths: &[usize], width: usize, window: Option<usize>) -> (Vec<f64>, Vec<f32>) {
        let device = Device::flex();
        let rows = lengths.len();
        let padding: Vec<bool> = lengths.iter().flat_map(|&n| (0..width).map(move |c| c < width - n)).collect();
        let padding = Tensor::<2, Bool>::from_data(TensorData::new(padding, [rows, width]), &device);
        let operator = low_pass_operator(padding, 3, window);
        let values: Vec<f64> = (0..width).map(|i| ((i * 7 + 3) % 5) as f64 - 1.5).collect();
        let signal: Vec<f32> = values.iter().map(|&v| v as f32).cycle().take(rows * width).collect();
        let x = Tensor::<3>::from_data(TensorData::new(signal, [rows, width, 1]), &device);
        (values, operator.matmul(x).into_data().try_into_vec::<f32>().unwrap())
    }

    /// Checks every row of `out` against `expected(first real column, t)`; padding must stay zero.
    fn assert_rows(out: &[f32], lengths: &[usize], width: usize, expected: impl Fn(usize, usize) -> f64) {
        for (row, &n) in lengths.iter().enumerate() {
            let got = &out[row * width..(row + 1) * width];
            let first = width - n;
            assert!(got[..first].iter().all(|&v| v == 0.0), "padding stays zero");
            for t in first..width {
                let want = expected(first, t);
                assert!((got[t] as f64 - want).abs() < 1e-5, "n={n}, t={t}: {} vs {want}", got[t]);
            }
        }
    }

    #[test]
    fn each_row_is_the_fourier_low_pass_of_its_own_prefix() {
        // Rows with 9, 6, 4, 1 real items (left-padded).
        let (width, lengths) = (9, [9usize, 6, 4, 1]);
        let (values, out) = filter_rows(&lengths, width, None);
        assert_rows(&out, &lengths, width, |first, t| *naive_low_pass(&values[first..=t], 3).last().unwrap());
        // Prefixes of up to 4 items keep every bin: the low-pass is the identity there.
        for t in 0..4 {
            assert!((out[t] as f64 - values[t]).abs() < 1e-5);
        }
    }

    #[test]
    fn a_fixed_window_filters_the_last_n_positions_with_missing_ones_zero() {
        let (width, window, lengths) = (9, 7, [9usize, 6, 1]);
        let (values, out) = filter_rows(&lengths, width, Some(window));
        assert_rows(&out, &lengths, width, |first, t| {
            // The `window` positions ending at t; those before the history are zero.
            let span: Vec<f64> =
                (t as i64 + 1 - window as i64..=t as i64).map(|s| if s >= first as i64 { values[s as usize] } else { 0.0 }).collect();
            *naive_low_pass(&span, 3).last().unwrap()
        });
        // Unlike the per-prefix filter, a single item is smoothed, not passed through.
        let single = out[2 * width + width - 1] as f64;
        assert!((single - values[width - 1] * 5.0 / 7.0).abs() < 1e-5, "one item keeps (1 + 2 + 2) / 7 of itself: {single}");
    }

    #[test]
    fn a_block_keeps_shape_is_causal_and_ignores_padding_content() {
        let (device, _rng) = crate::seeded_flex(5);
        let block = FrequencyBlock::new(32, 1, 0.0, &FrequencyConfig::new(), &device);
        let padding = Tensor::<2, Bool>::from_data(TensorData::new(vec![true, true, false, false, false], [1, 5]), &device);
        let causal = burn::nn::attention::generate_autoregressive_mask(1, 5, &device);
        // Both filter spans: each prefix over its own length, and a window (4) shorter than the row.
        for window in [None, Some(4)] {
            let low = low_pass_operator(padding.clone(), 3, window);
            let x = Tensor::<3>::random([1, 5, 32], Distribution::Normal(0.0, 1.0), &device);
            let noise = Tensor::<3>::random([1, 5, 32], Distribution::Normal(0.0, 1.0), &device)
                * Tensor::<3>::from_data(TensorData::new(vec![1.0f32, 1.0, 0.0, 0.0, 0.0], [1, 5, 1]), &device);
            let a = block.forward(x.clone(), &low, &padding, &causal);
            let b = block.forward(x.clone() + noise, &low, &padding, &causal);
            assert_eq!(a.dims(), [1, 5, 32]);
            let diff = (a.clone().slice([0..1, 2..5]) - b.slice([0..1, 2..5])).abs().max().into_scalar::<f32>();
            assert!(diff < 1e-5, "window {window:?}: padded positions leak into real ones: {diff}");
            // Causal: changing the most recent item changes no earlier real position
            // (padded rows attend to nothing real; the model zeroes them).
            let later = Tensor::<3>::random([1, 5, 32], Distribution::Normal(0.0, 1.0), &device)
                * Tensor::<3>::from_data(TensorData::new(vec![0.0f32, 0.0, 0.0, 0.0, 1.0], [1, 5, 1]), &device);
            let c = block.forward(x.clone() + later, &low, &padding, &causal);
            let diff = (a.clone().slice([0..1, 2..4]) - c.clone().slice([0..1, 2..4])).abs().max().into_scalar::<f32>();
            assert!(diff < 1e-5, "window {window:?}: a future item leaks into earlier positions: {diff}");
            assert!((a.slice([0..1, 4..5]) - c.slice([0..1, 4..5])).abs().max().into_scalar::<f32>() > 1e-3);
        }
    }
}
