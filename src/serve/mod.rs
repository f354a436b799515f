//! `arxiv-daily serve`: the web reader and JSON API over the archive, and the reader's library.
//!
//! The archive is only read: through the read path (`archive::Reader`), never the writer lock,
//! never a write. The one thing the server writes is the library (`serve::library`: one writer
//! connection, each write behind the host, origin, form-token and login checks; a GET changes
//! nothing). SQLite and Tantivy work runs on tokio's blocking threads, each request in one read
//! transaction of its own connection (one state of the archive per page); the index keeps one
//! reader that a background task reloads every second, so what a concurrent `ingest` commits
//! shows within seconds. Pages are server-rendered (maud: checked at compile time, escaped by
//! default), keep all their state in the URL and work without JavaScript; the stylesheet is
//! embedded.

mod api;
mod error;
mod host;
pub(crate) mod library;
pub mod mcp;
pub(crate) mod pages;
pub(crate) use error::{AppError, AppResult};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use anyhow::Context;

use crate::archive::Reads;
use crate::archive::{Location, Reader};
use crate::config::Config;
use crate::index::SearchIndex;

/// The longest query accepted (bytes).
const MAX_QUERY: usize = 1024;
/// Deepest page of a search (a page of 200 at most; past this, narrow the query).
const MAX_OFFSET: usize = 10_000;

/// What every handler shares.
pub(crate) struct AppState {
    /// The read path: the config, the index with its kept reader, a read-only connection per
    /// blocking thread that reads.
    pub(crate) reader: Reader,
    /// Totals of recent searches (see [`Totals`]).
    totals: std::sync::Mutex<Totals>,
    /// One permit per core for archive work: more requests than cores wait their turn rather than
    /// share the cores (which only makes every one of them late, and costs a SQLite connection
    /// and a thread each).
    workers: tokio::sync::Semaphore,
    /// The archive's counts, for the write batch they were taken at (counting a million-paper
    /// archive's rows takes 50 ms; the batch number is one lookup).
    stats: std::sync::Mutex<Option<(i64, crate::views::Stats)>>,
    /// The reader's library: the only thing the server writes.
    pub(crate) library: library::LibraryState,
    /// The names a request may give in `Host` (DNS rebinding).
    hosts: host::Hosts,
    /// The configured embedding model's vectors (similar papers by meaning beside the words;
    /// none without a model or vectors at start), read at start and kept current: papers an
    /// ingest embeds while the server runs are found by meaning on the next request.
    pub(crate) meaning: Option<crate::embed::vectors::LiveMatrix>,
    /// The model itself, loaded once when it has vectors: searches by meaning.
    pub(crate) model: Option<Box<dyn crate::embed::Embedder>>,
    /// `/mcp` offers the read tools alone (`--mcp-read-only`, or writes off).
    mcp_read_only: bool,
    /// Cancelled when the server stops: ends `/mcp`'s open streams.
    stop: tokio_util::sync::CancellationToken,
}

impl AppState {
    /// The embedding model's vectors, current (see [`crate::embed::vectors::LiveMatrix`]).
    pub(crate) fn meaning(
        &self,
    ) -> Option<std::sync::RwLockReadGuard<'_, crate::embed::vectors::Matrix>> {
        let (matrix, failed) = self.meaning.as_ref()?.read();
        if let Some(e) = failed {
            eprintln!("arxiv-daily serve: warning: the vectors could not be read again: {e}");
        }
        Some(matrix)
    }
}

/// The largest form body a write accepts (bytes).
const MAX_FORM: usize = 4096;

/// The totals of recent searches, for the index generation they were counted on. A page of
/// results needs the k best (which skip most matches) and the number of all matches, which
/// visits each one: a phrase of common words costs 60 ms at 1M to count and 6 ms to rank. The
/// next pages of a search, and its other views, reuse the count; any commit the reader picks up
/// starts afresh.
#[derive(Default)]
pub(crate) struct Totals {
    /// The segments (and their deletions) the counts were taken on.
    generation: Vec<(tantivy::index::SegmentId, u32)>,
    counts: rustc_hash::FxHashMap<String, crate::index::query::Counts>,
}

/// Totals kept at most (then the cache starts afresh; an entry is a query's text and a number).
const MAX_TOTALS: usize = 4096;

