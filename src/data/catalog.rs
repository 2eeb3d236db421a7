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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// ISO 4217 code, used by the widget's `Intl.NumberFormat`.
    pub currency: String,
    pub items: Vec<CatalogItem>,
}

impl Catalog {
    /// Parse and validate the JSON form the widget fetches.
    pub fn from_json(text: &str) -> Result<Self> {
        let catalog: Catalog = serde_json::from_str(text)
            .map_err(|e| VitrineError::Catalog(format!("not valid catalog JSON: {e}")))?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Parse a CSV catalog with a header naming `id`, `title`, `price` and
    /// optionally `image` and `url` columns (any order, other columns ignored).
    #[cfg(feature = "cli")]
    pub fn from_csv(reader: impl std::io::Read, currency: &str) -> Result<Self> {
        let mut csv = csv::Reader::from_reader(reader);
        let headers = csv.headers().map_err(|e| VitrineError::Catalog(format!("unreadable CSV header: {e}")))?.clone();
        let find = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
        let need = |name: &str| find(name).ok_or_else(|| VitrineError::Catalog(format!("CSV has no {name:?} column")));
        let (id, title, price) = (need("id")?, need("title")?, need("price")?);
        let (image, url) = (find("image"), find("url"));
        let mut items = Vec::new();
        for (row, record) in csv.records().enumerate() {
            let record = record.map_err(|e| VitrineError::Catalog(format!("line {}: {e}", row + 2)))?;
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
            let optional = |i: Option<usize>| i.map(field).filter(|v| !v.is_empty());
            let price_text = field(price);
            items.push(CatalogItem {
                id: field(id),
                title: field(title),
                price: price_text
                    .parse()
                    .map_err(|_| VitrineError::Catalog(format!("line {}: price {price_text:?} is not a number", row + 2)))?,
                image: optional(image),
                url: optional(url),
            });
        }
        let catalog = Catalog {
            currency: currency.to_string(),
            items,
        };
        catalog.validate()?;
        Ok(catalog)
    }

    /// Check every field; the first problem found is reported with the item's position.
    pub fn validate(&self) -> Result<()> {
        let bad = |i: usize, why: String| VitrineError::Catalog(format!("item {i}: {why}"));
        if self.items.is_empty() {
            return Err(VitrineError::Catalog("it has no items".into()));
        }
        if self.items.len() > MAX_ITEMS {
            return Err(VitrineError::Catalog(format!(
                "{} items is more than the {MAX_ITEMS} supported",
                self.items.len()
            )));
        }
        let currency_ok = self.currency.len() == 3 && self.currency.chars().all(|c| c.is_ascii_uppercase());
        if !currency_ok {
            return Err(VitrineError::Catalog(format!(
                "currency {:?} is not a three-letter ISO 4217 code",
                self.currency
            )));
        }
        let mut seen = HashSet::with_capacity(self.items.len());
        for (i, item) in self.items.iter().enumerate() {
            if item.id.is_empty() || item.id.chars().count() > MAX_ID_CHARS {
                return Err(bad(i, format!("id must have 1 to {MAX_ID_CHARS} characters")));
            }
            if item.id.chars().any(char::is_control) {
                return Err(bad(i, format!("id {:?} contains control characters", item.id)));
            }
            if !seen.insert(item.id.as_str()) {
                return Err(bad(i, format!("id {:?} appears twice", item.id)));
            }
            if item.title.trim().is_empty() || item.title.chars().count() > MAX_TITLE_CHARS {
                return Err(bad(i, format!("title must have 1 to {MAX_TITLE_CHARS} characters")));
            }
            if !item.price.is_finite() || item.price < 0.0 {
                return Err(bad(i, format!("price {} is not a non-negative number", item.price)));
            }
            for (field, url) in [("image", &item.image), ("url", &item.url)] {
                if let Some(url) = url {
                    check_url(url).map_err(|why| bad(i, format!("{field} {why}")))?;
                }
            }
        }
        Ok(())
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
        assert_eq!(Catalog::from_json(&json).unwrap(), c);
    }

    #[test]
    fn hostile_titles_are_data_not_errors() {
        let mut it = item("x");
        it.title = "<img src=x onerror=alert(1)>".into();
        assert!(catalog(vec![it]).validate().is_ok());
    }

    #[test]
    fn malformed_catalogs_are_typed_errors() {
        let cases = [
            "not json".to_string(),
            r#"{"currency":"GBP","items":[]}"#.to_string(),
            r#"{"currency":"pounds","items":[{"id":"a","title":"t","price":1}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"a","title":"t","price":-1}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"a","title":"t","price":1},{"id":"a","title":"u","price":1}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"a","title":"t","price":1,"url":"javascript:alert(1)"}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"a","title":"t","price":1,"image":"data:text/html,x"}]}"#.to_string(),
            r#"{"currency":"GBP","items":[{"id":"","title":"t","price":1}]}"#.to_string(),
        ];
        for case in cases {
            let err = Catalog::from_json(&case).unwrap_err();
            assert_eq!(err.kind(), "MalformedCatalog", "{case}: {err}");
        }
    }

    #[cfg(feature = "cli")]
    #[test]
    fn csv_catalogs_parse_with_optional_columns_and_bad_prices_are_errors() {
        let c = Catalog::from_csv("price,id,title,image\n2.50,a,Mug,https://x.test/a.jpg\n1,b,\"Cup, blue\",\n".as_bytes(), "EUR").unwrap();
        assert_eq!(c.items.len(), 2);
        assert_eq!(c.items[1].title, "Cup, blue");
        assert_eq!(c.items[0].image.as_deref(), Some("https://x.test/a.jpg"));
        assert_eq!(c.items[1].image, None);
        let err = Catalog::from_csv("id,title,price\na,Mug,cheap\n".as_bytes(), "EUR").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(Catalog::from_csv("id,name\n".as_bytes(), "EUR").is_err());
    }

    #[test]
    fn relative_and_https_urls_are_allowed() {
        for url in ["/p?id=1", "product.html?id=1", "https://shop.example/p/1", "p#a:b"] {
            assert!(check_url(url).is_ok(), "{url}");
        }
    }
}
