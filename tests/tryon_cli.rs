//! `vitrine train-tryon` and `eval-tryon` end to end on the tiny try-on
//! fixture (8 train / 4 test pairs at 48×64): training writes int8 weights, a
//! card and curves; a rerun resumes; `eval-tryon` reproduces the card; bad
//! files are refused with a clear message and exit code 1.
#![cfg(not(target_family = "wasm"))]

use std::path::Path;
use std::process::Command;

const TRAIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tryon/train");
const TEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tryon/test");

fn vitrine(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("vitrine runs")
}

fn train(dir: &Path, epochs: &str) -> std::process::Output {
    let (models, run) = (dir.to_str().unwrap().to_string(), dir.join("run").to_str().unwrap().to_string());
    vitrine(&[
        "train-tryon", "--data", TRAIN, "--test-data", TEST, "--name", "t", "--models-dir", &models, "--work-dir", &run,
        "--height", "64", "--width", "48", "--parser-widths", "8,16", "--warp-widths", "8,16", "--generator-widths", "8,16",
        "--epochs", epochs, "--validation-every", "4", "--batch-size", "2", "--lr", "0.003", "--min-coverage", "0",
    ])
}

#[test]
fn train_resume_and_eval_reproduces_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let out = train(dir.path(), "2");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A rerun with more epochs resumes from the checkpoint instead of starting over.
    let out = train(dir.path(), "3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("epoch 3 validation") && !log.contains("epoch 1 validation"), "{log}");

    let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("t.json")).unwrap()).unwrap();
    let model = dir.path().join("t.bpk");
    let bytes = std::fs::read(&model).unwrap();
    assert_eq!(card["weights"]["sha256"], vitrine::weights::sha256_hex(&bytes));
    assert_eq!(card["training"]["epochs"], 3);
    assert_eq!(card["metrics"]["validation"].as_array().unwrap().len(), 3);
    let losses = std::fs::read_to_string(dir.path().join("run/losses.csv")).unwrap();
    assert_eq!(losses.lines().count(), 1 + 3, "a loss point at each epoch end (3 steps each): {losses}");

    let grid = dir.path().join("grid.png");
    let out = vitrine(&["eval-tryon", "--model", model.to_str().unwrap(), "--data", TEST, "--grid", grid.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["pairs"], 4);
    for key in ["ssim", "psnr", "garment_psnr", "parse_miou"] {
        assert_eq!(line[key], card["metrics"]["test_int8"][key], "{key} reproduces the card");
    }
    assert!(line["baseline_agnostic"]["ssim"].is_f64() && line["baseline_pasted"]["ssim"].is_f64());
    // 4 unpaired rows + the astronaut and Grace Hopper, each (person, garment, render).
    let png = image::open(&grid).unwrap();
    assert_eq!((png.width(), png.height()), (3 * 48 + 8, 6 * (64 + 4)));
}

const REAL_TRAIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tryon-real/train");
const REAL_TEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tryon-real/test");
const TINY_TRYON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-tryon.bpk");

