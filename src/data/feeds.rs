//! The product files shops already have, read into catalog rows for the one
//! catalog check (`Catalog::check`): Google Merchant Center's tab-separated
//! product data, Shopify's product CSV export, and our own id,title,price CSV.
//! The kind is told by the header, so `--catalog FILE` takes any of them.
//!
//! - Merchant Center (product data specification): `id`, `title`, `link`,
//!   `image_link`, `price` as `15.00 USD`, `sale_price` (shown when given),
//!   `availability` (`in_stock`, `out_of_stock`, `preorder`, `backorder`),
//!   `item_group_id` (variants of one product), `brand`. Each price keeps its
//!   currency: the catalog takes the most common one and a row in another is
//!   dropped and reported (`mixed-currency`).
//! - Shopify product export: one row per variant under the product's
//!   `Handle`; the first row carries the product's `Title` and the following
//!   rows leave it empty; image-only rows (no `Variant Price`) add nothing.
//!   id = `Variant SKU` (else the handle and the option values), title = the
//!   product title plus the option values, link = `/products/HANDLE`, group =
//!   the handle, out of stock when `Status` is not active or `Variant
//!   Inventory Qty` is 0 or less under the `deny` policy. Prices are in the
//!   store's currency (`--currency`).

use std::collections::HashMap;
use std::io::Read;

use super::catalog::{Catalog, CatalogReport, CatalogRow};
use crate::error::{Result, VitrineError};

/// Which layout a catalog file has, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// id, title, price[, image, url, available]
    Plain,
    MerchantCenter,
    Shopify,
}

impl FeedKind {
    pub fn name(self) -> &'static str {
        match self {
            FeedKind::Plain => "CSV (id, title, price)",
            FeedKind::MerchantCenter => "Google Merchant Center product data",
            FeedKind::Shopify => "Shopify product export",
        }
    }
}

/// A header's column positions by name (case-insensitive, trimmed).
struct Columns(Vec<String>);

impl Columns {
    fn find(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|h| h.trim().eq_ignore_ascii_case(name))
    }
}

fn kind_of(columns: &Columns) -> FeedKind {
    let has = |name| columns.find(name).is_some();
    if has("handle") && has("variant price") {
        FeedKind::Shopify
    } else if has("id") && has("title") && has("price") && (has("link") || has("image_link") || has("item_group_id") || has("availability")) {
        FeedKind::MerchantCenter
    } else {
        FeedKind::Plain
    }
}

/// Read a catalog file of any kind above (tab- or comma-separated, told by
/// the header line) and check it. `currency` is the store's, for kinds
/// whose prices carry none.
pub fn read_catalog_file(mut reader: impl Read, currency: &str) -> Result<(Catalog, CatalogReport, FeedKind)> {
    let mut text = String::new();
    reader.read_to_string(&mut text).map_err(|e| VitrineError::Catalog(format!("unreadable catalog file: {e}")))?;
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.contains('\t') { b'\t' } else { b',' };
    let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let columns = Columns(csv.headers().map_err(|e| VitrineError::Catalog(format!("unreadable header: {e}")))?.iter().map(String::from).collect());
    let kind = kind_of(&columns);
    let mut records = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| VitrineError::Catalog(format!("unreadable file: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        records.push((line, record));
    }
    let (rows, currency) = match kind {
        FeedKind::Plain => (plain_rows(&columns, &records)?, currency.to_string()),
        FeedKind::MerchantCenter => merchant_rows(&columns, &records, currency),
        FeedKind::Shopify => (shopify_rows(&columns, &records), currency.to_string()),
    };
    let (catalog, report) = Catalog::check(&currency, rows)?;
    Ok((catalog, report, kind))
}

type Records = [(u64, csv::StringRecord)];

fn field(record: &csv::StringRecord, column: Option<usize>) -> String {
    column.and_then(|i| record.get(i)).unwrap_or("").trim().to_string()
}

fn optional(record: &csv::StringRecord, column: Option<usize>) -> Option<String> {
    Some(field(record, column)).filter(|v| !v.is_empty())
}

fn plain_rows(columns: &Columns, records: &Records) -> Result<Vec<CatalogRow>> {
    let need = |name: &str| columns.find(name).ok_or_else(|| VitrineError::Catalog(format!("CSV has no {name:?} column")));
    let (id, title, price) = (need("id")?, need("title")?, need("price")?);
    let (image, url) = (columns.find("image"), columns.find("url"));
    let available = columns.find("available").or_else(|| columns.find("availability"));
    Ok(records
        .iter()
        .map(|(line, r)| CatalogRow {
            row: format!("line {line}"),
            id: field(r, Some(id)),
            title: field(r, Some(title)),
            price: field(r, Some(price)),
            image: optional(r, image),
            url: optional(r, url),
            available: optional(r, available),
            ..Default::default()
        })
        .collect())
}

/// "15.00 USD" (or "USD 15.00") → ("15.00", Some("USD")); a bare number has no currency.
pub fn split_price(text: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let is_code = |s: &str| s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic());
    match parts.as_slice() {
        [amount, code] if is_code(code) => (amount.to_string(), Some(code.to_ascii_uppercase())),
        [code, amount] if is_code(code) => (amount.to_string(), Some(code.to_ascii_uppercase())),
        _ => (text.trim().to_string(), None),
    }
}

