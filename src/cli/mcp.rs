//! `mcp`: the MCP server over stdio, for an assistant that launches it (Claude Desktop, Claude
//! Code, Cursor, VS Code).

use super::{Ctx, Outcome};

/// Serve the archive to an AI assistant over MCP (Model Context Protocol) on stdin/stdout:
/// tools to search, show papers, days and reports, similar papers, recommendations and the
/// library (and to save or dismiss papers, unless --read-only). `serve` offers the same at /mcp
/// over HTTP.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Offer only the read tools: no library_save nor library_dismiss.
    #[arg(long)]
    read_only: bool,
}

pub(crate) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    arxiv_daily::serve::mcp::run_stdio(ctx.loc.clone(), a.read_only)?;
    Ok(Outcome::Done)
}
