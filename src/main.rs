//! The `arxiv-daily` binary: parse the command line, run, map the outcome to an exit code
//! (0 ok, 1 nothing found, 2 error). A closed pipe (`| head`) is not an error.

mod cli;

use std::process::ExitCode;

use cli::Outcome;

/// mimalloc: candle's BERT allocates and frees a tensor per operation, and glibc's malloc hands
/// those large blocks back to the kernel each time (most of a run was system time); measured in
/// BENCHMARKS.md ("Embedding throughput").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::main() {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::NothingFound) => ExitCode::from(1),
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("arxiv-daily: {err:#}");
            ExitCode::from(2)
        }
    }
}
