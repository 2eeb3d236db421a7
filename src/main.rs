//! `vitrine`: the native trainer and evaluator. Parses arguments, runs one
//! command, prints an error once and exits 0 (ok), 1 (bad input) or 2 (fault).

mod cli;

use clap::Parser;

fn main() {
    keep_freed_memory();
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

/// Training allocates and frees the same large tensors every step. With
/// glibc's defaults, freeing a big block hands it back to the kernel and the
/// next step faults it in again: on 5,000 Beauty users an epoch took 35 s,
/// 7 s of it system time; keeping freed memory in the process, 27 s.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    const MIB: i32 = 1 << 20;
    // SAFETY: mallopt only sets malloc's tuning parameters; it runs before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 * MIB); // glibc's largest allowed
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1024 * MIB);
        libc::mallopt(libc::M_TOP_PAD, 256 * MIB);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
