//! The event exports shops already have, read into the same events as the
//! CSV log (so de-duplication, k-core and the user-id hashing are shared):
//!
//! - GA4's BigQuery export as newline-delimited JSON: one event per line,
//!   `event_name`, `user_pseudo_id`, `event_timestamp` (microseconds, number or
//!   string) and `items[].item_id`; `view_item`, `add_to_cart` and `purchase`
//!   are interactions, every other event is counted and skipped.
//! - Shopify's orders CSV export: one row per line item, the order's `Name`
//!   (`#1001`) on every row but `Email` and `Created at` only on its first, so
//!   they are carried down from it; the item is `Lineitem sku` (a variant), the
//!   shopper the e-mail (or `Customer ID` when the export has one); cancelled
//!   orders (`Cancelled at` set) are skipped.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use super::events::{assemble, malformed, time_key, CatalogTally, Event, EventLogSpec, EventLogStats};
use super::{Catalog, Interactions};
use crate::error::Result;

/// GA4 event names that count as a shopper's interest in an item.
pub const GA4_INTERACTIONS: [&str; 3] = ["view_item", "add_to_cart", "purchase"];

/// Which reader an event file needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    /// A CSV with user, item and time columns named by the caller.
    Csv,
    Ga4,
    ShopifyOrders,
}

impl EventFormat {
    /// Tell the format from the file's start: a JSON object is GA4; a CSV
    /// header with Shopify's order columns is a Shopify orders export.
    pub fn detect(start: &[u8]) -> Self {
        let text = String::from_utf8_lossy(start);
        let text = text.trim_start_matches('\u{feff}').trim_start();
        if text.starts_with('{') {
            return Self::Ga4;
        }
        let header = text.lines().next().unwrap_or("");
        if header.contains("Lineitem sku") && header.contains("Created at") {
            Self::ShopifyOrders
        } else {
            Self::Csv
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "event-log CSV",
            Self::Ga4 => "GA4 BigQuery export (NDJSON)",
            Self::ShopifyOrders => "Shopify orders CSV",
        }
    }
}

/// Read GA4's NDJSON export. The spec's item exclusions, de-duplication and
/// k-core apply; its column names do not (the schema fixes them).
pub fn read_ga4(reader: impl Read, spec: &EventLogSpec) -> Result<(Interactions, EventLogStats)> {
    let mut stats = EventLogStats::default();
    let mut events = Vec::new();
    for_each_ga4_event(reader, |number, event| {
        stats.rows += 1;
        if !is_ga4_interaction(event) {
            stats.skipped_by_kind += 1;
            return Ok(());
        }
        let user = text_of(&event["user_pseudo_id"]);
        if user.is_empty() {
            stats.without_user += 1;
            return Ok(());
        }
        let time = time_key(&text_of(&event["event_timestamp"]))
            .ok_or_else(|| malformed(number, format!("unreadable event_timestamp {}", event["event_timestamp"])))?;
        for item in ga4_items(event) {
            let id = text_of(&item["item_id"]);
            if id.is_empty() || id == "(not set)" || spec.exclude_items.contains(&id) {
                stats.excluded_items += 1;
                continue;
            }
            events.push(Event { user: user.clone(), item: id, time, row: events.len() });
        }
        Ok(())
    })?;
    assemble(events, spec, stats)
}

