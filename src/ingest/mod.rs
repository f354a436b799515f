//! The write path, and the only module that knows both store and index. Every write follows one
//! order: commit the batch to SQLite first, then bring the index up to the store's write
//! sequence ([`Writer::write`] does both). A crash between the two leaves the index behind,
//! never ahead; the next writer (or `doctor --repair`) catches it up.

pub mod api;
pub mod backfill;
pub(crate) mod legacy;
pub(crate) mod lock;
pub(crate) mod rss;
pub(crate) mod text;

// What the fronts run, beside `Writer`: a day's feed, a report's recomputation, a legacy
// folder, a text archive.
pub use legacy::{LegacySummary, import as import_legacy};
pub use rss::{DayRerun, FeedOutcome, FeedStatus, ingest_feed, rerun, rerun_range};
pub use text::{TextImportSummary, import as import_text};

use std::path::{Path, PathBuf};

use crate::archive::{ArchiveError, DB_FILE, INDEX_DIR, Location};
use crate::config::{Config, DEFAULT_CONFIG, UnknownProfile};
use crate::index::{IndexError, SearchIndex};
use crate::model::{IdError, IndexDoc};
use crate::store::{Store, StoreError};

/// What went wrong on the write path. The cause stays the error's source (`{:#}` shows it).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The archive folder cannot be created.
    #[error("cannot create the archive folder {}", dir.display())]
    Folder {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file of the archive (its default config) cannot be written.
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The writer lock file cannot be opened, locked or written.
    #[error("cannot {action} {}", path.display())]
    Lock {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the writer lock (and `--wait` was not given).
    #[error(
        "the archive {} is being written by {who}; try again when it is done, or pass --wait",
        dir.display()
    )]
    Busy { dir: PathBuf, who: String },
    /// The config, or a read of the archive, failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// A profile the config does not define.
    #[error(transparent)]
    UnknownProfile(#[from] UnknownProfile),
    /// The archive database does not open for writing.
    #[error("{}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    /// A write or read of the archive database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The search index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The thread that indexes a bulk import beside it panicked.
    #[error("the indexing thread panicked")]
    IndexThread,
    /// An input file cannot be opened.
    #[error("cannot read {location}")]
    Read {
        location: String,
        #[source]
        source: std::io::Error,
    },
    /// A line of an input file cannot be read.
    #[error("{location}:{line}")]
    Line {
        location: String,
        line: u64,
        #[source]
        source: std::io::Error,
    },
    /// A legacy report's row links to something that is not an arXiv abstract page.
    #[error("{location}:{line}: the link is not an arXiv abstract page")]
    Link {
        location: String,
        line: usize,
        #[source]
        source: IdError,
    },
}

/// The one write path. It holds the writer lock, the store and the config; every operation that
/// changes the archive runs inside [`Writer::write`], which catches the index up before the
/// operation and again after it, whether it succeeded or failed part way (what SQLite committed
/// stays committed and gets indexed). No other code can write: an operation takes a
/// [`Session`], and only `write` makes one.
pub struct Writer {
    dir: PathBuf,
    store: Store,
    config: Config,
    /// The config file this writer created (the folder had none), so a command can say so.
    wrote_config: Option<PathBuf>,
    _lock: lock::WriteLock,
}

/// One operation's access to the archive, inside [`Writer::write`]: the store's write batches
/// and the config. It cannot commit the index: the writer does that when the operation returns.
/// The store is a private field: only the operations of this module (legacy, rss, backfill,
/// text) start write batches, so every write to the archive goes through `Writer::write`.
pub struct Session<'w> {
    store: &'w mut Store,
    pub config: &'w Config,
    dir: &'w Path,
}

/// What [`Writer::write`] returns: the operation's value and the documents it indexed.
pub struct Written<T> {
    pub value: T,
    pub indexed: u64,
}

impl Writer {
    /// Opens (creating if needed) the archive for writing, taking the writer lock. The index
    /// exists from the first write on, so that readers always find one.
    pub fn open(loc: &Location, wait: bool) -> Result<Writer, IngestError> {
        Self::open_with_config(loc, wait, DEFAULT_CONFIG)
    }

