//! Target `sql_guard`: the db-server example's `query` path (read-only connection, authorizer,
//! read-only statement check, limits) with arbitrary SQL and parameters.
//!
//! The input is the SQL, then optionally a 0xFF byte and the parameters as a JSON array. The
//! seeded example database lives in a temporary directory. Invariants, checked every
//! [`DIGEST_EVERY`] inputs: the database file and its WAL keep their bytes, no file appears in the
//! database's directory (an `ATTACH` or `VACUUM INTO` would create one) or in the working
//! directory; and on every input: no panic, at most the default number of rows, and a refusal
//! always says something.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use db_server::db::{Database, Limits};
use serde_json::Value;
use tempfile::TempDir;

use crate::support::{RUNTIME, UnchangedDatabase, split_at_byte};

/// How often files are compared with their state at start.
pub const DIGEST_EVERY: u64 = 64;

struct Fixture {
    dir: TempDir,
    database: UnchangedDatabase,
    dir_names: BTreeSet<String>,
    cwd_names: BTreeSet<String>,
    db: Database,
    limits: Limits,
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("a readable directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // SQLite's shared-memory index is rewritten by readers by design; it holds no rows.
        .filter(|name| !name.ends_with("-shm"))
        .collect()
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(db_server::DATABASE_FILE);
    let limits = Limits {
        // Keeps slow SQL from slowing the run; the limit itself is what is being exercised.
        time_limit: Duration::from_millis(200),
        ..Limits::default()
    };
    let db = Database::open_with_limits(&path, limits).expect("the example database");
    // One query first, so the reader connection and its files exist before the first digest.
    RUNTIME
        .block_on(db.query("SELECT 1".to_owned(), Vec::new(), None))
        .expect("a read");
    let database = UnchangedDatabase::new(&path, DIGEST_EVERY);
    let dir_names = names(dir.path());
    let cwd_names = names(&std::env::current_dir().expect("a working directory"));
    Fixture {
        dir,
        database,
        dir_names,
        cwd_names,
        db,
        limits,
    }
});

/// Runs one input.
pub fn check(data: &[u8]) {
    let fixture = &*FIXTURE;
    let (sql, params) = split_at_byte(data, 0xff);
    let sql = String::from_utf8_lossy(sql).into_owned();
    let params = match serde_json::from_slice::<Value>(params) {
        Ok(Value::Array(params)) => params,
        _ => Vec::new(),
    };
    match RUNTIME.block_on(fixture.db.query(sql, params, None)) {
        Ok(output) => assert!(output.rows.len() <= fixture.limits.default_rows),
        Err(error) => assert!(!error.to_string().trim().is_empty()),
    }
    if fixture.database.due() {
        unchanged(fixture);
    }
}

fn unchanged(fixture: &Fixture) {
    fixture.database.assert_unchanged("`query`");
    assert_eq!(names(fixture.dir.path()), fixture.dir_names);
    let cwd = std::env::current_dir().expect("a working directory");
    assert_eq!(
        names(&cwd),
        fixture.cwd_names,
        "a file appeared in {}",
        cwd.display()
    );
}
