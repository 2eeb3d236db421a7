//! The product catalog: what the widget needs to draw a card (title, price,
//! image, link) for each item id. It is untrusted input: every field is
//! checked here, and the widget renders strings as text, never as HTML.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::error::{Result, VitrineError};

/// Bounds that keep a hostile catalog from exhausting memory or the layout.
pub const MAX_ITEMS: usize = 1_000_000;
pub const MAX_ID_CHARS: usize = 128;
pub const MAX_TITLE_CHARS: usize = 512;
pub const MAX_URL_CHARS: usize = 2048;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub id: String,
    pub title: String,
    pub price: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// False when the feed marks the item out of stock: no placement shows it.
    #[serde(default = "in_stock", skip_serializing_if = "is_in_stock")]
    pub available: bool,
    /// The product this item is a variant of (Merchant Center `item_group_id`,
    /// Shopify `Handle`), when the feed says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

fn in_stock() -> bool {
    true
}

fn is_in_stock(available: &bool) -> bool {
    *available
}

/// An availability as feeds write it: JSON true/false, Google Merchant
/// Center's `in_stock` / `out_of_stock` / `preorder` / `backorder` (with a
/// space or an underscore, any case), `yes` / `no`, `1` / `0`. `None` for
/// anything else.
pub fn parse_availability(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().replace(' ', "_").as_str() {
        "true" | "yes" | "1" | "in_stock" | "instock" | "available" | "preorder" | "backorder" => Some(true),
        "false" | "no" | "0" | "out_of_stock" | "outofstock" | "sold_out" | "discontinued" => Some(false),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// ISO 4217 code, used by the widget's `Intl.NumberFormat`.
    pub currency: String,
    pub items: Vec<CatalogItem>,
}

/// Above this share of invalid rows a catalog file is refused by the CLI:
/// so many bad rows means a wrong column mapping or the wrong file, not a few
/// broken products (the widget still uses whatever is valid).
pub const MAX_INVALID_SHARE: f64 = 0.5;

/// Problems named in the widget's console warning.
pub const WARNING_PROBLEMS: usize = 3;

/// Why a row was dropped (or, for a long title, changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    EmptyId,
    LongId,
    DuplicateId,
    MissingTitle,
    BadPrice,
    BadAvailability,
    /// A price in another currency than the catalog's.
    MixedCurrency,
    UnsafeUrl,
    ControlCharacters,
    /// Shortened with an ellipsis; the item is kept.
    LongTitle,
}

impl ProblemKind {
    /// Whether a row with this problem is left out (all but a long title).
    pub fn drops(self) -> bool {
        self != ProblemKind::LongTitle
    }
}

/// One problem with one row: where it is ("line 8", "item 3", "id \"x\""),
/// what kind, and a message that says what to fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogProblem {
    pub row: String,
    pub kind: ProblemKind,
    pub message: String,
}

impl std::fmt::Display for CatalogProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.row, self.message)
    }
}

/// What the check did to a catalog: rows read, rows kept, every problem.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CatalogReport {
    pub rows: usize,
    pub kept: usize,
    pub problems: Vec<CatalogProblem>,
}

impl CatalogReport {
    pub fn dropped(&self) -> usize {
        self.rows - self.kept
    }

    /// Problems per kind, in a fixed order.
    pub fn counts(&self) -> std::collections::BTreeMap<ProblemKind, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for p in &self.problems {
            *counts.entry(p.kind).or_insert(0) += 1;
        }
        counts
    }

    /// More than `MAX_INVALID_SHARE` of the rows were dropped.
    pub fn mostly_invalid(&self) -> bool {
        self.dropped() as f64 > MAX_INVALID_SHARE * self.rows as f64
    }

    /// The console line the widget logs: `summary` of the first
    /// `WARNING_PROBLEMS` problems, when there were any.
    pub fn warning(&self) -> Option<String> {
        (!self.problems.is_empty()).then(|| self.summary(WARNING_PROBLEMS))
    }

    /// One line: "2 of 10 rows dropped, 1 title shortened: line 8: ...; line 9: ..." (the first `first` problems).
    pub fn summary(&self, first: usize) -> String {
        let shortened = self.problems.len() - self.problems.iter().filter(|p| p.kind.drops()).count();
        let listed: Vec<String> = self.problems.iter().take(first).map(ToString::to_string).collect();
        let more = self.problems.len().saturating_sub(first);
        format!(
            "{} of {} rows dropped, {} title{} shortened{}{}{}",
            self.dropped(),
            self.rows,
            shortened,
            if shortened == 1 { "" } else { "s" },
            if listed.is_empty() { "" } else { ": " },
            listed.join("; "),
            if more > 0 { format!("; and {more} more") } else { String::new() }
        )
    }
}

