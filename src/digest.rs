//! The morning digest: one email of each tag's newest recommendations, as text and HTML, sent
//! over SMTP with lettre. A paper goes to a tag at most once (the library keeps what was sent,
//! recorded only after the server accepted the message); a transient failure is retried with
//! backoff, a permanent one fails at once and records nothing.
//!
//! The rule of what counts as pending and as sent is here (`Pending`, `record_sent`), for every
//! front that mails a digest; the command line only parses its arguments and prints.

use std::collections::HashSet;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};

use crate::archive::Reads;
use crate::library::Library;
use crate::model::Day;
use crate::recommend::{Interests, Recommendation, Request};
use crate::retry::Attempt;

/// The sender when none is given.
pub const DEFAULT_FROM: &str = "arxiv-daily <arxiv-daily@localhost>";

/// What went wrong building or sending the digest. Every URL shown is redacted (no password);
/// the cause stays the error's source.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// An address (`--from-addr`, `--to`) that is not one.
    #[error("{flag} {value:?}")]
    Address {
        flag: &'static str,
        value: String,
        #[source]
        source: lettre::address::AddressError,
    },
    /// The message could not be put together.
    #[error("the digest message")]
    Message(#[source] lettre::error::Error),
    /// The SMTP URL does not parse.
    #[error("SMTP URL {shown}")]
    Url {
        shown: String,
        #[source]
        source: UrlError,
    },
    /// The SMTP URL is refused: the message says why and how to fix it.
    #[error("{0}")]
    Refused(String),
    /// lettre refuses the checked URL.
    #[error("SMTP URL {shown}")]
    Transport {
        shown: String,
        #[source]
        source: SmtpFailure,
    },
    /// The server refused the message for good (not retried).
    #[error("sending the digest through {through} failed (permanent: not retried)")]
    Permanent {
        through: String,
        #[source]
        source: SmtpFailure,
    },
    /// Every attempt failed for a reason that might have passed.
    #[error("sending the digest through {through} failed after {attempts} attempts: {why}")]
    GaveUp {
        through: String,
        attempts: u32,
        why: String,
    },
}

/// lettre's SMTP error. Its message already holds its causes (lettre writes them into it), so
/// it is shown once, each cause once, and the chain of sources ends here.
#[derive(Debug)]
pub struct SmtpFailure(pub lettre::transport::smtp::Error);

impl std::fmt::Display for SmtpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&describe(&self.0))
    }
}

impl std::error::Error for SmtpFailure {}

pub type Result<T, E = DigestError> = std::result::Result<T, E>;

/// Why a URL does not parse (the `url` crate's error, as reqwest's `Url` names it).
pub type UrlError = <reqwest::Url as std::str::FromStr>::Err;

/// Refuses the SMTP URL with a message (which shows it redacted) unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(DigestError::Refused(format!($($msg)+)));
        }
    };
}

/// Refuses the SMTP URL with a message.
macro_rules! bail {
    ($($msg:tt)+) => {
        return Err(DigestError::Refused(format!($($msg)+)))
    };
}

/// One tag's part of the digest.
pub struct Section {
    pub tag: String,
    pub papers: Vec<Recommendation>,
}

/// What a digest may still mail: the tags it is for, with their papers, and what each tag was
/// sent already. Read from the library once, before the archive is read, so the library can be
/// closed while recommendations are computed.
pub struct Pending {
    interests: Interests,
    /// Per tag of `interests.tags`, in that order: the ids it was sent.
    sent: Vec<HashSet<String>>,
}

impl Pending {
    /// The library's tags (every tag, or those named) and what each was sent. A library
    /// without tags has nothing to mail: an error that says how to add one.
    pub fn of(library: &Library, tags: &[String]) -> anyhow::Result<Pending> {
        let interests = Interests::of(library, tags)?;
        anyhow::ensure!(
            !interests.tags.is_empty(),
            "the library has no tags: `arxiv-daily library add --tag TAG ID...`"
        );
        let mut sent = Vec::new();
        for (tag, _) in &interests.tags {
            sent.push(library.sent(tag)?);
        }
        Ok(Pending { interests, sent })
    }

    /// The same tags as if nothing had been sent to them (`digest --resend`).
    pub fn as_never_sent(mut self) -> Pending {
        self.sent.iter_mut().for_each(HashSet::clear);
        self
    }