#[test]
fn real_photos_train_beside_pairs_from_a_warm_start_and_eval_reproduces_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().to_str().unwrap();
    let run = dir.path().join("run");
    // The tiny fixture model's warp and generator carry over; its parser (8,16) does not fit 8,16,16.
    let out = vitrine(&[
        "train-tryon", "--data", TRAIN, "--test-data", TEST, "--real-data", REAL_TRAIN, "--real-test-data", REAL_TEST,
        "--init-from", TINY_TRYON, "--name", "r", "--models-dir", models, "--work-dir", run.to_str().unwrap(),
        "--height", "64", "--width", "48", "--parser-widths", "8,16,16", "--warp-widths", "8,16", "--generator-widths", "8,16",
        "--epochs", "2", "--validation-every", "4", "--batch-size", "2", "--real-per-batch", "1", "--min-coverage", "0",
        // The parser at 0.6 of the model's size (38×29: padded inside the U-Net), trained and evaluated so, with the mirrored pass.
        "--parse-scale", "0.6", "--parse-flip",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("keeping its warp, generator"), "{stderr}");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("real photos: ssim"), "validation reports the real photos: {log}");

    let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(card["data"]["real"]["test_photos"], 3);
    assert_eq!(card["config"]["parse_scale"], 0.6);
    let architecture = card["architecture"].as_str().unwrap();
    assert!(architecture.starts_with("parser U-Net (0.60 res") && architecture.contains("its mirror image"), "{architecture}");
    assert!(card["data"]["real"]["source"].as_str().unwrap().contains("Apache-2.0"));
    assert!(card["training"]["loss"].as_str().unwrap().contains("own upper garment"));
    // Two runnable eval commands, one per test split (not one with a note in brackets).
    let eval = |key: &str| card["training"][key].as_str().unwrap().to_string();
    assert!(eval("eval_command").starts_with("vitrine eval-tryon --model ") && eval("eval_command").ends_with(&format!(" --data {TEST}")), "{}", eval("eval_command"));
    assert!(eval("real_photos_eval_command").ends_with(&format!(" --data {REAL_TEST}")), "{}", eval("real_photos_eval_command"));
    // 6 pairs train with 1 pair slot per batch: 6 steps an epoch, the 8 real photos minus 2 held out cycle beside them.
    let losses = std::fs::read_to_string(run.join("losses.csv")).unwrap();
    assert_eq!(losses.lines().last().unwrap().split(',').next(), Some("12"), "{losses}");

    // What the trainer sees: 3 draws, 4 panels each.
    let out = vitrine(&["train-tryon", "--data", TRAIN, "--real-data", REAL_TRAIN, "--name", "r", "--height", "64", "--width", "48", "--preview-draws", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let draws = image::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tryon/training-draws.png")).unwrap();
    assert_eq!((draws.width(), draws.height()), (4 * 48 + 12, 3 * (64 + 4)));

    let model = dir.path().join("r.bpk");
    let grid = dir.path().join("real-grid.png");
    let out = vitrine(&[
        "eval-tryon", "--model", model.to_str().unwrap(), "--data", REAL_TEST, "--garments", TEST, "--grid", grid.to_str().unwrap(), "--grid-rows", "4",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["pairs"], 3);
    assert_eq!(line["parse_iou"].as_array().unwrap().len(), 8);
    for key in ["ssim", "psnr", "garment_psnr", "parse_miou", "parse_iou", "baseline_agnostic", "baseline_pasted"] {
        assert_eq!(line[key], card["metrics"]["real_test_int8"][key], "{key} reproduces the card");
    }
    // 2 test people, whole and head to waist, + the astronaut and Grace Hopper.
    let png = image::open(&grid).unwrap();
    assert_eq!(png.height(), 6 * (64 + 4));

    let out = vitrine(&[
        "person-check", "--model", model.to_str().unwrap(), "--people", REAL_TEST, "--not-people", &format!("{TEST}/cloth"), "--generated", "2",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rates: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rates["people"], 3);
    assert_eq!(rates["not_people"], 4 + 2 + 2, "4 garment images, 2 blank, 2 noise");
    let (accept, refuse) = (rates["accept_rate"].as_f64().unwrap(), rates["refuse_rate"].as_f64().unwrap());
    assert!((0.0..=1.0).contains(&accept) && (0.0..=1.0).contains(&refuse), "{rates}");
    assert_eq!(rates["people_accepted"].as_u64().unwrap() as f64 / 3.0, accept);
    let at = rates["people_confidence_at"]["values"].as_array().unwrap();
    assert_eq!(at.len(), 5);
    assert!(at.windows(2).all(|w| w[0].as_f64() <= w[1].as_f64()), "quantiles ascend: {at:?}");

    // An unreachable threshold refuses everyone.
    let out = vitrine(&["person-check", "--model", model.to_str().unwrap(), "--people", REAL_TEST, "--generated", "1", "--threshold", "2"]);
    let rates: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((rates["accept_rate"].as_f64(), rates["refuse_rate"].as_f64()), (Some(0.0), Some(1.0)));

    // New inference passes for the trained weights: the card is rewritten and measured again, the weights stay.
    let passes = |zoom: &str| {
        vitrine(&[
            "tryon-passes", "--model", model.to_str().unwrap(), "--parse-zoom", zoom, "--test-data", TEST, "--real-test-data", REAL_TEST,
            "--real-validation-data", REAL_TRAIN, "--validation-every", "4",
        ])
    };
    let out = passes("1.5");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let retuned: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(retuned["weights"], card["weights"], "the weights file is unchanged");
    assert_eq!(retuned["config"]["parse_zoom"], 1.5);
    assert!(retuned["architecture"].as_str().unwrap().contains("both enlarged 1.5×"), "{}", retuned["architecture"]);
    let previous = &retuned["metrics"]["previous_passes"];
    assert_eq!(previous["real_test_int8"], card["metrics"]["real_test_int8"]);
    assert_eq!(previous["test_f32"], card["metrics"]["test_f32"]);
    assert!(retuned["metrics"]["test_f32"].is_null(), "no f32 rows for passes the f32 weights never ran");
    assert_eq!(retuned["metrics"]["real_validation_int8"]["pairs"], 2, "every 4th of the 8 real training photos");
    assert!(retuned["notes"].as_str().unwrap().contains("tryon-passes"));
    let out = vitrine(&["eval-tryon", "--model", model.to_str().unwrap(), "--data", REAL_TEST, "--garments", TEST, "--grid", grid.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["ssim", "parse_miou", "parse_iou"] {
        assert_eq!(line[key], retuned["metrics"]["real_test_int8"][key], "{key} reproduces the rewritten card");
    }
    // Passes the card cannot take are refused, and the card is left as it was.
    let out = passes("1000");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("parse_zoom"), "{}", String::from_utf8_lossy(&out.stderr));
    let after: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(after, retuned);
}

fn load(path: &Path) -> (serde_json::Value, vitrine::model::TryOn) {
    let text = std::fs::read_to_string(path.with_extension("json")).unwrap();
    let card = vitrine::card::TryOnCard::from_json(&text).unwrap();
    let model = vitrine::weights::load_tryon(&card.config, &std::fs::read(path).unwrap(), &burn::prelude::Device::flex()).unwrap();
    (serde_json::from_str(&text).unwrap(), model)
}

#[test]
fn a_parser_only_run_changes_the_parser_and_carries_the_warp_and_generator() {
    use burn::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let out = vitrine(&[
        "train-tryon", "--data", TRAIN, "--real-data", REAL_TRAIN, "--init-from", TINY_TRYON, "--parser-only",
        "--product-photos-per-batch", "1", "--name", "p", "--models-dir", dir.path().to_str().unwrap(), "--work-dir", run.to_str().unwrap(),
        "--height", "64", "--width", "48", "--parser-widths", "8,16", "--warp-widths", "8,16", "--generator-widths", "8,16",
        "--epochs", "2", "--validation-every", "4", "--batch-size", "4", "--real-per-batch", "2", "--lr", "0.01", "--min-coverage", "0",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("8 photos"), "parser-only keeps every labelled photo: {stderr}");
    let losses = std::fs::read_to_string(run.join("losses.csv")).unwrap();
    let last: Vec<f64> = losses.lines().last().unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    assert!(last[2] > 0.0 && last[3] == 0.0 && last[4] == 0.0, "only the parser's loss: {losses}");

    let (card, trained) = load(&dir.path().join("p.bpk"));
    let (fixture_card, fixture) = load(Path::new(TINY_TRYON));
    assert_eq!(card["warm_start"]["sha256"], fixture_card["weights"]["sha256"]);
    assert_eq!(card["warm_start"]["kept"], serde_json::json!(["parser", "warp", "generator"]));
    assert!(card["training"]["loss"].as_str().unwrap().starts_with("parser only"));
    assert!(card["data"]["real"]["preprocessing"].as_str().unwrap().contains("1 product photos"));

    let device = Device::flex();
    device.seed(5);
    let uniform = burn::tensor::Distribution::Uniform(0.0, 1.0);
    let person = Tensor::<4>::random([1, 3, 64, 48], uniform, &device);
    let garment = Tensor::<4>::random([1, 3, 64, 48], uniform, &device);
    let mask = Tensor::<4>::ones([1, 1, 64, 48], &device);
    let parts = fixture.part_probabilities(fixture.parse_logits(&person));
    let render = |m: &vitrine::model::TryOn| m.forward_with_parts(person.clone(), parts.clone(), garment.clone(), mask.clone()).image;
    let carried = (render(&trained) - render(&fixture)).abs().max().into_scalar::<f32>();
    assert!(carried < 1e-5, "warp and generator unchanged: {carried}");
    let parser_change = (trained.parse_logits(&person) - fixture.parse_logits(&person)).abs().max().into_scalar::<f32>();
    assert!(parser_change > 1e-3, "the parser trained: {parser_change}");
}

#[test]
fn corrupted_weights_and_non_images_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-tryon");
    let mut bytes = std::fs::read(format!("{fixture}.bpk")).unwrap();
    bytes[200] ^= 0xff;
    let model = dir.path().join("m.bpk");
    std::fs::write(&model, bytes).unwrap();
    std::fs::copy(format!("{fixture}.json"), dir.path().join("m.json")).unwrap();
    let out = vitrine(&["eval-tryon", "--model", model.to_str().unwrap(), "--data", TEST]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sha256 mismatch"), "{}", String::from_utf8_lossy(&out.stderr));

    // A "photo" that is a text file.
    let data = dir.path().join("data");
    for sub in ["image", "cloth", "cloth-mask", "image-parse"] {
        std::fs::create_dir_all(data.join(sub)).unwrap();
    }
    std::fs::write(data.join("image/p_0.jpg"), "not a photo").unwrap();
    std::fs::write(data.join("test_pairs.txt"), "p_0.jpg g_1.jpg\n").unwrap();
    let out = vitrine(&["eval-tryon", "--model", &format!("{fixture}.bpk"), "--data", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unusable image") && err.contains("p_0.jpg"), "{err}");
}

#[test]
fn photos_without_labels_are_labelled_by_the_parser_then_train() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("shop");
    for sub in ["image", "cloth", "cloth-mask"] {
        std::fs::create_dir_all(data.join(sub)).unwrap();
        for entry in std::fs::read_dir(Path::new(TRAIN).join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), data.join(sub).join(entry.file_name())).unwrap();
        }
    }
    std::fs::copy(Path::new(TRAIN).join("train_pairs.txt"), data.join("train_pairs.txt")).unwrap();
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-tryon.bpk");
    let out = vitrine(&["parse", "--model", model, "--data", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["labelled"], 8);
    let labels = image::open(data.join("image-parse/000000_0.png")).unwrap().into_luma8();
    assert_eq!(labels.dimensions(), (48, 64));
    assert!(labels.pixels().all(|p| vitrine::model::tryon::parts::part_of_lip(p.0[0]).is_some()));
    // A rerun keeps existing labels.
    let out = vitrine(&["parse", "--model", model, "--data", data.to_str().unwrap()]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((line["labelled"].as_u64(), line["already_labelled"].as_u64()), (Some(0), Some(8)));
    // And the folder now trains.
    let out = vitrine(&[
        "train-tryon", "--data", data.to_str().unwrap(), "--name", "s", "--models-dir", dir.path().to_str().unwrap(),
        "--work-dir", dir.path().join("run").to_str().unwrap(), "--height", "64", "--width", "48", "--parser-widths", "8,16",
        "--warp-widths", "8,16", "--generator-widths", "8,16", "--epochs", "1", "--validation-every", "4", "--batch-size", "2",
        "--min-coverage", "0",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn unlabelled_real_photos_get_pseudo_labels_that_train_beside_the_labelled_ones() {
    let dir = tempfile::tempdir().unwrap();
    // Real test photos with their labels taken away: an "unlabelled" folder.
    let unlabelled = dir.path().join("unlabelled");
    std::fs::create_dir_all(unlabelled.join("image")).unwrap();
    for entry in std::fs::read_dir(Path::new(REAL_TEST).join("image")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), unlabelled.join("image").join(entry.file_name())).unwrap();
    }
    std::fs::copy(Path::new(REAL_TEST).join("test.txt"), unlabelled.join("unlabelled.txt")).unwrap();

    // Without --out the shared folder is never written into.
    let out = vitrine(&["parse", "--model", TINY_TRYON, "--data", unlabelled.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!unlabelled.join("image-parse").exists());
    let out = vitrine(&["parse", "--model", TINY_TRYON, "--data", unlabelled.to_str().unwrap(), "--out", dir.path().join("x").to_str().unwrap(), "--min-confidence", "1.5"]);
    assert_eq!(out.status.code(), Some(1), "a confidence above 1 is refused");

    let pseudo = dir.path().join("pseudo");
    let out = vitrine(&[
        "parse", "--model", TINY_TRYON, "--data", unlabelled.to_str().unwrap(), "--out", pseudo.to_str().unwrap(), "--min-confidence", "0.3",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((line["photos"].as_u64(), line["kept"].as_u64()), (Some(3), Some(3)));
    let share = line["unlabelled_share"].as_f64().unwrap();
    assert!(share > 0.0 && share < 1.0, "the tiny parser is unsure of some pixels, not all: {share}");
    // Labels at the photo's own size, every value a LIP id the loader knows or 255.
    let photo = image::open(pseudo.join("image/0001.jpg")).unwrap();
    let labels = image::open(pseudo.join("image-parse/0001.png")).unwrap().into_luma8();
    assert_eq!(labels.dimensions(), (photo.width(), photo.height()));
    assert!(labels.pixels().all(|p| vitrine::model::tryon::parts::part_of_lip(p.0[0]).is_some()));
    assert_eq!(std::fs::read_to_string(pseudo.join("pseudo.txt")).unwrap().lines().count(), 3);

    // A stricter limit on unsure pixels leaves every photo out.
    let strict = dir.path().join("strict");
    let out = vitrine(&[
        "parse", "--model", TINY_TRYON, "--data", unlabelled.to_str().unwrap(), "--out", strict.to_str().unwrap(), "--min-confidence", "0.999", "--max-unlabelled", "0.01",
    ]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["kept"], 0);

    // The pseudo-labelled folder trains the parser beside the hand-labelled one; validation stays hand-labelled.
    let out = vitrine(&[
        "train-tryon", "--data", TRAIN, "--real-data", REAL_TRAIN, "--real-data", pseudo.to_str().unwrap(), "--init-from", TINY_TRYON, "--parser-only",
        "--name", "q", "--models-dir", dir.path().to_str().unwrap(), "--work-dir", dir.path().join("run").to_str().unwrap(),
        "--height", "64", "--width", "48", "--parser-widths", "8,16", "--warp-widths", "8,16", "--generator-widths", "8,16",
        "--epochs", "1", "--validation-every", "4", "--batch-size", "4", "--real-per-batch", "2", "--min-coverage", "0",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("9 real training photos, 2 real validation photos"), "6 of the 8 labelled + 3 pseudo-labelled: {stderr}");
    let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("q.json")).unwrap()).unwrap();
    assert!(card["data"]["real"]["preprocessing"].as_str().unwrap().contains("adds training photos only"), "{card}");
}
