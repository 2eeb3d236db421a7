//! `vitrine catalog`: the widget's catalog JSON from a shop's event export.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vitrine::data::events::catalog_from_event_log;

use super::input::{open, DataArgs};

#[derive(Args, Debug)]
pub struct CatalogArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long, default_value = "Description")]
    pub title_col: String,
    #[arg(long, default_value = "UnitPrice")]
    pub price_col: String,
    #[arg(long, default_value = "GBP")]
    pub currency: String,
    /// Product page link; `{id}` is replaced by the URL-encoded item id.
    #[arg(long, default_value = "product.html?id={id}")]
    pub url_template: String,
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: CatalogArgs) -> anyhow::Result<()> {
    let path = args.data.events.clone().context("--events is required")?;
    let mut catalog = catalog_from_event_log(open(&path)?, &args.data.spec()?, &args.title_col, &args.price_col, &args.currency)?;
    for item in &mut catalog.items {
        let encoded: String = item
            .id
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        item.url = Some(args.url_template.replace("{id}", &encoded));
    }
    catalog.validate()?;
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, serde_json::to_string(&catalog)?).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {} items to {}", catalog.items.len(), args.out.display());
    Ok(())
}