    /// The tags' interests (what a [`crate::recommend::Meaning`] embeds the descriptions of).
    pub fn interests(&self) -> &Interests {
        &self.interests
    }

    /// Each tag's section for `day`: its best `limit` recommendations of the day's listing that
    /// score at least `min_score` and that the tag was never sent. A paper more than one tag
    /// would take is mailed once, under the tag that scores it highest (the first such tag on a
    /// tie). A section may be empty.
    pub fn select(
        &self,
        r: &Reads<'_>,
        day: Day,
        limit: usize,
        min_score: f32,
        meaning: Option<&crate::recommend::Meaning<'_>>,
    ) -> anyhow::Result<Vec<Section>> {
        let tags = self.interests.tags.len();
        let mut candidates: Vec<Vec<Recommendation>> = Vec::with_capacity(tags);
        for ((tag, papers), sent) in self.interests.tags.iter().zip(&self.sent) {
            let one = Interests {
                tags: vec![(tag.clone(), papers.clone())],
                exclude: self.interests.exclude.clone(),
            };
            // Enough to fill `limit` after the papers already sent, and those another tag
            // takes, are left out.
            let req = Request {
                from: day,
                to: day,
                category: None,
                limit: limit * tags + sent.len(),
            };
            candidates.push(
                crate::recommend::recommend(r, &one, &req, meaning)?
                    .into_iter()
                    .filter(|p| p.score >= min_score && !sent.contains(&p.id))
                    .collect(),
            );
        }
        let mut sections = Vec::with_capacity(tags);
        for (i, (tag, _)) in self.interests.tags.iter().enumerate() {
            let best_here = |p: &Recommendation| {
                candidates.iter().enumerate().all(|(j, other)| {
                    j == i
                        || other
                            .iter()
                            .find(|q| q.id == p.id)
                            .is_none_or(|q| q.score < p.score || (q.score == p.score && i < j))
                })
            };
            let papers: Vec<Recommendation> = candidates[i]
                .iter()
                .filter(|p| best_here(p))
                .take(limit)
                .cloned()
                .collect();
            sections.push(Section {
                tag: tag.clone(),
                papers,
            });
        }
        Ok(sections)
    }
}

/// Records the digest of `day` as mailed (to `recipient`, for `tags`: see
/// [`crate::library::digest_tags`]) and its sections' papers as sent to their tags, in one
/// change of the library: exactly what the message held. Call it only once the server accepted
/// the message: it counts as sent from then on, never before.
pub fn record_sent(
    library: &mut Library,
    day: Day,
    recipient: &str,
    tags: &str,
    sections: &[Section],
) -> crate::library::Result<()> {
    library.change(|c| {
        let mut total = 0;
        for s in sections {
            let ids: Vec<String> = s.papers.iter().map(|p| p.id.clone()).collect();
            total += ids.len();
            c.record_sent(&s.tag, &ids)?;
        }
        c.record_digest(day, recipient, tags, total)
    })
}

/// The first sentences of an abstract that fit in about `max` characters, ending at a sentence:
/// the first sentence alone when it is longer (up to twice `max`), else cut at a word with "…".
pub fn first_lines(text: &str, max: usize) -> String {
    let t = crate::source::unwrap_text(text);
    let t = t.trim();
    if t.chars().count() <= max {
        return t.to_string();
    }
    let ends = sentence_ends(t);
    let chars = |byte: usize| t[..byte].chars().count();
    if let Some(&end) = ends.iter().rev().find(|&&e| chars(e) <= max) {
        return t[..end].to_string();
    }
    if let Some(&end) = ends.first().filter(|&&e| chars(e) <= 2 * max) {
        return t[..end].to_string();
    }
    let cut: String = t.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(p) => format!("{}…", &cut[..p]),
        None => format!("{cut}…"),
    }
}

