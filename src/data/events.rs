//! The event-log form: a CSV with one row per event and user, item and time
//! columns named by the caller (for example the Online Retail export's
//! CustomerID, StockCode, InvoiceDate). Optional filters cover what real shop
//! exports need: cancellations, rows without a customer, non-product codes.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use super::{Catalog, CatalogItem, Interactions, ItemVocab};
use crate::error::{Result, VitrineError};

/// Which columns to read and which rows to keep.
#[derive(Debug, Clone, Default)]
pub struct EventLogSpec {
    pub user_col: String,
    pub item_col: String,
    pub time_col: String,
    /// Skip rows whose column starts with a prefix, e.g. `("InvoiceNo", "C")` for cancellations.
    pub skip_prefixes: Vec<(String, String)>,
    /// Skip rows where any of these numeric columns is not > 0 (e.g. Quantity, UnitPrice).
    pub positive_cols: Vec<String>,
    /// Item ids that are not products (postage, fees, ...).
    pub exclude_items: HashSet<String>,
    /// Keep only the first event of each user–item pair.
    pub dedupe: bool,
    /// Iterated k-core: users with fewer items and items with fewer users are dropped until stable.
    pub min_user_items: usize,
    pub min_item_users: usize,
}

/// What happened to the rows, so the card can state the filtering exactly.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventLogStats {
    pub rows: usize,
    pub without_user: usize,
    pub skipped_by_prefix: usize,
    /// Exports only: GA4 events that are not item interactions, Shopify rows of cancelled orders.
    #[serde(default)]
    pub skipped_by_kind: usize,
    pub not_positive: usize,
    pub excluded_items: usize,
    pub repeated_pairs: usize,
    pub dropped_by_core: usize,
    pub kept: usize,
}

fn column(headers: &csv::StringRecord, name: &str) -> Result<usize> {
    headers.iter().position(|h| h.trim() == name).ok_or_else(|| VitrineError::Malformed {
        what: "event log",
        line: 1,
        reason: format!(
            "no column named {name:?}; the header has {:?}",
            headers.iter().collect::<Vec<_>>()
        ),
    })
}

/// The `(column index, prefix)` pairs of the spec's skip rules.
fn prefix_columns<'a>(headers: &csv::StringRecord, spec: &'a EventLogSpec) -> Result<Vec<(usize, &'a str)>> {
    spec.skip_prefixes
        .iter()
        .map(|(c, p)| Ok((column(headers, c)?, p.as_str())))
        .collect()
}

/// Parse a timestamp into a key that sorts like time: integer epoch seconds, or
/// `YYYY-MM-DD[ T]HH:MM[:SS]` (and `YYYY/MM/DD`).
pub fn time_key(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(epoch) = text.parse::<i64>() {
        return Some(epoch);
    }
    let parts: Vec<i64> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if parts.len() < 3 || parts[0] < 1000 || !(1..=12).contains(&parts[1]) || !(1..=31).contains(&parts[2]) {
        return None;
    }
    let get = |i: usize| parts.get(i).copied().unwrap_or(0);
    let (h, m, s) = (get(3), get(4), get(5));
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Not real seconds since an epoch, but strictly monotone in calendar order.
    Some(((((parts[0] * 12 + parts[1]) * 31 + parts[2]) * 24 + h) * 60 + m) * 60 + s)
}

pub(crate) fn malformed(line: usize, reason: String) -> VitrineError {
    VitrineError::Malformed {
        what: "event log",
        line,
        reason,
    }
}

/// The spec's columns resolved against a header, and the row filter they imply.
struct RowFilter<'a> {
    spec: &'a EventLogSpec,
    user: usize,
    item: usize,
    time: usize,
    prefixes: Vec<(usize, &'a str)>,
    positive: Vec<(usize, &'a str)>,
}

/// One row that passed the filter.
struct KeptRow<'r> {
    user: &'r str,
    item: &'r str,
    time: i64,
}

impl<'a> RowFilter<'a> {
    fn new(headers: &csv::StringRecord, spec: &'a EventLogSpec) -> Result<Self> {
        Ok(Self {
            spec,
            user: column(headers, &spec.user_col)?,
            item: column(headers, &spec.item_col)?,
            time: column(headers, &spec.time_col)?,
            prefixes: prefix_columns(headers, spec)?,
            positive: spec
                .positive_cols
                .iter()
                .map(|c| Ok((column(headers, c)?, c.as_str())))
                .collect::<Result<Vec<_>>>()?,
        })
    }

