//! The browser engine's contract, run twice from one file: natively
//! (`cargo test`, CPU) and in headless Chromium (`wasm-pack test`, on WebGPU
//! through SwiftShader and on the CPU backend).
//!
//! Parity tolerance: for the fixed histories in `fixtures/*-expected.json`
//! (written by the native build, for the tiny fixture and the shipped
//! amazon-beauty and ml-100k models), every backend must return the same top-10
//! ids in the same order, except that two neighbours whose scores differ by
//! less than 1e-3 may swap, and every score must be within 1e-3 of native.

use vitrine::engine::{Backend, BackendChoice, Recommender};
use vitrine::weights::sha256_hex;

#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

const CARD: &str = include_str!("fixtures/tiny.json");
const WEIGHTS: &[u8] = include_bytes!("fixtures/tiny.bpk");
const TOLERANCE: f32 = 1e-3;

fn s(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|x| x.to_string()).collect()
}

async fn load(choice: BackendChoice) -> Recommender {
    Recommender::load(CARD, WEIGHTS.to_vec(), choice).await.expect("fixture model loads")
}

/// A model and fixed histories whose native top-10 is stored in `expected`.
struct Parity {
    card: &'static str,
    weights: &'static [u8],
    expected: &'static str,
    expected_file: &'static str,
    histories: &'static [&'static [&'static str]],
}

/// The tiny fixture, the shipped benchmark model with the first five
/// Beauty users' test-time histories, and the shipped BSARec model (the
/// frequency-filter block) on MovieLens 100K with fixed histories.
const PARITY: [Parity; 3] = [
    Parity {
        card: CARD,
        weights: WEIGHTS,
        expected: include_str!("fixtures/tiny-expected.json"),
        expected_file: "tests/fixtures/tiny-expected.json",
        histories: &[&["1", "2", "3"], &["41", "42", "43", "44"], &["12", "13", "55"], &["9"], &["21", "22", "23", "24", "25", "26", "27", "28", "29"]],
    },
    Parity {
        card: include_str!("../models/amazon-beauty.json"),
        weights: include_bytes!("../models/amazon-beauty.bpk"),
        expected: include_str!("fixtures/amazon-beauty-expected.json"),
        expected_file: "tests/fixtures/amazon-beauty-expected.json",
        histories: &[&["1", "2", "3", "4"], &["6", "7", "8", "9", "10", "4"], &["4", "12", "13", "14", "15", "16", "17", "18"], &["20", "21", "22", "23"], &["25", "26", "27", "28", "29"]],
    },
    Parity {
        card: include_str!("../models/ml-100k.json"),
        weights: include_bytes!("../models/ml-100k.bpk"),
        expected: include_str!("fixtures/ml-100k-expected.json"),
        expected_file: "tests/fixtures/ml-100k-expected.json",
        histories: &[&["1", "2", "3", "4"], &["10", "20", "30"], &["100", "5", "7", "8", "9"], &["42"], &["300", "301", "302", "303", "304", "305", "306", "307", "308", "309", "310", "311"]],
    },
];

#[derive(serde::Serialize, serde::Deserialize)]
struct Expected {
    histories: Vec<Vec<String>>,
    top10: Vec<Vec<(String, f32)>>,
}

fn assert_same_ranking(got: &[(String, f32)], want: &[(String, f32)], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, ((gid, gscore), (wid, wscore))) in got.iter().zip(want).enumerate() {
        assert!((gscore - wscore).abs() <= TOLERANCE, "{what}: score of rank {i}: {gscore} vs {wscore}");
        if gid != wid {
            // Only a near-tie may swap neighbours.
            let neighbour = want.iter().find(|(id, _)| id == gid).expect("same id set");
            assert!((neighbour.1 - wscore).abs() <= TOLERANCE, "{what}: rank {i} is {gid} not {wid}");
        }
    }
}

async fn top10(engine: &Recommender, history: &[String]) -> Vec<(String, f32)> {
    let r = engine.recommend(history, 10).await.unwrap();
    r.items.into_iter().map(|i| (i.id, i.score)).collect()
}

