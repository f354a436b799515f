//! The one polite HTTP client every network source uses: one connection, a minimum interval
//! between requests (arXiv asks for 3 s), a User-Agent naming the tool, timeouts, retries with
//! exponential backoff on timeouts and 5xx, and `Retry-After` honoured on 429 and 503.

use std::time::{Duration, Instant};

use super::SourceError;
use crate::retry::{Attempt, Backoff};

/// How the client paces and retries.
#[derive(Debug, Clone)]
pub struct Politeness {
    /// Least time between the starts of two requests.
    pub min_interval: Duration,
    /// Timeout of one request (connect and read).
    pub timeout: Duration,
    /// Retries after the first attempt, for timeouts, 5xx, 429.
    pub max_retries: u32,
    /// Longest `Retry-After` we accept before giving up.
    pub max_retry_after: Duration,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            min_interval: Duration::from_secs(3),
            timeout: Duration::from_secs(60),
            max_retries: 5,
            max_retry_after: Duration::from_secs(600),
        }
    }
}

/// Counters for summaries.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct HttpStats {
    pub requests: u64,
    pub retries: u64,
    pub waited_ms: u64,
}

pub struct PoliteClient {
    client: reqwest::blocking::Client,
    policy: Politeness,
    last_request: Option<Instant>,
    pub stats: HttpStats,
    /// Told of each retry before its wait (the CLI prints one stderr line per retry).
    on_retry: Option<RetryHook>,
}

/// What [`PoliteClient::on_retry`] keeps.
type RetryHook = Box<dyn FnMut(&Retry<'_>)>;

/// A failed attempt that will be tried again.
#[derive(Debug)]
pub struct Retry<'a> {
    pub url: &'a str,
    /// What failed, with its underlying cause.
    pub reason: &'a str,
    /// The attempt that failed (1-based) and how many there are at most.
    pub attempt: u32,
    pub attempts: u32,
    /// How long the client waits before the next attempt.
    pub delay: Duration,
}

impl std::fmt::Display for Retry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (attempt {} of {}); retrying in {:.1}s",
            self.url,
            self.reason,
            self.attempt,
            self.attempts,
            self.delay.as_secs_f64()
        )
    }
}

/// An error and its causes, outermost first (`error sending request for url (...)` alone does
/// not say whether the name, the connection or TLS failed).
fn with_causes(e: &reqwest::Error) -> String {
    // The URL is named once, by the caller's error.
    let mut text = match e.url() {
        Some(url) => e.to_string().replace(&format!(" for url ({url})"), ""),
        None => e.to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
        source = cause.source();
    }
    text
}

/// Whether a failed request cannot succeed by trying again: a URL that does not parse, a host
/// name that does not exist (glibc's and macOS's words for it), a TLS handshake or certificate
/// that fails, a redirect loop. A timeout, a refused or reset connection and a temporary
/// name-resolution failure may pass, and are retried.
fn is_permanent(e: &reqwest::Error, described: &str) -> bool {
    let lower = described.to_ascii_lowercase();
    // rustls reports a failed handshake or certificate as invalid data, in an I/O error that
    // hyper wraps in another (whose `source` skips the inner one: it is read with `get_ref`).
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let mut io = cause.downcast_ref::<std::io::Error>();
        while let Some(err) = io {
            if err.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
            io = err.get_ref().and_then(|inner| inner.downcast_ref());
        }
        source = cause.source();
    }
    e.is_builder()
        || e.is_redirect()
        || lower.contains("name or service not known")
        || lower.contains("nodename nor servname")
        || lower.contains("no address associated")
        || lower.contains("invalid dns name")
}

pub(crate) fn user_agent() -> String {
    let contact = std::env::var("ARXIV_DAILY_CONTACT")
        .ok()
        .filter(|c| !c.trim().is_empty());
    match contact {
        Some(c) => format!(
            "arxiv-daily/{} (daily arXiv archive; {c})",
            env!("CARGO_PKG_VERSION")
        ),
        None => format!(
            "arxiv-daily/{} (daily arXiv archive)",
            env!("CARGO_PKG_VERSION")
        ),
    }
}

/// A response body that arrived whole, with its final URL.
pub struct Body {
    pub url: String,
    pub text: String,
}

