//! The read path: where an archive lives and how it is read. Every reader (the CLI's query
//! commands, the web reader) reads through one [`Reader`]: it owns the location, the config,
//! the read-only SQLite connections (one per thread that reads, kept for the next read) and the
//! search index. It never takes the writer lock, never blocks a writer and cannot write: the
//! write path is `ingest::Writer`.

use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError, Profile, UnknownProfile};
use crate::index::{IndexError, SearchIndex};
use crate::store::Store;

/// What a read sees: the typed queries of one read transaction (see [`Reader::read`]), and
/// what a failed one says.
pub use crate::store::{Reads, StoreError};

pub const DB_FILE: &str = "arxiv-daily.sqlite3";
pub const INDEX_DIR: &str = "index";
pub const CONFIG_FILE: &str = "arxiv-daily.toml";
/// The reader's library (user state: see `library`), beside the archive and never part of it.
pub const LIBRARY_FILE: &str = "library.sqlite3";

/// What went wrong reading an archive. The cause stays the error's source (`{:#}` shows it).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The folder holds no archive database.
    #[error(
        "no archive in {}: run `arxiv-daily ingest` or `arxiv-daily import legacy PATH` first, or pass --data-dir",
        dir.display()
    )]
    NoArchive { dir: PathBuf },
    /// `--config PATH` names a file that is not there.
    #[error("{}: no such config file", path.display())]
    NoConfigFile { path: PathBuf },
    /// The config file cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A profile the config does not define and no imported report has.
    #[error(transparent)]
    UnknownProfile(#[from] UnknownProfile),
    /// The archive database does not open.
    #[error("{}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    /// A read of the archive database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The search index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The archive has no search index yet.
    #[error(
        "the archive {} has no search index yet: run `arxiv-daily doctor --repair` to build it",
        dir.display()
    )]
    NoIndex { dir: PathBuf },
}

pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;

/// Where the archive and its config live.
#[derive(Debug, Clone)]
pub struct Location {
    pub dir: PathBuf,
    /// `--config PATH`, else `<dir>/arxiv-daily.toml`.
    pub config: Option<PathBuf>,
    /// `--library PATH`, else `<dir>/library.sqlite3`.
    pub library: Option<PathBuf>,
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

    /// The reader's library (user state, beside the archive and never part of it).
    pub fn library_path(&self) -> PathBuf {
        self.library
            .clone()
            .unwrap_or_else(|| self.dir.join(LIBRARY_FILE))
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.join(INDEX_DIR)
    }

    /// Fails with a hint when there is no archive here.
    pub fn check_archive(&self) -> Result<()> {
        if !self.db_path().is_file() {
            return Err(ArchiveError::NoArchive {
                dir: self.dir.clone(),
            });
        }
        Ok(())
    }

    pub fn load_config(&self) -> Result<Config> {
        let path = self.config_path();
        if self.config.is_some() && !path.exists() {
            return Err(ArchiveError::NoConfigFile { path });
        }
        Ok(Config::load(&path)?)
    }
}

/// The one read path: see the module's comment.
pub struct Reader {
    loc: Location,
    config: Config,
    /// Read-only connections not in use; a read takes one (or opens one) and gives it back, so
    /// each thread that reads at a time has its own.
    idle: std::sync::Mutex<Vec<Store>>,
    /// The search index, once opened (`with_index`).
    index: Option<SearchIndex>,
}

impl Reader {
    /// Opens an existing archive for reading (the database and the config; the index is opened
    /// by [`Reader::with_index`]); never blocks or is blocked by a writer.
    pub fn open(loc: &Location) -> Result<Reader> {
        loc.check_archive()?;
        let config = loc.load_config()?;
        let first = open_store(loc)?;
        Ok(Reader {
            loc: loc.clone(),
            config,
            idle: std::sync::Mutex::new(vec![first]),
            index: None,
        })
    }