async fn check_parity(choice: BackendChoice, backend: Backend) {
    for case in &PARITY {
        let engine = Recommender::load(case.card, case.weights.to_vec(), choice).await.expect("model loads");
        assert_eq!(engine.backend(), backend, "fallback: {:?}", engine.fallback_reason());
        let expected: Expected = serde_json::from_str(case.expected).expect("expected file parses");
        assert_eq!(expected.histories.len(), case.histories.len(), "{}: stale", case.expected_file);
        for (history, want) in expected.histories.iter().zip(&expected.top10) {
            let got = top10(&engine, history).await;
            assert_same_ranking(&got, want, &format!("{backend:?} {} {history:?}", case.expected_file));
        }
    }
}

engine_test!(cpu_matches_native_reference, {
    check_parity(BackendChoice::Cpu, Backend::Cpu).await;
});

#[cfg(target_family = "wasm")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn webgpu_matches_native_reference() {
    check_parity(BackendChoice::Webgpu, Backend::Webgpu).await;
}

/// Natively, the reference files must be what this build computes; set
/// VITRINE_BLESS=1 to rewrite them after retraining a model.
#[cfg(not(target_family = "wasm"))]
#[test]
fn native_reference_is_current() {
    pollster::block_on(async {
        for case in &PARITY {
            let engine = Recommender::load(case.card, case.weights.to_vec(), BackendChoice::Cpu).await.unwrap();
            let histories: Vec<Vec<String>> = case.histories.iter().map(|h| s(h)).collect();
            let mut current = Vec::new();
            for h in &histories {
                current.push(top10(&engine, h).await);
            }
            let path = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), case.expected_file);
            if std::env::var_os("VITRINE_BLESS").is_some() {
                let fresh = Expected { histories: histories.clone(), top10: current.clone() };
                std::fs::write(&path, serde_json::to_string_pretty(&fresh).unwrap()).unwrap();
            }
            let stored: Expected = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(stored.histories, histories, "{path}");
            for ((want, got), h) in stored.top10.iter().zip(&current).zip(&histories) {
                assert_same_ranking(got, want, &format!("native {path} {h:?}"));
            }
        }
    });
}

engine_test!(history_items_are_never_recommended_and_order_is_by_score, {
    let engine = load(BackendChoice::Cpu).await;
    let history = s(&["1", "2", "3", "4"]);
    let r = engine.recommend(&history, 20).await.unwrap();
    assert_eq!(r.items.len(), 20);
    assert!(r.items.iter().all(|i| !history.contains(&i.id)));
    assert!(r.items.windows(2).all(|w| w[0].score >= w[1].score));
    // The fixture's aisles run in order: after 1,2,3,4 comes 5.
    assert_eq!(r.items[0].id, "5");
});

engine_test!(unknown_ids_are_skipped_and_all_unknown_is_a_typed_error, {
    let engine = load(BackendChoice::Cpu).await;
    let r = engine.recommend(&s(&["nope", "1", "2", "<script>"]), 5).await.unwrap();
    assert_eq!(r.unknown_ids, 2);
    assert_eq!(r.items.len(), 5);
    let err = engine.recommend(&s(&["nope", "zilch"]), 5).await.unwrap_err();
    assert_eq!(err.kind(), "UnknownIds", "{err}");
    assert!(err.to_string().contains("none of the 2 history ids"), "{err}");
});

engine_test!(empty_history_gets_the_cards_popular_items, {
    let engine = load(BackendChoice::Cpu).await;
    let r = engine.recommend(&[], 3).await.unwrap();
    assert!(r.cold_start);
    let card: serde_json::Value = serde_json::from_str(CARD).unwrap();
    let popular: Vec<String> = serde_json::from_value(card["popular"].clone()).unwrap();
    assert_eq!(r.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), popular[..3].to_vec());
});

engine_test!(bad_k_is_a_typed_error, {
    let engine = load(BackendChoice::Cpu).await;
    for k in [0, 10_000] {
        let err = engine.recommend(&s(&["1"]), k).await.unwrap_err();
        assert_eq!(err.kind(), "InvalidRequest", "{err}");
    }
});