impl Totals {
    /// The total of `key` on `searcher`, counted by `count` unless known.
    pub(crate) fn get_or_count(
        cell: &std::sync::Mutex<Totals>,
        searcher: &tantivy::Searcher,
        key: String,
        count: impl FnOnce() -> anyhow::Result<crate::index::query::Counts>,
    ) -> anyhow::Result<crate::index::query::Counts> {
        let generation: Vec<(tantivy::index::SegmentId, u32)> = searcher
            .segment_readers()
            .iter()
            .map(|s| (s.segment_id(), s.num_deleted_docs()))
            .collect();
        if let Ok(totals) = cell.lock()
            && totals.generation == generation
            && let Some(n) = totals.counts.get(&key)
        {
            return Ok(*n);
        }
        let n = count()?;
        if let Ok(mut totals) = cell.lock() {
            if totals.generation != generation || totals.counts.len() >= MAX_TOTALS {
                totals.generation = generation;
                totals.counts.clear();
            }
            totals.counts.insert(key, n);
        }
        Ok(n)
    }
}

/// Runs `f` on a blocking thread with a read-only view of the archive and the index.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&Reads<'_>, &AppState) -> anyhow::Result<T> + Send + 'static,
) -> AppResult<T> {
    on_blocking_thread(state, false, move |reads, state, _| f(reads, state)).await
}

/// As `blocking`, and `f` learns how many threads it may use: two when no other request holds
/// the second core (one user's search then ranks and builds its hits on both), else one.
pub(crate) async fn blocking_wide<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&Reads<'_>, &AppState, usize) -> anyhow::Result<T> + Send + 'static,
) -> AppResult<T> {
    on_blocking_thread(state, true, f).await
}

async fn on_blocking_thread<T: Send + 'static>(
    state: &Arc<AppState>,
    wide: bool,
    f: impl FnOnce(&Reads<'_>, &AppState, usize) -> anyhow::Result<T> + Send + 'static,
) -> AppResult<T> {
    let state = Arc::clone(state);
    let permit = state
        .workers
        .acquire()
        .await
        .map_err(|_| AppError::unavailable("the server is stopping"))?;
    let spare = wide.then(|| state.workers.try_acquire().ok()).flatten();
    let threads = 1 + usize::from(spare.is_some());
    let state_for_work = Arc::clone(&state);
    let joined = tokio::task::spawn_blocking(move || {
        let state = state_for_work;
        state.reader.read(|reads| f(reads, &state, threads))
    })
    .await;
    drop(spare);
    drop(permit);
    match joined {
        Ok(result) => result.map_err(AppError::from),
        Err(e) => Err(AppError::internal(&format_args!("a handler panicked: {e}"))),
    }
}

impl AppState {
    /// The archive's counts (`stats --json`), counted again only after a write.
    pub(crate) fn stats(&self, reads: &Reads<'_>) -> anyhow::Result<crate::views::Stats> {
        let seq = reads.write_seq()?;
        if let Ok(cached) = self.stats.lock()
            && let Some((at, stats)) = cached.as_ref()
            && *at == seq
        {
            return Ok(stats.clone());
        }
        let stats = crate::views::Stats::from(reads.stats()?);
        if let Ok(mut cached) = self.stats.lock() {
            *cached = Some((seq, stats.clone()));
        }
        Ok(stats)
    }

    pub(crate) fn index(&self) -> anyhow::Result<&SearchIndex> {
        Ok(self.reader.index()?)
    }

    pub(crate) fn config(&self) -> &Config {
        self.reader.config()
    }
}

