//! The morning digest: one email of each tag's newest recommendations, as text and HTML, sent
//! over SMTP with lettre. A paper goes to a tag at most once (the library keeps what was sent,
//! recorded only after the server accepted the message); a transient failure is retried with
//! backoff, a permanent one fails at once and records nothing.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};

use crate::model::Day;
use crate::recommend::Recommendation;

/// One tag's part of the digest.
pub struct Section {
    pub tag: String,
    pub papers: Vec<Recommendation>,
}

/// The first sentences of an abstract, about `max` characters, cut at a word.
pub fn first_lines(text: &str, max: usize) -> String {
    let t = crate::source::unwrap_text(text);
    let t = t.trim();
    if t.chars().count() <= max {
        return t.to_string();
    }
    let cut: String = t.chars().take(max).collect();
    match cut.rfind(". ") {
        Some(p) if p > max / 2 => cut[..=p].to_string(),
        _ => match cut.rfind(' ') {
            Some(p) => format!("{}…", &cut[..p]),
            None => format!("{cut}…"),
        },
    }
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
                crate::source::unwrap_text(&p.authors),
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
                            div style="font-size: .9rem" { (crate::source::unwrap_text(&p.authors)) }
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

/// The whole message.
pub fn message(from: &str, to: &str, day: Day, sections: &[Section]) -> anyhow::Result<Message> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| anyhow::anyhow!("--from-addr {from:?}: {e}"))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| anyhow::anyhow!("--to {to:?}: {e}"))?;
    Ok(Message::builder()
        .from(from)
        .to(to)
        .subject(subject(day, sections))
        .multipart(MultiPart::alternative_plain_html(
            text_body(day, sections),
            html_body(day, sections),
        ))?)
}

/// Where and how to send: an SMTP URL as lettre's `from_url` reads it (`smtps://user@host`,
/// `smtp://user@host:587?tls=required`, `smtp://127.0.0.1:2525`), the password apart.
pub struct Smtp {
    pub url: String,
    pub password: Option<String>,
    pub timeout: Duration,
    /// Attempts for a transient failure, and the first wait (doubling).
    pub attempts: u32,
    pub backoff: Duration,
}

impl Smtp {
    /// Checks the URL (never with a password in it) and adds the password.
    fn transport(&self) -> anyhow::Result<SmtpTransport> {
        let mut url = reqwest::Url::parse(&self.url)
            .map_err(|e| anyhow::anyhow!("SMTP URL {:?}: {e}", self.url))?;
        anyhow::ensure!(
            matches!(url.scheme(), "smtp" | "smtps"),
            "SMTP URL {:?}: the scheme is smtp:// (STARTTLS with ?tls=required) or smtps://",
            self.url
        );
        anyhow::ensure!(
            url.password().is_none(),
            "the SMTP URL has a password in it: take it out and put it in ARXIV_DAILY_SMTP_PASSWORD"
        );
        if let Some(p) = &self.password {
            anyhow::ensure!(
                !url.username().is_empty(),
                "ARXIV_DAILY_SMTP_PASSWORD is set but the SMTP URL names no user (smtp://USER@HOST)"
            );
            url.set_password(Some(p))
                .map_err(|()| anyhow::anyhow!("SMTP URL: cannot hold a password"))?;
        }
        Ok(SmtpTransport::from_url(url.as_str())
            .map_err(|e| anyhow::anyhow!("SMTP URL {:?}: {e}", self.url))?
            .timeout(Some(self.timeout))
            .build())
    }

    /// Sends, retrying what may pass later. `on_retry` hears of each wait.
    pub fn send(&self, message: &Message, mut on_retry: impl FnMut(&str)) -> anyhow::Result<()> {
        let transport = self.transport()?;
        let mut wait = self.backoff;
        let attempts = self.attempts.max(1);
        for attempt in 1..=attempts {
            match transport.send(message) {
                Ok(_) => return Ok(()),
                Err(e) => {
                    let why = describe(&e);
                    let transient = !e.is_permanent() && !e.is_client() && !e.is_tls();
                    if !transient || attempt == attempts {
                        anyhow::bail!(
                            "sending the digest through {} failed{}: {why}",
                            self.url,
                            if transient {
                                format!(" after {attempts} attempts")
                            } else {
                                " (permanent: not retried)".into()
                            }
                        );
                    }
                    on_retry(&format!(
                        "sending the digest: {why}; attempt {attempt} of {attempts}, trying again in {:.0} s",
                        wait.as_secs_f64()
                    ));
                    std::thread::sleep(wait);
                    wait *= 2;
                }
            }
        }
        unreachable!("the loop returns or fails on its last attempt")
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
    }

    #[test]
    fn a_password_in_the_url_is_refused() {
        let smtp = Smtp {
            url: "smtp://me:secret@127.0.0.1:25".into(),
            password: None,
            timeout: Duration::from_secs(1),
            attempts: 1,
            backoff: Duration::ZERO,
        };
        let e = smtp.transport().err().unwrap().to_string();
        assert!(e.contains("ARXIV_DAILY_SMTP_PASSWORD"), "{e}");
        assert!(!e.contains("secret"), "{e}");
    }
}