    /// The row's user, item and time if the spec keeps it; counts why not in `stats`.
    fn keep<'r>(&self, record: &'r csv::StringRecord, line: usize, stats: &mut EventLogStats) -> Result<Option<KeptRow<'r>>> {
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let user = field(self.user);
        if user.is_empty() {
            stats.without_user += 1;
            return Ok(None);
        }
        if self.prefixes.iter().any(|&(c, p)| field(c).starts_with(p)) {
            stats.skipped_by_prefix += 1;
            return Ok(None);
        }
        let mut positive = true;
        for &(c, name) in &self.positive {
            let value: f64 = field(c)
                .parse()
                .map_err(|_| malformed(line, format!("column {name} = {:?} is not a number", field(c))))?;
            positive &= value > 0.0;
        }
        if !positive {
            stats.not_positive += 1;
            return Ok(None);
        }
        let item = field(self.item);
        if item.is_empty() {
            return Err(malformed(line, format!("empty {} column", self.spec.item_col)));
        }
        if self.spec.exclude_items.contains(item) {
            stats.excluded_items += 1;
            return Ok(None);
        }
        let time = time_key(field(self.time)).ok_or_else(|| malformed(line, format!("unreadable time {:?}", field(self.time))))?;
        Ok(Some(KeptRow { user, item, time }))
    }
}

/// Read an event log into per-user sequences ordered by time, then row order.
pub fn read_event_log(reader: impl Read, spec: &EventLogSpec) -> Result<(Interactions, EventLogStats)> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| malformed(1, format!("unreadable header: {e}")))?
        .clone();
    let filter = RowFilter::new(&headers, spec)?;
    let mut stats = EventLogStats::default();
    let mut events = Vec::new();
    for (row, record) in csv.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| malformed(line, e.to_string()))?;
        stats.rows += 1;
        if let Some(kept) = filter.keep(&record, line, &mut stats)? {
            events.push(Event {
                user: kept.user.to_string(),
                item: kept.item.to_string(),
                time: kept.time,
                row,
            });
        }
    }

    assemble(events, spec, stats)
}

/// One event as every source yields it: who, what, when, and its place in the
/// file (ties in time keep file order).
pub(crate) struct Event {
    pub user: String,
    pub item: String,
    pub time: i64,
    pub row: usize,
}

/// Events of any source into per-user sequences: each user's events ordered by
/// time then file order, the spec's de-duplication and k-core applied, user
/// ids kept only as a one-way hash (a shop's customer ids and e-mail addresses
/// never reach a model, a card or a log).
pub(crate) fn assemble(events: Vec<Event>, spec: &EventLogSpec, mut stats: EventLogStats) -> Result<(Interactions, EventLogStats)> {
    // Group by user (in order of first appearance) and order each user's events.
    let mut user_order: Vec<String> = Vec::new();
    let mut by_user: HashMap<String, Vec<Event>> = HashMap::new();
    for e in events {
        if !by_user.contains_key(&e.user) {
            user_order.push(e.user.clone());
        }
        by_user.entry(e.user.clone()).or_default().push(e);
    }
    let mut sequences: Vec<(String, Vec<String>)> = user_order
        .into_iter()
        .map(|user| {
            let mut evs = by_user.remove(&user).unwrap_or_default();
            evs.sort_by_key(|e| (e.time, e.row));
            let mut seen = HashSet::new();
            let mut items = Vec::with_capacity(evs.len());
            for e in evs {
                if spec.dedupe && !seen.insert(e.item.clone()) {
                    stats.repeated_pairs += 1;
                    continue;
                }
                items.push(e.item);
            }
            (user, items)
        })
        .collect();

    stats.dropped_by_core = k_core(&mut sequences, spec.min_user_items, spec.min_item_users);

    let mut vocab = ItemVocab::default();
    let mut users = Vec::new();
    let mut seqs = Vec::new();
    for (user, items) in sequences {
        seqs.push(items.iter().map(|i| vocab.intern(i)).collect::<Vec<_>>());
        users.push(pseudonym(&user));
    }
    stats.kept = seqs.iter().map(Vec::len).sum();
    if seqs.is_empty() {
        return Err(malformed(0, "no events left after filtering".into()));
    }
    Ok((
        Interactions {
            users,
            sequences: seqs,
            vocab,
        },
        stats,
    ))
}

/// A stable one-way pseudonym for a shopper id: the first 16 hex digits of its sha256.
pub fn pseudonym(user: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(user.as_bytes())[..8])
}

