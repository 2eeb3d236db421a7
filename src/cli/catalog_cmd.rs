//! `vitrine catalog`: the widget's catalog JSON from a shop's event export
//! (CSV with named title and price columns, GA4's NDJSON, Shopify's orders),
//! or (`--check FILE`) a report on a catalog file without writing anything.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vitrine::data::events::catalog_from_event_log;
use vitrine::data::exports::{catalog_from_ga4, catalog_from_shopify_orders, EventFormat};

use super::input::{check_catalog_file, read_events_file, report_catalog, DataArgs};

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
    #[arg(long, required_unless_present = "check")]
    pub out: Option<PathBuf>,
    /// Check a catalog file (JSON; CSV with id,title,price[,image,url,available];
    /// a Google Merchant Center TSV; a Shopify product CSV; prices without a
    /// currency are in --currency): print every problem, then one JSON line
    /// (rows, kept, dropped, per-kind counts, problems); write nothing.
    /// Exits 1 when no row is usable or more than half are invalid.
    #[arg(long, conflicts_with = "out")]
    pub check: Option<PathBuf>,
}

pub fn run(args: CatalogArgs) -> anyhow::Result<()> {
    if let Some(file) = &args.check {
        let (_, report) = check_catalog_file(file, &args.currency)?;
        println!(
            "{}",
            serde_json::json!({ "rows": report.rows, "kept": report.kept, "dropped": report.dropped(), "counts": report.counts(), "problems": report.problems })
        );
        return report_catalog(&report, &file.display().to_string());
    }
    let out = args.out.context("--out is required")?;
    let path = args.data.events.clone().context("--events is required")?;
    let (bytes, format) = read_events_file(&path)?;
    let spec = args.data.spec()?;
    let mut catalog = match format {
        EventFormat::Csv => catalog_from_event_log(&bytes[..], &spec, &args.title_col, &args.price_col, &args.currency)?,
        EventFormat::Ga4 => catalog_from_ga4(&bytes[..], &spec, &args.currency)?,
        EventFormat::ShopifyOrders => catalog_from_shopify_orders(&bytes[..], &spec, &args.currency)?,
    };
    for item in &mut catalog.items {
        let encoded: String = item
            .id
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        item.url = Some(args.url_template.replace("{id}", &encoded));
    }
    let (catalog, report) = catalog.checked()?;
    report_catalog(&report, &path.display().to_string())?;
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, serde_json::to_string(&catalog)?).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {} items to {}", catalog.items.len(), out.display());
    Ok(())
}
