//! The database layer of the example server, kept apart from MCP so it can be tested on its own.
//!
//! [`Database`] is one of two backends behind the same methods and answers: SQLite (the embedded
//! default, described here) or PostgreSQL (module `pg`, chosen with `--database-url`).
//!
//! On SQLite, every guarantee the tools advertise is enforced here by SQLite itself, never by reading SQL text:
//! reads run on read-only connections (opened `SQLITE_OPEN_READ_ONLY`, `PRAGMA query_only`, an
//! authorizer that allows only reads, and a check that the prepared statement is read-only); writes
//! and schema changes run on the one writer connection, each in a transaction, with an authorizer
//! that allows only the kind of statement the caller asked for. All SQLite work runs on tokio's
//! blocking pool, so a slow query never stalls the async runtime, and WAL lets readers run while a
//! writer commits.

mod catalog;
mod ddl;
mod error;
mod functions;
mod guard;
mod inspect;
mod modify;
mod open;
mod pg;
mod query;
mod settings;
mod size;
mod value;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use catalog::Reader;
use rusqlite::Connection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use ddl::SchemaChange;
pub use error::DbError;
pub use inspect::{
    ColumnInfo, ForeignKeyInfo, IndexInfo, TableDescription, TableKind, TableList, TableSummary,
};
pub use modify::ExecuteOutput;
pub use pg::PgOptions;
pub use query::QueryOutput;
pub use settings::{CallLimits, DatabaseSettings};

/// Bounds on what one call may cost, and on how many read calls run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows a query returns when the caller does not ask for fewer (the rest is cut, `truncated`).
    pub default_rows: usize,
    /// The most rows a caller may ask for.
    pub max_rows: usize,
    /// How long one statement may run before SQLite interrupts it.
    pub time_limit: Duration,
    /// The largest string or blob a statement may produce, in bytes (`SQLITE_LIMIT_LENGTH`).
    pub max_value_bytes: usize,
    /// How much one result may hold, in bytes; rows past it are cut (`truncated`). Each value
    /// counts as the larger of its JSON text as sent and the memory it takes once converted (at
    /// least 32 bytes), so this bounds both the answer and the memory a call holds.
    pub max_result_bytes: usize,
    /// The most memory SQLite may hold at once, in bytes, for the whole process (`PRAGMA
    /// hard_heap_limit`; the last database opened sets it). A statement that needs more fails
    /// with "out of memory" instead of exhausting the machine: one row of 2000 columns of
    /// `max_value_bytes` each would be 32 GiB.
    pub max_memory_bytes: usize,
    /// How many read calls (`query`, `list_tables`, `describe_table`) run at once, each on its own
    /// read-only connection and blocking thread; more wait for one to finish, at most
    /// `time_limit`, then get [`DbError::Busy`]. With `max_result_bytes`, this bounds the
    /// connections, threads and result memory all callers together can hold.
    pub max_readers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            default_rows: 500,
            max_rows: 5_000,
            time_limit: Duration::from_secs(5),
            max_value_bytes: 16 * 1024 * 1024,
            max_result_bytes: 4 * 1024 * 1024,
            max_memory_bytes: 1024 * 1024 * 1024,
            max_readers: 8,
        }
    }
}

/// The example database, on SQLite or PostgreSQL. Cheap to clone (all clones share the
/// connections).
#[derive(Debug, Clone)]
pub struct Database {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(Sqlite),
    Postgres(pg::Postgres),
}

/// One SQLite file, one writer connection and a pool of at most `max_readers` read-only
/// connections.
#[derive(Debug, Clone)]
pub(crate) struct Sqlite {
    inner: Arc<Inner>,
}