/// Baskets (e.g. invoices): the distinct items of each value of `basket_col`
/// among the rows the spec keeps, as indices of `vocab` (other items dropped).
pub fn read_baskets(reader: impl Read, spec: &EventLogSpec, basket_col: &str, vocab: &ItemVocab) -> Result<Vec<Vec<u32>>> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv.headers().map_err(|e| malformed(1, format!("unreadable header: {e}")))?.clone();
    let filter = RowFilter::new(&headers, spec)?;
    let basket = column(&headers, basket_col)?;
    let mut order: Vec<String> = Vec::new();
    let mut baskets: HashMap<String, Vec<u32>> = HashMap::new();
    let mut stats = EventLogStats::default();
    for (row, record) in csv.records().enumerate() {
        let record = record.map_err(|e| malformed(row + 2, e.to_string()))?;
        let Some(kept) = filter.keep(&record, row + 2, &mut stats)? else { continue };
        let Some(index) = vocab.get(kept.item) else { continue };
        let key = record.get(basket).unwrap_or("").trim();
        if key.is_empty() {
            continue;
        }
        let items = baskets.entry(key.to_string()).or_insert_with(|| {
            order.push(key.to_string());
            Vec::new()
        });
        if !items.contains(&index) {
            items.push(index);
        }
    }
    Ok(order.into_iter().filter_map(|k| baskets.remove(&k)).collect())
}

/// Drop users with < `min_user` events and items with < `min_item` users until
/// nothing changes. Returns the number of events dropped.
fn k_core(sequences: &mut Vec<(String, Vec<String>)>, min_user: usize, min_item: usize) -> usize {
    let mut dropped = 0;
    loop {
        let mut item_users: HashMap<&str, usize> = HashMap::new();
        for (_, items) in sequences.iter() {
            for i in items.iter().collect::<HashSet<_>>() {
                *item_users.entry(i.as_str()).or_default() += 1;
            }
        }
        let rare: HashSet<String> = item_users
            .into_iter()
            .filter(|&(_, n)| n < min_item)
            .map(|(i, _)| i.to_string())
            .collect();
        let before: usize = sequences.iter().map(|(_, s)| s.len()).sum();
        for (_, items) in sequences.iter_mut() {
            items.retain(|i| !rare.contains(i));
        }
        sequences.retain(|(_, items)| items.len() >= min_user.max(1));
        let after: usize = sequences.iter().map(|(_, s)| s.len()).sum();
        dropped += before - after;
        if before == after {
            return dropped;
        }
    }
}