impl PoliteClient {
    pub fn new(policy: Politeness) -> Result<PoliteClient, SourceError> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(user_agent())
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(30)))
            .pool_max_idle_per_host(1)
            .http1_only()
            .build()
            .map_err(|e| SourceError::Http {
                url: String::new(),
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(PoliteClient {
            client,
            policy,
            last_request: None,
            stats: HttpStats::default(),
            on_retry: None,
        })
    }

    /// Calls `f` before each retry's wait.
    pub fn on_retry(&mut self, f: impl FnMut(&Retry<'_>) + 'static) {
        self.on_retry = Some(Box::new(f));
    }

    fn pace(&mut self, extra: Duration) {
        let wait = match self.last_request {
            Some(t) => (self.policy.min_interval.max(extra)).saturating_sub(t.elapsed()),
            None => extra,
        };
        if !wait.is_zero() {
            self.stats.waited_ms += wait.as_millis() as u64;
            std::thread::sleep(wait);
        }
        self.last_request = Some(Instant::now());
    }

    /// GETs `url` and returns its body as text. Retries what is worth retrying; everything else is
    /// an error naming the URL.
    pub fn get(&mut self, url: &str) -> Result<Body, SourceError> {
        let fail = |message: String| SourceError::Http {
            url: url.to_string(),
            message,
        };
        let backoff = Backoff {
            first: self.policy.min_interval.max(Duration::from_millis(200)),
            attempts: self.policy.max_retries + 1,
        };
        crate::retry::run(
            self,
            backoff,
            |client, wait| {
                client.pace(wait);
                client.stats.requests += 1;
                client.attempt(url).map_err(fail)
            },
            |client, retry| {
                client.stats.retries += 1;
                if let Some(notify) = client.on_retry.as_mut() {
                    notify(&Retry {
                        url,
                        reason: retry.reason,
                        attempt: retry.attempt,
                        attempts: retry.attempts,
                        delay: client.policy.min_interval.max(retry.wait),
                    });
                }
            },
            |_, reason, attempts| fail(format!("{reason} (gave up after {attempts} attempts)")),
        )
    }

    /// One request: the body, a failure worth another attempt, or one that is not (its message).
    fn attempt(&self, url: &str) -> Attempt<Body, String> {
        let again = |reason: String, wait: Option<Duration>| Attempt::Again { reason, wait };
        let resp = match self.client.get(url).send() {
            Ok(resp) => resp,
            Err(e) if e.is_timeout() => {
                let why = format!("timed out after {}s", self.policy.timeout.as_secs_f64());
                return again(why, None);
            }
            Err(e) => {
                let described = with_causes(&e);
                if is_permanent(&e, &described)
                    || !(e.is_connect() || e.is_request() || e.is_body())
                {
                    return Attempt::Fatal(described);
                }
                return again(described, None);
            }
        };
        let status = resp.status();
        if status.as_u16() == 429 || status.as_u16() == 503 {
            let after = retry_after(resp.headers().get(reqwest::header::RETRY_AFTER));
            if let Some(after) = after
                && after > self.policy.max_retry_after
            {
                return Attempt::Fatal(format!(
                    "HTTP {status}: asked to retry after {}s, longer than we wait",
                    after.as_secs()
                ));
            }
            return again(format!("HTTP {status}"), after);
        }
        if status.is_server_error() {
            return again(format!("HTTP {status}"), None);
        }
        if !status.is_success() {
            return Attempt::Fatal(format!("HTTP {status}"));
        }
        let final_url = resp.url().to_string();
        match resp.bytes() {
            // The services declare UTF-8; anything else is a broken response, not text to
            // guess at.
            Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
                Ok(text) => Attempt::Done(Body {
                    url: final_url,
                    text,
                }),
                Err(e) => Attempt::Fatal(format!(
                    "the response is not valid UTF-8 (at byte {})",
                    e.utf8_error().valid_up_to()
                )),
            },
            Err(e) => again(
                format!("the response body was cut off: {}", with_causes(&e)),
                None,
            ),
        }
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(value: Option<&reqwest::header::HeaderValue>) -> Option<Duration> {
    let s = value?.to_str().ok()?.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(s).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let secs = (when.as_second() - now.as_second()).max(0) as u64;
    Some(Duration::from_secs(secs))
}
