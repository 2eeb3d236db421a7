//! `vitrine bought-together`: learn co-purchase partners from the baskets of
//! an event export (e.g. invoices) and ship them beside a model: writes
//! MODEL.bought-together (JSON) and records its sha256 in the model's card.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vitrine::card::{ModelCard, SideFile};
use vitrine::data::baskets::{co_purchase, BoughtTogetherFile, CoPurchaseConfig};
use vitrine::data::events::read_baskets;
use vitrine::weights::sha256_hex;

use super::input::{open, DataArgs};

#[derive(Args, Debug)]
pub struct TogetherArgs {
    /// The model whose card gets the file (its items are the vocabulary).
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// The column that groups rows into baskets.
    #[arg(long, default_value = "InvoiceNo")]
    pub basket_col: String,
    #[arg(long, default_value_t = 10)]
    pub per_item: usize,
    #[arg(long, default_value_t = 3)]
    pub min_support: u32,
    #[arg(long, default_value_t = 100)]
    pub max_basket: usize,
}

pub fn run(args: TogetherArgs) -> anyhow::Result<()> {
    let card_path = args.model.with_extension("json");
    let mut card = ModelCard::from_json(&std::fs::read_to_string(&card_path).with_context(|| format!("reading {}", card_path.display()))?)?;
    let vocab = card.vocab()?;
    let events = args.data.events.clone().context("--events is required (baskets come from an event export)")?;
    let baskets = read_baskets(open(&events)?, &args.data.spec()?, &args.basket_col, &vocab)?;
    let config = CoPurchaseConfig {
        per_item: args.per_item,
        min_support: args.min_support,
        max_basket: args.max_basket,
    };
    let partners = co_purchase(&baskets, vocab.len(), config);
    let file = BoughtTogetherFile::new(&partners, &vocab, baskets.len(), config);
    let bytes = serde_json::to_vec(&file)?;
    let name = format!("{}.bought-together", card.name); // JSON inside; not *.json, which is for cards
    let path = args.model.with_file_name(&name);
    std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    card.bought_together = Some(SideFile {
        file: name,
        bytes: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
        command: super::command_line(),
        description: format!(
            "{} baskets ({} column); per item the {} partners sharing the most baskets (at least {}), scored shared / sqrt(baskets_a * baskets_b); baskets over {} items skipped. {} of {} items have partners.",
            baskets.len(), args.basket_col, config.per_item, config.min_support, config.max_basket, file.pairs.len(), vocab.len()
        ),
    });
    std::fs::write(&card_path, card.to_json()).with_context(|| format!("writing {}", card_path.display()))?;
    eprintln!("wrote {} ({} bytes, {} items with partners) and updated {}", path.display(), bytes.len(), file.pairs.len(), card_path.display());
    Ok(())
}
