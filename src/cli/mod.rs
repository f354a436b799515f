//! The command line, the binary's own (the library never sees clap): one module per subcommand,
//! each an Args struct (clap derive; the doc comments are the help) and a `run` that calls the
//! library (`arxiv_daily::...`) and prints. Rules of the archive, the digest or the library do
//! not live here.

mod archive;
mod backfill;
mod digest;
mod doctor;
mod embed;
mod import;
mod ingest;
mod init;
mod library;
mod mcp;
mod recommend;
mod report;
mod search;
mod serve;
mod show;
mod similar;
mod site;
mod status;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use arxiv_daily::archive::Location;

/// An incremental, searchable archive of arXiv's daily announcements.
#[derive(Debug, Parser)]
#[command(name = "arxiv-daily", version, about, long_about = None)]
pub struct Cli {
    /// The archive folder (SQLite file, search index, arxiv-daily.toml).
    #[arg(
        long,
        global = true,
        env = "ARXIV_DAILY_DATA",
        default_value = "./data"
    )]
    data_dir: PathBuf,
    /// The config file [default: <data-dir>/arxiv-daily.toml].
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The library file (your tags and dismissals) [default: <data-dir>/library.sqlite3].
    #[arg(long, global = true, env = "ARXIV_DAILY_LIBRARY")]
    library: Option<PathBuf>,
    /// When another process is writing the archive, wait for it instead of failing.
    #[arg(long, global = true)]
    wait: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start an archive that follows your categories: config, the last weeks, a first tag.
    Init(init::Args),
    /// Fetch today's announcements of the configured categories and build the day's reports.
    Ingest(ingest::Args),
    /// Import existing data into the archive.
    #[command(subcommand)]
    Import(import::Command),
    /// The archive as text (JSON lines per day) for git, backups and migration.
    #[command(subcommand)]
    Archive(archive::Command),
    /// Fill history from arXiv's OAI-PMH service (resumable).
    Backfill(backfill::Args),
    /// Show, list, export or recompute daily reports.
    #[command(subcommand)]
    Report(report::Command),
    /// Full-text search over the whole archive.
    Search(search::Args),
    /// Show a paper: every snapshot of its metadata, every day it was listed, similar papers.
    Show(show::Args),
    /// The papers most like one paper, with the words they share.
    Similar(similar::Args),
    /// Embed the papers with a sentence-embedding model (search by meaning, similar papers).
    Embed(embed::Args),
    /// Your library: tags of saved papers and dismissals ("not for me").
    #[command(subcommand)]
    Library(library::Command),
    /// The papers of a day ranked for your tags, with the words that weigh most.
    Recommend(recommend::Args),
    /// Mail the newest day's recommendations of each tag (once per paper per tag).
    Digest(digest::Args),
    /// Write the web reader's pages as a static site (GitHub Pages, any static host).
    Site(site::Args),
    /// Serve a local web reader and JSON API over the archive.
    Serve(serve::Args),
    /// Serve the archive to an AI assistant over MCP (stdio).
    Mcp(mcp::Args),
    /// Counts of papers, snapshots, listings and reports.
    Stats(show::StatsArgs),
    /// The completeness ledger: which announcement days are stored, empty, missing or repeated.
    Status(status::Args),
    /// Check the archive's consistency (and repair it with --repair).
    Doctor(doctor::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), generated from these definitions.
    Man,
}

/// How a command ended when it did not fail.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// A query or lookup found nothing (exit 1).
    NothingFound,
}

pub(crate) struct Ctx {
    pub loc: Location,
    pub wait: bool,
    pub color: ColorChoice,
}

/// `--color`, as ripgrep has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (to anything but the empty string).
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to write colour to stdout.
    pub(crate) fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

