//! The tool that changes rows (`db:modify`).

use mcp_scopes::tool;
use mcp_scopes::tool::{Args, State};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::answer::Rows;
use super::scopes::DbModify;
use crate::db::{Database, DbError, ExecuteOutput};

/// Input of `execute`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecuteInput {
    /// Exactly one INSERT, UPDATE or DELETE statement in SQLite syntax (REPLACE, upserts and a
    /// RETURNING clause are fine). Use `?` placeholders for values.
    pub sql: String,
    /// Values for the `?` placeholders, in order: numbers, strings, booleans (stored as 1/0),
    /// null, or `{"base64": "…"}` for binary data.
    #[serde(default)]
    pub params: Vec<Value>,
}

/// Inserts, updates or deletes rows with one SQL statement and returns how many rows it changed
/// (and the rows of a RETURNING clause). The statement runs in its own transaction: if it fails
/// (constraint, foreign key, timeout), nothing changes. Schema changes (CREATE, DROP, ALTER),
/// PRAGMA, ATTACH and transaction statements are refused; use the create_/drop_ tools for the
/// schema and `query` for reads.
#[tool(scope = DbModify, destructive)]
pub async fn execute(
    Args(input): Args<ExecuteInput>,
    State(db): State<Database>,
) -> Result<Rows<ExecuteOutput>, DbError> {
    db.execute(input.sql, input.params).await.map(Rows)
}
