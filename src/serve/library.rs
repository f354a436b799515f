//! The library in the web reader: what a page shows of it ([`Mine`]), its one writer
//! connection, and the guard every write passes.
//!
//! The server never writes the archive; it writes only the library, through one connection
//! behind a mutex. Every write is a POST of a form carrying the installation's CSRF token (an
//! HMAC of the per-installation secret in the data folder), from the same origin
//! (`Sec-Fetch-Site`, else `Origin` against `Host`); anything else changes nothing and is a 403.
//! Bound to another address than loopback, writes are off unless a token was given
//! (`--token`/`ARXIV_DAILY_TOKEN`), and then each needs the session cookie that logging in
//! with it sets.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, header};

use anyhow::Context;

use crate::library::{Changes, Kind, Library};
use crate::recommend::Recommendation;
use crate::serve::AppError;

/// The secret's file in the data folder.
pub(crate) const SECRET_FILE: &str = "serve-secret";
/// The session cookie's name.
pub(crate) const COOKIE: &str = "arxiv_daily_session";

/// Who may write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Writes {
    /// Loopback without a token: the forms' token and the origin check.
    Open,
    /// With a token: also the session cookie its login sets (holding this value).
    Session(String),
    /// Another address than loopback, and no token.
    Off,
}

/// Recommendations kept: the library version and archive batch they were made at.
type Kept = (i64, i64, Arc<Vec<Recommendation>>);

/// The library side of the server.
pub(crate) struct LibraryState {
    path: PathBuf,
    writer: Mutex<Option<Library>>,
    idle: Mutex<Vec<Library>>,
    pub(crate) csrf: String,
    pub(crate) writes: Writes,
    /// The token itself (compared at login).
    token: Option<String>,
    /// Recommendations kept per (request, library version, archive write batch).
    cache: Mutex<HashMap<String, Kept>>,
}

/// What a page shows of the library: the tags, each shown paper's tags, the form token.
#[derive(Default)]
pub(crate) struct Mine {
    pub(crate) tags: Vec<String>,
    pub(crate) of: HashMap<String, Vec<(String, Kind)>>,
    pub(crate) csrf: String,
    pub(crate) writable: bool,
}

impl Mine {
    pub(crate) fn tags_of(&self, id: &str) -> &[(String, Kind)] {
        self.of.get(id).map_or(&[], Vec::as_slice)
    }
}

fn hmac(secret: &[u8], what: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let tag = ring::hmac::sign(&key, what.as_bytes());
    crate::files::hex(tag.as_ref())
}

/// Equal strings, in time that does not depend on where they differ.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The installation's secret: read, or made (32 random bytes, hex, readable by its owner only).
fn secret(dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(SECRET_FILE);
    if let Ok(s) = std::fs::read_to_string(&path) {
        let s = s.trim();
        anyhow::ensure!(
            s.len() >= 32,
            "{}: too short for a secret; delete it and a new one is made",
            path.display()
        );
        return Ok(s.as_bytes().to_vec());
    }
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| anyhow::anyhow!("no random numbers for the secret"))?;
    let hex = crate::files::hex(&bytes);
    crate::files::write_atomic(&path, hex.as_bytes(), crate::files::Mode::Private)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(hex.into_bytes())
}

fn has_cookie(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .any(|c| {
            c.trim()
                .strip_prefix(COOKIE)
                .and_then(|r| r.strip_prefix('='))
                .is_some_and(|v| same(v, expected))
        })
}

/// The request's other origin (`Some("a cross-site request")`, `Some("a request from
/// http://evil.example")`) when it comes from another site than this server's, as a browser says
/// it: `Sec-Fetch-Site` is believed when sent; a request without it is judged by its `Origin`
/// against the `Host` it asked. A request with neither (curl, an MCP client) is no browser's.
pub(crate) fn cross_origin(headers: &HeaderMap) -> Option<String> {
    let get = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if let Some(site) = site
        && site != "same-origin"
        && site != "none"
    {
        return Some(format!("a {site} request"));
    }
    if site.is_none()
        && let Some(origin) = get(header::ORIGIN)
    {
        let host = get(header::HOST).unwrap_or("");
        let ok = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|o| o == host);
        if !ok {
            return Some(format!("a request from {origin}"));
        }
    }
    None
}

fn forbidden(message: impl Into<String>) -> AppError {
    AppError::forbidden(message)
}