engine_test!(a_sha256_mismatch_is_refused, {
    let mut weights = WEIGHTS.to_vec();
    weights[100] ^= 0xff;
    let err = Recommender::load(CARD, weights, BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "ChecksumMismatch", "{err}");
    assert!(err.to_string().contains("sha256 mismatch"), "{err}");
});

engine_test!(a_digest_computed_by_the_page_is_checked_against_the_card, {
    // The page's digest of intact bytes: accepted, and the same model as one hashed here.
    let digest = sha256_hex(WEIGHTS).to_uppercase();
    let engine = Recommender::load_with_digest(CARD, WEIGHTS.to_vec(), Some(&digest), BackendChoice::Cpu).await.expect("loads");
    let here = Recommender::load(CARD, WEIGHTS.to_vec(), BackendChoice::Cpu).await.unwrap();
    let history = s(&["1", "2", "3"]);
    assert_eq!(engine.recommend(&history, 10).await.unwrap(), here.recommend(&history, 10).await.unwrap());
    // A digest of damaged bytes (what SubtleCrypto returns for them) is refused like a mismatch found here.
    let mut damaged = WEIGHTS.to_vec();
    damaged[100] ^= 0xff;
    let err = Recommender::load_with_digest(CARD, damaged.clone(), Some(&sha256_hex(&damaged)), BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "ChecksumMismatch", "{err}");
    // No digest: hashed here.
    let err = Recommender::load_with_digest(CARD, damaged, None, BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "ChecksumMismatch", "{err}");
});

/// A card re-signed for damaged bytes: the checksum passes, decoding must not.
fn card_for(weights: &[u8], edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut card: serde_json::Value = serde_json::from_str(CARD).unwrap();
    card["weights"]["sha256"] = sha256_hex(weights).into();
    edit(&mut card);
    card.to_string()
}

engine_test!(a_corrupted_model_file_is_a_typed_error, {
    for weights in [b"definitely not a burnpack".to_vec(), WEIGHTS[..WEIGHTS.len() / 2].to_vec(), Vec::new()] {
        let card = card_for(&weights, |_| {});
        let err = Recommender::load(&card, weights, BackendChoice::Cpu).await.err().expect("refused");
        assert_eq!(err.kind(), "CorruptModel", "{err}");
    }
});

engine_test!(weights_that_do_not_fit_the_card_are_a_typed_error, {
    let card = card_for(WEIGHTS, |c| {
        c["config"]["d_model"] = 48.into();
    });
    let err = Recommender::load(&card, WEIGHTS.to_vec(), BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "CorruptModel", "{err}");
});

engine_test!(an_invalid_card_is_a_typed_error, {
    for card in ["{}".to_string(), "not json".to_string(), card_for(WEIGHTS, |c| c["items"] = serde_json::json!(["1"]))] {
        let err = Recommender::load(&card, WEIGHTS.to_vec(), BackendChoice::Cpu).await.err().expect("refused");
        assert_eq!(err.kind(), "InvalidCard", "{card}: {err}");
    }
});

engine_test!(a_malformed_catalog_is_a_typed_error_and_keeps_the_old_one, {
    let mut engine = load(BackendChoice::Cpu).await;
    let good = r#"{"currency":"GBP","items":[{"id":"5","title":"<img src=x onerror=alert(1)>","price":1.5,"url":"product.html?id=5"},{"id":"6","title":"Six","price":2}]}"#;
    assert_eq!(engine.set_catalog(good).unwrap().covered, 2);
    for bad in ["[1,2", r#"{"currency":"GBP","items":[{"id":"5","title":"x","price":"free"}]}"#] {
        let err = engine.set_catalog(bad).unwrap_err();
        assert_eq!(err.kind(), "MalformedCatalog", "{err}");
    }
    // Only catalog items are shown, with their (untouched) fields.
    let r = engine.recommend(&s(&["1", "2", "3", "4"]), 5).await.unwrap();
    let ids: Vec<_> = r.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, vec!["5", "6"]);
    assert_eq!(r.items[0].item.as_ref().unwrap().title, "<img src=x onerror=alert(1)>");
});

