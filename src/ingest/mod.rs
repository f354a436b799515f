//! The only module that knows both store and index. Every write follows one order: commit the
//! batch to SQLite first, then bring the index up to the store's write sequence. A crash between
//! the two leaves the index behind, never ahead; the next writer (or `doctor --repair`) catches it up.

pub mod backfill;
pub mod legacy;
pub mod lock;
pub mod rss;

use std::path::{Path, PathBuf};

use crate::config::{Config, DEFAULT_CONFIG};
use crate::index::SearchIndex;
use crate::store::{Store, StoreError};

pub const DB_FILE: &str = "arxiv-daily.sqlite3";
pub const INDEX_DIR: &str = "index";
pub const CONFIG_FILE: &str = "arxiv-daily.toml";

/// An archive folder: the SQLite file, the index folder and the config file.
pub struct Archive {
    pub dir: PathBuf,
    pub store: Store,
    pub config: Config,
    _lock: Option<lock::WriteLock>,
}

/// Where the archive and its config live.
#[derive(Debug, Clone)]
pub struct Location {
    pub dir: PathBuf,
    /// `--config PATH`, else `<dir>/arxiv-daily.toml`.
    pub config: Option<PathBuf>,
}

impl Location {
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.dir.join(CONFIG_FILE))
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.join(INDEX_DIR)
    }

    /// Fails with a hint when there is no archive here.
    pub fn check_archive(&self) -> anyhow::Result<()> {
        if !self.db_path().is_file() {
            anyhow::bail!(
                "no archive in {}: run `arxiv-daily ingest` or `arxiv-daily import legacy PATH` first, or pass --data-dir",
                self.dir.display()
            );
        }
        Ok(())
    }

    /// Opens the archive database for reading only (no config, no lock): for readers that need
    /// nothing else.
    pub fn open_store_read(&self) -> anyhow::Result<Store> {
        self.check_archive()?;
        let db = self.db_path();
        Store::open_read_only(&db).map_err(|e| context(e, &db))
    }

    pub fn load_config(&self) -> anyhow::Result<Config> {
        let path = self.config_path();
        if self.config.is_some() && !path.exists() {
            anyhow::bail!("{}: no such config file", path.display());
        }
        Ok(Config::load(&path)?)
    }
}

impl Archive {
    /// Opens (creating if needed) the archive for writing, taking the writer lock.
    pub fn open_write(loc: &Location, wait: bool) -> anyhow::Result<Archive> {
        std::fs::create_dir_all(&loc.dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the archive folder {}: {e}",
                loc.dir.display()
            )
        })?;
        let lock = lock::WriteLock::acquire(&loc.dir, wait)?;
        let config_path = loc.config_path();
        if loc.config.is_none() && !config_path.exists() {
            // Through a temporary file and a rename: a crash never leaves half a config.
            let tmp = config_path.with_extension("toml.tmp");
            std::fs::write(&tmp, DEFAULT_CONFIG)
                .and_then(|()| std::fs::rename(&tmp, &config_path))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", config_path.display()))?;
        }
        let config = loc.load_config()?;
        let store = Store::open(&loc.db_path()).map_err(|e| context(e, &loc.db_path()))?;
        // The index exists from the first write on, so that readers always find one.
        SearchIndex::open_or_create(&loc.dir.join(INDEX_DIR))?;
        Ok(Archive {
            dir: loc.dir.clone(),
            store,
            config,
            _lock: Some(lock),
        })
    }

    /// Opens an existing archive for reading; never blocks or is blocked by a writer.
    pub fn open_read(loc: &Location) -> anyhow::Result<Archive> {
        loc.check_archive()?;
        let config = loc.load_config()?;
        let store = loc.open_store_read()?;
        Ok(Archive {
            dir: loc.dir.clone(),
            store,
            config,
            _lock: None,
        })
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.join(INDEX_DIR)
    }

    /// Opens the index for reading, if it exists.
    pub fn index(&self) -> anyhow::Result<Option<SearchIndex>> {
        Ok(SearchIndex::open_existing(&self.index_dir())?)
    }

    /// Brings the index up to the store's latest write batch. Returns the documents written.
    pub fn sync_index(&mut self, bulk: bool) -> anyhow::Result<u64> {
        let index = SearchIndex::open_or_create(&self.index_dir())?;
        let target = self.store.read().write_seq()?;
        let indexed = index.indexed_seq()?;
        if indexed >= target {
            return Ok(0);
        }
        let mut session = index.writer(bulk)?;
        // A fresh index holds nothing to replace.
        let may_exist = indexed > 0;
        self.store.read().docs_since(indexed, |doc| {
            session
                .add(&doc, may_exist)
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })?;
        Ok(session.commit(target)?)
    }

    /// Starts a thread that keeps the index up with SQLite while a bulk import writes: after each
    /// committed batch, `notify` it; `finish` commits the index once, at the last batch it indexed.
    /// SQLite writes and indexing then overlap instead of running one after the other.
    pub fn index_follower(&self) -> anyhow::Result<IndexFollower> {
        let db = self.dir.join(DB_FILE);
        let index_dir = self.index_dir();
        let (tx, rx) = std::sync::mpsc::channel::<i64>();
        let handle = std::thread::spawn(move || -> anyhow::Result<u64> {
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
            let mut session = index.writer(true)?;
            while let Ok(mut target) = rx.recv() {
                // Skip ahead to the newest batch announced so far.
                while let Ok(next) = rx.try_recv() {
                    target = target.max(next);
                }
                if target <= done {
                    continue;
                }
                store.read().docs_between(done, target, |doc| {
                    let may_exist = doc.pid < first_new_pid || !added.insert(doc.pid);
                    session
                        .add(&doc, may_exist)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))
                })?;
                done = target;
            }
            Ok(session.commit(done)?)
        });
        Ok(IndexFollower {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Rebuilds the whole index from SQLite.
    pub fn rebuild_index(&mut self) -> anyhow::Result<u64> {
        let index = SearchIndex::open_or_create(&self.index_dir())?;
        let target = self.store.read().write_seq()?;
        let mut session = index.writer(true)?;
        session.clear()?;
        self.store.read().docs_since(-1, |doc| {
            session
                .add(&doc, false)
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })?;
        Ok(session.commit(target)?)
    }
}

/// See [`Archive::index_follower`].
pub struct IndexFollower {
    tx: Option<std::sync::mpsc::Sender<i64>>,
    handle: Option<std::thread::JoinHandle<anyhow::Result<u64>>>,
}

impl IndexFollower {
    /// Tells the follower that SQLite has committed up to batch `seq`.
    pub fn notify(&self, seq: i64) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(seq);
        }
    }

    /// Waits for the follower to index everything announced and commit; returns the documents written.
    pub fn finish(mut self) -> anyhow::Result<u64> {
        drop(self.tx.take());
        match self.handle.take().map(|h| h.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => anyhow::bail!("the indexing thread panicked"),
            None => Ok(0),
        }
    }
}

fn context(e: StoreError, path: &Path) -> anyhow::Error {
    anyhow::anyhow!("{}: {e}", path.display())
}
