//! Where interactions come from: a sequences file or an event log (a CSV,
//! GA4's NDJSON export or Shopify's orders export; plain or .gz). Shared by `train` and `eval-recommender` so both read data the
//! same way.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use vitrine::data::events::{read_event_log, EventLogSpec, EventLogStats};
use vitrine::data::exports::{read_ga4, read_shopify_orders, EventFormat};
use vitrine::data::sequences::parse_sequences;
use vitrine::data::catalog::{CatalogReport, MAX_INVALID_SHARE};
use vitrine::data::feeds::read_catalog_file;
use vitrine::data::{Catalog, Interactions};

#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Sequences file: one line per user, `user item item ...`, oldest first.
    #[arg(long, conflicts_with = "events")]
    pub sequences: Option<PathBuf>,
    /// Event log (optionally .gz): a CSV with user, item and time columns (named
    /// by the flags below), GA4's BigQuery export as NDJSON, or Shopify's
    /// orders CSV export; the format is told from the file's start.
    #[arg(long)]
    pub events: Option<PathBuf>,
    #[arg(long, default_value = "CustomerID")]
    pub user_col: String,
    #[arg(long, default_value = "StockCode")]
    pub item_col: String,
    #[arg(long, default_value = "InvoiceDate")]
    pub time_col: String,
    /// Skip rows whose COLUMN starts with PREFIX, e.g. `InvoiceNo=C` (cancellations). Repeatable.
    #[arg(long = "skip-prefix", value_name = "COLUMN=PREFIX")]
    pub skip_prefixes: Vec<String>,
    /// Skip rows where this numeric column is not > 0. Repeatable.
    #[arg(long = "positive", value_name = "COLUMN")]
    pub positive_cols: Vec<String>,
    /// Comma-separated item ids that are not products (postage, fees...).
    #[arg(long, value_delimiter = ',')]
    pub exclude_items: Vec<String>,
    /// Keep only the first event of each user–item pair.
    #[arg(long)]
    pub dedupe: bool,
    /// k-core: keep users with at least this many items...
    #[arg(long, default_value_t = 1)]
    pub min_user_items: usize,
    /// ...and items with at least this many users, iterated until stable.
    #[arg(long, default_value_t = 1)]
    pub min_item_users: usize,
}