engine_test!(bad_catalog_rows_are_left_out_and_reported_and_the_rest_is_used, {
    let mut engine = load(BackendChoice::Cpu).await;
    let catalog = r#"{"currency":"GBP","items":[
        {"id":"5","title":"Five","price":-5},
        {"id":"6","title":"Six","price":2},
        {"id":"7","title":"Seven","price":"abc"},
        {"id":"8","title":"Eight","price":3,"url":"javascript:alert(1)"},
        {"id":"9","title":"Nine","price":4}]}"#;
    let summary = engine.set_catalog(catalog).unwrap();
    assert_eq!((summary.covered, summary.kept, summary.dropped), (2, 2, 3));
    let rows: Vec<&str> = summary.problems.iter().map(|p| p.row.as_str()).collect();
    assert_eq!(rows, ["item 0", "item 2", "item 3"]);
    let warning = summary.warning.unwrap();
    assert!(warning.starts_with("3 of 5 rows dropped") && warning.contains("-5"), "{warning}");
    // Personal and popular answers alike show only the valid items.
    let r = engine.recommend(&s(&["1", "2", "3", "4"]), 5).await.unwrap();
    let ids: Vec<_> = r.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.iter().filter(|id| ["6", "9"].contains(id)).count(), ids.len(), "{ids:?}");
    assert_eq!(ids.len(), 2);
    let popular = engine.popular(5);
    assert!(popular.items.iter().all(|i| i.id == "6" || i.id == "9"), "{popular:?}");
});

engine_test!(items_out_of_stock_are_never_shown, {
    let mut engine = load(BackendChoice::Cpu).await;
    let items: Vec<serde_json::Value> = (1..=60)
        .map(|i| serde_json::json!({"id": i.to_string(), "title": format!("Item {i}"), "price": 1, "available": i % 2 == 0}))
        .collect();
    let summary = engine.set_catalog(&serde_json::json!({"currency": "GBP", "items": items}).to_string()).unwrap();
    assert_eq!((summary.kept, summary.unavailable, summary.dropped), (60, 30, 0));
    let even = |r: &vitrine::engine::Recommendations| r.items.iter().all(|i| i.id.parse::<u32>().unwrap() % 2 == 0);
    let personal = engine.recommend(&s(&["1", "2", "3"]), 10).await.unwrap();
    assert_eq!(personal.items.len(), 10);
    assert!(even(&personal), "{personal:?}");
    assert!(even(&engine.popular(10)));
    assert!(even(&engine.similar("4", &[], 10).unwrap()));
    assert!(engine.lookup(&s(&["1", "2", "3", "4"])).iter().map(|r| r.id.as_str()).eq(["2", "4"]));
});

engine_test!(variants_of_one_product_share_a_placement_slot_and_a_viewed_product_is_not_offered_again, {
    let mut engine = load(BackendChoice::Cpu).await;
    // Items 1-60 in ten-item products: "p0" = 1-10, "p1" = 11-20, ...
    let product = |i: u32| format!("p{}", (i - 1) / 10);
    let items: Vec<serde_json::Value> = (1..=60u32)
        .map(|i| serde_json::json!({"id": i.to_string(), "title": format!("Item {i}"), "price": 1, "group": product(i)}))
        .collect();
    engine.set_catalog(&serde_json::json!({"currency": "GBP", "items": items}).to_string()).unwrap();
    let groups = |r: &vitrine::engine::Recommendations| r.items.iter().map(|i| product(i.id.parse().unwrap())).collect::<Vec<_>>();
    let distinct = |g: &[String]| g.iter().collect::<std::collections::HashSet<_>>().len() == g.len();

    // The shopper viewed one variant of p1: no variant of p1 comes back, and no product twice.
    let personal = engine.recommend(&s(&["12"]), 5).await.unwrap();
    let personal_groups = groups(&personal);
    assert_eq!(personal.items.len(), 5, "five products of six, p1 excluded");
    assert!(distinct(&personal_groups) && !personal_groups.contains(&"p1".to_string()), "{personal_groups:?}");
    // Only five products are left to offer: asking for more gives five, not variants.
    assert_eq!(engine.recommend(&s(&["12"]), 10).await.unwrap().items.len(), 5);

    let similar = groups(&engine.similar("25", &[], 10).unwrap());
    assert!(distinct(&similar) && !similar.contains(&"p2".to_string()), "{similar:?}");
    let popular = groups(&engine.popular(10));
    assert!(distinct(&popular) && popular.len() <= 6, "{popular:?}");
});

