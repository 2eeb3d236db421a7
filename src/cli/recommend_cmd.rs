//! `vitrine recommend`: rank items for a history typed on the command line.

use std::path::PathBuf;

use anyhow::Context;
use burn::prelude::*;
use clap::Args;
use vitrine::data::batch::pad_histories;
use vitrine::data::Catalog;
use vitrine::infer::{history_tensor, top_k};

#[derive(Args, Debug)]
pub struct RecommendArgs {
    #[arg(long)]
    pub model: PathBuf,
    /// Comma-separated item ids, oldest first.
    #[arg(long, value_delimiter = ',')]
    pub history: Vec<String>,
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Catalog JSON, to print titles and prices.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
}

pub fn run(args: RecommendArgs) -> anyhow::Result<()> {
    let (card, model) = super::eval_cmd::load_model(&args.model, None)?;
    let vocab = card.vocab()?;
    let history: Vec<u32> = args.history.iter().filter_map(|id| vocab.get(id)).collect();
    let catalog = match &args.catalog {
        Some(p) => Some(Catalog::from_json(&std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?)?),
        None => None,
    };
    let batch = pad_histories(&[history.clone()], model.max_len());
    let scores: Vec<f32> = model
        .score_next(history_tensor(&batch, &Device::flex()))
        .into_data()
        .convert::<f32>()
        .try_into_vec()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for (rank, (i, score)) in top_k(&scores, &history, args.k).into_iter().enumerate() {
        let id = vocab.id(i).unwrap_or("?");
        let title = catalog
            .as_ref()
            .and_then(|c| c.items.iter().find(|it| it.id == id))
            .map(|it| format!("{} ({:.2} {})", it.title, it.price, c_currency(&catalog)))
            .unwrap_or_default();
        println!("{:>2}. {id:<12} {score:>8.3}  {title}", rank + 1);
    }
    Ok(())
}

fn c_currency(catalog: &Option<Catalog>) -> &str {
    catalog.as_ref().map(|c| c.currency.as_str()).unwrap_or("")
}
