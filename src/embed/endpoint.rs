//! An OpenAI-compatible embeddings endpoint (`POST {base}/embeddings` with `{"model", "input"}`,
//! answered by `{"data": [{"index", "embedding"}]}`): Ollama, llama.cpp's server,
//! text-embeddings-inference, vLLM, or a hosted API. The key, when the server needs one, comes
//! from `ARXIV_DAILY_EMBEDDINGS_KEY` (sent as a bearer token), never from the config file.
//! Texts go in batches of [`BATCH`]; a timeout, a 429 or a 5xx is tried again with backoff
//! (honouring `Retry-After`), anything else fails with the server's message.

use std::time::Duration;

use crate::retry::{Attempt, Backoff};

use super::{EmbedError, Embedder, Result};

/// Texts per request.
pub const BATCH: usize = 64;

pub struct Endpoint {
    client: reqwest::blocking::Client,
    url: String,
    model: String,
    key: Option<String>,
    identity: String,
    dim: usize,
    backoff: Backoff,
}

/// The identity of an endpoint's vectors: the model it serves (the same model behind another
/// URL gives the same vectors), or the URL when no model is named.
pub fn identity(url: &str, model: &str) -> String {
    if model.is_empty() {
        format!("endpoint {url}")
    } else {
        format!("endpoint {model}")
    }
}

#[derive(serde::Deserialize)]
struct Answer {
    data: Vec<Item>,
}

#[derive(serde::Deserialize)]
struct Item {
    #[serde(default)]
    index: Option<usize>,
    embedding: Vec<f32>,
}

impl Endpoint {
    /// A client of the endpoint at `base` (e.g. `http://127.0.0.1:11434/v1`); asks it once for
    /// one vector, to learn the dimension and to fail now if it does not answer.
    pub fn connect(base: &str, model: &str) -> Result<Endpoint> {
        let url = format!("{}/embeddings", base.trim_end_matches('/'));
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!(
                "arxiv-daily/",
                env!("CARGO_PKG_VERSION"),
                " (embeddings)"
            ))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| EmbedError::Endpoint {
                url: url.clone(),
                message: e.to_string(),
            })?;
        let mut endpoint = Endpoint {
            client,
            url,
            model: model.to_string(),
            key: std::env::var("ARXIV_DAILY_EMBEDDINGS_KEY")
                .ok()
                .filter(|k| !k.is_empty()),
            identity: identity(base.trim_end_matches('/'), model),
            dim: 0,
            backoff: Backoff {
                first: Duration::from_millis(500),
                attempts: 5,
            },
        };
        endpoint.dim = endpoint
            .request(&["dimension probe"])?
            .first()
            .map_or(0, Vec::len);
        if endpoint.dim == 0 {
            return Err(endpoint.error("answered an empty embedding".into()));
        }
        Ok(endpoint)
    }

    fn error(&self, message: String) -> EmbedError {
        EmbedError::Endpoint {
            url: self.url.clone(),
            message,
        }
    }

    /// One batch, tried again on failures that may pass.
    fn request(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        crate::retry::run(
            &mut (),
            self.backoff,
            |_, wait| {
                std::thread::sleep(wait);
                self.attempt(texts)
            },
            |_, retry| {
                eprintln!(
                    "arxiv-daily: {}: {} (attempt {} of {}); again in {:.1} s",
                    self.url,
                    retry.reason,
                    retry.attempt,
                    retry.attempts,
                    retry.wait.as_secs_f64()
                );
            },
            |_, reason, attempts| {
                self.error(format!("{reason} (gave up after {attempts} attempts)"))
            },
        )
    }

    fn attempt(&self, texts: &[&str]) -> Attempt<Vec<Vec<f32>>, EmbedError> {
        let mut body = serde_json::json!({ "input": texts });
        if !self.model.is_empty() {
            body["model"] = self.model.clone().into();
        }
        let mut req = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(key) = &self.key {
            req = req.bearer_auth(key);
        }
        let resp = match req.send() {
            Ok(r) => r,
            Err(e) if e.is_timeout() || e.is_connect() => {
                return Attempt::Again {
                    reason: e.to_string(),
                    wait: None,
                };
            }
            Err(e) => return Attempt::Fatal(self.error(e.to_string())),
        };
        let status = resp.status();
        if status.as_u16() == 429 || status.is_server_error() {
            let wait = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(600)));
            return Attempt::Again {
                reason: format!("HTTP {status}"),
                wait,
            };
        }
        let text = match resp.text() {
            Ok(t) => t,
            Err(e) => {
                return Attempt::Again {
                    reason: e.to_string(),
                    wait: None,
                };
            }
        };
        if !status.is_success() {
            let detail: String = text.chars().take(300).collect();
            return Attempt::Fatal(self.error(format!("HTTP {status}: {}", detail.trim())));
        }
        let answer: Answer = match serde_json::from_str(&text) {
            Ok(a) => a,
            Err(e) => {
                return Attempt::Fatal(self.error(format!(
                    "not an embeddings answer ({e}); is this an OpenAI-compatible /v1 base URL?"
                )));
            }
        };
        if answer.data.len() != texts.len() {
            return Attempt::Fatal(self.error(format!(
                "{} embeddings for {} texts",
                answer.data.len(),
                texts.len()
            )));
        }
        let mut out = vec![Vec::new(); texts.len()];
        for (i, item) in answer.data.into_iter().enumerate() {
            let at = item.index.unwrap_or(i);
            if at >= out.len() || (self.dim > 0 && item.embedding.len() != self.dim) {
                return Attempt::Fatal(self.error(format!(
                    "embedding {at} has {} values, expected {}",
                    item.embedding.len(),
                    self.dim
                )));
            }
            out[at] = super::normalized(item.embedding);
        }
        Attempt::Done(out)
    }
}

impl Embedder for Endpoint {
    fn identity(&self) -> &str {
        &self.identity
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(BATCH) {
            out.extend(self.request(chunk)?);
        }
        Ok(out)
    }
}