engine_test!(similar_items_come_from_the_embeddings_and_explain_themselves, {
    let mut engine = load(BackendChoice::Cpu).await;
    let r = engine.similar("15", &s(&["16"]), 5).unwrap();
    assert_eq!(r.items.len(), 5);
    assert!(r.items.iter().all(|i| i.id != "15" && i.id != "16"));
    assert!(r.items.iter().all(|i| i.because.as_deref() == Some("15")));
    assert!(r.items.windows(2).all(|w| w[0].score >= w[1].score));
    // Items of one aisle appear in the same contexts in the fixture, so the
    // trained embeddings must make them closer on average than other aisles.
    let aisle = |id: &str| (id.parse::<u32>().unwrap() - 1) / 10;
    let (mut same, mut other) = (Vec::new(), Vec::new());
    for anchor in ["5", "15", "25", "35", "45", "55"] {
        for item in engine.similar(anchor, &[], 59).unwrap().items {
            if aisle(&item.id) == aisle(anchor) { same.push(item.score) } else { other.push(item.score) }
        }
    }
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    assert!(mean(&same) > mean(&other) + 0.05, "same aisle {} vs other {}", mean(&same), mean(&other));
    assert_eq!(engine.similar("nope", &[], 5).unwrap_err().kind(), "UnknownIds");
    assert_eq!(engine.similar("15", &[], 0).unwrap_err().kind(), "InvalidRequest");

    // "Why this?": each personal recommendation names one of the history items.
    let history = s(&["31", "32", "33"]);
    let personal = engine.recommend(&history, 5).await.unwrap();
    assert!(personal.items.iter().all(|i| i.because.as_ref().is_some_and(|b| history.contains(b))));

    // Recently viewed: catalog entries in the given order, unlisted ids skipped.
    engine.set_catalog(r#"{"currency":"GBP","items":[{"id":"5","title":"Five","price":1},{"id":"6","title":"Six","price":2}]}"#).unwrap();
    let seen = engine.lookup(&s(&["6", "x", "5"]));
    assert_eq!(seen.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), vec!["6", "5"]);
});

engine_test!(bought_together_is_checked_by_sha256_and_ranked, {
    use vitrine::data::baskets::{BoughtTogetherFile, CoPurchaseConfig};
    let config = CoPurchaseConfig { per_item: 3, min_support: 1, max_basket: 10 };
    let mut pairs = std::collections::BTreeMap::new();
    pairs.insert("5".to_string(), s(&["9", "unknown", "7", "8"]));
    let file = serde_json::to_vec(&BoughtTogetherFile { format: 1, config, baskets: 2, pairs }).unwrap();
    let card = card_for(WEIGHTS, |c| {
        c["bought_together"] = serde_json::json!({"file": "t.bought-together", "bytes": file.len(), "sha256": sha256_hex(&file), "command": "test", "description": "test"});
    });
    let mut engine = Recommender::load(&card, WEIGHTS.to_vec(), BackendChoice::Cpu).await.unwrap();
    // Without the file there are no partners, and the placement can hide itself.
    assert!(engine.bought_together("5", &[], 3).unwrap().items.is_empty());
    let mut tampered = file.clone();
    tampered[0] = b' ';
    assert_eq!(engine.set_bought_together(&tampered).unwrap_err().kind(), "ChecksumMismatch");
    assert_eq!(engine.set_bought_together(&file).unwrap(), 1);
    let r = engine.bought_together("5", &s(&["7"]), 3).unwrap();
    assert_eq!(r.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), vec!["9", "8"]);
    assert!(r.items.iter().all(|i| i.because.as_deref() == Some("5")));
    assert_eq!(engine.bought_together("zzz", &[], 3).unwrap_err().kind(), "UnknownIds");
    // A card without the file refuses one.
    let mut plain = load(BackendChoice::Cpu).await;
    assert_eq!(plain.set_bought_together(&file).unwrap_err().kind(), "InvalidCard");
});
