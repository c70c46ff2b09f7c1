//! Opening connections: the writer (which creates and seeds the file on first use) and the
//! read-only readers, each configured so SQLite itself enforces what the connection may do.

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::{DbError, Limits};

/// The sample data set, loaded once when the file is created.
const SEED_SQL: &str = include_str!("seed.sql");

/// Marks a database this server created and seeded (`PRAGMA user_version`), so a later run never
/// seeds again, even if every table was dropped since.
const SEEDED_VERSION: i32 = 1;

/// How long a connection waits for a lock held by another connection before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn internal(what: &str, path: &Path) -> impl FnOnce(rusqlite::Error) -> DbError {
    let context = format!("{what} {}", path.display());
    let damaged = format!(
        "{} is damaged or not a SQLite database; it was left as it is (move it away to start over \
         with the sample data)",
        path.display()
    );
    move |e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            DbError::Internal(format!("{damaged}: {e}"))
        }
        _ => DbError::Internal(format!("{context}: {e}")),
    }
}

/// Opens the read-write connection, creating the file (and its directory) and seeding it if it is
/// new. Turns on WAL so readers keep reading while this connection writes.
pub(crate) fn open_writer(path: &Path, limits: &Limits) -> Result<Connection, DbError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            DbError::Internal(format!("cannot create directory {}: {e}", dir.display()))
        })?;
    }
    create_owner_only(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn =
        Connection::open_with_flags(path, flags).map_err(internal("cannot open", path))?;
    // SQLite quietly opens a file it may not write read-only; the server would then refuse every
    // change with a misleading message.
    if conn
        .is_readonly(rusqlite::MAIN_DB)
        .map_err(internal("cannot open", path))?
    {
        return Err(DbError::Internal(format!(
            "{} is read-only for this user; the server needs to write it (check the permissions \
             of the file, of its -wal and -shm files, and of its directory)",
            path.display()
        )));
    }
    harden(&conn, limits).map_err(internal("cannot configure", path))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(internal("cannot configure", path))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(internal("cannot enable WAL on", path))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(DbError::Internal(format!(
            "{} does not support WAL (journal mode stays {mode})",
            path.display()
        )));
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(internal("cannot configure", path))?;
    let heap_limit: i64 = conn
        .query_row(
            &format!("PRAGMA hard_heap_limit = {}", limits.max_memory_bytes),
            [],
            |row| row.get(0),
        )
        .map_err(internal("cannot configure", path))?;
    if usize::try_from(heap_limit).ok() != Some(limits.max_memory_bytes) {
        return Err(DbError::Internal(format!(
            "cannot limit SQLite's memory to {} bytes (it reports {heap_limit})",
            limits.max_memory_bytes
        )));
    }
    seed_if_new(&mut conn).map_err(internal("cannot seed", path))?;
    Ok(conn)
}

/// Creates the database file, empty and readable by its owner only, if it does not exist yet.
/// SQLite then treats it as a new database, and gives its WAL and shared-memory files the same
/// permissions.
fn create_owner_only(path: &Path) -> Result<(), DbError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(DbError::Internal(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}

/// Opens a connection that cannot write: opened read-only and with `query_only` on. The
/// authorizer and the statement check (see `guard` and `query`) come on top of this.
pub(crate) fn open_reader(path: &Path, limits: &Limits) -> Result<Connection, DbError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(internal("cannot open", path))?;
    harden(&conn, limits).map_err(internal("cannot configure", path))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(internal("cannot configure", path))?;
    conn.execute_batch("PRAGMA query_only = ON;")
        .map_err(internal("cannot configure", path))?;
    Ok(conn)
}

/// Settings for every connection: no way to reach other files or native code, and no schema
/// tricks, whatever the statements say.
fn harden(conn: &Connection, limits: &Limits) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    // Off by default, kept explicit: with it on, fts3_tokenizer() would take a pointer from SQL
    // text too, not only from a bound parameter (which the function allow-list refuses).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE, false)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    // Sorts, DISTINCT, GROUP BY and temporary indexes keep their data in memory, under the heap
    // limit, instead of spilling to temporary files: with files, a read scope could fill the
    // disk (one `ORDER BY` over a generated series writes hundreds of megabytes a second until
    // the time limit, on every reader at once).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    let max_len = i32::try_from(limits.max_value_bytes).unwrap_or(i32::MAX);
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, max_len)?;
    Ok(())
}

fn seed_if_new(conn: &mut Connection) -> rusqlite::Result<()> {
    // An exclusive transaction: two servers started at once on a new file seed it only once.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i32 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let objects: i64 = tx.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
        [],
        |row| row.get(0),
    )?;
    if version == 0 && objects == 0 {
        tx.execute_batch(SEED_SQL)?;
        tx.pragma_update(None, "user_version", SEEDED_VERSION)?;
        tracing::info!("created the sample database");
    }
    tx.commit()
}
