//! `digest`: mail each tag's newest recommendations, once per paper per tag.

use std::io::Write;
use std::time::Duration;

use super::{Ctx, Outcome, stdout};
use arxiv_daily::digest::{DEFAULT_FROM, Pending, Smtp, record_sent};
use arxiv_daily::library::Library;
use arxiv_daily::model::Day;

/// Mail the newest day's recommendations of each tag (one email, a section per tag, text and
/// HTML). One email per announcement day: a day already mailed (to that address, for those
/// tags) sends nothing again unless --resend. A paper is mailed to a tag once; a day with
/// nothing new sends nothing. The SMTP password comes from ARXIV_DAILY_SMTP_PASSWORD, never
/// from the command line or the config.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only these tags (repeatable) [default: every tag].
    #[arg(long)]
    tag: Vec<String>,
    /// The recipient.
    #[arg(long)]
    to: String,
    /// Where to send: smtps://USER@HOST (TLS), smtp://USER@HOST:587?tls=required (STARTTLS),
    /// smtp://127.0.0.1:PORT (a local relay, no TLS). The password is only sent over TLS, or
    /// to a relay on this machine that the URL allows by name:
    /// smtp://USER@127.0.0.1:PORT?tls=none&insecure_auth=loopback.
    #[arg(
        long,
        env = "ARXIV_DAILY_SMTP_URL",
        hide_env_values = true,
        default_value = "smtp://127.0.0.1:25"
    )]
    smtp_url: String,
    /// The sender [default: arxiv-daily <arxiv-daily@localhost>].
    #[arg(long, env = "ARXIV_DAILY_FROM")]
    from_addr: Option<String>,
    /// The day whose listing to recommend from [default: the newest archived day].
    #[arg(long)]
    day: Option<String>,
    /// Papers per tag at most.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Only papers scoring at least this (standard deviations above the background papers).
    #[arg(long, default_value_t = 1.0)]
    min_score: f32,
    /// Print a preview of the email (its headers and text, decoded) instead of sending it
    /// (records nothing).
    #[arg(long)]
    dry_run: bool,
    /// Send even when no tag has anything new.
    #[arg(long)]
    send_empty: bool,
    /// Mail the day again though it was mailed (its picks as if never sent).
    #[arg(long)]
    resend: bool,
    /// Seconds to wait for the SMTP server.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// Attempts for a transient failure (waiting 2 s, then 4 s, ...).
    #[arg(long, default_value_t = 4)]
    attempts: u32,
}

pub(crate) fn run(ctx: &Ctx, a: Args) -> anyhow::Result<Outcome> {
    // Where to send is checked first (redacted in every message), before any work.
    let smtp = if a.dry_run {
        None
    } else {
        anyhow::ensure!(
            a.timeout > 0.0 && a.timeout.is_finite(),
            "--timeout must be a positive number of seconds"
        );
        let smtp = Smtp {
            url: a.smtp_url.clone(),
            password: std::env::var("ARXIV_DAILY_SMTP_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty()),
            timeout: Duration::from_secs_f64(a.timeout),
            attempts: a.attempts,
            backoff: Duration::from_secs(2),
        };
        smtp.check()?;
        Some(smtp)
    };
    let path = ctx.loc.library_path();
    // A digest that sends writes the library: one an older arxiv-daily made is upgraded first
    // (a daily cron after an upgrade goes on mailing).
    if !a.dry_run && path.is_file() {
        Library::open(&path)?;
    }
    let Some(existing) = Library::open_read_only(&path)? else {
        anyhow::bail!(
            "no library yet ({}): save papers with `arxiv-daily library add --tag TAG ID...`",
            path.display()
        );
    };
    let asked = a.day.as_deref().map(Day::parse).transpose()?;
    let reader = arxiv_daily::archive::Reader::open(&ctx.loc)?;
    let Some(day) = asked.or(reader.read(|r| Ok(r.newest_listed_day()?))?) else {
        anyhow::bail!("the archive lists no day yet: run `arxiv-daily ingest` first");
    };
    // One email per day, recipient and choice of tags.
    let tags_key = arxiv_daily::library::digest_tags(&a.tag);
    if let Some((at, papers)) = existing.digest_of(day, &a.to, &tags_key)?
        && !a.resend
        && !a.dry_run
    {
        eprintln!(
            "arxiv-daily: the digest of {day} was mailed to {} at {at} ({papers} {}): nothing sent (--resend sends it again)",
            a.to,
            if papers == 1 { "paper" } else { "papers" }
        );
        return Ok(Outcome::Done);
    }
    let mut pending = Pending::of(&existing, &a.tag)?;
    if a.resend {
        pending = pending.as_never_sent();
    }
    drop(existing);
    let loaded = super::recommend::meaning_of(ctx, &reader, None, pending.interests());
    let meaning = loaded.as_ref().map(|(m, model)| {
        super::recommend::warned(arxiv_daily::recommend::Meaning::new(
            m,
            model.as_deref(),
            pending.interests(),
        ))
    });
    let sections =
        reader.read(|r| pending.select(r, day, a.limit, a.min_score, meaning.as_ref()))?;
    let total: usize = sections.iter().map(|s| s.papers.len()).sum();
    if total == 0 && !a.send_empty {
        eprintln!(
            "arxiv-daily: nothing new for your tags on {day}: no mail sent (--send-empty sends one anyway)"
        );
        return Ok(Outcome::Done);
    }
    let from = a.from_addr.clone().unwrap_or_else(|| DEFAULT_FROM.into());
    // Built (and its addresses checked) for a dry run too.
    let message = arxiv_daily::digest::message(&from, &a.to, day, &sections)?;
    let Some(smtp) = smtp else {
        // --dry-run: a preview a person reads.
        let mut out = stdout();
        out.write_all(arxiv_daily::digest::preview(&from, &a.to, day, &sections).as_bytes())?;
        out.flush()?;
        return Ok(Outcome::Done);
    };
    smtp.send(&message, |m| eprintln!("arxiv-daily: {m}"))?;
    // Accepted: now, and only now, the papers count as sent.
    record_sent(&mut Library::open(&path)?, day, &a.to, &tags_key, &sections)?;
    println!(
        "sent {total} {} for {day} to {}",
        if total == 1 { "paper" } else { "papers" },
        a.to
    );
    Ok(Outcome::Done)
}
