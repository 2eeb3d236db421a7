//! The try-on engine's contract, run natively (`cargo test`, CPU) and in
//! headless Chromium (`wasm-pack test`, on WebGPU through SwiftShader and on
//! the CPU backend), on the tiny fixture model (48×64). Its card sets
//! person_threshold 0: a 150-epoch model on 8 pairs is too weak to judge
//! people (the shipped model is, see tests/e2e/tryon.test.mjs).
//! `tiny-tryon-bn-refine` is the same size with the newer parser options:
//! batch norm after every convolution (`--parser-batch-norm`) and the
//! full-resolution refiner (`--parser-refine 4`); its person_threshold is set
//! to 0 in the card by hand, as for `tiny-tryon`. So the running statistics
//! and the refiner are checked on every backend too.
//!
//! Parity tolerance: the render of a fixed person and garment
//! (`fixtures/tryon-*.rgba`) must match the native render stored in
//! `fixtures/tiny-tryon-expected.rgba`: mean absolute difference at most
//! 0.1/255 and at least 99.9% of the 8-bit values within 1/255 (float
//! rounding; a pixel whose part probability sits exactly at the 0.5 threshold
//! could flip between backends). Measured: WebGPU and CPU in Chromium both
//! within 1e-5 of native before 8-bit rounding.

use vitrine::data::pixels::Pixels;
use vitrine::engine::{Backend, BackendChoice, TryOnEngine};
use vitrine::model::tryon::parts::NUM_PARTS;
use vitrine::weights::sha256_hex;

#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

const CARD: &str = include_str!("fixtures/tiny-tryon.json");
const WEIGHTS: &[u8] = include_bytes!("fixtures/tiny-tryon.bpk");
const PERSON: &[u8] = include_bytes!("fixtures/tryon-person.rgba");
const GARMENT: &[u8] = include_bytes!("fixtures/tryon-garment.rgba");
const EXPECTED: &[u8] = include_bytes!("fixtures/tiny-tryon-expected.rgba");
#[cfg(not(target_family = "wasm"))]
const EXPECTED_FILE: &str = "tests/fixtures/tiny-tryon-expected.rgba";
const REFINED_CARD: &str = include_str!("fixtures/tiny-tryon-bn-refine.json");
const REFINED_WEIGHTS: &[u8] = include_bytes!("fixtures/tiny-tryon-bn-refine.bpk");
const REFINED_EXPECTED: &[u8] = include_bytes!("fixtures/tiny-tryon-bn-refine-expected.rgba");
#[cfg(not(target_family = "wasm"))]
const REFINED_EXPECTED_FILE: &str = "tests/fixtures/tiny-tryon-bn-refine-expected.rgba";
const ZOOMED_EXPECTED: &[u8] = include_bytes!("fixtures/tiny-tryon-bn-refine-zoom-expected.rgba");
const ZOOMED_EXPECTED_FILE: &str = "tests/fixtures/tiny-tryon-bn-refine-zoom-expected.rgba";
const W: usize = 48;
const H: usize = 64;

fn rgba(bytes: &[u8]) -> Pixels {
    Pixels::new(W, H, 4, bytes.to_vec()).unwrap()
}

async fn render(choice: BackendChoice) -> (Backend, Vec<u8>) {
    render_model(CARD, WEIGHTS, choice).await
}

async fn render_model(card: &str, weights: &[u8], choice: BackendChoice) -> (Backend, Vec<u8>) {
    let engine = TryOnEngine::load(card, weights.to_vec(), choice).await.expect("fixture loads");
    let out = engine.render(&rgba(PERSON), &rgba(GARMENT), None).await.expect("renders");
    assert_eq!((out.width, out.height), (W, H));
    (engine.backend(), out.rgba)
}

async fn load(card: &str) -> TryOnEngine {
    TryOnEngine::load(card, REFINED_WEIGHTS.to_vec(), BackendChoice::Cpu).await.expect("fixture loads")
}

fn assert_close(got: &[u8], want: &[u8], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: size");
    let diffs: Vec<u8> = got.iter().zip(want).map(|(a, b)| a.abs_diff(*b)).collect();
    let mean = diffs.iter().map(|&d| d as f64).sum::<f64>() / diffs.len() as f64;
    let within = diffs.iter().filter(|&&d| d <= 1).count() as f64 / diffs.len() as f64;
    assert!(mean <= 0.1 && within >= 0.999, "{what}: mean |diff| {mean:.3}/255, {:.2}% within 1/255", within * 100.0);
}

engine_test!(cpu_render_matches_native_reference, {
    let (backend, got) = render(BackendChoice::Cpu).await;
    assert_eq!(backend, Backend::Cpu);
    assert_close(&got, EXPECTED, "cpu");
});

#[cfg(target_family = "wasm")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn webgpu_render_matches_native_reference() {
    let (backend, got) = render(BackendChoice::Webgpu).await;
    assert_eq!(backend, Backend::Webgpu);
    assert_close(&got, EXPECTED, "webgpu");
}

