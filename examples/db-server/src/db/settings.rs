//! How the database is stored and configured, for the `db://settings` resource (scope
//! `db:admin`): the engine and its version, the size, the storage settings an administrator tunes
//! (SQLite's journal mode, page size and free pages), and the limits this server puts on each
//! call. Nothing here names a file, a host or a role: the operator already knows those, and a
//! token holder has no use for them.

use serde::Serialize;

use super::database::{Backend, Database};
use super::inspect::read_schema;
use super::sqlite::Sqlite;
use super::{DbError, Limits};

/// What `db://settings` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseSettings {
    /// `sqlite` or `postgresql`.
    pub engine: &'static str,
    /// The engine's version (SQLite's library version, PostgreSQL's `server_version`).
    pub version: String,
    /// The database's size in bytes (SQLite: pages × page size; PostgreSQL: the whole database).
    pub size_bytes: i64,
    /// The text encoding (`UTF-8`, `UTF8`, …).
    pub encoding: String,
    /// SQLite's journal mode (`wal` as this server opens it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal_mode: Option<String>,
    /// SQLite's page size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<i64>,
    /// SQLite's pages in use, including free ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_count: Option<i64>,
    /// SQLite's free pages (space a `VACUUM` would give back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freelist_count: Option<i64>,
    /// SQLite's `auto_vacuum` mode: `none`, `full` or `incremental`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_vacuum: Option<&'static str>,
    /// The PostgreSQL schema whose tables the tools see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// What one call may cost on this server.
    pub limits: CallLimits,
}

/// The limits of [`Limits`] a client can run into, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallLimits {
    /// Rows a query returns when the caller does not ask for fewer.
    pub default_rows: usize,
    /// The most rows a caller may ask for.
    pub max_rows: usize,
    /// How long one statement may run, in milliseconds.
    pub time_limit_ms: u128,
    /// How much one result may hold, in bytes.
    pub max_result_bytes: usize,
    /// How many read calls run at once.
    pub max_readers: usize,
}

impl From<Limits> for CallLimits {
    fn from(limits: Limits) -> Self {
        Self {
            default_rows: limits.default_rows,
            max_rows: limits.max_rows,
            time_limit_ms: limits.time_limit.as_millis(),
            max_result_bytes: limits.max_result_bytes,
            max_readers: limits.max_readers,
        }
    }
}

impl Database {
    /// The engine, version, size and storage settings, and the limits in force.
    pub async fn settings(&self) -> Result<DatabaseSettings, DbError> {
        match &self.backend {
            Backend::Sqlite(db) => db.settings().await,
            Backend::Postgres(db) => db.settings().await,
        }
    }
}

impl Sqlite {
    async fn settings(&self) -> Result<DatabaseSettings, DbError> {
        self.inner
            .with_reader(|conn, limits| {
                let limits = *limits;
                read_schema(conn, &limits, |conn| {
                    let number = |pragma: &str| {
                        conn.query_row(&format!("PRAGMA {pragma}"), [], |row| row.get::<_, i64>(0))
                    };
                    let text = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, String>(0));
                    let page_size = number("page_size")?;
                    let page_count = number("page_count")?;
                    Ok(DatabaseSettings {
                        engine: "sqlite",
                        version: text("SELECT sqlite_version()")?,
                        size_bytes: page_size.saturating_mul(page_count),
                        encoding: text("PRAGMA encoding")?,
                        journal_mode: Some(text("PRAGMA journal_mode")?),
                        page_size: Some(page_size),
                        page_count: Some(page_count),
                        freelist_count: Some(number("freelist_count")?),
                        auto_vacuum: Some(match number("auto_vacuum")? {
                            1 => "full",
                            2 => "incremental",
                            _ => "none",
                        }),
                        schema: None,
                        limits: limits.into(),
                    })
                })
            })
            .await
    }
}
