//! `vitrine bench-backends`: time one try-on training step (forward + backward,
//! batch of 4 at 256×192) and one forward pass on each CPU backend compiled
//! into this binary: flex always, ndarray with `--features ndarray`, tch with
//! `--features tch` (scripts/build-tch.sh builds both into target/tch).
//! Prints the README's table and one JSON line.

use std::time::Instant;

use burn::prelude::*;
use clap::Args;
use vitrine::data::tryon::TryOnBatch;
use vitrine::model::tryon::parts::NUM_PARTS;
use vitrine::model::TryOnConfig;
use vitrine::train::tryon::loss::tryon_losses;

#[derive(Args, Debug)]
pub struct BenchBackendsArgs {
    #[arg(long, default_value_t = 4)]
    pub batch: usize,
    /// Timed runs (median reported), after one untimed warm-up.
    #[arg(long, default_value_t = 5)]
    pub steps: usize,
}

fn backends() -> Vec<(&'static str, Device)> {
    #[allow(unused_mut)]
    let mut list = vec![("flex", Device::flex())];
    #[cfg(feature = "ndarray")]
    #[allow(deprecated)]
    list.push(("ndarray", Device::ndarray()));
    #[cfg(feature = "tch")]
    #[allow(deprecated)]
    list.push(("tch", Device::libtorch()));
    list
}

/// One-hot labels of a fixed striped pattern (every part occurs), full and half resolution.
fn labels(batch: usize, h: usize, w: usize, device: &Device) -> Tensor<4> {
    let mut flat = vec![0f32; batch * NUM_PARTS * h * w];
    for b in 0..batch {
        for y in 0..h {
            for x in 0..w {
                let part = (y * NUM_PARTS / h + x * 3 / w) % NUM_PARTS;
                flat[b * NUM_PARTS * h * w + part * h * w + y * w + x] = 1.0;
            }
        }
    }
    Tensor::<1>::from_floats(flat.as_slice(), device).reshape([batch, NUM_PARTS, h, w])
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(steps: usize, mut run: impl FnMut()) -> f64 {
    run();
    median((0..steps.max(1)).map(|_| {
        let t = Instant::now();
        run();
        t.elapsed().as_secs_f64()
    }).collect())
}

pub fn run(args: BenchBackendsArgs) -> anyhow::Result<()> {
    let config = TryOnConfig::new();
    let (n, h, w) = (args.batch, config.height, config.width);
    let mut rows = Vec::new();
    for (name, device) in backends() {
        let inputs = |d: &Device| {
            d.seed(7);
            let uniform = burn::tensor::Distribution::Uniform(0.0, 1.0);
            (Tensor::<4>::random([n, 3, h, w], uniform, d), Tensor::<4>::random([n, 3, h, w], uniform, d), Tensor::<4>::ones([n, 1, h, w], d))
        };
        let autodiff = device.clone().autodiff();
        let model = config.init(&autodiff);
        let (person, garment, garment_mask) = inputs(&autodiff);
        let batch = TryOnBatch { person, garment, garment_mask, parts: Some(labels(n, h, w, &autodiff)) };
        // A backend may lack a backward kernel (ndarray: bilinear interpolation); report it, keep going.
        let train = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            time(args.steps, || {
                let grads = tryon_losses(&model, &batch, false).total().backward();
                autodiff.sync().expect("sync");
                drop(grads);
            })
        }));
        let plain = model.valid();
        let (person, garment, garment_mask) = inputs(&device);
        let forward = time(args.steps, || {
            let _ = plain.forward(person.clone(), garment.clone(), garment_mask.clone()).image.into_data();
        });
        let train = train.map_err(|e| e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default());
        rows.push(serde_json::json!({
            "backend": name,
            "train_step_s": train.as_ref().ok(),
            "train_error": train.as_ref().err(),
            "forward_ms_per_image": forward * 1e3 / n as f64,
        }));
    }
    println!("| backend | training step, batch {n} (s) | forward per image (ms) |\n|---|---|---|");
    for r in &rows {
        let train = r["train_step_s"].as_f64().map(|s| format!("{s:.2}")).unwrap_or_else(|| format!("fails: {}", r["train_error"].as_str().unwrap_or("")));
        println!("| {} | {train} | {:.0} |", r["backend"].as_str().unwrap_or(""), r["forward_ms_per_image"].as_f64().unwrap_or(f64::NAN));
    }
    println!("{}", serde_json::Value::Array(rows));
    Ok(())
}
