//! Peer-benchmark export (see scripts/peers/README.md): load a recommender's
//! card and weights exactly as the engine does (sha256 check, burnpack decode,
//! shape check, int8 -> f32 dequantization, all in `vitrine::weights`), then
//! write every float parameter as raw little-endian f32 plus a manifest.
//!
//! ```text
//! cargo run --release --example export-weights -- --card models/amazon-beauty.json --out target/peers/amazon-beauty
//! ```
//!
//! Output folder: `manifest.json` (card name, weights sha256, config, and for
//! each parameter in module order: dotted path, shape, file, dtype) and one
//! `NNN_path.f32` file per parameter (row-major, little-endian f32).

use std::path::PathBuf;

use anyhow::{bail, Context};
use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use vitrine::card::ModelCard;
use vitrine::weights::{load_on_cpu, verify_sha256};

/// Records every float parameter with the dotted path of the modules around it.
struct Exporter {
    path: Vec<String>,
    tensors: Vec<(String, Vec<usize>, Vec<f32>)>,
}

impl ModuleVisitor for Exporter {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let values = tensor
            .into_data()
            .convert::<f32>()
            .try_to_vec::<f32>()
            .expect("dequantized parameters are f32");
        self.tensors.push((self.path.join("."), shape, values));
    }
}

struct Args {
    card: PathBuf,
    weights: Option<PathBuf>,
    out: PathBuf,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut card = None;
    let mut weights = None;
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--card" => card = Some(PathBuf::from(value()?)),
            "--weights" => weights = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!("export-weights --card models/NAME.json [--weights models/NAME.bpk] --out DIR");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    Ok(Args {
        card: card.context("--card models/NAME.json is required")?,
        weights,
        out: out.context("--out DIR is required")?,
    })
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let card_text = std::fs::read_to_string(&args.card).with_context(|| format!("reading {}", args.card.display()))?;
    let card = ModelCard::from_json(&card_text).with_context(|| format!("loading {}", args.card.display()))?;
    if card.config.frequency.is_some() {
        bail!("{} is a BSARec model (frequency path); the ONNX builder only reproduces SASRec", card.name);
    }
    let weights_path = args
        .weights
        .clone()
        .unwrap_or_else(|| args.card.parent().unwrap_or(std::path::Path::new(".")).join(&card.weights.file));
    let bytes = std::fs::read(&weights_path).with_context(|| format!("reading {}", weights_path.display()))?;
    verify_sha256(&bytes, &card.weights.sha256).with_context(|| format!("checking {}", weights_path.display()))?;
    let model = load_on_cpu(&card.config, &bytes)?;

    let mut exporter = Exporter { path: Vec::new(), tensors: Vec::new() };
    model.visit(&mut exporter);

    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut entries = Vec::new();
    let mut total = 0usize;
    for (i, (name, shape, values)) in exporter.tensors.iter().enumerate() {
        let file = format!("{i:03}_{name}.f32");
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(args.out.join(&file), raw).with_context(|| format!("writing {file}"))?;
        total += values.len();
        entries.push(serde_json::json!({ "name": name, "shape": shape, "file": file, "dtype": "float32" }));
    }
    let manifest = serde_json::json!({
        "model": card.name,
        "weights_file": card.weights.file,
        "weights_sha256": card.weights.sha256,
        "weights_dtype": card.weights.dtype,
        "exported_as": "float32 little-endian, dequantized by vitrine::weights::load_on_cpu",
        "config": card.config,
        "parameters": total,
        "tensors": entries,
    });
    std::fs::write(args.out.join("manifest.json"), serde_json::to_string_pretty(&manifest)?)?;
    eprintln!(
        "wrote {} tensors ({} parameters, {} f32 bytes) to {}",
        exporter.tensors.len(),
        total,
        total * 4,
        args.out.display()
    );
    Ok(())
}
