//! The product files shops already have, read into catalog rows for the one
//! catalog check (`Catalog::check`): Google Merchant Center's tab-separated
//! product data (TSV, or XML as RSS 2.0 / Atom), Shopify's product CSV export,
//! and our own id,title,price CSV. The kind is told by the file's start (XML)
//! or its header, so `--catalog FILE` takes any of them.
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
    /// The same attributes as RSS 2.0 `<item>`s or Atom `<entry>`s (`g:` namespace).
    MerchantCenterXml,
    Shopify,
}

impl FeedKind {
    pub fn name(self) -> &'static str {
        match self {
            FeedKind::Plain => "CSV (id, title, price)",
            FeedKind::MerchantCenter => "Google Merchant Center product data (TSV)",
            FeedKind::MerchantCenterXml => "Google Merchant Center product data (XML)",
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
    if text.trim_start_matches('\u{feff}').trim_start().starts_with('<') {
        let (columns, records) = merchant_xml_records(&text)?;
        let (rows, currency) = merchant_rows(&columns, &records, currency);
        let (catalog, report) = Catalog::check(&currency, rows)?;
        return Ok((catalog, report, FeedKind::MerchantCenterXml));
    }
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.contains('\t') { b'\t' } else { b',' };
    let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let columns = Columns(csv.headers().map_err(|e| VitrineError::Catalog(format!("unreadable header: {e}")))?.iter().map(String::from).collect());
    let kind = kind_of(&columns);
    let mut records = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| VitrineError::Catalog(format!("unreadable file: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        records.push((format!("line {line}"), record));
    }
    let (rows, currency) = match kind {
        FeedKind::Plain => (plain_rows(&columns, &records)?, currency.to_string()),
        FeedKind::MerchantCenter | FeedKind::MerchantCenterXml => merchant_rows(&columns, &records, currency),
        FeedKind::Shopify => (shopify_rows(&columns, &records), currency.to_string()),
    };
    let (catalog, report) = Catalog::check(&currency, rows)?;
    Ok((catalog, report, kind))
}

/// Rows with the label a report names them by ("line 7", "item 3").
type Records = [(String, csv::StringRecord)];

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
        .map(|(label, r)| CatalogRow {
            row: label.clone(),
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
        .map(|(label, r)| {
            let shown = optional(r, sale).unwrap_or_else(|| field(r, price));
            let (amount, currency) = split_price(&shown);
            CatalogRow {
                row: label.clone(),
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

/// The Merchant Center attributes an XML feed's items are read into.
const MERCHANT_XML_FIELDS: [&str; 9] = ["id", "title", "link", "image_link", "availability", "price", "sale_price", "item_group_id", "brand"];

/// Merchant Center XML (RSS 2.0 `<item>` or Atom `<entry>`; attributes in the
/// `g:` namespace or plain, Atom's `<link href>` as the link) as the rows the
/// TSV gives, labelled "item N". Malformed XML is one error naming its byte
/// offset: nothing of a feed that does not parse is trusted.
fn merchant_xml_records(text: &str) -> Result<(Columns, Vec<(String, csv::StringRecord)>)> {
    use quick_xml::events::{BytesStart, Event};
    let bad = |reader: &quick_xml::Reader<&[u8]>, e: &dyn std::fmt::Display| {
        VitrineError::Catalog(format!("XML feed does not parse at byte {}: {e}", reader.buffer_position()))
    };
    let local = |name: &[u8]| String::from_utf8_lossy(name).to_ascii_lowercase();
    let href = |e: &BytesStart| {
        e.attributes().flatten().find(|a| a.key.local_name().as_ref() == b"href").and_then(|a| a.unescape_value().ok()).map(|v| v.to_string())
    };
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut items: Vec<HashMap<String, String>> = Vec::new();
    let mut current: Option<HashMap<String, String>> = None;
    let mut open_field: Option<String> = None;
    let mut depth = 0usize; // elements open inside the current item
    loop {
        let event = reader.read_event().map_err(|e| bad(&reader, &e))?;
        match event {
            Event::Start(e) => {
                let name = local(e.local_name().as_ref());
                if name == "item" || name == "entry" {
                    current = Some(HashMap::new());
                    depth = 0;
                } else if let Some(item) = current.as_mut() {
                    depth += 1;
                    // Only the item's own attributes: <g:shipping><g:price> is not its price.
                    open_field = (depth == 1).then_some(name.clone());
                    if let (1, "link", Some(link)) = (depth, name.as_str(), href(&e)) {
                        item.entry(name).or_insert(link);
                    }
                }
            }
            Event::Empty(e) => {
                if let (Some(item), 0, "link", Some(link)) = (current.as_mut(), depth, local(e.local_name().as_ref()).as_str(), href(&e)) {
                    item.entry("link".into()).or_insert(link);
                }
            }
            Event::Text(t) => {
                if let (Some(item), Some(name)) = (current.as_mut(), open_field.as_ref()) {
                    let value = t.unescape().map_err(|e| bad(&reader, &e))?;
                    item.entry(name.clone()).or_default().push_str(&value);
                }
            }
            Event::CData(c) => {
                if let (Some(item), Some(name)) = (current.as_mut(), open_field.as_ref()) {
                    item.entry(name.clone()).or_default().push_str(&String::from_utf8_lossy(&c));
                }
            }
            Event::End(e) => {
                let name = local(e.local_name().as_ref());
                if (name == "item" || name == "entry") && depth == 0 {
                    items.extend(current.take());
                }
                depth = depth.saturating_sub(1);
                open_field = None;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let records = items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let values = MERCHANT_XML_FIELDS.iter().map(|f| item.get(*f).map_or("", String::as_str));
            (format!("item {}", n + 1), csv::StringRecord::from_iter(values))
        })
        .collect();
    Ok((Columns(MERCHANT_XML_FIELDS.iter().map(|f| f.to_string()).collect()), records))
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
    for (label, r) in records {
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
            row: label.clone(),
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

    const FEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/feeds");

    #[test]
    fn merchant_center_xml_reads_like_its_tsv_and_atom_links_come_from_href() {
        let read = |name: &str| read_catalog_file(std::fs::File::open(format!("{FEEDS}/{name}")).unwrap(), "GBP").unwrap();
        let (from_tsv, tsv_report, _) = read("merchant-center.tsv");
        let (from_rss, rss_report, kind) = read("merchant-center.xml");
        assert_eq!(kind, FeedKind::MerchantCenterXml);
        let ids = |c: &Catalog| c.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&from_rss), ids(&from_tsv));
        assert_eq!(from_rss.currency, "USD");
        let kinds = |r: &CatalogReport| r.problems.iter().map(|p| p.kind).collect::<Vec<_>>();
        assert_eq!(kinds(&rss_report), kinds(&tsv_report), "the same bad rows, for the same reasons");
        assert!(rss_report.problems.iter().all(|p| p.row.starts_with("item ")), "rows are named by item number");
        let mug = &from_rss.items[1];
        assert_eq!((mug.title.as_str(), mug.price, mug.group.as_deref()), ("Stoneware mug, green", 9.5, Some("mug")), "CDATA title, sale price, group");
        assert_eq!(from_rss.items.iter().find(|i| i.id == "4").unwrap().title, "Enamel jug & lid", "entities decoded once, kept as text");

        let (atom, _, kind) = read("merchant-center-atom.xml");
        assert_eq!(kind, FeedKind::MerchantCenterXml);
        assert_eq!(ids(&atom), ["1", "2", "8"]);
        assert_eq!(atom.items[2].url.as_deref(), Some("https://shop.example/p/8"));
        assert_eq!(atom.items[2].price, 18.0);
        assert!(!atom.items[1].available, "out_of_stock");
    }

    #[test]
    fn broken_or_entity_laden_xml_is_refused_with_a_reason() {
        let broken = "<rss><channel><item><g:id>1</g:id><title>Mug</titel></item></channel></rss>";
        let err = read_catalog_file(broken.as_bytes(), "USD").unwrap_err().to_string();
        assert!(err.contains("XML feed does not parse at byte"), "{err}");
        // External entities are never fetched or expanded: an unknown entity is an error.
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss><channel><item><g:id>1</g:id><title>&e;</title><g:price>1.00 USD</g:price></item></channel></rss>"#;
        let err = read_catalog_file(xxe.as_bytes(), "USD").unwrap_err().to_string();
        assert!(err.contains("XML feed does not parse"), "{err}");
    }
}
