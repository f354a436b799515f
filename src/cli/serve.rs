//! `serve`: the web reader and JSON API over the archive (read-only).

use super::{Ctx, Outcome};

/// Serve a local web reader and JSON API over the archive (the archive read-only, never blocking
/// a writer; only the library is written, by the pages' forms).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Address to listen on; port 0 picks a free one. Another address than loopback makes the
    /// archive readable there.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Open the reader in a browser (xdg-open).
    #[arg(long)]
    open: bool,
    /// Allow changes to the library (save, not for me) only after logging in with this token;
    /// needed for any change when --addr is not loopback.
    #[arg(long, env = "ARXIV_DAILY_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Another name the server is reached by (a reverse proxy's, or this machine's on the
    /// network), besides localhost, 127.0.0.1, [::1] and the --addr address; requests naming
    /// any other host are refused (421), against DNS rebinding. Repeat it, or separate names
    /// with commas.
    #[arg(
        long = "public-name",
        value_name = "NAME",
        env = "ARXIV_DAILY_PUBLIC_NAME",
        value_delimiter = ','
    )]
    public_names: Vec<String>,
    /// Offer only the read tools at /mcp (no library_save nor library_dismiss). Off loopback
    /// without --token, /mcp is read-only anyway; with --token, every /mcp request needs
    /// `Authorization: Bearer TOKEN`.
    #[arg(long)]
    mcp_read_only: bool,
}

pub(crate) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    arxiv_daily::serve::run(
        ctx.loc.clone(),
        a.addr,
        a.open,
        a.token,
        &a.public_names,
        a.mcp_read_only,
    )?;
    Ok(Outcome::Done)
}
