//! Every model in models/ must match its card (sha256), and so must its side
//! files; the weights must decode into the
//! architecture the card describes, and answer a request; a stale or broken
//! asset fails here rather than in a shopper's browser.
#![cfg(not(target_family = "wasm"))]

use vitrine::data::pixels::Pixels;
use vitrine::engine::{BackendChoice, Recommender, TryOnEngine};

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
        if card.contains("\"task\": \"virtual-try-on\"") {
            check_tryon(&card, weights, &path);
            continue;
        }
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

/// A try-on model loads and dresses a plain synthetic figure without error:
/// every output pixel outside the painted area equals the input.
fn check_tryon(card: &str, weights: Vec<u8>, path: &std::path::Path) {
    let engine = pollster::block_on(TryOnEngine::load(card, weights, BackendChoice::Cpu)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let [h, w] = engine.input_size();
    let fixture = |name: &str| {
        let file = format!("{}/tests/fixtures/tryon/test/{name}", env!("CARGO_MANIFEST_DIR"));
        let img = image::open(&file).unwrap().resize_exact(w as u32, h as u32, image::imageops::FilterType::Triangle).into_rgba8();
        Pixels::new(w, h, 4, img.into_raw()).unwrap()
    };
    let person = fixture("image/500000_0.jpg");
    let garment = fixture("cloth/500001_1.jpg");
    let render = pollster::block_on(engine.render(&person, &garment, None)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(render.rgba.len(), w * h * 4);
    assert_ne!(render.rgba, person.data, "{}: the render changed the garment area", path.display());
}
