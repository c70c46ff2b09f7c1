//! The PostgreSQL backend: the same tools and answers as SQLite, on a database many server
//! instances can share.
//!
//! Driver: `tokio-postgres` with `deadpool-postgres`. tokio-postgres speaks the extended protocol
//! directly (`prepare` is one Parse message, which PostgreSQL refuses for a string of several
//! statements), exposes a prepared statement's parameter and column types before it runs (the
//! read check needs both), and needs no compile-time database like sqlx's checked macros;
//! deadpool adds a bounded pool whose recycling resets session state. TLS is rustls with the
//! aws-lc-rs provider the workspace already uses.
//!
//! Read-only is enforced by PostgreSQL (see `read`): each `query` runs as one prepared statement
//! inside `BEGIN READ ONLY … ROLLBACK`, on a connection whose session default is read-only, as the
//! reader role when one is configured; and before it runs, the statement's plan must call only
//! functions PostgreSQL itself declares free of side effects (`check`).

mod binary;
mod cancel;
mod check;
mod connect;
mod inspect;
mod read;
mod settings;
mod value;
mod write;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use deadpool_postgres::{Object, Pool, PoolError};
use tokio_postgres::error::SqlState;

use super::{DbError, Limits};

/// The sample tables in PostgreSQL's dialect, and where the rows go in it.
const SEED_TABLES: &str = include_str!("seed.sql");
const ROWS_GO_HERE: &str = "-- The rows:";

/// The sample rows: the INSERT statements of the SQLite seed, which PostgreSQL runs unchanged.
const SQLITE_SEED: &str = include_str!("../seed.sql");

/// The PostgreSQL seed script: its tables, the SQLite seed's rows, then the identity sequences
/// moved past the sample ids.
fn seed_sql() -> Result<String, DbError> {
    let rows = SQLITE_SEED
        .find("INSERT INTO")
        .map(|at| &SQLITE_SEED[at..])
        .ok_or_else(|| DbError::Internal("the sample rows are missing from seed.sql".into()))?;
    let at = SEED_TABLES
        .find(ROWS_GO_HERE)
        .ok_or_else(|| DbError::Internal("pg/seed.sql lost its rows marker".into()))?;
    Ok(format!(
        "{}{rows}\n{}",
        &SEED_TABLES[..at],
        &SEED_TABLES[at..]
    ))
}

/// Where the PostgreSQL backend connects, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// `postgres://user:password@host:port/database?sslmode=…`: the connection for changes
    /// (`execute`, the create_/drop_ tools), and for reads too unless `reader_url` is set.
    pub url: String,
    /// The connection for `query`, `list_tables` and `describe_table`, as a role with only
    /// `SELECT` rights (the recommended two-role setup).
    pub reader_url: Option<String>,
    /// The schema whose tables the tools see (and where the sample tables are created).
    pub schema: String,
    /// PEM file of the certificate authorities to trust for TLS (default: the system's).
    pub ca_file: Option<PathBuf>,
}

impl PgOptions {
    /// Options for `url`, schema `public`, one role, the system's certificate authorities.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            reader_url: None,
            schema: "public".to_owned(),
            ca_file: None,
        }
    }
}

/// Pools for reads and for changes (the same role unless a reader URL is configured).
#[derive(Clone)]
pub(crate) struct Postgres {
    inner: Arc<Inner>,
}

struct Inner {
    readers: Pool,
    /// For cancel requests, which open a connection of their own.
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    writers: Pool,
    schema: String,
    limits: Limits,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the pools: their configuration holds the password.
        f.debug_struct("Postgres")
            .field("schema", &self.inner.schema)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

impl Postgres {
    pub(crate) async fn connect(options: PgOptions, limits: Limits) -> Result<Self, DbError> {
        connect::check_schema_name(&options.schema)?;
        if limits.max_readers == 0 {
            return Err(DbError::Internal(
                "max_readers must be at least 1".to_owned(),
            ));
        }
        let tls = connect::tls(options.ca_file.as_deref())?;
        let writers = connect::pool(
            &options.url,
            "--database-url",
            &options.schema,
            &limits,
            connect::Use::Write,
            tls.clone(),
        )?;
        let (reader_url, flag) = match &options.reader_url {
            Some(url) => (url.as_str(), "--database-reader-url"),
            None => (options.url.as_str(), "--database-url"),
        };
        let readers = connect::pool(
            reader_url,
            flag,
            &options.schema,
            &limits,
            connect::Use::Read,
            tls.clone(),
        )?;
        let db = Self {
            inner: Arc::new(Inner {
                readers,
                tls,
                writers,
                schema: options.schema,
                limits,
            }),
        };
        db.seed_if_empty().await?;
        // Fail at startup, not on the first call, when the reader cannot log in.
        drop(db.reader().await?);
        Ok(db)
    }

