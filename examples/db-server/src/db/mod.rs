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
//!
//! Where things are: [`Database`] (`database.rs`) picks the backend; the [`Limits`] are in `limits.rs`;
//! the SQLite connections and how a call takes its turn in `sqlite.rs`; each SQLite operation in
//! its own file (`query`, `modify`, `ddl`, `inspect`); identifier quoting, shared with `pg`, in
//! `ident.rs`. No part imports a file that imports it.

mod catalog;
mod database;
mod ddl;
mod error;
mod functions;
mod guard;
mod ident;
mod inspect;
mod limits;
mod modify;
mod open;
mod pg;
mod query;
mod schema;
mod settings;
mod size;
mod sqlite;
mod value;

pub use database::Database;
pub use ddl::SchemaChange;
pub use error::DbError;
pub use limits::{Limits, READERS_LEFT_FOR_OTHERS};
pub use modify::ExecuteOutput;
pub use pg::PgOptions;
pub use query::QueryOutput;
pub use schema::{
    ColumnInfo, ForeignKeyInfo, IndexInfo, TableDescription, TableKind, TableList, TableSummary,
};
pub use settings::{CallLimits, DatabaseSettings};