engine_test!(refined_batch_norm_parser_cpu_render_matches_native_reference, {
    let (backend, got) = render_model(REFINED_CARD, REFINED_WEIGHTS, BackendChoice::Cpu).await;
    assert_eq!(backend, Backend::Cpu);
    assert_close(&got, REFINED_EXPECTED, "cpu, refined batch-norm parser");
    assert_ne!(got, PERSON, "the fixture dresses the person (its parser finds the garment)");
});

#[cfg(target_family = "wasm")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn refined_batch_norm_parser_webgpu_render_matches_native_reference() {
    let (backend, got) = render_model(REFINED_CARD, REFINED_WEIGHTS, BackendChoice::Webgpu).await;
    assert_eq!(backend, Backend::Webgpu);
    assert_close(&got, REFINED_EXPECTED, "webgpu, refined batch-norm parser");
}

/// The refined fixture with every inference pass switched on: the parser at
/// 0.6 of the model's size (sides that need padding), the enlarged parse
/// (`parse_zoom` 1.5) and the mirrored one, refined once.
fn zoomed_card() -> String {
    let mut card: serde_json::Value = serde_json::from_str(REFINED_CARD).unwrap();
    card["config"]["parse_zoom"] = 1.5.into();
    card["config"]["parse_flip"] = true.into();
    card["config"]["parse_scale"] = 0.6.into();
    card.to_string()
}

engine_test!(zoomed_parse_cpu_render_matches_native_reference, {
    let (backend, got) = render_model(&zoomed_card(), REFINED_WEIGHTS, BackendChoice::Cpu).await;
    assert_eq!(backend, Backend::Cpu);
    assert_close(&got, ZOOMED_EXPECTED, "cpu, zoomed parse");
    assert_ne!(ZOOMED_EXPECTED, REFINED_EXPECTED, "the enlarged pass changes the render");
});

#[cfg(target_family = "wasm")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn zoomed_parse_webgpu_render_matches_native_reference() {
    let (backend, got) = render_model(&zoomed_card(), REFINED_WEIGHTS, BackendChoice::Webgpu).await;
    assert_eq!(backend, Backend::Webgpu);
    assert_close(&got, ZOOMED_EXPECTED, "webgpu, zoomed parse");
}

engine_test!(passes_computed_by_two_engines_render_bit_for_bit_the_same, {
    // The widget's split on the CPU: this engine computes the even passes, a
    // second one (another worker there) the odd ones.
    let card = zoomed_card();
    let (engine, helper) = (load(&card).await, load(&card).await);
    assert_eq!(engine.parse_pass_count(), 4, "photo and mirror, each also enlarged");
    let person = rgba(PERSON);
    let block = NUM_PARTS * W * H;
    let mine = engine.pass_logits(&person, &[0, 2]).await.unwrap();
    let theirs = helper.pass_logits(&person, &[1, 3]).await.unwrap();
    assert_eq!((mine.len(), theirs.len()), (2 * block, 2 * block));
    let logits: Vec<f32> = [&mine[..block], &theirs[..block], &mine[block..], &theirs[block..]].concat();
    let apart = engine.render_with_pass_logits(&person, &rgba(GARMENT), None, &logits).await.unwrap();
    let whole = engine.render(&person, &rgba(GARMENT), None).await.unwrap();
    assert_eq!(apart.rgba, whole.rgba);
    assert_eq!(apart.person_confidence, whole.person_confidence);
    assert_close(&apart.rgba, ZOOMED_EXPECTED, "cpu, passes computed apart");
    // The given logits are what the render uses: four copies of the plain pass make another render.
    let plain_only: Vec<f32> = [&mine[..block], &mine[..block], &mine[..block], &mine[..block]].concat();
    let other = engine.render_with_pass_logits(&person, &rgba(GARMENT), None, &plain_only).await.unwrap();
    assert_ne!(other.rgba, whole.rgba);

    // Bad logits are typed errors, not a render of garbage.
    let err = engine.render_with_pass_logits(&person, &rgba(GARMENT), None, &logits[..3 * block]).await.unwrap_err();
    assert_eq!(err.kind(), "InvalidRequest", "{err}");
    let mut poisoned = logits.clone();
    poisoned[123] = f32::NAN;
    let err = engine.render_with_pass_logits(&person, &rgba(GARMENT), None, &poisoned).await.unwrap_err();
    assert_eq!(err.kind(), "InvalidRequest", "{err}");
    let err = engine.pass_logits(&person, &[4]).await.unwrap_err();
    assert_eq!(err.kind(), "InvalidRequest", "{err}");
    let small = Pixels::new(4, 4, 4, vec![0; 64]).unwrap();
    assert_eq!(engine.pass_logits(&small, &[0]).await.unwrap_err().kind(), "InvalidImage");
});

/// Natively the references must be what this build renders (VITRINE_BLESS=1 rewrites them).
#[cfg(not(target_family = "wasm"))]
#[test]
fn native_references_are_current() {
    let zoomed = zoomed_card();
    for (card, weights, file) in
        [(CARD, WEIGHTS, EXPECTED_FILE), (REFINED_CARD, REFINED_WEIGHTS, REFINED_EXPECTED_FILE), (zoomed.as_str(), REFINED_WEIGHTS, ZOOMED_EXPECTED_FILE)]
    {
        let (_, got) = pollster::block_on(render_model(card, weights, BackendChoice::Cpu));
        let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("VITRINE_BLESS").is_some() {
            std::fs::write(&path, &got).unwrap();
        }
        assert_eq!(got, std::fs::read(&path).unwrap(), "{path} is stale: rerun with VITRINE_BLESS=1");
    }
}