/// Merchant Center rows, and the catalog currency: the one most rows use
/// (ties: the first seen), else the store's.
fn merchant_rows(columns: &Columns, records: &Records, store_currency: &str) -> (Vec<CatalogRow>, String) {
    let at = |name: &str| columns.find(name);
    let (id, title, price, sale) = (at("id"), at("title"), at("price"), at("sale_price"));
    let (link, image, availability, group) = (at("link"), at("image_link"), at("availability"), at("item_group_id"));
    let rows: Vec<CatalogRow> = records
        .iter()
        .map(|(line, r)| {
            let shown = optional(r, sale).unwrap_or_else(|| field(r, price));
            let (amount, currency) = split_price(&shown);
            CatalogRow {
                row: format!("line {line}"),
                id: field(r, id),
                title: field(r, title),
                price: amount,
                image: optional(r, image),
                url: optional(r, link),
                available: optional(r, availability),
                currency,
                group: optional(r, group),
            }
        })
        .collect();
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (order, code) in rows.iter().filter_map(|r| r.currency.as_deref()).enumerate() {
        counts.entry(code).or_insert((0, order)).0 += 1;
    }
    let currency = counts
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        .map_or(store_currency.to_string(), |(code, _)| code.to_string());
    (rows, currency)
}

fn shopify_rows(columns: &Columns, records: &Records) -> Vec<CatalogRow> {
    let at = |name: &str| columns.find(name);
    let (handle, title, sku, price) = (at("handle"), at("title"), at("variant sku"), at("variant price"));
    let (image, variant_image, status) = (at("image src"), at("variant image"), at("status"));
    let (quantity, policy) = (at("variant inventory qty"), at("variant inventory policy"));
    let options = [at("option1 value"), at("option2 value"), at("option3 value")];
    // The product's title and first image come on its first row only.
    let mut products: HashMap<String, (String, Option<String>)> = HashMap::new();
    let mut rows = Vec::new();
    for (line, r) in records {
        let handle_text = field(r, handle);
        let product = products.entry(handle_text.clone()).or_insert_with(|| (field(r, title), optional(r, image)));
        if product.0.is_empty() {
            product.0 = field(r, title);
        }
        if field(r, price).is_empty() && field(r, sku).is_empty() {
            continue; // an extra image of the product, not a variant
        }
        let values: Vec<String> = options.iter().map(|&o| field(r, o)).filter(|v| !v.is_empty() && v != "Default Title").collect();
        let id = optional(r, sku).unwrap_or_else(|| std::iter::once(handle_text.clone()).chain(values.iter().cloned()).collect::<Vec<_>>().join("/"));
        let title = if values.is_empty() || product.0.is_empty() { product.0.clone() } else { format!("{} – {}", product.0, values.join(" / ")) };
        let active = optional(r, status).is_none_or(|s| s.eq_ignore_ascii_case("active"));
        let sold_out = field(r, policy).eq_ignore_ascii_case("deny") && field(r, quantity).parse::<f64>().is_ok_and(|q| q <= 0.0);
        rows.push(CatalogRow {
            row: format!("line {line}"),
            id,
            title,
            price: field(r, price),
            image: optional(r, variant_image).or_else(|| optional(r, image)).or_else(|| product.1.clone()),
            url: (!handle_text.is_empty()).then(|| format!("/products/{handle_text}")),
            available: Some((active && !sold_out).to_string()),
            currency: None,
            group: Some(handle_text).filter(|h| !h.is_empty()),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::ProblemKind;

    fn read(text: &[u8], currency: &str) -> Result<(Catalog, CatalogReport)> {
        read_catalog_file(text, currency).map(|(c, r, _)| (c, r))
    }

    #[test]
    fn csv_catalogs_name_every_bad_line() {
        let (c, report) = read("price,id,title,image\n2.50,a,Mug,https://x.test/a.jpg\n1,b,\"Cup, blue\",\n".as_bytes(), "EUR").unwrap();
        assert_eq!(c.items.len(), 2);
        assert_eq!(c.items[1].title, "Cup, blue");
        assert_eq!(c.items[0].image.as_deref(), Some("https://x.test/a.jpg"));
        assert_eq!(c.items[1].image, None);
        assert!(report.problems.is_empty());
        let text = "id,title,price\na,Mug,1\nb,Cup,abc\nc,Bowl,-2\nd,Plate,3\n";
        let (c, report) = read(text.as_bytes(), "EUR").unwrap();
        assert_eq!(c.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["a", "d"]);
        let rows: Vec<&str> = report.problems.iter().map(|p| p.row.as_str()).collect();
        assert_eq!(rows, ["line 3", "line 4"], "both bad rows are named, not just the first");
        assert!(!report.mostly_invalid(), "2 of 4 is not more than half");
        let err = read("id,title,price\na,Mug,cheap\n".as_bytes(), "EUR").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(read("id,name\n".as_bytes(), "EUR").is_err());
    }

    #[test]
    fn prices_keep_their_currency() {
        assert_eq!(split_price("15.00 USD"), ("15.00".into(), Some("USD".into())));
        assert_eq!(split_price("eur 3.5"), ("3.5".into(), Some("EUR".into())));
        assert_eq!(split_price("7"), ("7".into(), None));
        assert_eq!(split_price("abc"), ("abc".into(), None));
    }

    #[test]
    fn the_header_tells_the_kind() {
        let kind = |header: &str| kind_of(&Columns(header.split(',').map(String::from).collect()));
        assert_eq!(kind("id,title,price"), FeedKind::Plain);
        assert_eq!(kind("id,title,link,image_link,price,availability"), FeedKind::MerchantCenter);
        assert_eq!(kind("Handle,Title,Variant SKU,Variant Price"), FeedKind::Shopify);
    }

    #[test]
    fn a_mixed_currency_row_is_dropped_and_reported() {
        let tsv = "id\ttitle\tlink\tprice\nA\tMug\thttps://s.test/a\t2.00 USD\nB\tCup\thttps://s.test/b\t3.00 EUR\nC\tJug\thttps://s.test/c\t4.00 USD\n";
        let (catalog, report, kind) = read_catalog_file(tsv.as_bytes(), "GBP").unwrap();
        assert_eq!(kind, FeedKind::MerchantCenter);
        assert_eq!(catalog.currency, "USD", "the most common currency");
        assert_eq!(catalog.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["A", "C"]);
        assert_eq!(report.problems[0].kind, ProblemKind::MixedCurrency);
        assert_eq!(report.problems[0].row, "line 3");
    }
}