/// Byte offsets just after each sentence's final mark in `t`: a `.`, `?` or `!` followed by a
/// space and a capital letter or a digit, where the word it ends is not a common abbreviation
/// ("e.g.", "et al.", "Fig.") or a lone initial ("J. Smith").
fn sentence_ends(t: &str) -> Vec<usize> {
    const ABBREVIATIONS: [&str; 10] = [
        "e.g", "i.e", "al", "vs", "fig", "eq", "cf", "etc", "approx", "resp",
    ];
    let bytes = t.as_bytes();
    let mut ends = Vec::new();
    for (i, c) in t.char_indices() {
        if !matches!(c, '.' | '?' | '!') || bytes.get(i + 1) != Some(&b' ') {
            continue;
        }
        let next = t[i + 2..].chars().next();
        if !next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit()) {
            continue;
        }
        let word = t[..i].rsplit(' ').next().unwrap_or("");
        let lower = word.trim_start_matches('(').to_lowercase();
        if c == '.'
            && (ABBREVIATIONS.contains(&lower.as_str())
                || (word.chars().count() == 1 && word.chars().all(char::is_uppercase)))
        {
            continue;
        }
        ends.push(i + 1);
    }
    ends.push(t.len());
    ends.retain(|&e| e < t.len() || t.ends_with(['.', '?', '!']));
    ends
}

/// An author list as an email shows it: whole up to six names, else the first three and how many
/// more ("A, B, C and 23 more").
pub fn short_authors(authors: &str) -> String {
    let all = crate::source::unwrap_text(authors);
    let names: Vec<&str> = all.split(", ").collect();
    if names.len() <= 6 {
        return all;
    }
    format!("{} and {} more", names[..3].join(", "), names.len() - 3)
}

/// The subject line.
pub fn subject(day: Day, sections: &[Section]) -> String {
    let total: usize = sections.iter().map(|s| s.papers.len()).sum();
    let parts: Vec<String> = sections
        .iter()
        .map(|s| format!("{} {}", s.tag, s.papers.len()))
        .collect();
    if total == 0 {
        format!("arXiv for you, {day}: nothing new")
    } else {
        format!(
            "arXiv for you, {day}: {total} {} ({})",
            if total == 1 { "paper" } else { "papers" },
            parts.join(", ")
        )
    }
}

/// The plain-text body.
pub fn text_body(day: Day, sections: &[Section]) -> String {
    let mut out = format!("Recommended from arXiv's listing of {day}, by your tags.\n");
    for s in sections {
        out.push_str(&format!("\n== {} ({}) ==\n", s.tag, s.papers.len()));
        if s.papers.is_empty() {
            out.push_str("\nNothing new for this tag.\n");
        }
        for p in &s.papers {
            out.push_str(&format!(
                "\n{}\nhttps://arxiv.org/abs/{}\n{}\nWhy: {}\n{}\n",
                crate::source::unwrap_text(&p.title),
                p.id,
                short_authors(&p.authors),
                p.why.join(", "),
                first_lines(&p.abstract_text, 320)
            ));
        }
    }
    out.push_str("\n-- \narxiv-daily digest. Save or dismiss papers with `arxiv-daily library` or in `arxiv-daily serve`.\n");
    out
}

/// The HTML body (escaped by maud).
pub fn html_body(day: Day, sections: &[Section]) -> String {
    maud::html! {
        (maud::DOCTYPE)
        html {
            head { meta charset="utf-8"; title { "arXiv for you, " (day) } }
            body style="font-family: Georgia, serif; max-width: 40rem; margin: auto; color: #1d1d1f" {
                p style="color: #6b6b70" { "Recommended from arXiv's listing of " (day) ", by your tags." }
                @for s in sections {
                    h2 style="border-bottom: 2px solid #b31b1b; font-size: 1.15rem" { (s.tag) " (" (s.papers.len()) ")" }
                    @if s.papers.is_empty() { p { "Nothing new for this tag." } }
                    @for p in &s.papers {
                        div style="margin: 0 0 1.1rem" {
                            a href={ "https://arxiv.org/abs/" (p.id) } style="font-size: 1.05rem; color: #1a56a6" {
                                (crate::source::unwrap_text(&p.title))
                            }
                            div style="font-size: .9rem" { (short_authors(&p.authors)) }
                            div style="font-size: .85rem; color: #6b6b70" { "Why: " (p.why.join(", ")) " · arXiv:" (p.id) }
                            p style="margin: .3rem 0 0" { (first_lines(&p.abstract_text, 320)) }
                        }
                    }
                }
                p style="color: #6b6b70; font-size: .8rem" { "arxiv-daily digest" }
            }
        }
    }
    .into_string()
}