/// One catalog row as its source gave it, before any check: where it came
/// from and its fields as text (a JSON number becomes its decimal text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogRow {
    pub row: String,
    pub id: String,
    pub title: String,
    pub price: String,
    pub image: Option<String>,
    pub url: Option<String>,
    /// As the source wrote it; absent = in stock.
    pub available: Option<String>,
    /// The price's own currency, when the source writes one per row.
    pub currency: Option<String>,
    pub group: Option<String>,
}

impl CatalogRow {
    fn from_json(index: usize, value: &serde_json::Value) -> Self {
        let text = |key: &str| match value.get(key) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        };
        CatalogRow {
            row: format!("item {index}"),
            id: text("id").unwrap_or_default(),
            title: text("title").unwrap_or_default(),
            price: text("price").unwrap_or_default(),
            image: text("image"),
            url: text("url"),
            available: text("available"),
            currency: None,
            group: text("group"),
        }
    }

    fn from_item(index: usize, item: CatalogItem) -> Self {
        CatalogRow {
            row: format!("item {index}"),
            id: item.id,
            title: item.title,
            price: item.price.to_string(),
            image: item.image,
            url: item.url,
            available: Some(item.available.to_string()),
            currency: None,
            group: item.group,
        }
    }

    /// The item this row describes, or why it cannot be shown; a long title
    /// is shortened and reported in `notes`.
    fn check(self, currency: &str, notes: &mut Vec<CatalogProblem>) -> std::result::Result<CatalogItem, CatalogProblem> {
        let problem = |kind, message: String| CatalogProblem { row: self.row.clone(), kind, message };
        let (id, title) = (self.id.trim(), self.title.trim());
        if id.is_empty() {
            return Err(problem(ProblemKind::EmptyId, "empty id".into()));
        }
        if id.chars().count() > MAX_ID_CHARS {
            return Err(problem(ProblemKind::LongId, format!("id is longer than {MAX_ID_CHARS} characters")));
        }
        if id.chars().any(char::is_control) || title.chars().any(char::is_control) {
            return Err(problem(ProblemKind::ControlCharacters, format!("id {id:?} or its title contains control characters")));
        }
        if title.is_empty() {
            return Err(problem(ProblemKind::MissingTitle, format!("id {id:?} has no title")));
        }
        let price = match self.price.trim().parse::<f64>() {
            Ok(p) if p.is_finite() && p >= 0.0 => p,
            Ok(p) => return Err(problem(ProblemKind::BadPrice, format!("id {id:?}: price {p} is not a non-negative finite number"))),
            Err(_) => return Err(problem(ProblemKind::BadPrice, format!("id {id:?}: price {:?} is not a number", self.price))),
        };
        if let Some(own) = self.currency.as_deref().filter(|c| *c != currency) {
            return Err(problem(ProblemKind::MixedCurrency, format!("id {id:?}: price in {own}, the catalog's currency is {currency}")));
        }
        let available = match &self.available {
            None => true,
            Some(text) => parse_availability(text)
                .ok_or_else(|| problem(ProblemKind::BadAvailability, format!("id {id:?}: availability {text:?} is not in stock / out of stock / true / false")))?,
        };
        for (field, url) in [("image", &self.image), ("url", &self.url)] {
            if let Some(url) = url {
                check_url(url).map_err(|why| problem(ProblemKind::UnsafeUrl, format!("id {id:?}: {field} {why}")))?;
            }
        }
        let title = if title.chars().count() > MAX_TITLE_CHARS {
            notes.push(problem(ProblemKind::LongTitle, format!("id {id:?}: title of {} characters shortened to {MAX_TITLE_CHARS}", title.chars().count())));
            title.chars().take(MAX_TITLE_CHARS - 1).chain(std::iter::once('…')).collect()
        } else {
            title.to_string()
        };
        Ok(CatalogItem { id: id.to_string(), title, price, image: self.image.filter(|u| !u.is_empty()), url: self.url.filter(|u| !u.is_empty()), available, group: self.group.filter(|g| !g.is_empty()) })
    }
}

/// The JSON form as read before the check: items stay raw so that one bad
/// field costs one row, not the file.
#[derive(Deserialize)]
struct RawCatalog {
    currency: String,
    items: Vec<serde_json::Value>,
}

impl Catalog {
    /// Parse the JSON form the widget fetches and check it (see [`Catalog::check`]).
    pub fn from_json(text: &str) -> Result<(Self, CatalogReport)> {
        let raw: RawCatalog = serde_json::from_str(text).map_err(|e| VitrineError::Catalog(format!("not valid catalog JSON: {e}")))?;
        let rows = raw.items.iter().enumerate().map(|(i, v)| CatalogRow::from_json(i, v)).collect();
        Self::check(&raw.currency, rows)
    }

