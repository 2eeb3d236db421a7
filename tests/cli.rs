//! The `vitrine` command end to end on the tiny fixture: train, then check
//! that `eval-recommender` reproduces the card, and that bad files are refused
//! with a clear message and exit code 1.
#![cfg(not(target_family = "wasm"))]

use std::path::Path;
use std::process::Command;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-sequences.txt");

fn vitrine(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vitrine")).args(args).output().expect("vitrine runs")
}

fn train_tiny(dir: &Path) -> serde_json::Value {
    // A catalog naming the first 50 of the fixture's 60 items.
    let catalog = dir.join("catalog.csv");
    let rows: String = (1..=50).map(|i| format!("{i},Item number {i},{i}.5\n")).collect();
    std::fs::write(&catalog, format!("id,title,price\n{rows}")).unwrap();
    let out = vitrine(&[
        "train", "--catalog", catalog.to_str().unwrap(), "--sequences", FIXTURE, "--name", "t", "--models-dir", dir.to_str().unwrap(),
        "--work-dir", dir.join("run").to_str().unwrap(), "--epochs", "4", "--d-model", "32",
        "--layers", "1", "--heads", "1", "--max-len", "20", "--dropout", "0.1", "--batch-size", "32", "--lr", "0.005",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(&std::fs::read_to_string(dir.join("t.json")).unwrap()).unwrap()
}

#[test]
fn eval_reproduces_the_card_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let card = train_tiny(dir.path());
    let model = dir.path().join("t.bpk");
    let bytes = std::fs::read(&model).unwrap();
    assert_eq!(card["weights"]["sha256"], vitrine::weights::sha256_hex(&bytes));
    assert_eq!(card["weights"]["bytes"], bytes.len());
    assert_eq!(card["training"]["epochs"], 4);
    assert_eq!(card["training"]["prefix_samples"], true, "the default sampling is recorded for tools that retrain the model");
    assert_eq!(card["data"]["catalog"]["trained_items_covered"], 50);

    let out = vitrine(&["eval-recommender", "--model", model.to_str().unwrap(), "--sequences", FIXTURE]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["users", "hr@10", "ndcg@10"] {
        assert_eq!(line[key], card["metrics"]["int8"]["test"][key], "{key}");
    }
    assert_eq!(line["users"], 300);

    // A flipped byte: refused by checksum, exit code 1, message names the problem.
    let mut broken = bytes.clone();
    broken[10] ^= 1;
    std::fs::write(&model, &broken).unwrap();
    let out = vitrine(&["eval-recommender", "--model", model.to_str().unwrap(), "--sequences", FIXTURE]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sha256 mismatch"));

    // A missing column in an event log: exit code 1 with the header listed.
    let log = dir.path().join("events.csv");
    std::fs::write(&log, "who,what,when\n1,a,2011-01-01\n").unwrap();
    let out = vitrine(&["train", "--events", log.to_str().unwrap(), "--name", "x", "--models-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column named \"CustomerID\""));
}

#[test]
fn training_resumes_from_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let first = train_tiny(dir.path());
    // Same work dir and 4 epochs again: already done, so nothing more is trained.
    let again = train_tiny(dir.path());
    assert_eq!(again["training"]["epochs"], first["training"]["epochs"]);
    assert_eq!(again["weights"]["sha256"], first["weights"]["sha256"]);
}

#[test]
fn catalog_check_names_every_bad_row_and_refuses_a_mostly_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("catalog.csv");
    std::fs::write(&csv, "id,title,price,url\na,Mug,2.5,\nb,Cup,-5,\nc,Bowl,abc,\nd,Plate,3,javascript:alert(1)\ne,Jug,4,/p/e\nf,Pan,5,\ng,Pot,6,\n").unwrap();
    let out = vitrine(&["catalog", "--check", csv.to_str().unwrap(), "--currency", "EUR"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "3 of 7 bad is under half: {stderr}");
    for line in ["line 3", "line 4", "line 5"] {
        assert!(stderr.contains(line), "{line} is named: {stderr}");
    }
    assert!(stderr.contains("4 of 7 rows kept (2 bad-price, 1 unsafe-url)"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["rows"].as_u64(), report["kept"].as_u64(), report["dropped"].as_u64()), (Some(7), Some(4), Some(3)));
    assert_eq!(report["counts"]["bad-price"], 2);
    assert_eq!(report["problems"][1]["row"], "line 4");
    assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1, "--check writes nothing");

    // More than half invalid: likely the wrong column, exit 1.
    std::fs::write(&csv, "id,title,price\na,Mug,EUR 2\nb,Cup,EUR 3\nc,Bowl,4\n").unwrap();
    let out = vitrine(&["catalog", "--check", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 of 3 rows are invalid"), "{}", String::from_utf8_lossy(&out.stderr));
}

const FEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/feeds");

/// The product files shops have (fixtures written from the public formats):
/// each is checked by `catalog --check` and read by the trainer.
#[test]
fn merchant_center_and_shopify_files_are_catalogs_for_the_cli_and_the_trainer() {
    let cases = [
        // file, kind, rows, kept, ids kept in order
        ("merchant-center.tsv", "Google Merchant Center product data (TSV)", 7, 4, vec!["1", "2", "3", "4"]),
        ("merchant-center.xml", "Google Merchant Center product data (XML)", 7, 4, vec!["1", "2", "3", "4"]),
        ("merchant-center-atom.xml", "Google Merchant Center product data (XML)", 3, 3, vec!["1", "2", "8"]),
        ("shopify-products.csv", "Shopify product export", 6, 5, vec!["1", "2", "3", "4", "5"]),
    ];
    for (file, kind, rows, kept, ids) in cases {
        let path = format!("{FEEDS}/{file}");
        let out = vitrine(&["catalog", "--check", &path, "--currency", "GBP"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{file}: {stderr}");
        assert!(stderr.contains(kind), "{file} is read as {kind}: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!((report["rows"].as_u64(), report["kept"].as_u64()), (Some(rows), Some(kept)), "{file}: {report}");

        let catalog = vitrine::data::feeds::read_catalog_file(std::fs::File::open(&path).unwrap(), "GBP").unwrap().0;
        assert_eq!(catalog.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ids, "{file}");

        let dir = tempfile::tempdir().unwrap();
        let out = vitrine(&[
            "train", "--catalog", &path, "--currency", "GBP", "--sequences", FIXTURE, "--name", "f", "--models-dir", dir.path().to_str().unwrap(),
            "--work-dir", dir.path().join("run").to_str().unwrap(), "--epochs", "1", "--d-model", "16", "--layers", "1", "--heads", "1", "--max-len", "10",
        ]);
        assert!(out.status.success(), "{file}: {}", String::from_utf8_lossy(&out.stderr));
        let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("f.json")).unwrap()).unwrap();
        assert_eq!(card["data"]["catalog"]["trained_items_covered"], kept as u64, "{file}");
        // No dropout or α given: the trainer chose them on validation and says so.
        assert_eq!(card["search"]["candidates"].as_array().unwrap().len(), 4, "{file}");
        assert_eq!(card["search"]["rungs"], serde_json::json!([1]), "{file}");
        let winner = card["search"]["winner"].as_str().unwrap();
        assert!(card["architecture"].as_str().unwrap().starts_with("BSARec"), "{file}");
        assert!(card["search"]["candidates"].as_array().unwrap().iter().any(|c| c["name"] == winner), "{file}");
    }
    // What the files say, item by item.
    let mc = vitrine::data::feeds::read_catalog_file(std::fs::File::open(format!("{FEEDS}/merchant-center.tsv")).unwrap(), "GBP").unwrap();
    assert_eq!(mc.0.currency, "USD", "prices keep their currency");
    let item = |c: &vitrine::data::Catalog, id: &str| c.items.iter().find(|i| i.id == id).unwrap().clone();
    assert_eq!(item(&mc.0, "2").price, 9.5, "the sale price is shown");
    assert_eq!((item(&mc.0, "1").group.as_deref(), item(&mc.0, "2").group.as_deref()), (Some("mug"), Some("mug")));
    assert!(!item(&mc.0, "3").available && item(&mc.0, "4").available, "out_of_stock hidden, preorder shown");
    let kinds: Vec<String> = mc.1.problems.iter().map(|p| format!("{} {:?}", p.row, p.kind)).collect();
    assert_eq!(kinds, ["line 6 MixedCurrency", "line 7 UnsafeUrl", "line 8 BadPrice"]);
    let shop = vitrine::data::feeds::read_catalog_file(std::fs::File::open(format!("{FEEDS}/shopify-products.csv")).unwrap(), "GBP").unwrap().0;
    assert_eq!(shop.currency, "GBP");
    let shirt = item(&shop, "1");
    assert_eq!((shirt.title.as_str(), shirt.url.as_deref(), shirt.group.as_deref()), ("Linen shirt – S / White", Some("/products/linen-shirt"), Some("linen-shirt")));
    assert_eq!(item(&shop, "3").image.as_deref(), Some("https://cdn.example/linen-shirt.jpg"), "a variant without an image shows the product's");
    assert_eq!(item(&shop, "4").title, "Wool scarf");
    let stock: Vec<bool> = ["1", "2", "3", "4", "5"].iter().map(|id| item(&shop, id).available).collect();
    assert_eq!(stock, [true, false, true, true, false], "sold out under deny, continue keeps selling, archived is hidden");
}

#[test]
fn ga4_and_shopify_order_exports_train_a_model_and_make_a_catalog_without_keeping_who_the_shoppers_are() {
    for (file, raw_ids) in [("ga4-events.ndjson", ["1000.", "1015."]), ("shopify-orders.csv", ["shopper0@example.com", "example.com"])] {
        let dir = tempfile::tempdir().unwrap();
        let path = format!("{FEEDS}/{file}");
        let out = vitrine(&[
            "train", "--events", &path, "--name", "e", "--models-dir", dir.path().to_str().unwrap(),
            "--work-dir", dir.path().join("run").to_str().unwrap(), "--epochs", "1", "--d-model", "16", "--layers", "1",
            "--heads", "1", "--max-len", "10", "--no-search",
        ]);
        let log = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{file}: {log}");
        assert!(log.contains(if file.ends_with("ndjson") { "GA4" } else { "Shopify orders" }), "{file}: {log}");
        let card = std::fs::read_to_string(dir.path().join("e.json")).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&card).unwrap();
        assert_eq!(parsed["data"]["users"], 16, "{file}");
        assert_eq!(parsed["data"]["items"], 8, "{file}");
        // The same export gives the widget's catalog: every item, named and priced.
        let catalog_path = dir.path().join("catalog.json");
        let out = vitrine(&["catalog", "--events", &path, "--currency", "USD", "--out", catalog_path.to_str().unwrap()]);
        assert!(out.status.success(), "{file}: {}", String::from_utf8_lossy(&out.stderr));
        let catalog: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&catalog_path).unwrap()).unwrap();
        let items = catalog["items"].as_array().unwrap();
        assert_eq!(items.len(), 8, "{file}: {catalog}");
        assert!(items.iter().all(|i| i["title"].as_str().unwrap().starts_with("Product ") && i["price"].as_f64().unwrap() > 0.0), "{file}: {catalog}");
        let weights = std::fs::read(dir.path().join("e.bpk")).unwrap();
        for raw in raw_ids {
            assert!(!card.contains(raw) && !log.contains(raw), "{file}: shopper id {raw} leaked");
            assert!(!weights.windows(raw.len()).any(|w| w == raw.as_bytes()), "{file}: shopper id {raw} in the weights");
        }
    }
}

#[test]
fn a_time_limit_stops_training_and_the_card_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = vitrine(&[
        "train", "--sequences", FIXTURE, "--name", "m", "--models-dir", dir.path().to_str().unwrap(),
        "--work-dir", dir.path().join("run").to_str().unwrap(), "--epochs", "3", "--d-model", "16",
        "--layers", "1", "--max-len", "20", "--dropout", "0.1", "--batch-size", "64", "--max-minutes", "0",
        "--all-positions",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("m.json")).unwrap()).unwrap();
    assert_eq!(card["training"]["epochs"], 1);
    assert_eq!(card["training"]["prefix_samples"], false);
    assert!(card["notes"].as_str().unwrap().starts_with("Stopped by --max-minutes 0.0 after epoch 1"), "{}", card["notes"]);
}