    /// Opens the search index too, warning on stderr when it is behind SQLite or of an older
    /// layout (`doctor --repair` fixes both). `keep`: one reader for every search from now on
    /// (a server's), reloaded by [`Reader::reload_index`].
    /// An archive without an index yet opens all the same; [`Reader::index`] then says how
    /// to build one.
    pub fn with_index(mut self, keep: bool) -> Result<Reader> {
        let Some(mut index) = SearchIndex::open_existing(&self.loc.index_dir())? else {
            return Ok(self);
        };
        self.warn_about(&index)?;
        if keep {
            index.keep_reader()?;
        }
        self.index = Some(index);
        Ok(self)
    }

    fn warn_about(&self, index: &SearchIndex) -> Result<()> {
        let (indexed_seq, layout) = index.payload()?;
        if indexed_seq < self.read_as(|r| Ok::<_, ArchiveError>(r.write_seq()?))? {
            eprintln!(
                "arxiv-daily: warning: the search index is behind the archive (an interrupted write?); run `arxiv-daily doctor --repair`"
            );
        }
        if layout != crate::index::LAYOUT {
            eprintln!(
                "arxiv-daily: warning: the search index was built by an older arxiv-daily and ranks differently; run `arxiv-daily doctor --repair` to rebuild it"
            );
        }
        Ok(())
    }

    /// The index as it opens now, its errors unchanged (for `doctor`, which reports them).
    pub fn open_index(&self) -> crate::index::Result<Option<SearchIndex>> {
        SearchIndex::open_existing(&self.loc.index_dir())
    }

    /// Opens the index again (a writer may have replaced its segments since it was opened).
    pub fn reopen_index(&mut self) -> Result<()> {
        if let Some(fresh) = SearchIndex::open_existing(&self.loc.index_dir())? {
            self.index = Some(fresh);
        }
        Ok(())
    }

    /// The search index (opened by [`Reader::with_index`]).
    pub fn index(&self) -> Result<&SearchIndex> {
        self.index.as_ref().ok_or_else(|| ArchiveError::NoIndex {
            dir: self.loc.dir.clone(),
        })
    }

    /// The index if it was opened (`show` lists similar papers only with one).
    pub fn index_if_open(&self) -> Option<&SearchIndex> {
        self.index.as_ref()
    }

    /// Picks up what writers committed to the index since (with a kept reader).
    pub fn reload_index(&self) -> Result<()> {
        if let Some(index) = &self.index {
            index.reload()?;
        }
        Ok(())
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn dir(&self) -> &Path {
        &self.loc.dir
    }

    /// The profile of that name: a configured one, else one that exists only in imported
    /// reports (shown with no categories); `None` means the config's default
    /// ([`Config::profile`]). The error names the configured profiles.
    pub fn profile(&self, name: Option<&str>) -> Result<Profile> {
        self.read_as(|r| self.profile_in(r, name))
    }

    /// As [`Reader::profile`], inside a read.
    pub fn profile_in(&self, reads: &Reads<'_>, name: Option<&str>) -> Result<Profile> {
        match self.config.profile(name) {
            Ok(p) => Ok(p.clone()),
            Err(unknown) => {
                if reads.report_days(&unknown.name)?.is_empty() {
                    Err(unknown.into())
                } else {
                    Ok(Profile {
                        name: unknown.name,
                        categories: vec![],
                        ..Profile::default_profile()
                    })
                }
            }
        }
    }

    /// Runs `f` in one read transaction on a connection of its own: everything `f` reads is
    /// one state of the archive (one write batch's), however long it takes.
    pub fn read<T>(&self, f: impl FnOnce(&Reads<'_>) -> anyhow::Result<T>) -> anyhow::Result<T> {
        self.read_as(f)
    }

    /// As [`Reader::read`], with the closure's own error type.
    pub fn read_as<T, E: From<ArchiveError>>(
        &self,
        f: impl FnOnce(&Reads<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let store = match taken {
            Some(s) => s,
            None => open_store(&self.loc)?,
        };
        let result = {
            let snapshot = store.snapshot().map_err(ArchiveError::from)?;
            f(&snapshot.read())
        };
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(store);
        }
        result
    }
}

fn open_store(loc: &Location) -> Result<Store> {
    let path = loc.db_path();
    Store::open_read_only(&path).map_err(|source| ArchiveError::Open { path, source })
}
