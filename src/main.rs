//! The `arxiv-daily` binary: parse the command line, run, map the outcome to an exit code
//! (0 ok, 1 nothing found, 2 error). A closed pipe (`| head`) is not an error.

mod cli;

use std::process::ExitCode;

use cli::Outcome;

/// mimalloc: chosen when the embeddings ran on candle's BERT, which allocated and freed a tensor
/// per operation while glibc's malloc handed those large blocks back to the kernel each time
/// (most of a run was system time; BENCHMARKS.md, "Speed" under "Meaning beside the words"). The
/// BERT of embed/bert.rs reuses its buffers (a few allocations per text, not per operation).
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