/// Build a catalog from the same export: per item the most frequent title and
/// the median unit price over the rows the spec keeps.
pub fn catalog_from_event_log(
    reader: impl Read,
    spec: &EventLogSpec,
    title_col: &str,
    price_col: &str,
    currency: &str,
) -> Result<Catalog> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv.headers().map_err(|e| malformed(1, e.to_string()))?.clone();
    let item_col = column(&headers, &spec.item_col)?;
    let title_col = column(&headers, title_col)?;
    let price_col = column(&headers, price_col)?;
    let prefix_cols = prefix_columns(&headers, spec)?;
    let mut tally = CatalogTally::default();
    for (row, record) in csv.records().enumerate() {
        let record = record.map_err(|e| malformed(row + 2, e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let item = field(item_col);
        if item.is_empty()
            || spec.exclude_items.contains(item)
            || prefix_cols.iter().any(|&(c, p)| field(c).starts_with(p))
        {
            continue;
        }
        tally.add(item, field(title_col), field(price_col).parse::<f64>().unwrap_or(-1.0));
    }
    Ok(tally.catalog(currency))
}

/// Per item, the titles and unit prices an export shows for it; the catalog
/// takes the most frequent title and the median positive price.
#[derive(Default)]
pub(crate) struct CatalogTally {
    order: Vec<String>,
    titles: HashMap<String, HashMap<String, usize>>,
    prices: HashMap<String, Vec<f64>>,
}

impl CatalogTally {
    pub fn add(&mut self, item: &str, title: &str, price: f64) {
        if !self.titles.contains_key(item) {
            self.order.push(item.to_string());
        }
        let counts = self.titles.entry(item.to_string()).or_default();
        if !title.is_empty() {
            *counts.entry(title.to_string()).or_default() += 1;
        }
        if price > 0.0 && price.is_finite() {
            self.prices.entry(item.to_string()).or_default().push(price);
        }
    }

    /// Items with a title and a price; not checked yet: the caller adds links
    /// first, then `Catalog::checked`.
    pub fn catalog(mut self, currency: &str) -> Catalog {
        let mut items = Vec::new();
        for id in self.order {
            let Some(title) = self.titles[&id]
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(t, _)| t.clone())
            else {
                continue; // no usable title: not something to show a shopper
            };
            let Some(mut p) = self.prices.remove(&id) else { continue };
            p.sort_by(f64::total_cmp);
            let price = (p[p.len() / 2] * 100.0).round() / 100.0;
            items.push(CatalogItem { id, title, price, image: None, url: None, available: true, group: None });
        }
        Catalog { currency: currency.to_string(), items }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID
1,A,Mug,1,2011-01-02 10:00:00,2.0,u1
1,B,Cup,1,2011-01-02 10:00:00,3.0,u1
C2,A,Mug,-1,2011-01-03 10:00:00,2.0,u1
3,C,Plate,2,2011-01-01 09:00:00,5.0,u1
4,A,Mug,1,2011-01-05 09:00:00,2.5,u2
5,POST,Postage,1,2011-01-05 09:00:00,18.0,u2
6,B,Cup,1,2011-01-06 09:00:00,3.0,
7,B,Cup,1,2011-01-07 09:00:00,3.0,u2
7,A,Mug,1,2011-01-08 09:00:00,2.5,u2
";

    fn spec() -> EventLogSpec {
        EventLogSpec {
            user_col: "CustomerID".into(),
            item_col: "StockCode".into(),
            time_col: "InvoiceDate".into(),
            skip_prefixes: vec![("InvoiceNo".into(), "C".into())],
            positive_cols: vec!["Quantity".into()],
            exclude_items: ["POST".to_string()].into(),
            dedupe: true,
            min_user_items: 1,
            min_item_users: 1,
        }
    }

    #[test]
    fn orders_by_time_then_row_and_applies_every_filter() {
        let (data, stats) = read_event_log(LOG.as_bytes(), &spec()).unwrap();
        let ids = |s: &Vec<u32>| s.iter().map(|&i| data.vocab.id(i).unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(data.users, vec![pseudonym("u1"), pseudonym("u2")], "shopper ids are kept only as pseudonyms");
        assert_eq!(ids(&data.sequences[0]), vec!["C", "A", "B"]);
        assert_eq!(ids(&data.sequences[1]), vec!["A", "B"]);
        assert_eq!(
            stats,
            EventLogStats {
                rows: 9,
                without_user: 1,
                skipped_by_prefix: 1,
                skipped_by_kind: 0,
                not_positive: 0,
                excluded_items: 1,
                repeated_pairs: 1,
                dropped_by_core: 0,
                kept: 5
            }
        );
    }

    #[test]
    fn k_core_drops_rare_items_and_short_users() {
        let mut s = spec();
        s.min_item_users = 2;
        s.min_user_items = 2;
        let (data, stats) = read_event_log(LOG.as_bytes(), &s).unwrap();
        // C is bought by one user only; both users keep A and B.
        assert_eq!(data.sequences, vec![vec![1, 2], vec![1, 2]]);
        assert_eq!(stats.dropped_by_core, 1);
    }

    #[test]
    fn a_missing_column_names_the_header() {
        let mut s = spec();
        s.user_col = "Customer".into();
        let err = read_event_log(LOG.as_bytes(), &s).unwrap_err();
        assert!(err.to_string().contains("no column named \"Customer\""), "{err}");
    }

    #[test]
    fn an_unreadable_time_is_a_typed_error_with_its_line() {
        let log = "u,i,t\nx,1,2011-01-01\ny,2,yesterday\n";
        let s = EventLogSpec {
            user_col: "u".into(),
            item_col: "i".into(),
            time_col: "t".into(),
            ..Default::default()
        };
        let err = read_event_log(log.as_bytes(), &s).unwrap_err();
        assert!(matches!(err, VitrineError::Malformed { line: 3, .. }), "{err}");
    }

    #[test]
    fn baskets_group_kept_rows_by_invoice() {
        let (data, _) = read_event_log(LOG.as_bytes(), &spec()).unwrap();
        let baskets = read_baskets(LOG.as_bytes(), &spec(), "InvoiceNo", &data.vocab).unwrap();
        let ids = |b: &Vec<u32>| b.iter().map(|&i| data.vocab.id(i).unwrap()).collect::<Vec<_>>();
        // Invoice 1 (A, B), 3 (C), 4 (A; POST excluded), 6 has no customer, 7 (B, A); C2 is a cancellation.
        assert_eq!(baskets.iter().map(ids).collect::<Vec<_>>(), vec![vec!["A", "B"], vec!["C"], vec!["A"], vec!["B", "A"]]);
    }

    #[test]
    fn time_keys_sort_like_time() {
        let a = time_key("2010-12-31 23:59:00").unwrap();
        let b = time_key("2011-01-01 00:00:00").unwrap();
        let c = time_key("2011-01-01T00:01").unwrap();
        assert!(a < b && b < c);
        assert_eq!(time_key("1700000000"), Some(1_700_000_000));
        assert_eq!(time_key("2011-13-01"), None);
    }

    #[test]
    fn catalog_takes_the_common_title_and_median_price() {
        let c = catalog_from_event_log(LOG.as_bytes(), &spec(), "Description", "UnitPrice", "GBP").unwrap();
        let mug = c.items.iter().find(|i| i.id == "A").unwrap();
        assert_eq!((mug.title.as_str(), mug.price), ("Mug", 2.5));
        assert!(c.items.iter().all(|i| i.id != "POST"));
    }
}
