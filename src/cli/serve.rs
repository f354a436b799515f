//! `serve`: the web reader and JSON API over the archive (read-only).

use super::{Ctx, Outcome};

/// Serve a local web reader and JSON API over the archive (read-only; never blocks a writer).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Address to listen on; port 0 picks a free one. Another address than loopback makes the
    /// archive readable there.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Open the reader in a browser (xdg-open).
    #[arg(long)]
    open: bool,
}

pub(crate) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    crate::serve::run(ctx.loc.clone(), a.addr, a.open)?;
    Ok(Outcome::Done)
}