/// The routes: every page and API route, `/mcp`, and the layers every response passes.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let mcp = mcp::service(
        Arc::clone(&state),
        state.mcp_read_only || state.library.writes == library::Writes::Off,
        state.stop.clone(),
    );
    Router::new()
        .nest_service(
            "/mcp",
            tower::ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(
                    Arc::clone(&state),
                    mcp::guard,
                ))
                .service(mcp),
        )
        .route("/", get(pages::home))
        .route("/day", get(pages::day_picker))
        .route("/day/{date}", get(pages::day))
        .route("/day/{date}/README.md", get(pages::day_markdown))
        .route("/day/{date}/papers.csv", get(pages::day_csv))
        .route("/search", get(pages::search))
        .route("/paper/{id}", get(pages::paper))
        .route("/paper/{archive}/{number}", get(pages::paper_old_style))
        .route("/status", get(pages::status))
        .route("/library", get(pages::library::library))
        .route("/library/{tag}", get(pages::library::library_tag))
        .route("/recommend", get(pages::library::recommend))
        .route(
            "/feeds/recommend/{file}",
            get(pages::library::recommend_feed),
        )
        .merge(
            // Every form's POST, under one cap.
            Router::new()
                .route(
                    "/login",
                    get(pages::library::login_page).post(pages::library::login),
                )
                .route(
                    "/library/save",
                    post(pages::library::save).fallback(pages::library::write_by_get),
                )
                .route(
                    "/library/dismiss",
                    post(pages::library::dismiss).fallback(pages::library::write_by_get),
                )
                .route(
                    "/library/remove",
                    post(pages::library::remove).fallback(pages::library::write_by_get),
                )
                .route(
                    "/library/describe",
                    post(pages::library::describe).fallback(pages::library::write_by_get),
                )
                .route(
                    "/library/seen",
                    post(pages::library::seen).fallback(pages::library::write_by_get),
                )
                .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM)),
        )
        .route("/feeds/{file}", get(pages::feed))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/static/icon.svg", get(pages::icon))
        .route("/favicon.ico", get(pages::icon))
        .route("/api/search", get(api::search))
        .route("/api/report/{date}", get(api::report))
        .route("/api/paper/{id}", get(api::paper))
        .route("/api/similar/{id}", get(api::similar))
        .route("/api/days", get(api::days))
        .route("/api/stats", get(api::stats))
        .route("/api/status", get(api::status))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            only_this_host,
        ))
        .layer(axum::middleware::from_fn(headers_and_log))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .with_state(state)
}

/// Refuses (421) a request that does not name this server in its `Host` (or its URI's
/// authority), on every route, before any handler: see [`host`].
async fn only_this_host(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let named = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{fffd}").to_string());
    let authority = req.uri().authority().map(|a| a.as_str().to_string());
    let refused = match (&named, &authority) {
        (None, None) => Some("no Host".to_string()),
        _ => [&named, &authority]
            .into_iter()
            .flatten()
            .find(|h| !state.hosts.allows(h))
            .map(|h| format!("the name {h:?}")),
    };
    let Some(refused) = refused else {
        return next.run(req).await;
    };
    let e = AppError::misdirected(format!(
        "This server answers to {}, not to {refused}. If you reach it by another name, start it with --public-name NAME.",
        state.hosts.describe()
    ));
    if req.uri().path().starts_with("/api/") {
        e.into_response()
    } else {
        pages::PageError::from(e).into_response()
    }
}

/// A request log line on stderr (method, path, status, milliseconds) and the security headers.
async fn headers_and_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        // Nothing leaves for other sites; the site's own forms carry their Origin (with
        // `no-referrer` a browser sends `Origin: null`, which the write guard refuses).
        HeaderValue::from_static("same-origin"),
    );
    eprintln!(
        "{method} {path} {} {:.1}ms",
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    resp
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    eprintln!("arxiv-daily serve: a handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "500 internal error: the server is still running; the log says more",
    )
        .into_response()
}

/// The configured embedding model's vectors and the model, when it has vectors; a model or
/// vectors that cannot be read are a warning, and the server works by words.
fn meaning_of(
    loc: &Location,
    reader: &Reader,
) -> (
    Option<crate::embed::vectors::LiveMatrix>,
    Option<Box<dyn crate::embed::Embedder>>,
) {
    let loaded = crate::embed::configured_vectors(reader, None, &loc.dir, true).and_then(|v| {
        v.map(|(v, model)| Ok((crate::embed::vectors::LiveMatrix::new(v)?, model)))
            .transpose()
    });
    match loaded {
        Ok(Some((matrix, model))) => (Some(matrix), model),
        Ok(None) => (None, None),
        Err(e) => {
            eprintln!("arxiv-daily: warning: searching by words only: {e}");
            (None, None)
        }
    }
}

