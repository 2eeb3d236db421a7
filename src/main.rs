//! `vitrine`: the native trainer and evaluator. Parses arguments, runs one
//! command, prints an error once and exits 0 (ok), 1 (bad input) or 2 (fault).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => {}
        Err(err) => {
            eprintln!("error: {err:#}");
            let user_error = err.chain().any(|c| c.downcast_ref::<vitrine::VitrineError>().is_some());
            std::process::exit(if user_error { 1 } else { 2 });
        }
    }
}