    /// Check a catalog built in code (e.g. from an event export) like a file.
    pub fn checked(self) -> Result<(Self, CatalogReport)> {
        let rows = self.items.into_iter().enumerate().map(|(i, item)| CatalogRow::from_item(i, item)).collect();
        Self::check(&self.currency, rows)
    }

    /// The one catalog check, for the CLI and the browser engine alike: every
    /// valid row is kept, each invalid one is dropped with its reason (empty,
    /// too long or duplicate id — the later duplicate goes —, missing title,
    /// a price that is not a non-negative finite number, a URL that is not
    /// http(s) or relative, control characters); a title over
    /// `MAX_TITLE_CHARS` is shortened with an ellipsis and reported. Only a
    /// file-level fault is an error: a bad currency, too many rows, or no
    /// valid row left (the message lists the first problems).
    pub fn check(currency: &str, rows: Vec<CatalogRow>) -> Result<(Self, CatalogReport)> {
        if rows.len() > MAX_ITEMS {
            return Err(VitrineError::Catalog(format!("{} items is more than the {MAX_ITEMS} supported", rows.len())));
        }
        let currency_ok = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase());
        if !currency_ok {
            return Err(VitrineError::Catalog(format!("currency {currency:?} is not a three-letter ISO 4217 code")));
        }
        let mut report = CatalogReport { rows: rows.len(), ..Default::default() };
        let mut seen = HashSet::with_capacity(rows.len());
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let (label, mut notes) = (row.row.clone(), Vec::new());
            match row.check(currency, &mut notes) {
                Ok(item) if !seen.insert(item.id.clone()) => report.problems.push(CatalogProblem {
                    row: label,
                    kind: ProblemKind::DuplicateId,
                    message: format!("id {:?} appears again (the first one is kept)", item.id),
                }),
                Ok(item) => {
                    report.problems.extend(notes);
                    items.push(item);
                }
                Err(problem) => report.problems.push(problem),
            }
        }
        report.kept = items.len();
        if items.is_empty() {
            let why = if report.rows == 0 { "it has no items".to_string() } else { format!("no valid item: {}", report.summary(5)) };
            return Err(VitrineError::Catalog(why));
        }
        Ok((Catalog { currency: currency.to_string(), items }, report))
    }
}

