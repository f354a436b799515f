//! What the archive (`store`) and the library share about SQLite: how a connection is opened
//! (a writer's pragmas, a reader's flags), the append-only migrations keyed by
//! `PRAGMA user_version`, the BUSY that SQLite answers without its busy handler, and the time
//! both files store. Each file keeps its own schema and its own error type.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

/// Now, as both files store times: RFC 3339 in UTC, to the second.
pub(crate) fn now() -> String {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Second).unwrap_or(now).to_string()
}

/// Opens `path` for reading and writing (creating an empty file if there is none) with the
/// writer's settings: WAL, synchronous=NORMAL, foreign keys, `busy` as the busy timeout, and
/// plans kept stable whatever is bound.
pub(crate) fn open_writer(path: &Path, busy: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(busy)?;
    stable_plans(&conn)?;
    again_when_busy(|| {
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
    })?;
    Ok(conn)
}

/// Opens an existing `path` for reading only: a reader never writes, nor creates, nor migrates.
pub(crate) fn open_reader(path: &Path, busy: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(busy)?;
    stable_plans(&conn)?;
    Ok(conn)
}

/// The file's schema version (`PRAGMA user_version`; 0 for a file no migration has touched).
pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    again_when_busy(|| conn.query_row("PRAGMA user_version", [], |r| r.get(0)))
}

/// Why migrating failed.
#[derive(Debug)]
pub(crate) enum MigrateError {
    /// SQLite failed.
    Sqlite(rusqlite::Error),
    /// The file was written by a newer arxiv-daily (its version, the versions this one knows).
    TooNew { found: i64, known: i64 },
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

/// Applies the migrations the file lacks (index `i` brings it to `user_version = i + 1`;
/// migrations are only ever added, never edited), in one IMMEDIATE transaction that reads the
/// version itself: two connections that create a file at once apply them once, the second
/// finding them done, and a crash leaves the file as it was.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<(), MigrateError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = migrations.len() as i64;
    if found > known {
        return Err(MigrateError::TooNew { found, known });
    }
    for (i, sql) in migrations.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

/// Runs `f` again (for 1 s at most) while SQLite answers BUSY without calling the busy
/// handler, as it does to a connection that turns a file to WAL, or reads its version, while
/// another connection is doing the same to a new file.
pub(crate) fn again_when_busy<T>(
    mut f: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let mut attempts = 0;
    loop {
        match f() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::DatabaseBusy && attempts < 100 =>
            {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// Plans that do not depend on the values bound. Without this SQLite compiles a cached statement
/// that joins on a bound parameter again at every new binding (it checks whether the value
/// could pick another plan): 16 µs of a 10 µs lookup, paid 25 times per page of search hits.
fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "CREATE TABLE a (x INTEGER);";
    const V2: &str = "CREATE TABLE b (y INTEGER);";

    #[test]
    fn migrations_apply_once_in_order_and_a_newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.sqlite3");
        let mut conn = open_writer(&path, Duration::from_secs(1)).unwrap();
        migrate(&mut conn, &[V1]).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 1);
        migrate(&mut conn, &[V1]).unwrap();
        migrate(&mut conn, &[V1, V2]).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 2);
        assert!(matches!(
            migrate(&mut conn, &[V1]),
            Err(MigrateError::TooNew { found: 2, known: 1 })
        ));
        let reader = open_reader(&path, Duration::from_secs(1)).unwrap();
        assert_eq!(user_version(&reader).unwrap(), 2);
        assert!(reader.execute("INSERT INTO a VALUES (1)", []).is_err());
    }

    #[test]
    fn a_failed_migration_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.sqlite3");
        let mut conn = open_writer(&path, Duration::from_secs(1)).unwrap();
        assert!(migrate(&mut conn, &[V1, "NOT SQL"]).is_err());
        assert_eq!(user_version(&conn).unwrap(), 0);
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }
}