engine_test!(the_render_keeps_everything_outside_the_garment_area, {
    let (_, got) = render(BackendChoice::Cpu).await;
    // The top rows (background above the head) are the input photo, untouched.
    assert_eq!(&got[..W * 4 * 3], &PERSON[..W * 4 * 3]);
    assert_ne!(got, PERSON, "but the garment area changed");
});

engine_test!(bad_images_are_typed_errors, {
    let engine = TryOnEngine::load(CARD, WEIGHTS.to_vec(), BackendChoice::Cpu).await.unwrap();
    // Wrong size (the widget must scale first).
    let small = Pixels::new(4, 4, 4, vec![0; 64]).unwrap();
    let err = engine.render(&small, &rgba(GARMENT), None).await.unwrap_err();
    assert_eq!(err.kind(), "InvalidImage", "{err}");
    // A blank "product image": no garment outline to find.
    let blank = Pixels::new(W, H, 4, vec![255; W * H * 4]).unwrap();
    let err = engine.render(&rgba(PERSON), &blank, None).await.unwrap_err();
    assert_eq!(err.kind(), "InvalidImage", "{err}");
    // A garment PNG with transparency: its alpha is the mask.
    let mut transparent = GARMENT.to_vec();
    for px in transparent.chunks_mut(4) {
        if px[0] > 240 && px[1] > 240 && px[2] > 240 {
            px[3] = 0;
        }
    }
    assert!(engine.render(&rgba(PERSON), &rgba(&transparent), None).await.is_ok());
});

engine_test!(corrupted_or_mismatched_weights_are_typed_errors, {
    let mut weights = WEIGHTS.to_vec();
    weights[100] ^= 0xff;
    let err = TryOnEngine::load(CARD, weights.clone(), BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "ChecksumMismatch");
    // The same with the digest the page computed for the damaged bytes; the intact bytes' digest loads.
    let err = TryOnEngine::load_with_digest(CARD, weights.clone(), Some(&sha256_hex(&weights)), BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "ChecksumMismatch");
    assert!(TryOnEngine::load_with_digest(CARD, WEIGHTS.to_vec(), Some(&sha256_hex(WEIGHTS)), BackendChoice::Cpu).await.is_ok());
    // Re-signed damaged bytes pass the checksum; decoding must still refuse them.
    for damaged in [WEIGHTS[..WEIGHTS.len() / 2].to_vec(), b"not a model".to_vec()] {
        let mut card: serde_json::Value = serde_json::from_str(CARD).unwrap();
        card["weights"]["sha256"] = sha256_hex(&damaged).into();
        let err = TryOnEngine::load(&card.to_string(), damaged, BackendChoice::Cpu).await.err().expect("refused");
        assert_eq!(err.kind(), "CorruptModel", "{err}");
    }
    let mut card: serde_json::Value = serde_json::from_str(CARD).unwrap();
    card["config"]["generator_widths"] = serde_json::json!([8, 24]);
    let err = TryOnEngine::load(&card.to_string(), WEIGHTS.to_vec(), BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "CorruptModel", "{err}");
    let err = TryOnEngine::load("{}", WEIGHTS.to_vec(), BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "InvalidCard");
    // An enlarged parse of 1000x would ask for gigabytes: refused before anything is built.
    let mut card: serde_json::Value = serde_json::from_str(CARD).unwrap();
    card["config"]["parse_zoom"] = 1000.0.into();
    let err = TryOnEngine::load(&card.to_string(), WEIGHTS.to_vec(), BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "InvalidCard", "{err}");
    let mut card: serde_json::Value = serde_json::from_str(CARD).unwrap();
    card["config"]["parse_scale"] = 40.0.into();
    let err = TryOnEngine::load(&card.to_string(), WEIGHTS.to_vec(), BackendChoice::Cpu).await.err().expect("refused");
    assert_eq!(err.kind(), "InvalidCard", "{err}");
});

engine_test!(a_photo_below_the_person_threshold_is_refused_but_can_be_rendered_unchecked, {
    let mut card: serde_json::Value = serde_json::from_str(CARD).unwrap();
    card["person_threshold"] = 2.0.into(); // no photo can reach it: every cue is at most 1
    let engine = TryOnEngine::load(&card.to_string(), WEIGHTS.to_vec(), BackendChoice::Cpu).await.unwrap();
    let err = engine.render(&rgba(PERSON), &rgba(GARMENT), None).await.unwrap_err();
    assert_eq!(err.kind(), "NoPerson", "{err}");
    let out = engine.render_unchecked(&rgba(PERSON), &rgba(GARMENT), None).await.unwrap();
    assert_close(&out.rgba, EXPECTED, "unchecked render");
});