/// Only http(s) and same-site relative links: a catalog must not be able to
/// plant `javascript:` or `data:` URLs in the shop's page.
fn check_url(url: &str) -> std::result::Result<(), String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("URL is longer than {MAX_URL_CHARS} characters"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("URL {url:?} contains whitespace or control characters"));
    }
    let lower = url.to_ascii_lowercase();
    let has_scheme = lower
        .split_once(':')
        .map(|(scheme, _)| !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#'))
        .unwrap_or(false);
    if has_scheme && !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(format!("URL {url:?} must be http(s) or relative"));
    }
    if lower.starts_with("//") {
        return Err(format!("URL {url:?} must not be protocol-relative"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> CatalogItem {
        CatalogItem {
            id: id.into(),
            title: "Mug".into(),
            price: 2.5,
            image: None,
            url: None,
            available: true,
            group: None,
        }
    }

    fn catalog(items: Vec<CatalogItem>) -> Catalog {
        Catalog {
            currency: "GBP".into(),
            items,
        }
    }

    #[test]
    fn a_good_catalog_round_trips_through_json() {
        let c = catalog(vec![item("a"), item("b")]);
        let json = serde_json::to_string(&c).unwrap();
        let (back, report) = Catalog::from_json(&json).unwrap();
        assert_eq!(back, c);
        assert_eq!((report.rows, report.kept, report.problems.len()), (2, 2, 0));
    }

    #[test]
    fn hostile_titles_are_data_not_errors() {
        let mut it = item("x");
        it.title = "<img src=x onerror=alert(1)>".into();
        let (c, report) = catalog(vec![it.clone()]).checked().unwrap();
        assert_eq!((c.items, report.dropped()), (vec![it], 0));
    }

    #[test]
    fn catalogs_with_nothing_usable_are_typed_errors() {
        let cases = [
            "not json".to_string(),
            r#"{"currency":"GBP","items":[]}"#.to_string(),
            r#"{"currency":"pounds","items":[{"id":"a","title":"t","price":1}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"a","title":"t","price":-1}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"a","title":"t","price":1,"url":"javascript:alert(1)"}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"a","title":"t","price":1,"image":"data:text/html,x"}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"","title":"t","price":1}]}"#.to_string(),
        ];
        for case in cases {
            let err = Catalog::from_json(&case).unwrap_err();
            assert_eq!(err.kind(), "MalformedCatalog", "{case}: {err}");
        }
        let err = Catalog::from_json(r#"{"currency":"GBP","items":[{"id":"a","title":"t","price":"abc"}]}"#).unwrap_err();
        assert!(err.to_string().contains(r#"item 0: id "a": price "abc" is not a number"#), "{err}");
    }

    #[test]
    fn every_bad_row_is_dropped_with_its_reason_and_the_rest_is_kept() {
        let long = "x".repeat(MAX_TITLE_CHARS + 10);
        let json = serde_json::json!({"currency": "GBP", "items": [
            {"id": "ok1", "title": "Mug", "price": 2.5},
            {"id": "neg", "title": "Cup", "price": -5},
            {"id": "abc", "title": "Cup", "price": "abc"},
            {"id": "nan", "title": "Cup", "price": "NaN"},
            {"id": "inf", "title": "Cup", "price": "inf"},
            {"id": "", "title": "Cup", "price": 1},
            {"id": "ok1", "title": "Second mug", "price": 3},
            {"id": "untitled", "price": 1},
            {"id": "js", "title": "Cup", "price": 1, "url": "JavaScript:alert(1)"},
            {"id": "data", "title": "Cup", "price": 1, "image": "data:image/png;base64,xx"},
            {"id": "bell\u{7}", "title": "Cup", "price": 1},
            {"id": "long", "title": long, "price": 1},
            {"id": 42, "title": "Numbered", "price": "4.20"},
        ]});
        let (c, report) = Catalog::from_json(&json.to_string()).unwrap();
        let ids: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["ok1", "long", "42"]);
        assert_eq!(c.items[0].title, "Mug", "the first of two duplicates is kept");
        assert_eq!(c.items[1].title.chars().count(), MAX_TITLE_CHARS);
        assert!(c.items[1].title.ends_with('…'));
        assert_eq!(c.items[2].price, 4.2);
        assert_eq!((report.rows, report.kept, report.dropped()), (13, 3, 10));
        let kinds: Vec<(&str, ProblemKind)> = report.problems.iter().map(|p| (p.row.as_str(), p.kind)).collect();
        use ProblemKind::*;
        assert_eq!(
            kinds,
            [
                ("item 1", BadPrice), ("item 2", BadPrice), ("item 3", BadPrice), ("item 4", BadPrice), ("item 5", EmptyId),
                ("item 6", DuplicateId), ("item 7", MissingTitle), ("item 8", UnsafeUrl), ("item 9", UnsafeUrl),
                ("item 10", ControlCharacters), ("item 11", LongTitle),
            ]
        );
        assert_eq!(report.counts()[&BadPrice], 4);
        assert!(report.mostly_invalid(), "10 of 13 rows invalid");
        let summary = report.summary(2);
        assert!(summary.starts_with("10 of 13 rows dropped, 1 title shortened: item 1: "), "{summary}");
        assert!(summary.ends_with("; and 9 more"), "{summary}");
    }

    #[test]
    fn availability_is_read_as_feeds_write_it() {
        let json = serde_json::json!({"currency": "USD", "items": [
            {"id": "a", "title": "A", "price": 1},
            {"id": "b", "title": "B", "price": 1, "available": false},
            {"id": "c", "title": "C", "price": 1, "available": "out of stock"},
            {"id": "d", "title": "D", "price": 1, "available": "in_stock"},
            {"id": "e", "title": "E", "price": 1, "available": "maybe"},
        ]});
        let (c, report) = Catalog::from_json(&json.to_string()).unwrap();
        let stock: Vec<(&str, bool)> = c.items.iter().map(|i| (i.id.as_str(), i.available)).collect();
        assert_eq!(stock, [("a", true), ("b", false), ("c", false), ("d", true)]);
        assert_eq!(report.problems.iter().map(|p| p.kind).collect::<Vec<_>>(), [ProblemKind::BadAvailability]);
        let written = serde_json::to_value(&c).unwrap();
        assert!(written["items"][0].get("available").is_none(), "in stock is the default, not written");
        assert_eq!(written["items"][1]["available"], false);
        for (text, expected) in [("Preorder", Some(true)), ("OUT_OF_STOCK", Some(false)), ("1", Some(true)), ("", None)] {
            assert_eq!(parse_availability(text), expected, "{text:?}");
        }
    }

    #[test]
    fn relative_and_https_urls_are_allowed() {
        for url in ["/p?id=1", "product.html?id=1", "https://shop.example/p/1", "p#a:b"] {
            assert!(check_url(url).is_ok(), "{url}");
        }
    }
}