    /// As [`Writer::open`], writing `first_config` instead of the defaults when the folder has
    /// no config yet (`import legacy` writes `config::legacy_config`).
    pub fn open_with_config(
        loc: &Location,
        wait: bool,
        first_config: &str,
    ) -> Result<Writer, IngestError> {
        std::fs::create_dir_all(&loc.dir).map_err(|source| IngestError::Folder {
            dir: loc.dir.clone(),
            source,
        })?;
        let lock = lock::WriteLock::acquire(&loc.dir, wait)?;
        let config_path = loc.config_path();
        let mut wrote_config = None;
        if loc.config.is_none() && !config_path.exists() {
            // Through a temporary file and a rename: a crash never leaves half a config.
            crate::files::write_atomic(
                &config_path,
                first_config.as_bytes(),
                crate::files::Mode::Default,
            )
            .map_err(|source| IngestError::Write {
                path: config_path.clone(),
                source,
            })?;
            wrote_config = Some(config_path.clone());
        }
        let config = loc.load_config()?;
        let path = loc.db_path();
        let store = Store::open(&path).map_err(|source| IngestError::Open { path, source })?;
        match SearchIndex::open_or_create(&loc.dir.join(INDEX_DIR)) {
            // An older layout is for `doctor --repair`, which opens the archive here too; other
            // writers fail when they bring the index up to date, with that hint.
            Ok(_) | Err(IndexError::OldLayout { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(Writer {
            dir: loc.dir.clone(),
            store,
            config,
            wrote_config,
            _lock: lock,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The config file [`Writer::open`] created, when the folder had none.
    pub fn wrote_config(&self) -> Option<&Path> {
        self.wrote_config.as_deref()
    }

    /// The configured profile of that name, or the config's default one (`default`, else the
    /// first); an error lists the configured ones.
    pub fn profile(&self, name: Option<&str>) -> Result<crate::config::Profile, IngestError> {
        Ok(self.config.profile(name).cloned()?)
    }

    /// Runs one operation that changes the archive. The index is caught up first (an earlier
    /// run may have stopped between SQLite and the index) and again when the operation returns,
    /// also when it failed: then its error is returned, after what it committed is indexed.
    /// `bulk` picks the index writer's large budget and no merging.
    pub fn write<T>(
        &mut self,
        bulk: bool,
        op: impl FnOnce(&mut Session<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<Written<T>> {
        self.sync_index(bulk)?;
        let mut session = Session {
            store: &mut self.store,
            config: &self.config,
            dir: &self.dir,
        };
        let result = op(&mut session);
        let synced = self.sync_index(bulk);
        let value = result?;
        Ok(Written {
            value,
            indexed: synced?,
        })
    }

    /// Reads through the writer's connection (what it has committed).
    pub fn read(&self) -> crate::store::Reads<'_> {
        self.store.read()
    }

    /// The index, when it opens (for `doctor`'s checks).
    pub fn index(&self) -> crate::index::Result<Option<SearchIndex>> {
        SearchIndex::open_existing(&self.index_dir())
    }

    fn index_dir(&self) -> PathBuf {
        self.dir.join(INDEX_DIR)
    }

    /// `doctor --repair`: rewrites `meta.write_seq` as the newest batch any paper was stamped
    /// with. The index is not touched: the caller rebuilds it or catches it up next.
    pub fn repair_write_seq(&mut self) -> Result<i64, IngestError> {
        Ok(self.store.repair_write_seq()?)
    }

    /// `doctor --repair`: catches the index up; returns the documents written.
    pub fn catch_up_index(&mut self) -> Result<u64, IngestError> {
        self.sync_index(false)
    }

    /// Brings the index up to the store's latest write batch. Returns the documents written.
    fn sync_index(&mut self, bulk: bool) -> Result<u64, IngestError> {
        let index = SearchIndex::open_or_create(&self.index_dir())?;
        let target = self.store.read().write_seq()?;
        let indexed = index.indexed_seq()?;
        if indexed >= target {
            return Ok(0);
        }
        let mut session = index.writer(bulk)?;
        // A fresh index holds nothing to replace.
        let may_exist = indexed > 0;
        feed_index(&self.store, indexed, i64::MAX, |doc| {
            session.add(doc, may_exist)
        })?;
        Ok(session.commit(target)?)
    }

    /// Rebuilds the whole index from SQLite (`doctor --repair`).
    pub fn rebuild_index(&mut self) -> Result<u64, IngestError> {
        let index = SearchIndex::recreate(&self.index_dir())?;
        let target = self.store.read().write_seq()?;
        let mut session = index.writer(true)?;
        session.clear()?;
        feed_index(&self.store, -1, i64::MAX, |doc| session.add(doc, false))?;
        Ok(session.commit(target)?)
    }
}

impl Session<'_> {
    /// Starts a thread that keeps the index up with SQLite while a bulk import writes: after each
    /// committed batch, `notify` it; `finish` commits the index once, at the last batch it indexed.
    /// SQLite writes and indexing then overlap instead of running one after the other.
    pub fn index_follower(&self) -> Result<IndexFollower, IngestError> {
        let db = self.dir.join(DB_FILE);
        let index_dir = self.dir.join(INDEX_DIR);
        let (tx, rx) = std::sync::mpsc::channel::<i64>();
        let handle = std::thread::spawn(move || -> Result<u64, IngestError> {
            let store = Store::open_read_only(&db)?;
            let index = SearchIndex::open_or_create(&index_dir)?;
            let mut done = index.indexed_seq()?;
            // Papers created after this point are not in the index yet: they need no delete,
            // unless they come round twice in this session.
            let first_new_pid = if done == 0 {
                0
            } else {
                store.read().max_pid()? + 1
            };
            let mut added = std::collections::HashSet::new();
            // The papers indexed, each once: a paper that two batches touch is written twice,
            // and how batches group depends on timing, so the count is of papers, not writes.
            let mut papers = std::collections::HashSet::new();
            let mut session = index.writer(true)?;
            while let Ok(mut target) = rx.recv() {
                // Skip ahead to the newest batch announced so far.
                while let Ok(next) = rx.try_recv() {
                    target = target.max(next);
                }
                if target <= done {
                    continue;
                }
                feed_index(&store, done, target, |doc| {
                    papers.insert(doc.pid);
                    let may_exist = doc.pid < first_new_pid || !added.insert(doc.pid);
                    session.add(doc, may_exist)
                })?;
                done = target;
            }
            session.commit(done)?;
            Ok(papers.len() as u64)
        });
        Ok(IndexFollower {
            tx: Some(tx),
            handle: Some(handle),
        })
    }
}

impl Session<'_> {
    /// Runs a bulk import with an index follower: `op` calls `committed(seq)` after each batch
    /// it commits. The index commits what SQLite committed, even when the import failed part way;
    /// an indexing failure fails the import (what is stored stays stored; `doctor --repair`
    /// builds the index), its message starting with `stored`. Returns the documents indexed.
    pub fn with_index_follower<T>(
        &mut self,
        stored: &str,
        op: impl FnOnce(&mut Session<'_>, &dyn Fn(i64)) -> anyhow::Result<T>,
    ) -> anyhow::Result<(T, u64)> {
        let follower = self.index_follower()?;
        let result = op(self, &|seq| follower.notify(seq));
        match (result, follower.finish()) {
            (Ok(value), Ok(indexed)) => Ok((value, indexed)),
            (Ok(_), Err(e)) => Err(anyhow::Error::from(e).context(format!(
                "{stored}, but indexing them failed; run `arxiv-daily doctor --repair` once the cause is fixed"
            ))),
            (Err(e), Err(index)) => {
                eprintln!("arxiv-daily: error: indexing: {index:#}");
                Err(e)
            }
            (Err(e), Ok(_)) => Err(e),
        }
    }
}

/// See [`Session::index_follower`].
pub struct IndexFollower {
    tx: Option<std::sync::mpsc::Sender<i64>>,
    handle: Option<std::thread::JoinHandle<Result<u64, IngestError>>>,
}

impl IndexFollower {
    /// Tells the follower that SQLite has committed up to batch `seq`.
    pub fn notify(&self, seq: i64) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(seq);
        }
    }

    /// Waits for the follower to index everything announced and commit; returns the documents written.
    pub fn finish(mut self) -> Result<u64, IngestError> {
        drop(self.tx.take());
        match self.handle.take().map(|h| h.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(IngestError::IndexThread),
            None => Ok(0),
        }
    }
}

/// Feeds the documents of batches `since+1..=until` to `add`. An index error stays an index
/// error (it names the index folder), not one of the archive database.
fn feed_index(
    store: &Store,
    since: i64,
    until: i64,
    mut add: impl FnMut(&IndexDoc) -> Result<(), IndexError>,
) -> Result<(), IngestError> {
    let mut failed = None;
    let read = store.read().docs_between(since, until, |doc| {
        add(&doc).map_err(|e| {
            failed = Some(e);
            StoreError::Stopped
        })
    });
    match (failed, read) {
        (Some(e), _) => Err(e.into()),
        (None, r) => Ok(r?),
    }
}