/// What `digest --dry-run` prints: the headers a reader sees and the plain-text body, decoded
/// (the message itself goes out as quoted-printable MIME, which is no preview).
pub fn preview(from: &str, to: &str, day: Day, sections: &[Section]) -> String {
    format!(
        "From: {from}\nTo: {to}\nSubject: {}\n\n{}",
        subject(day, sections),
        text_body(day, sections)
    )
}

/// The whole message.
pub fn message(from: &str, to: &str, day: Day, sections: &[Section]) -> Result<Message> {
    let address = |flag: &'static str, value: &str| {
        value
            .parse::<Mailbox>()
            .map_err(|source| DigestError::Address {
                flag,
                value: value.to_string(),
                source,
            })
    };
    // A Message-ID (lettre makes one: a random part at this machine's name) and a Date
    // (lettre's, now): mail clients thread and sort by them, and filters distrust mail without.
    Message::builder()
        .message_id(None)
        .from(address("--from-addr", from)?)
        .to(address("--to", to)?)
        .subject(subject(day, sections))
        .multipart(MultiPart::alternative_plain_html(
            text_body(day, sections),
            html_body(day, sections),
        ))
        .map_err(DigestError::Message)
}

/// Where and how to send: an SMTP URL as lettre's `from_url` reads it (`smtps://user@host`,
/// `smtp://user@host:587?tls=required`, `smtp://127.0.0.1:2525`), the password apart.
///
/// A password is only ever sent over TLS (`smtps://`, or `?tls=required`): `?tls=opportunistic`
/// sends it in clear text when the server (or a man in the middle) leaves STARTTLS out, and a
/// URL without TLS always does. The one exception is a relay on this machine, allowed by name:
/// `smtp://user@127.0.0.1:PORT?tls=none&insecure_auth=loopback`.
pub struct Smtp {
    pub url: String,
    pub password: Option<String>,
    pub timeout: Duration,
    /// Attempts for a transient failure, and the first wait (doubling).
    pub attempts: u32,
    pub backoff: Duration,
}

/// `url` as it may be shown: the password of a `user:password@` becomes `***`, whether or not
/// the rest of the URL parses (the last `@` ends what may be a password).
pub fn redacted(url: &str) -> String {
    let start = url.find("://").map_or(0, |p| p + 3);
    let rest = &url[start..];
    let Some(at) = rest.rfind('@') else {
        return url.to_string();
    };
    match rest[..at].find(':') {
        Some(colon) => format!("{}{}:***{}", &url[..start], &rest[..colon], &rest[at..]),
        None => url.to_string(),
    }
}

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `?tls=required`: STARTTLS or nothing.
    Required,
    /// `?tls=opportunistic`: STARTTLS when the server offers it, else clear text.
    Opportunistic,
    /// No TLS (`smtp://` alone, or `?tls=none`).
    None,
}

/// A host that is this machine (the packets never leave it): a loopback address or `localhost`.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

impl Smtp {
    /// Checks the URL without connecting: a URL lettre takes, no password in it, and a password
    /// (when there is one) that would only cross TLS. Errors show the URL redacted.
    pub fn check(&self) -> Result<()> {
        self.lettre_url().map(|_| ())
    }