impl Database {
    /// Opens (creating and seeding on first use) the SQLite database at `path` with default
    /// limits.
    ///
    /// Blocks on file I/O: call it before serving, or from a blocking task.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        Self::open_with_limits(path, Limits::default())
    }

    /// Opens (creating and seeding on first use) the SQLite database at `path`.
    pub fn open_with_limits(path: impl AsRef<Path>, limits: Limits) -> Result<Self, DbError> {
        Sqlite::open_with_limits(path, limits).map(|db| Self {
            backend: Backend::Sqlite(db),
        })
    }

    /// Connects to PostgreSQL as `options` say, creating the schema's sample tables when the
    /// schema has none. Fails when the server cannot be reached or refuses the login.
    pub async fn connect_postgres(options: PgOptions, limits: Limits) -> Result<Self, DbError> {
        pg::Postgres::connect(options, limits).await.map(|db| Self {
            backend: Backend::Postgres(db),
        })
    }

    /// The SQLite database file (`None` on PostgreSQL).
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(db) => Some(&db.inner.path),
            Backend::Postgres(_) => None,
        }
    }

    /// Whether this is the PostgreSQL backend.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        match &self.backend {
            Backend::Sqlite(db) => db.inner.limits,
            Backend::Postgres(db) => db.limits(),
        }
    }

    /// Runs one read-only statement with positional parameters and returns at most `max_rows`
    /// rows (default and maximum from [`Limits`]).
    pub async fn query(
        &self,
        sql: String,
        params: Vec<serde_json::Value>,
        max_rows: Option<usize>,
    ) -> Result<QueryOutput, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.query(sql, params, max_rows).await,
            Backend::Postgres(db) => db.query(sql, params, max_rows).await,
        }
    }

    /// Runs one INSERT, UPDATE or DELETE statement in its own transaction.
    pub async fn execute(
        &self,
        sql: String,
        params: Vec<serde_json::Value>,
    ) -> Result<ExecuteOutput, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.execute(sql, params).await,
            Backend::Postgres(db) => db.execute(sql, params).await,
        }
    }

    /// Lists tables and views, with columns and row counts.
    pub async fn list_tables(&self) -> Result<TableList, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.list_tables().await,
            Backend::Postgres(db) => db.list_tables().await,
        }
    }

    /// Describes one table or view: columns, keys, indexes, row count and its CREATE statement.
    pub async fn describe_table(&self, name: String) -> Result<TableDescription, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.describe_table(name).await,
            Backend::Postgres(db) => db.describe_table(name).await,
        }
    }

    /// Runs one `CREATE TABLE` statement (anything else is refused).
    pub async fn create_table(&self, sql: String) -> Result<SchemaChange, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.create_table(sql).await,
            Backend::Postgres(db) => db.create_table(sql).await,
        }
    }

    /// Runs one `CREATE INDEX` statement (anything else is refused).
    pub async fn create_index(&self, sql: String) -> Result<SchemaChange, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.create_index(sql).await,
            Backend::Postgres(db) => db.create_index(sql).await,
        }
    }

    /// Drops a table and its rows and indexes. Refused while other tables' foreign keys point at
    /// rows in it.
    pub async fn drop_table(&self, name: String, if_exists: bool) -> Result<SchemaChange, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.drop_table(name, if_exists).await,
            Backend::Postgres(db) => db.drop_table(name, if_exists).await,
        }
    }

    /// Drops an index.
    pub async fn drop_index(&self, name: String, if_exists: bool) -> Result<SchemaChange, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.drop_index(name, if_exists).await,
            Backend::Postgres(db) => db.drop_index(name, if_exists).await,
        }
    }
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    limits: Limits,
    // Fields drop in order: the readers close first, so the writer is the last connection and
    // checkpoints the WAL into the database file on the way out.
    idle_readers: Mutex<Vec<Reader>>,
    writer: Mutex<Connection>,
    /// One permit per read-only connection that may be open and in use.
    readers: Arc<Semaphore>,
    /// One permit: the turn on the writer. Writes queue here, as cheap futures, rather than as
    /// blocking threads waiting on the mutex.
    writer_turn: Arc<Semaphore>,
}

impl Sqlite {
    fn open_with_limits(path: impl AsRef<Path>, limits: Limits) -> Result<Self, DbError> {
        let path = path.as_ref().to_path_buf();
        if limits.max_readers == 0 || limits.max_readers > Semaphore::MAX_PERMITS {
            return Err(DbError::Internal(format!(
                "max_readers must be between 1 and {}, not {}",
                Semaphore::MAX_PERMITS,
                limits.max_readers
            )));
        }
        let writer = open::open_writer(&path, &limits)?;
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                limits,
                idle_readers: Mutex::new(Vec::new()),
                writer: Mutex::new(writer),
                readers: Arc::new(Semaphore::new(limits.max_readers)),
                writer_turn: Arc::new(Semaphore::new(1)),
            }),
        })
    }
}

