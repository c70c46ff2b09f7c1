//! [`Database`]: the one type the tools hold, answering the same calls on either backend by
//! passing each to SQLite (`sqlite.rs` and the operation files) or PostgreSQL (`pg`).

use std::path::Path;

use super::ddl::SchemaChange;
use super::error::DbError;
use super::limits::Limits;
use super::modify::ExecuteOutput;
use super::pg::{self, PgOptions};
use super::query::QueryOutput;
use super::schema::{TableDescription, TableList};
use super::sqlite::Sqlite;

/// The example database, on SQLite or PostgreSQL. Cheap to clone (all clones share the
/// connections).
#[derive(Debug, Clone)]
pub struct Database {
    pub(super) backend: Backend,
}

#[derive(Debug, Clone)]
pub(super) enum Backend {
    Sqlite(Sqlite),
    Postgres(pg::Postgres),
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