/// What the handlers share, over an opened reader.
fn state(
    loc: &Location,
    reader: Reader,
    hosts: host::Hosts,
    loopback: bool,
    token: Option<String>,
    mcp_read_only: bool,
) -> anyhow::Result<Arc<AppState>> {
    let library = library::LibraryState::new(
        &loc.dir,
        loc.library_path(),
        loopback,
        token.filter(|t| !t.is_empty()),
    )?;
    let (meaning, model) = meaning_of(loc, &reader);
    Ok(Arc::new(AppState {
        hosts,
        library,
        meaning,
        model,
        reader,
        mcp_read_only,
        stop: tokio_util::sync::CancellationToken::new(),
        totals: Default::default(),
        stats: Default::default(),
        workers: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        ),
    }))
}

/// The routes as `serve` on loopback without a token answers them, over the archive at `loc`,
/// for tests that call the router in process (no socket, no background index reload).
#[doc(hidden)]
pub fn router_for_tests(loc: &Location) -> anyhow::Result<Router> {
    let reader = Reader::open(loc)?.with_index(true)?;
    let hosts = host::Hosts::new(std::net::Ipv4Addr::LOCALHOST.into(), &[])?;
    Ok(router(state(loc, reader, hosts, true, None, false)?))
}

/// Serves the archive until Ctrl-C or SIGTERM.
pub fn run(
    loc: Location,
    addr: SocketAddr,
    open: bool,
    token: Option<String>,
    public_names: &[String],
    mcp_read_only: bool,
) -> anyhow::Result<()> {
    let hosts = host::Hosts::new(addr.ip(), public_names)?;
    let reader = Reader::open(&loc)?.with_index(true)?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "arxiv-daily serve: warning: listening on {addr}, not loopback: anyone who can reach this address can read the archive"
        );
        eprintln!(
            "arxiv-daily serve: requests must name {} in Host: add the name it is reached by with --public-name",
            hosts.describe()
        );
        if token.is_none() {
            eprintln!(
                "arxiv-daily serve: the library is read-only here: pass --token (or set ARXIV_DAILY_TOKEN) to allow changes after a login"
            );
        }
    }
    let state = state(
        &loc,
        reader,
        hosts,
        addr.ip().is_loopback(),
        token,
        mcp_read_only,
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        // Each write goes out at once: a response in several writes (a streamed page, `/mcp`'s
        // event stream: an opening event, then the answer) otherwise waits on Nagle's
        // algorithm for the client's delayed ACK, 40 ms a request (BENCHMARKS.md, "MCP").
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                eprintln!("arxiv-daily serve: warning: TCP_NODELAY: {e}");
            }
        });
        // A closed stdout (`serve | head -1`) does not stop the server.
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{local}/").and_then(|()| out.flush());
        }
        if open {
            let _ = std::process::Command::new("xdg-open")
                .arg(format!("http://{local}/"))
                .spawn();
        }
        keep_index_current(Arc::clone(&state));
        let stop = state.stop.clone();
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async move {
                shutdown().await;
                stop.cancel();
            })
            .await?;
        eprintln!("arxiv-daily serve: stopped");
        anyhow::Ok(())
    })
}

/// Reloads the index every second in the background, so that what a concurrent `ingest`
/// commits shows within seconds.
fn keep_index_current(state: Arc<AppState>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Err(e) = state.reader.reload_index() {
                eprintln!("arxiv-daily: index reload: {e}");
            }
        }
    });
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// A page size the search accepts.
pub(crate) fn page_size(size: Option<usize>) -> AppResult<usize> {
    match size.unwrap_or(25) {
        n @ (25 | 50 | 100 | 200) => Ok(n),
        n => Err(AppError::bad_request(format!(
            "page size {n}: choose 25, 50, 100 or 200"
        ))),
    }
}

/// An optional day parameter: empty is none, a bad date is a 400.
pub(crate) fn optional_day(s: &Option<String>) -> AppResult<Option<crate::model::Day>> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(crate::model::Day::parse)
        .transpose()
        .map_err(AppError::from)
}

/// Checks a query's length.
pub(crate) fn check_query_length(q: &str) -> AppResult<()> {
    if q.len() > MAX_QUERY {
        return Err(AppError::bad_request(format!(
            "the query is {} bytes long; the limit is {MAX_QUERY}",
            q.len()
        )));
    }
    Ok(())
}