    pub(crate) fn limits(&self) -> Limits {
        self.inner.limits
    }

    fn schema(&self) -> &str {
        &self.inner.schema
    }

    async fn reader(&self) -> Result<Object, DbError> {
        checkout(&self.inner.readers, &self.inner.limits).await
    }

    /// A reader connection whose statement is cancelled if the caller goes away.
    async fn reader_checkout(&self) -> Result<cancel::Checkout, DbError> {
        let conn = self.reader().await?;
        Ok(cancel::Checkout::new(conn, self.inner.tls.clone()))
    }

    async fn writer(&self) -> Result<Object, DbError> {
        checkout(&self.inner.writers, &self.inner.limits).await
    }

    /// Creates the schema (if missing) and the sample tables when it has no table or view, in
    /// one transaction; a second server starting at the same time waits on the lock and then
    /// finds the tables.
    async fn seed_if_empty(&self) -> Result<(), DbError> {
        let mut conn = self.writer().await?;
        let tx = conn.transaction().await.map_err(|e| self.error(&e))?;
        let schema = self.schema();
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('db-server seed ' || $1::text))",
            &[&schema],
        )
        .await
        .map_err(|e| self.error(&e))?;
        // Only when missing: CREATE SCHEMA IF NOT EXISTS needs the right to create schemas even
        // when the schema is there, which the recommended writer role does not have.
        let exists = tx
            .query_opt(
                "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                &[&schema],
            )
            .await
            .map_err(|e| self.error(&e))?
            .is_some();
        if !exists {
            tx.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .await
                .map_err(|e| self.error(&e))?;
        }
        let objects: i64 = tx
            .query_one(
                "SELECT count(*) FROM pg_catalog.pg_class c \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f')",
                &[&schema],
            )
            .await
            .map_err(|e| self.error(&e))?
            .get(0);
        if objects == 0 {
            tx.batch_execute(&seed_sql()?)
                .await
                .map_err(|e| self.error(&e))?;
            tracing::info!(schema, "created the sample tables in PostgreSQL");
        }
        tx.commit().await.map_err(|e| self.error(&e))
    }

    /// Converts a driver error met while running a statement.
    fn error(&self, err: &tokio_postgres::Error) -> DbError {
        from_postgres(err, &self.inner.limits)
    }
}

async fn checkout(pool: &Pool, limits: &Limits) -> Result<Object, DbError> {
    pool.get().await.map_err(|e| match e {
        PoolError::Timeout(_) => DbError::Busy {
            readers: limits.max_readers,
            waited: limits.time_limit,
        },
        PoolError::Backend(e) => {
            let reason = describe(&e);
            let hint = if reason.contains("TLS") || reason.contains("certificate") {
                "; trust the server's certificate authority with --database-ca-file, or add \
                 sslmode=disable to the URL to connect without TLS"
            } else {
                ""
            };
            DbError::Internal(format!("cannot connect to PostgreSQL: {reason}{hint}"))
        }
        other => DbError::Internal(format!("cannot connect to PostgreSQL: {other}")),
    })
}

/// Converts a driver error into what the caller reads: PostgreSQL's own message (with its detail
/// and hint), or the limit that stopped the statement.
pub(super) fn from_postgres(err: &tokio_postgres::Error, limits: &Limits) -> DbError {
    let Some(db) = err.as_db_error() else {
        return DbError::Internal(format!("PostgreSQL connection: {}", describe(err)));
    };
    let code = db.code();
    if *code == SqlState::QUERY_CANCELED {
        return DbError::Timeout(limits.time_limit);
    }
    if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        return DbError::Refused(format!(
            "`query` is read-only and this statement would write ({}); use the `execute` tool \
             (scope db:modify) to change rows",
            db.message()
        ));
    }
    DbError::Postgres(describe(err))
}

/// The error's message with PostgreSQL's detail and hint, when it has them.
fn describe(err: &tokio_postgres::Error) -> String {
    let mut text;
    if let Some(db) = err.as_db_error() {
        text = db.message().to_owned();
        if let Some(detail) = db.detail() {
            let _ = write!(text, " ({detail})");
        }
        if let Some(hint) = db.hint() {
            let _ = write!(text, "; hint: {hint}");
        }
    } else {
        text = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            let _ = write!(text, ": {cause}");
            source = cause.source();
        }
    }
    text
}
