//! `vitrine bench-recommend`: native per-call latency of the engine's
//! recommend() on the CPU backend, with the same fixed histories as the
//! browser benchmark page.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use vitrine::engine::{BackendChoice, Recommender};

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[arg(long)]
    pub model: PathBuf,
    #[arg(long, default_value_t = 200)]
    pub calls: usize,
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let card = std::fs::read_to_string(args.model.with_extension("json")).context("reading the card")?;
    let weights = std::fs::read(&args.model).with_context(|| format!("reading {}", args.model.display()))?;
    let started = Instant::now();
    let engine = pollster::block_on(Recommender::load(&card, weights, BackendChoice::Cpu))?;
    pollster::block_on(engine.warm_up())?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let items = engine.card().items.clone();
    // Same histories as www/bench/bench.js: 8 items spread over the catalog.
    let history = |i: usize| -> Vec<String> { (0..8).map(|j| items[(i * 7919 + j * 104_729) % items.len()].clone()).collect() };
    let mut times = Vec::with_capacity(args.calls);
    for i in 1..=args.calls {
        let h = history(i);
        let t = Instant::now();
        let r = pollster::block_on(engine.recommend(&h, 10))?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(r.items.len() == 10, "short answer");
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({
            "backend": "native cpu (flex)",
            "load_and_warm_up_ms": load_ms,
            "median_ms": times[times.len() / 2],
            "p90_ms": times[times.len() * 9 / 10],
            "calls": args.calls,
        })
    );
    Ok(())
}
