//! SQLite, the source of truth. Opening sets WAL, synchronous=NORMAL, a busy timeout and foreign
//! keys, and applies the append-only migrations keyed by `PRAGMA user_version`. Writes happen in
//! one IMMEDIATE transaction per batch; this module never touches the index.

mod read;
use read::parse_write_seq;
pub(crate) mod text;
mod write;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::sqlite::{self, MigrateError};

pub use read::*;
pub use write::*;

/// Migrations, in order. Index `i` brings the schema to `user_version = i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("schema2.sql"),
    include_str!("schema3.sql"),
];

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed; the message says what.
    #[error("archive database: {0}")]
    Sqlite(rusqlite::Error),
    /// The database was written by a newer arxiv-daily.
    #[error(
        "the archive database has schema version {found}, newer than this arxiv-daily knows ({known}); upgrade arxiv-daily"
    )]
    TooNew { found: i64, known: i64 },
    /// The write-batch counter (`meta.write_seq`) does not parse.
    #[error(
        "archive database: its write-batch counter (meta.write_seq) is {0:?}, not a number; run `arxiv-daily doctor --repair`"
    )]
    WriteSeq(String),
    /// A caller's callback stopped a read early (its own error says why).
    #[error("stopped by the caller")]
    Stopped,
    /// Stored data that should not be there.
    #[error("archive database: {0}")]
    Corrupt(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<MigrateError> for StoreError {
    fn from(e: MigrateError) -> Self {
        match e {
            MigrateError::Sqlite(e) => StoreError::Sqlite(e),
            MigrateError::TooNew { found, known } => StoreError::TooNew { found, known },
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection to the archive database. The connection stays private: everything goes
/// through the typed reads (`read()`) and the write batches (`writer()`). Outside the crate a
/// store can only be opened read-only; inside, only `ingest` opens one for writing, and its
/// `Session` keeps it in a private field, so a write batch is reachable only there.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens for writing, creating and migrating the database as needed. Only the write path
    /// (`ingest::Writer`) opens one.
    pub(crate) fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            create(path)?;
        }
        let mut conn = sqlite::open_writer(path, Duration::from_secs(30))?;
        conn.pragma_update(None, "cache_size", -65536)?;
        sqlite::migrate(&mut conn, MIGRATIONS)?;
        Ok(Store { conn })
    }

    /// Opens an existing database for reading only; never blocks a writer.
    ///
    /// A writer killed in the middle of a transaction can leave work that only a writable
    /// connection may undo (a hot rollback journal, a WAL index to rebuild); a read-only
    /// connection then fails with `SQLITE_READONLY_ROLLBACK`/`_RECOVERY`. In that case a
    /// writable connection is opened once, which lets SQLite finish its own recovery, and the
    /// read-only open is tried again.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        match Self::try_open_read_only(path) {
            Err(StoreError::Sqlite(e)) if needs_recovery(&e) => {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(Duration::from_secs(30))?;
                conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?;
                conn.close().map_err(|(_, e)| e)?;
                Self::try_open_read_only(path)
            }
            other => other,
        }
    }

    fn try_open_read_only(path: &Path) -> Result<Store> {
        let conn = sqlite::open_reader(path, Duration::from_secs(10))?;
        let found = sqlite::user_version(&conn)?;
        if found > MIGRATIONS.len() as i64 {
            return Err(StoreError::TooNew {
                found,
                known: MIGRATIONS.len() as i64,
            });
        }
        Ok(Store { conn })
    }

    /// Rewrites `meta.write_seq` as the newest batch any paper was stamped with (what it was,
    /// unless batches after it changed only bookkeeping).
    pub(crate) fn repair_write_seq(&mut self) -> Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let seq: i64 = tx.query_row("SELECT coalesce(max(index_seq), 0) FROM papers", [], |r| {
            r.get(0)
        })?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'write_seq'",
            [seq.to_string()],
        )?;
        tx.commit()?;
        Ok(seq)
    }
}

/// Enums are stored as their names; a name this version does not know is corruption.
macro_rules! from_sql_by_name {
    ($t:ty, $what:literal) => {
        impl rusqlite::types::FromSql for $t {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let name = value.as_str()?;
                <$t>::parse(name).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(
                        format!("unknown {} {name:?}", $what).into(),
                    )
                })
            }
        }
    };
}
from_sql_by_name!(crate::model::Provenance, "provenance");

/// Days are stored as `YYYY-MM-DD`; anything else is corruption.
impl rusqlite::types::FromSql for crate::model::Day {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        crate::model::Day::from_iso(text).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(
                format!("{text:?} is not a day (YYYY-MM-DD)").into(),
            )
        })
    }
}
from_sql_by_name!(crate::model::AnnounceType, "announce type");

/// Creates the database under a temporary name and renames it into place once its schema is
/// complete, so that a crash during creation never leaves a database that readers cannot open.
///
/// The database is switched to WAL before its schema is written, so that it never holds a
/// rollback journal once it has its real name (a journal left by a crash could only be undone
/// by a writable connection, and readers open read-only).
fn create(path: &Path) -> Result<()> {
    let tmp = path.with_extension("sqlite3.creating");
    // A crashed earlier attempt may have left its WAL or journal: SQLite would replay those
    // into the new file, so they go with it.
    for leftover in ["", "-wal", "-shm", "-journal"] {
        let mut name = tmp.clone().into_os_string();
        name.push(leftover);
        let _ = std::fs::remove_file(name);
    }
    let mut conn = Connection::open(&tmp)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    sqlite::migrate(&mut conn, MIGRATIONS)?;
    conn.close().map_err(|(_, e)| e)?;
    crate::files::rename_durably(&tmp, path)
        .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", path.display())))?;
    Ok(())
}

/// Whether a read-only open failed only because a crashed writer left recovery work behind.
fn needs_recovery(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error(),
        Some(rusqlite::ffi::Error { extended_code, .. })
            if *extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK
                || *extended_code == rusqlite::ffi::SQLITE_READONLY_RECOVERY
                || *extended_code == rusqlite::ffi::SQLITE_READONLY_CANTINIT
    )
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    /// A cached statement that joins on a bound parameter runs as compiled, whatever is bound
    /// (SQLite recompiles it at every binding unless plans are kept stable).
    #[test]
    fn joins_on_a_parameter_are_not_compiled_again_per_binding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite3");
        drop(super::Store::open(&path).unwrap());
        for store in [
            super::Store::open(&path).unwrap(),
            super::Store::open_read_only(&path).unwrap(),
        ] {
            let reads = store.read();
            for id in ["2401.00001", "2401.00002", "2401.00003"] {
                reads.latest_text(id).unwrap();
            }
            let stmt = store.conn.prepare_cached(super::read::LATEST_TEXT).unwrap();
            assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
        }
    }
}
