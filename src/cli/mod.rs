//! Command-line definition and dispatch. Each command lives in its own module
//! and takes its parsed `…Args`.

mod bench_backends_cmd;
mod bench_cmd;
mod catalog_cmd;
mod eval_cmd;
mod input;
mod recommend_cmd;
mod together_cmd;
mod train_cmd;
mod tryon_card;
mod tryon_cmd;
mod tryon_parse_cmd;
mod tryon_passes_cmd;
mod tryon_person_check_cmd;
mod tryon_eval_cmd;
mod tryon_train_cmd;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "vitrine", version, about = "Train, quantize and evaluate Vitrine's on-device recommenders")]
pub struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand, Debug)]
enum Commands {
    /// Train a sequential recommender (BSARec by default, or SASRec), quantize it to int8 and write models/NAME.bpk + NAME.json.
    Train(train_cmd::TrainArgs),
    /// Evaluate a shipped model (leave-one-out, full ranking); prints one JSON line.
    EvalRecommender(eval_cmd::EvalArgs),
    /// Build the widget's catalog JSON (id, title, price) from an event-log export.
    Catalog(catalog_cmd::CatalogArgs),
    /// Recommend for a history given on the command line (a quick manual check).
    Recommend(recommend_cmd::RecommendArgs),
    /// Learn co-purchase partners from baskets and ship them beside a model (updates its card).
    BoughtTogether(together_cmd::TogetherArgs),
    /// Train the try-on pipeline (parser, warp, generator), quantize to int8, write models/NAME.bpk + NAME.json.
    TrainTryon(tryon_train_cmd::TrainTryOnArgs),
    /// Evaluate a try-on model on paired test data or real labelled photos (prints one JSON line) and write a PNG grid of unpaired renders.
    EvalTryon(tryon_eval_cmd::EvalTryOnArgs),
    /// Change a trained try-on model's inference passes (mirror, enlarged) and measure them again; rewrites its card.
    TryonPasses(tryon_passes_cmd::TryOnPassesArgs),
    /// How often the fitting room's person check accepts photos of people and refuses images without one; prints one JSON line.
    PersonCheck(tryon_person_check_cmd::PersonCheckArgs),
    /// Label people's body parts with a trained try-on model's parser (for training folders without labels).
    Parse(tryon_parse_cmd::ParseArgs),
    /// Dress one photo in one garment natively and write the render as a PNG (a quick manual check).
    TryOn(tryon_cmd::TryOnArgs),
    /// Time a try-on training step and forward pass on each CPU backend compiled in; prints a table.
    BenchBackends(bench_backends_cmd::BenchBackendsArgs),
    /// Time recommend() natively on the CPU (median over many calls); prints one JSON line.
    BenchRecommend(bench_cmd::BenchArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Commands::Train(args) => train_cmd::run(args),
        Commands::EvalRecommender(args) => eval_cmd::run(args),
        Commands::Catalog(args) => catalog_cmd::run(args),
        Commands::Recommend(args) => recommend_cmd::run(args),
        Commands::BenchRecommend(args) => bench_cmd::run(args),
        Commands::BenchBackends(args) => bench_backends_cmd::run(args),
        Commands::BoughtTogether(args) => together_cmd::run(args),
        Commands::TrainTryon(args) => tryon_train_cmd::run(args),
        Commands::EvalTryon(args) => tryon_eval_cmd::run(args),
        Commands::TryOn(args) => tryon_cmd::run(args),
        Commands::Parse(args) => tryon_parse_cmd::run(args),
        Commands::PersonCheck(args) => tryon_person_check_cmd::run(args),
        Commands::TryonPasses(args) => tryon_passes_cmd::run(args),
    }
}

/// The training device for `--backend`: flex (pure Rust, in every build) or
/// tch (libtorch's CPU kernels, only in a binary built by scripts/build-tch.sh).
pub fn training_device(name: &str) -> anyhow::Result<burn::prelude::Device> {
    match name {
        "flex" => Ok(burn::prelude::Device::flex()),
        #[cfg(feature = "tch")]
        "tch" => Ok(burn::prelude::Device::libtorch()),
        #[cfg(not(feature = "tch"))]
        "tch" => anyhow::bail!("this vitrine was built without libtorch: use scripts/build-tch.sh and target/tch/release/vitrine"),
        other => anyhow::bail!("unknown backend {other:?}: flex or tch"),
    }
}

/// What the card says the run trained on.
pub fn backend_description(name: &str) -> String {
    match name {
        "tch" => "burn 0.22.1 tch (libtorch 2.9.0 CPU kernels), autodiff".into(),
        _ => "burn 0.22.1 flex (CPU), autodiff".into(),
    }
}

/// The exact command line, for cards.
pub fn command_line() -> String {
    let mut args: Vec<String> = std::env::args().collect();
    if let Some(first) = args.first_mut() {
        *first = "vitrine".into();
    }
    args.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ")
}

/// One argument as a POSIX shell would need it written.
pub fn shell_quote(arg: &str) -> String {
    if arg.contains([' ', ',', '=', '\'', '"', '$', ';', '&', '|', '(', ')']) {
        format!("'{}'", arg.replace('\'', "'\\''"))
    } else {
        arg.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command a shipped card records (how it was trained, how to
    /// evaluate it) must still be one a shell can split and this CLI accepts:
    /// a card is how anyone reproduces a model, so a quoting slip or a renamed
    /// flag would silently break that promise.
    #[test]
    fn shipped_cards_commands_still_parse() {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let mut checked = 0;
        for entry in std::fs::read_dir(&models).expect("models/ exists") {
            let path = entry.expect("readable entry").path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("readable card")).expect("card is JSON");
            for key in ["command", "eval_command", "real_photos_eval_command"] {
                let Some(command) = card["training"][key].as_str() else { continue };
                let words = shlex::split(command).unwrap_or_else(|| panic!("{}: training.{key} is not valid shell: {command}", path.display()));
                assert!(words[0].ends_with("vitrine"), "{}: training.{key} does not run vitrine: {command}", path.display());
                if let Err(error) = Cli::try_parse_from(&words) {
                    panic!("{}: training.{key} is not accepted by today's CLI: {error}", path.display());
                }
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} card commands found in {}", models.display());
    }
}