pub fn open(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = BufReader::new(file);
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

/// An event file's bytes (gunzipped) and its format, told from its start
/// and said on stderr: the trainer and `vitrine catalog` read exports alike.
pub fn read_events_file(path: &Path) -> anyhow::Result<(Vec<u8>, EventFormat)> {
    let mut bytes = Vec::new();
    open(path)?.read_to_end(&mut bytes).with_context(|| format!("reading {}", path.display()))?;
    let format = EventFormat::detect(&bytes[..bytes.len().min(4096)]);
    eprintln!("events: {} read as {}", path.display(), format.name());
    Ok((bytes, format))
}

impl DataArgs {
    pub fn spec(&self) -> anyhow::Result<EventLogSpec> {
        let skip_prefixes = self
            .skip_prefixes
            .iter()
            .map(|s| {
                s.split_once('=')
                    .map(|(c, p)| (c.to_string(), p.to_string()))
                    .with_context(|| format!("--skip-prefix {s:?} is not COLUMN=PREFIX"))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(EventLogSpec {
            user_col: self.user_col.clone(),
            item_col: self.item_col.clone(),
            time_col: self.time_col.clone(),
            skip_prefixes,
            positive_cols: self.positive_cols.clone(),
            exclude_items: self.exclude_items.iter().cloned().collect::<HashSet<_>>(),
            dedupe: self.dedupe,
            min_user_items: self.min_user_items,
            min_item_users: self.min_item_users,
        })
    }

    /// Read the interactions, and the event-log statistics when the input is a log.
    pub fn load(&self) -> anyhow::Result<(Interactions, Option<EventLogStats>)> {
        match (&self.sequences, &self.events) {
            (Some(path), None) => {
                let mut text = String::new();
                open(path)?.read_to_string(&mut text).with_context(|| format!("reading {}", path.display()))?;
                Ok((parse_sequences(&text).with_context(|| format!("parsing {}", path.display()))?, None))
            }
            (None, Some(path)) => {
                let (bytes, format) = read_events_file(path)?;
                let spec = self.spec()?;
                let (data, stats) = match format {
                    EventFormat::Csv => read_event_log(&bytes[..], &spec),
                    EventFormat::Ga4 => read_ga4(&bytes[..], &spec),
                    EventFormat::ShopifyOrders => read_shopify_orders(&bytes[..], &spec),
                }
                .with_context(|| format!("parsing {} as {}", path.display(), format.name()))?;
                Ok((data, Some(stats)))
            }
            _ => bail!("give exactly one of --sequences or --events"),
        }
    }

    /// These options written back as command-line flags (defaults left out),
    /// so a card can give the exact eval command for the same data.
    pub fn as_flags(&self) -> String {
        let q = |v: &str| super::shell_quote(v);
        let mut flags = Vec::new();
        if let Some(p) = &self.sequences {
            flags.push(format!("--sequences {}", q(&p.display().to_string())));
        }
        if let Some(p) = &self.events {
            flags.push(format!("--events {}", q(&p.display().to_string())));
            flags.push(format!("--user-col {} --item-col {} --time-col {}", q(&self.user_col), q(&self.item_col), q(&self.time_col)));
            flags.extend(self.skip_prefixes.iter().map(|s| format!("--skip-prefix {}", q(s))));
            flags.extend(self.positive_cols.iter().map(|c| format!("--positive {}", q(c))));
            if !self.exclude_items.is_empty() {
                flags.push(format!("--exclude-items {}", q(&self.exclude_items.join(","))));
            }
            if self.dedupe {
                flags.push("--dedupe".into());
            }
            if self.min_user_items != 1 {
                flags.push(format!("--min-user-items {}", self.min_user_items));
            }
            if self.min_item_users != 1 {
                flags.push(format!("--min-item-users {}", self.min_item_users));
            }
        }
        flags.join(" ")
    }

    pub fn source(&self) -> String {
        self.sequences.as_ref().or(self.events.as_ref()).map(|p| p.display().to_string()).unwrap_or_default()
    }
}

/// Read and check a catalog: `.json` (the widget's form), or a CSV / TSV
/// product file (ours, Google Merchant Center's, Shopify's; see `data::feeds`). Every problem is printed (see [`report_catalog`]).
pub fn load_catalog(path: &Path, currency: &str) -> anyhow::Result<Catalog> {
    let (catalog, report) = check_catalog_file(path, currency)?;
    report_catalog(&report, &path.display().to_string())?;
    Ok(catalog)
}

/// Read a catalog file and run the catalog check, without judging the result.
pub fn check_catalog_file(path: &Path, currency: &str) -> anyhow::Result<(Catalog, CatalogReport)> {
    let checked = if path.extension().is_some_and(|e| e == "json") {
        let mut text = String::new();
        open(path)?.read_to_string(&mut text)?;
        Catalog::from_json(&text)
    } else {
        read_catalog_file(open(path)?, currency).map(|(catalog, report, kind)| {
            eprintln!("catalog {}: {}", path.display(), kind.name());
            (catalog, report)
        })
    };
    checked.with_context(|| format!("reading catalog {}", path.display()))
}

/// Print every problem of a checked catalog and a count per kind to stderr;
/// an error when more than `MAX_INVALID_SHARE` of the rows were dropped
/// (likely a wrong column mapping or the wrong file).
pub fn report_catalog(report: &CatalogReport, source: &str) -> anyhow::Result<()> {
    for problem in &report.problems {
        eprintln!("catalog {source}: {}{problem}", if problem.kind.drops() { "dropped " } else { "" });
    }
    if !report.problems.is_empty() {
        let counts: Vec<String> = report.counts().iter().map(|(kind, n)| format!("{n} {}", serde_json::to_string(kind).unwrap_or_default().trim_matches('"'))).collect();
        eprintln!("catalog {source}: {} of {} rows kept ({})", report.kept, report.rows, counts.join(", "));
    }
    if report.mostly_invalid() {
        return Err(vitrine::VitrineError::Catalog(format!(
            "{source}: {} of {} rows are invalid (more than {:.0} %): check the column mapping and the file",
            report.dropped(),
            report.rows,
            MAX_INVALID_SHARE * 100.0
        ))
        .into());
    }
    Ok(())
}