pub fn main() -> anyhow::Result<Outcome> {
    let cli = Cli::parse();
    let ctx = Ctx {
        loc: Location {
            dir: cli.data_dir,
            config: cli.config,
            library: cli.library,
        },
        wait: cli.wait,
        color: cli.color,
    };
    match cli.command {
        Command::Init(a) => init::run(&ctx, a),
        Command::Ingest(a) => ingest::run(&ctx, a),
        Command::Import(c) => import::run(&ctx, c),
        Command::Archive(c) => archive::run(&ctx, c),
        Command::Backfill(a) => backfill::run(&ctx, a),
        Command::Report(c) => report::run(&ctx, c),
        Command::Search(a) => search::run(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::Similar(a) => similar::run(&ctx, a),
        Command::Embed(a) => embed::run(&ctx, a),
        Command::Library(c) => library::run(&ctx, c),
        Command::Recommend(a) => recommend::run(&ctx, a),
        Command::Digest(a) => digest::run(&ctx, a),
        Command::Site(a) => site::run(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
        Command::Mcp(a) => mcp::run(&ctx, a),
        Command::Stats(a) => show::stats(&ctx, a),
        Command::Status(a) => status::run(&ctx, a),
        Command::Doctor(a) => doctor::run(&ctx, a),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics when its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "arxiv-daily", &mut script);
            let mut out = stdout();
            out.write_all(&script)?;
            out.flush()?;
            Ok(Outcome::Done)
        }
        Command::Man => {
            let mut out = stdout();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out)?;
            out.flush()?;
            Ok(Outcome::Done)
        }
    }
}

/// Whether `err` is a write to a closed pipe (`| head`), which is not an error. The `io::Error`
/// may sit inside another error that does not give it as its source: serde_json's (whose
/// `source` skips the I/O error itself) and csv's (which has none).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(BrokenPipe))
            || c.downcast_ref::<csv::Error>().is_some_and(
                |e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe),
            )
    })
}

/// Buffered, locked stdout.
pub(crate) fn stdout() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// A progress bar on stderr; indicatif draws nothing when stderr is not a terminal.
pub(crate) fn progress(len: Option<u64>, what: &str) -> indicatif::ProgressBar {
    let bar = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::no_length(),
    };
    let template = if len.is_some() {
        "{msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})"
    } else {
        "{msg} {pos} ({per_sec}, {elapsed})"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// The HTTP pacing from the command line and the config: `--min-interval` (default: the config's
/// `min_interval`, else arXiv's 3 s) and `--timeout`.
pub(crate) fn politeness(
    min_interval: Option<f64>,
    config: &arxiv_daily::config::Config,
    timeout: f64,
) -> anyhow::Result<arxiv_daily::source::http::Politeness> {
    let min_interval = min_interval.or(config.min_interval).unwrap_or(3.0);
    anyhow::ensure!(
        min_interval >= 0.0 && min_interval.is_finite(),
        "--min-interval must be a number of seconds >= 0"
    );
    anyhow::ensure!(
        timeout > 0.0 && timeout.is_finite(),
        "--timeout must be a positive number of seconds"
    );
    Ok(arxiv_daily::source::http::Politeness {
        min_interval: std::time::Duration::from_secs_f64(min_interval),
        timeout: std::time::Duration::from_secs_f64(timeout),
        ..arxiv_daily::source::http::Politeness::default()
    })
}

/// The polite HTTP client configured from `--min-interval`, the config and `--timeout`.
pub(crate) fn polite_client(
    min_interval: Option<f64>,
    config: &arxiv_daily::config::Config,
    timeout: f64,
) -> anyhow::Result<arxiv_daily::source::http::PoliteClient> {
    let mut client =
        arxiv_daily::source::http::PoliteClient::new(politeness(min_interval, config, timeout)?)?;
    client.on_retry(|retry| eprintln!("arxiv-daily: {retry}"));
    Ok(client)
}

/// Prints an import's summary: one JSON object, or one line.
pub(crate) fn print_summary(
    json: bool,
    summary: &impl serde::Serialize,
    indexed: u64,
    line: String,
) -> anyhow::Result<()> {
    let mut out = stdout();
    if json {
        json_line(
            &mut out,
            &arxiv_daily::views::ImportOutput { summary, indexed },
        )?;
    } else {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// Writes one JSON value as a line.
pub(crate) fn json_line(out: &mut impl Write, v: &impl serde::Serialize) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")?;
    Ok(())
}
