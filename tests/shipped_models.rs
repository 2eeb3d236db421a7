//! Every model in models/ must match its card (sha256), and so must its side
//! files; the weights must decode into the
//! architecture the card describes, and answer a request; a stale or broken
//! asset fails here rather than in a shopper's browser.
#![cfg(not(target_family = "wasm"))]

use vitrine::engine::{BackendChoice, Recommender};

#[test]
fn shipped_models_load_and_recommend() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        // Cards are the .json files with weights beside them (side files are not cards).
        if path.extension().is_none_or(|e| e != "json") || !path.with_extension("bpk").exists() {
            continue;
        }
        let card = std::fs::read_to_string(&path).unwrap();
        let weights = std::fs::read(path.with_extension("bpk")).unwrap();
        let mut engine = pollster::block_on(Recommender::load(&card, weights, BackendChoice::Cpu))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Some(side) = engine.card().bought_together.clone() {
            let bytes = std::fs::read(path.with_file_name(&side.file)).unwrap();
            let with_partners = engine.set_bought_together(&bytes).unwrap_or_else(|e| panic!("{}: {e}", side.file));
            assert!(with_partners > 0, "{}", side.file);
        }
        let popular = engine.card().popular.clone();
        let r = pollster::block_on(engine.recommend(&popular[..3], 10)).unwrap();
        assert_eq!(r.items.len(), 10, "{}", path.display());
        assert!(r.items.iter().all(|i| !popular[..3].contains(&i.id)));
    }
}