impl Inner {
    /// Runs `work` on the writer connection, on the blocking pool, once it is this call's turn
    /// (waiting at most twice `time_limit`: a write queued behind one that runs to the limit
    /// still gets its turn).
    async fn with_writer<T, F>(self: &Arc<Self>, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Limits) -> Result<T, DbError> + Send + 'static,
    {
        let wait = self.limits.time_limit.saturating_mul(2);
        let Some(turn) = wait_for(&self.writer_turn, wait).await? else {
            return Err(DbError::WriterBusy { waited: wait });
        };
        let inner = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            // A panic while holding the lock leaves no open transaction behind (the transaction
            // guard rolls back on unwind), so the connection is still usable.
            let mut conn = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn, &inner.limits)
        })
        .await
        .map_err(|e| DbError::Internal(format!("database task failed: {e}")))?
    }

    fn take_reader(&self) -> Result<Reader, DbError> {
        let idle = self
            .idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(reader) => Ok(reader),
            None => open::open_reader(&self.path, &self.limits).map(Reader::new),
        }
    }

    fn give_back_reader(&self, reader: Reader) {
        let mut idle = self
            .idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.limits.max_readers {
            idle.push(reader);
        }
    }

    /// Runs `work` on a read-only connection, on the blocking pool, once one of the `max_readers`
    /// is free (waiting at most `time_limit`). If the returned future is dropped (the client went
    /// away), the running statement is interrupted.
    async fn with_reader<T, F>(self: &Arc<Self>, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Limits) -> Result<T, DbError> + Send + 'static,
    {
        self.with_pooled_reader(move |reader, limits| work(reader.connection(), limits))
            .await
    }

    /// [`Inner::with_reader`], handing `work` the pooled reader itself (with its catalog cache).
    async fn with_pooled_reader<T, F>(self: &Arc<Self>, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Reader, &Limits) -> Result<T, DbError> + Send + 'static,
    {
        let wait = self.limits.time_limit;
        // The permit moves into the blocking task: a statement still running after its caller
        // left keeps its connection counted until it stops.
        let Some(permit) = wait_for(&self.readers, wait).await? else {
            return Err(DbError::Busy {
                readers: self.limits.max_readers,
                waited: wait,
            });
        };
        let running: Arc<Mutex<Option<rusqlite::InterruptHandle>>> = Arc::default();
        let guard = InterruptOnDrop(Arc::clone(&running));
        let inner = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut reader = inner.take_reader()?;
            *running.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(reader.connection().get_interrupt_handle());
            let result = work(&mut reader, &inner.limits);
            // Forget the handle before the connection can serve another caller, so a late
            // interrupt cannot reach someone else's statement.
            running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            inner.give_back_reader(reader);
            result
        })
        .await
        .map_err(|e| DbError::Internal(format!("database task failed: {e}")))?;
        drop(guard);
        result
    }
}

/// Takes a permit of `semaphore`, waiting at most `wait`; `None` when the wait ran out.
pub(crate) async fn wait_for(
    semaphore: &Arc<Semaphore>,
    wait: Duration,
) -> Result<Option<OwnedSemaphorePermit>, DbError> {
    match tokio::time::timeout(wait, Arc::clone(semaphore).acquire_owned()).await {
        Ok(Ok(permit)) => Ok(Some(permit)),
        Ok(Err(_closed)) => Err(DbError::Internal("the database is closing".to_owned())),
        Err(_elapsed) => Ok(None),
    }
}

/// Quotes an identifier for SQL: SQLite's rule is to double any `"` and wrap the name in `"`.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Interrupts the statement a reader is running when the caller stops waiting for it.
struct InterruptOnDrop(Arc<Mutex<Option<rusqlite::InterruptHandle>>>);

impl Drop for InterruptOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            handle.interrupt();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quote_ident;

    #[test]
    fn identifiers_are_quoted_with_doubled_quotes() {
        assert_eq!(quote_ident("orders"), "\"orders\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