/// Call `visit(line number, event)` for each non-blank line of GA4's NDJSON;
/// a line that is not JSON is an error naming it.
fn for_each_ga4_event(reader: impl Read, mut visit: impl FnMut(usize, &serde_json::Value) -> Result<()>) -> Result<()> {
    for (index, line) in BufReader::new(reader).lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|e| malformed(number, format!("unreadable line: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let event = serde_json::from_str(&line).map_err(|e| malformed(number, format!("not a JSON event: {e}")))?;
        visit(number, &event)?;
    }
    Ok(())
}

fn is_ga4_interaction(event: &serde_json::Value) -> bool {
    GA4_INTERACTIONS.contains(&event["event_name"].as_str().unwrap_or(""))
}

fn ga4_items(event: &serde_json::Value) -> &[serde_json::Value] {
    event["items"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// A catalog from GA4's export: per `items[].item_id`, the most frequent
/// `item_name` and the median `price` over the interaction events.
pub fn catalog_from_ga4(reader: impl Read, spec: &EventLogSpec, currency: &str) -> Result<Catalog> {
    let mut tally = CatalogTally::default();
    for_each_ga4_event(reader, |_, event| {
        if is_ga4_interaction(event) {
            for item in ga4_items(event) {
                let id = text_of(&item["item_id"]);
                if !id.is_empty() && id != "(not set)" && !spec.exclude_items.contains(&id) {
                    tally.add(&id, &text_of(&item["item_name"]), text_of(&item["price"]).parse().unwrap_or(-1.0));
                }
            }
        }
        Ok(())
    })?;
    Ok(tally.catalog(currency))
}

/// A catalog from Shopify's orders export: per `Lineitem sku`, the most
/// frequent `Lineitem name` and the median `Lineitem price`.
pub fn catalog_from_shopify_orders(reader: impl Read, spec: &EventLogSpec, currency: &str) -> Result<Catalog> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv.headers().map_err(|e| malformed(1, format!("unreadable header: {e}")))?.clone();
    let required = |name| shopify_required(&headers, name);
    let (sku, name, price) = (required("Lineitem sku")?, required("Lineitem name")?, required("Lineitem price")?);
    let mut tally = CatalogTally::default();
    for (index, record) in csv.records().enumerate() {
        let record = record.map_err(|e| malformed(index + 2, e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        if !field(sku).is_empty() && !spec.exclude_items.contains(field(sku)) {
            tally.add(field(sku), field(name), field(price).parse().unwrap_or(-1.0));
        }
    }
    Ok(tally.catalog(currency))
}

/// A Shopify export column by its exact name (a byte-order mark on the first ignored).
fn shopify_column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == name)
}

fn shopify_required(headers: &csv::StringRecord, name: &str) -> Result<usize> {
    shopify_column(headers, name).ok_or_else(|| malformed(1, format!("no column named {name:?}: not a Shopify orders export")))
}

/// A JSON string or number as text ("" for anything else).
fn text_of(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// Read Shopify's orders CSV export (see the module comment for the columns).
pub fn read_shopify_orders(reader: impl Read, spec: &EventLogSpec) -> Result<(Interactions, EventLogStats)> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv.headers().map_err(|e| malformed(1, format!("unreadable header: {e}")))?.clone();
    let find = |name| shopify_column(&headers, name);
    let required = |name| shopify_required(&headers, name);
    let (order_col, sku_col, created_col) = (required("Name")?, required("Lineitem sku")?, required("Created at")?);
    let customer_col = find("Customer ID").or_else(|| find("Email"));
    let cancelled_col = find("Cancelled at");
    let customer_col = customer_col.ok_or_else(|| malformed(1, "no \"Email\" or \"Customer ID\" column".into()))?;

    // The order's first row carries who and when; later line items leave them blank.
    let mut orders: HashMap<String, (String, Option<i64>, bool)> = HashMap::new();
    let mut stats = EventLogStats::default();
    let mut events = Vec::new();
    for (index, record) in csv.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| malformed(line, e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        stats.rows += 1;
        let order = field(order_col).to_string();
        let first = !orders.contains_key(&order);
        let entry = orders.entry(order).or_insert_with(|| {
            let cancelled = cancelled_col.is_some_and(|c| !field(c).is_empty());
            (field(customer_col).to_string(), time_key(field(created_col)), cancelled)
        });
        if first && entry.1.is_none() {
            return Err(malformed(line, format!("unreadable \"Created at\" {:?}", field(created_col))));
        }
        let (customer, time, cancelled) = entry.clone();
        if cancelled {
            stats.skipped_by_kind += 1;
            continue;
        }
        if customer.is_empty() {
            stats.without_user += 1;
            continue;
        }
        let sku = field(sku_col);
        if sku.is_empty() || spec.exclude_items.contains(sku) {
            stats.excluded_items += 1;
            continue;
        }
        events.push(Event { user: customer, item: sku.to_string(), time: time.unwrap_or(0), row: index });
    }
    assemble(events, spec, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> EventLogSpec {
        EventLogSpec { dedupe: true, min_user_items: 1, min_item_users: 1, ..EventLogSpec::default() }
    }

    #[test]
    fn ga4_keeps_item_events_in_time_order_and_hashes_the_shopper() {
        let ndjson = r#"{"event_name":"page_view","user_pseudo_id":"111.222","event_timestamp":"1700000000000000"}
{"event_name":"view_item","user_pseudo_id":"111.222","event_timestamp":"1700000002000000","items":[{"item_id":"SKU-B"}]}
{"event_name":"view_item","user_pseudo_id":"111.222","event_timestamp":1700000001000000,"items":[{"item_id":"SKU-A"},{"item_id":"(not set)"}]}
{"event_name":"purchase","user_pseudo_id":"333.444","event_timestamp":"1700000003000000","items":[{"item_id":"SKU-A"},{"item_id":"SKU-C"}]}

{"event_name":"add_to_cart","user_pseudo_id":"","event_timestamp":"1700000004000000","items":[{"item_id":"SKU-D"}]}
"#;
        let (data, stats) = read_ga4(ndjson.as_bytes(), &spec()).unwrap();
        let ids = |u: usize| data.sequences[u].iter().map(|&i| data.vocab.id(i).unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(ids(0), ["SKU-A", "SKU-B"], "ordered by event_timestamp, not by line");
        assert_eq!(ids(1), ["SKU-A", "SKU-C"]);
        assert_eq!((stats.rows, stats.skipped_by_kind, stats.without_user, stats.excluded_items), (5, 1, 1, 1));
        assert_eq!(data.users[0], super::super::events::pseudonym("111.222"));
        assert!(data.users.iter().all(|u| !u.contains("111") && !u.contains("333")));
        let err = read_ga4(&b"{\"event_name\":\"view_item\"\nnot json\n"[..], &spec()).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn shopify_orders_carry_the_customer_and_time_down_to_every_line_item() {
        let csv = "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku,Cancelled at
#1001,ann@example.com,paid,2024-01-05 10:11:12 -0500,1,Tee - S,TEE-S,
#1001,,,,2,Mug,MUG-1,
#1002,bob@example.com,paid,2024-01-04 09:00:00 -0500,1,Cap,CAP-1,
#1003,ann@example.com,paid,2024-01-06 09:00:00 -0500,1,Cap,CAP-1,
#1004,ann@example.com,voided,2024-01-07 09:00:00 -0500,1,Sock,SOCK-1,2024-01-07 10:00:00 -0500
#1004,,,,1,Hat,HAT-1,
";
        let (data, stats) = read_shopify_orders(csv.as_bytes(), &spec()).unwrap();
        let ids = |u: usize| data.sequences[u].iter().map(|&i| data.vocab.id(i).unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(ids(0), ["TEE-S", "MUG-1", "CAP-1"]);
        assert_eq!(ids(1), ["CAP-1"]);
        assert_eq!(stats.skipped_by_kind, 2, "both rows of the cancelled order");
        assert!(data.users.iter().all(|u| !u.contains('@')));
        assert_eq!(EventFormat::detect(csv.as_bytes()), EventFormat::ShopifyOrders);
        assert_eq!(EventFormat::detect(b"\xef\xbb\xbf{\"event_name\":1}"), EventFormat::Ga4);
        assert_eq!(EventFormat::detect(b"InvoiceNo,StockCode"), EventFormat::Csv);
    }
}
