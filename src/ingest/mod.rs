//! The only module that knows both store and index. Every write follows one order: commit the
//! batch to SQLite first, then bring the index up to the store's write sequence. A crash between
//! the two leaves the index behind, never ahead; the next writer (or `doctor --repair`) catches it up.

pub mod backfill;
pub(crate) mod legacy;
pub(crate) mod lock;
pub(crate) mod rss;

use std::path::Path;

use crate::archive::INDEX_DIR;
pub use crate::archive::{Archive, Location};
use crate::config::DEFAULT_CONFIG;
use crate::index::{IndexError, SearchIndex};
use crate::model::IndexDoc;
use crate::store::{Store, StoreError};

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
        match SearchIndex::open_or_create(&loc.dir.join(INDEX_DIR)) {
            // An older layout is for `doctor --repair`, which opens the archive here too; other
            // writers fail when they bring the index up to date, with that hint.
            Ok(_) | Err(IndexError::OldLayout { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(Archive {
            dir: loc.dir.clone(),
            store,
            config,
            _lock: Some(lock),
        })
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
        feed_index(&self.store, indexed, i64::MAX, |doc| {
            session.add(doc, may_exist)
        })?;
        Ok(session.commit(target)?)
    }

    /// Starts a thread that keeps the index up with SQLite while a bulk import writes: after each
    /// committed batch, `notify` it; `finish` commits the index once, at the last batch it indexed.
    /// SQLite writes and indexing then overlap instead of running one after the other.
    pub fn index_follower(&self) -> anyhow::Result<IndexFollower> {
        let db = self.dir.join(crate::archive::DB_FILE);
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
                feed_index(&store, done, target, |doc| {
                    let may_exist = doc.pid < first_new_pid || !added.insert(doc.pid);
                    session.add(doc, may_exist)
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
        let index = SearchIndex::recreate(&self.index_dir())?;
        let target = self.store.read().write_seq()?;
        let mut session = index.writer(true)?;
        session.clear()?;
        feed_index(&self.store, -1, i64::MAX, |doc| session.add(doc, false))?;
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

/// Feeds the documents of batches `since+1..=until` to `add`. An index error stays an index
/// error (it names the index folder), not one of the archive database.
fn feed_index(
    store: &Store,
    since: i64,
    until: i64,
    mut add: impl FnMut(&IndexDoc) -> Result<(), IndexError>,
) -> anyhow::Result<()> {
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

fn context(e: StoreError, path: &Path) -> anyhow::Error {
    anyhow::anyhow!("{}: {e}", path.display())
}