impl LibraryState {
    pub(crate) fn new(
        dir: &Path,
        path: PathBuf,
        loopback: bool,
        token: Option<String>,
    ) -> anyhow::Result<LibraryState> {
        let secret = secret(dir)?;
        // A library an older arxiv-daily made is upgraded once, here: the reads that follow
        // open it read-only, which never migrates. One that cannot be opened is the pages'
        // error to show (a 500 naming nothing), not a reason not to serve the archive.
        if path.is_file()
            && let Err(e) = Library::open(&path)
        {
            eprintln!("arxiv-daily serve: warning: the library cannot be opened: {e}");
        }
        let writes = match (&token, loopback) {
            (Some(t), _) => Writes::Session(hmac(&secret, &format!("session {t}"))),
            (None, true) => Writes::Open,
            (None, false) => Writes::Off,
        };
        Ok(LibraryState {
            path,
            writer: Mutex::new(None),
            idle: Mutex::new(Vec::new()),
            csrf: hmac(&secret, "csrf v1"),
            writes,
            token,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Runs `f` on a read-only connection (`None`: no library yet).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(Option<&Library>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let taken = self.idle.lock().ok().and_then(|mut i| i.pop());
        let lib = match taken {
            Some(l) => Some(l),
            None => Library::open_read_only(&self.path)?,
        };
        let out = f(lib.as_ref());
        if let Some(l) = lib
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < 8
        {
            idle.push(l);
        }
        out
    }

    /// Runs `f` in one transaction of the writer connection.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Changes<'_>) -> crate::library::Result<T>,
    ) -> anyhow::Result<T> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| anyhow::anyhow!("the library writer panicked"))?;
        if writer.is_none() {
            *writer = Some(Library::open(&self.path)?);
        }
        let lib = writer.as_mut().expect("opened above");
        Ok(lib.change(f)?)
    }

    /// What a page shows of the library for these papers.
    pub(crate) fn mine(&self) -> anyhow::Result<Mine> {
        self.read(|lib| {
            let mut mine = Mine {
                tags: Vec::new(),
                of: HashMap::new(),
                csrf: self.csrf.clone(),
                writable: self.writes != Writes::Off,
            };
            if let Some(lib) = lib {
                mine.tags = lib.tags()?.into_iter().map(|t| t.tag).collect();
                for e in lib.entries(None)? {
                    mine.of.entry(e.id).or_default().push((e.tag, e.kind));
                }
                for v in mine.of.values_mut() {
                    v.sort();
                }
            }
            Ok(mine)
        })
    }

    /// The recommendations of `key`, computed by `f` unless kept for this library version and
    /// archive batch.
    pub(crate) fn cached(
        &self,
        key: String,
        version: i64,
        write_seq: i64,
        f: impl FnOnce() -> anyhow::Result<Vec<Recommendation>>,
    ) -> anyhow::Result<Arc<Vec<Recommendation>>> {
        if let Ok(c) = self.cache.lock()
            && let Some((v, w, recs)) = c.get(&key)
            && *v == version
            && *w == write_seq
        {
            return Ok(Arc::clone(recs));
        }
        let recs = Arc::new(f()?);
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= 64 {
                c.clear();
            }
            c.insert(key, (version, write_seq, Arc::clone(&recs)));
        }
        Ok(recs)
    }

    /// The guard of every write: writes on, same origin, the form's token, and the session
    /// when a token is set. `login` checks the typed token instead of the session.
    pub(crate) fn check_write(
        &self,
        headers: &HeaderMap,
        csrf: &str,
        login: Option<&str>,
    ) -> Result<(), AppError> {
        if self.writes == Writes::Off {
            return Err(forbidden(
                "Writes are off: this server listens on an address other than loopback and was started without --token (or ARXIV_DAILY_TOKEN).",
            ));
        }
        if let Some(refused) = cross_origin(headers) {
            return Err(forbidden(format!(
                "Refused: {refused} may not change your library."
            )));
        }
        if !same(csrf, &self.csrf) {
            return Err(forbidden(
                "Refused: the form's token is missing or wrong. Reload the page and try again.",
            ));
        }
        if let Writes::Session(expected) = &self.writes {
            match login {
                Some(typed) => {
                    if !self.token.as_deref().is_some_and(|t| same(t, typed)) {
                        return Err(forbidden("Wrong token."));
                    }
                }
                None => {
                    if !has_cookie(headers, expected) {
                        return Err(forbidden(
                            "Log in first (/login): this server needs its token for changes.",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The token the server was started with, if any.
    pub(crate) fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The session cookie's value (after a good login).
    pub(crate) fn session(&self) -> Option<&str> {
        match &self.writes {
            Writes::Session(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_loopback_without_a_token_no_write_passes() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("library.sqlite3");
        let off = LibraryState::new(dir.path(), lib.clone(), false, None).unwrap();
        let open = LibraryState::new(dir.path(), lib, true, None).unwrap();
        // One secret per installation: both servers of this folder make the same form token.
        assert_eq!(off.csrf, open.csrf);
        let headers = HeaderMap::new();
        let e = off.check_write(&headers, &off.csrf, None).unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::FORBIDDEN);
        assert!(e.message.contains("--token"), "{}", e.message);
        assert!(open.check_write(&headers, &open.csrf, None).is_ok());
    }
}
