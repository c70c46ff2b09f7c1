//! Tools that read (`db:query`).

use mcp_scopes::tool;
use mcp_scopes::tool::{Args, State, Structured};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::answer::Rows;
use super::scopes::DbQuery;
use crate::db::{Database, DbError, QueryOutput, TableDescription, TableList};

/// Lists every table and view in the database with its columns and row count. Start here to see
/// what data exists before writing a query.
#[tool(scope = DbQuery, read_only, idempotent)]
pub async fn list_tables(State(db): State<Database>) -> Result<Structured<TableList>, DbError> {
    db.list_tables().await.map(Structured)
}

/// Input of `describe_table`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribeTableInput {
    /// The table or view name, as `list_tables` shows it.
    pub table: String,
}

/// Describes one table or view: columns (declared type, NOT NULL, default, primary key), foreign
/// keys (which table and columns each references), indexes, row count, and its CREATE statement.
/// Use it to learn how tables join before writing a query.
#[tool(scope = DbQuery, read_only, idempotent)]
pub async fn describe_table(
    Args(input): Args<DescribeTableInput>,
    State(db): State<Database>,
) -> Result<Structured<TableDescription>, DbError> {
    db.describe_table(input.table).await.map(Structured)
}

/// Input of `query`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryInput {
    /// Exactly one read-only SQL statement in SQLite syntax (SELECT, or WITH … SELECT). Use `?`
    /// placeholders for values instead of writing them into the text.
    pub sql: String,
    /// Values for the `?` placeholders, in order: numbers, strings, booleans (stored as 1/0),
    /// null, or `{"base64": "…"}` for binary data.
    #[serde(default)]
    pub params: Vec<Value>,
    /// The most rows to return (default 500, at most 5000). When the query has more, the result
    /// says `truncated: true`.
    #[serde(default)]
    pub max_rows: Option<usize>,
}

/// Runs one read-only SQL query (SQLite dialect) with bound parameters and returns the columns
/// and rows. The database enforces read-only: INSERT, UPDATE, DELETE, schema changes, ATTACH,
/// PRAGMA writes and several statements in one call are refused. Results are capped at
/// `max_rows` (default 500) with `truncated` set when rows were left out, and a query running
/// longer than a few seconds is stopped. Blobs come back as `{"base64": "…"}`. A result over
/// 64 KiB of JSON comes in the structured content only, with a one-line summary as text.
#[tool(scope = DbQuery, read_only, idempotent)]
pub async fn query(
    Args(input): Args<QueryInput>,
    State(db): State<Database>,
) -> Result<Rows<QueryOutput>, DbError> {
    db.query(input.sql, input.params, input.max_rows)
        .await
        .map(Rows)
}