    /// The URL lettre is given: our own parameters taken out, the password put in.
    fn lettre_url(&self) -> Result<reqwest::Url> {
        let shown = redacted(&self.url);
        let mut url = reqwest::Url::parse(&self.url).map_err(|source| DigestError::Url {
            shown: shown.clone(),
            source,
        })?;
        ensure!(
            matches!(url.scheme(), "smtp" | "smtps"),
            "SMTP URL {shown}: the scheme is smtp:// (STARTTLS with ?tls=required) or smtps://"
        );
        ensure!(
            url.password().is_none(),
            "the SMTP URL {shown} has a password in it: take it out and put it in ARXIV_DAILY_SMTP_PASSWORD"
        );
        let mut tls = None;
        let mut insecure_auth = false;
        for (k, v) in url.query_pairs() {
            match (k.as_ref(), v.as_ref()) {
                ("tls", "required" | "opportunistic" | "none") => tls = Some(v.into_owned()),
                ("insecure_auth", "loopback") => insecure_auth = true,
                _ => bail!(
                    "SMTP URL {shown}: unknown parameter {k}={v} (known: tls=required, tls=opportunistic, tls=none, insecure_auth=loopback)"
                ),
            }
        }
        let security = match (url.scheme(), tls.as_deref()) {
            ("smtps", _) => Security::Implicit,
            (_, Some("required")) => Security::Required,
            (_, Some("opportunistic")) => Security::Opportunistic,
            _ => Security::None,
        };
        if let Some(p) = &self.password {
            ensure!(
                !url.username().is_empty(),
                "ARXIV_DAILY_SMTP_PASSWORD is set but the SMTP URL {shown} names no user (smtp://USER@HOST)"
            );
            let mut local = url.clone();
            local.set_query(Some("tls=none&insecure_auth=loopback"));
            let how = format!(
                "send it over TLS with smtps://USER@HOST or smtp://USER@HOST:587?tls=required; for a relay on this machine only (127.0.0.1 or localhost), allow it with {}",
                redacted(local.as_str())
            );
            match security {
                Security::Implicit | Security::Required => {}
                Security::Opportunistic => bail!(
                    "SMTP URL {shown}: with ?tls=opportunistic the password goes in clear text whenever the server (or a man in the middle) leaves STARTTLS out, so it is not sent: {how}"
                ),
                Security::None if !insecure_auth => bail!(
                    "SMTP URL {shown}: the connection has no TLS and the password would cross it in clear text, so it is not sent: {how}"
                ),
                Security::None => ensure!(
                    is_loopback(&url),
                    "SMTP URL {shown}: insecure_auth=loopback allows a password without TLS only to a relay on this machine (127.0.0.1 or localhost), and {} is not one: send it over TLS with smtps://USER@HOST or ?tls=required",
                    url.host_str().unwrap_or("")
                ),
            }
            url.set_password(Some(p)).map_err(|()| {
                DigestError::Refused(format!("SMTP URL {shown}: cannot hold a password"))
            })?;
        }
        // lettre knows `tls=required` and `tls=opportunistic`; no TLS is its default.
        match security {
            Security::Required => url.set_query(Some("tls=required")),
            Security::Opportunistic => url.set_query(Some("tls=opportunistic")),
            Security::Implicit | Security::None => url.set_query(None),
        }
        Ok(url)
    }

    /// The transport, from the checked URL.
    fn transport(&self) -> Result<SmtpTransport> {
        let url = self.lettre_url()?;
        Ok(SmtpTransport::from_url(url.as_str())
            .map_err(|e| DigestError::Transport {
                shown: redacted(&self.url),
                source: SmtpFailure(e),
            })?
            .timeout(Some(self.timeout))
            .build())
    }

    /// Sends, retrying what may pass later. `on_retry` hears of each wait.
    pub fn send(&self, message: &Message, mut on_retry: impl FnMut(&str)) -> Result<()> {
        let transport = self.transport()?;
        let backoff = crate::retry::Backoff {
            first: self.backoff,
            attempts: self.attempts,
        };
        let through = redacted(&self.url);
        crate::retry::run(
            &mut (),
            backoff,
            |_, wait| {
                std::thread::sleep(wait);
                match transport.send(message) {
                    Ok(_) => Attempt::Done(()),
                    Err(e) if e.is_permanent() || e.is_client() || e.is_tls() => {
                        Attempt::Fatal(DigestError::Permanent {
                            through: through.clone(),
                            source: SmtpFailure(e),
                        })
                    }
                    Err(e) => Attempt::Again {
                        reason: describe(&e),
                        wait: None,
                    },
                }
            },
            |_, retry| {
                on_retry(&format!(
                    "sending the digest: {}; attempt {} of {}, trying again in {:.0} s",
                    retry.reason,
                    retry.attempt,
                    retry.attempts,
                    retry.wait.as_secs_f64()
                ))
            },
            |_, why, attempts| DigestError::GaveUp {
                through: through.clone(),
                attempts,
                why,
            },
        )
    }
}

