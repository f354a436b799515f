//! The read path: where an archive lives and how a reader opens it. Every reader (the CLI's
//! query commands, the web reader) opens the archive here, read-only: it never takes the writer
//! lock and never blocks a writer. Writers open it through `ingest`, which adds the lock, the
//! default config and the index catch-up.

use std::path::{Path, PathBuf};

use crate::config::Config;
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
    /// The writer lock, held by archives opened for writing (`ingest::Archive::open_write`).
    pub(crate) _lock: Option<crate::ingest::lock::WriteLock>,
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

    /// The configured profile of that name (an error lists the configured ones).
    pub fn profile(&self, name: &str) -> anyhow::Result<crate::config::Profile> {
        self.config
            .profile(name)
            .cloned()
            .map_err(anyhow::Error::msg)
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.join(INDEX_DIR)
    }

    /// Opens the index for reading, if it exists.
    pub fn index(&self) -> anyhow::Result<Option<SearchIndex>> {
        Ok(SearchIndex::open_existing(&self.index_dir())?)
    }
}

fn context(e: StoreError, path: &Path) -> anyhow::Error {
    anyhow::anyhow!("{}: {e}", path.display())
}
