//! `vitrine recommend`: rank items for a history typed on the command line.

use std::path::PathBuf;

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
    /// Catalog (JSON, or CSV with id,title,price), to print titles and prices.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Currency of a CSV catalog.
    #[arg(long, default_value = "GBP")]
    pub currency: String,
}

pub fn run(args: RecommendArgs) -> anyhow::Result<()> {
    let (card, model) = super::eval_cmd::load_model(&args.model, None)?;
    let vocab = card.vocab()?;
    let history: Vec<u32> = args.history.iter().filter_map(|id| vocab.get(id)).collect();
    let catalog = args.catalog.as_deref().map(|p| super::input::load_catalog(p, &args.currency)).transpose()?;
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
            .map(|it| format!("{} ({:.2} {})", it.title, it.price, args.currency_of(&catalog)))
            .unwrap_or_default();
        println!("{:>2}. {id:<12} {score:>8.3}  {title}", rank + 1);
    }
    Ok(())
}

impl RecommendArgs {
    fn currency_of<'a>(&'a self, catalog: &'a Option<Catalog>) -> &'a str {
        catalog.as_ref().map_or(self.currency.as_str(), |c| c.currency.as_str())
    }
}