/// The error with its causes.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cause = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_lines_end_at_a_sentence_or_a_word() {
        let a = "One sentence here. Another one that goes on and on and on.";
        assert_eq!(first_lines(a, 30), "One sentence here.");
        assert_eq!(first_lines("short", 40), "short");
        assert_eq!(first_lines("aaaa bbbb cccc dddd", 12), "aaaa bbbb…");
        // Whole sentences that fit; abbreviations and initials do not end one.
        let b = "We study robots, e.g. Spot and ANYmal by J. Smith et al. In the field. Results follow here.";
        assert_eq!(
            first_lines(b, 75),
            "We study robots, e.g. Spot and ANYmal by J. Smith et al. In the field."
        );
        // A first sentence longer than the room is kept whole (up to twice the room).
        let c = "A first sentence that runs longer than the room given. Then more.";
        assert_eq!(
            first_lines(c, 40),
            "A first sentence that runs longer than the room given."
        );
        // One sentence with no end in reach is cut at a word.
        assert_eq!(
            first_lines("one two three four five six seven eight nine ten", 20),
            "one two three four…"
        );
    }

    #[test]
    fn long_author_lists_are_shortened() {
        assert_eq!(short_authors("A. One, B. Two"), "A. One, B. Two");
        let many: Vec<String> = (1..=26).map(|i| format!("Author {i}")).collect();
        assert_eq!(
            short_authors(&many.join(", ")),
            "Author 1, Author 2, Author 3 and 23 more"
        );
    }

    fn smtp(url: &str, password: Option<&str>) -> Smtp {
        Smtp {
            url: url.into(),
            password: password.map(str::to_string),
            timeout: Duration::from_secs(1),
            attempts: 1,
            backoff: Duration::ZERO,
        }
    }

    #[test]
    fn a_password_in_the_url_is_refused() {
        let e = smtp("smtp://me:secret@127.0.0.1:25", None)
            .transport()
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("ARXIV_DAILY_SMTP_PASSWORD"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        assert!(e.contains("smtp://me:***@127.0.0.1:25"), "{e}");
    }

    #[test]
    fn urls_are_shown_without_their_password() {
        for (url, shown) in [
            ("smtp://me:pw@host:25", "smtp://me:***@host:25"),
            (
                "http://me:pw@127.0.0.1:99999",
                "http://me:***@127.0.0.1:99999",
            ),
            ("smtp://me:p@ss/w@[::1:25", "smtp://me:***@[::1:25"),
            ("me:pw@host", "me:***@host"),
            (
                "smtp://me@host:25?tls=required",
                "smtp://me@host:25?tls=required",
            ),
            ("smtp://host", "smtp://host"),
        ] {
            assert_eq!(redacted(url), shown, "{url}");
        }
    }

    #[test]
    fn a_password_goes_only_over_tls_or_to_an_allowed_local_relay() {
        let pw = Some("pw");
        for ok in [
            "smtps://me@mail.example.org",
            "smtp://me@mail.example.org:587?tls=required",
            "smtp://me@127.0.0.1:2525?tls=none&insecure_auth=loopback",
            "smtp://me@localhost:2525?insecure_auth=loopback",
            "smtp://me@[::1]:2525?tls=none&insecure_auth=loopback",
        ] {
            let url = smtp(ok, pw).lettre_url().unwrap();
            assert_eq!(url.password(), Some("pw"), "{ok}");
            assert!(!url.as_str().contains("insecure_auth"), "{url}");
            assert!(!url.as_str().contains("tls=none"), "{url}");
        }
        for refused in [
            "smtp://me@127.0.0.1:2525",
            "smtp://me@127.0.0.1:2525?tls=none",
            "smtp://me@127.0.0.1:2525?tls=opportunistic",
            "smtp://me@mail.example.org:587?tls=opportunistic&insecure_auth=loopback",
            "smtp://me@mail.example.org:25?insecure_auth=loopback",
            "smtp://me@127.0.0.2.example.org:25?insecure_auth=loopback",
            "smtp://me@127.0.0.1:25?insecure_auth=yes",
        ] {
            let e = smtp(refused, pw).check().unwrap_err().to_string();
            assert!(e.contains("SMTP URL smtp://me@"), "{refused}: {e}");
        }
        // Without a password, a relay needs no permission.
        smtp("smtp://127.0.0.1:2525", None).check().unwrap();
        smtp("smtp://127.0.0.1:2525?tls=none", None)
            .check()
            .unwrap();
    }
}
