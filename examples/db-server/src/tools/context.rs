//! What the server offers besides tools: the schema and each table's description as resources a
//! client can attach to a conversation, and a prompt that asks the model to explain how SQLite runs
//! a query (all `db:query`, like the read tools); and the database's settings (`db:admin`, like
//! the tools that change the schema: how the database is stored is the administrator's business).
//! They pass the same scope gate as the tools.

use mcp_scopes::prompt::{PromptMessage, Role};
use mcp_scopes::tool::{Args, Content, State};
use mcp_scopes::{prompt, resource};
use schemars::JsonSchema;
use serde::Deserialize;

use super::scopes::{DbAdmin, DbQuery};
use crate::db::Database;

/// Every table and view with its columns and row count, as JSON (what `list_tables` returns).
#[resource(uri = "db://schema", scope = DbQuery, mime_type = "application/json",
           title = "Database schema")]
pub async fn schema(State(db): State<Database>) -> Result<String, String> {
    let tables = db.list_tables().await.map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&tables).map_err(|e| e.to_string())
}

/// One table or view: columns, foreign keys, indexes, row count and its CREATE statement, as JSON
/// (what `describe_table` returns). `{table}` is the name as `db://schema` lists it.
#[resource(uri_template = "db://tables/{table}", scope = DbQuery, mime_type = "application/json",
           complete(table = table_names))]
pub async fn table(table: String, State(db): State<Database>) -> Result<String, String> {
    let description = db.describe_table(table).await.map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&description).map_err(|e| e.to_string())
}

/// The database engine and its version, the size, the storage settings (on SQLite: journal mode,
/// page size, page and free-page counts, auto-vacuum; on PostgreSQL: the encoding and the schema
/// the tools see) and the limits this server puts on each call, as JSON.
#[resource(uri = "db://settings", scope = DbAdmin, mime_type = "application/json",
           title = "Database settings")]
pub async fn settings(State(db): State<Database>) -> Result<String, String> {
    let settings = db.settings().await.map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&settings).map_err(|e| e.to_string())
}

/// The table and view names starting with what was typed.
async fn table_names(
    partial: mcp_scopes::completion::Completing,
    State(db): State<Database>,
) -> Result<Vec<String>, String> {
    let tables = db.list_tables().await.map_err(|e| e.to_string())?;
    Ok(tables
        .tables
        .into_iter()
        .map(|t| t.name)
        .filter(|name| name.starts_with(&partial.value))
        .collect())
}

/// Arguments of `explain_query_plan`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainInput {
    /// The read-only SQL query (SQLite dialect) whose plan to explain.
    pub sql: String,
}

/// Asks the model to explain how SQLite will run a query (which indexes it uses, where it scans
/// whole tables) and how to make it faster, with the schema attached.
#[prompt(scope = DbQuery, title = "Explain a query plan")]
pub async fn explain_query_plan(
    Args(input): Args<ExplainInput>,
    State(db): State<Database>,
) -> Result<Vec<PromptMessage>, String> {
    let sql = input.sql.trim();
    if sql.is_empty() {
        return Err("`sql` is empty: give the query to explain".to_owned());
    }
    let tables = db.list_tables().await.map_err(|e| e.to_string())?;
    let schema = serde_json::to_string_pretty(&tables).map_err(|e| e.to_string())?;
    Ok(vec![
        PromptMessage::new(
            Role::User,
            Content::embedded_text("db://schema", "application/json", schema),
        ),
        PromptMessage::user(if db.is_postgres() {
            // `query` runs no EXPLAIN on PostgreSQL (it is not a statement its check can plan).
            format!(
                "Explain how PostgreSQL would run this query: from the schema above (its \
                 indexes are in `describe_table`), say in plain words which tables it would \
                 scan in full, which indexes it could use, and which index (if any) would make \
                 it faster:\n\n{sql}"
            )
        } else {
            format!(
                "Explain how SQLite runs this query. First call the `query` tool with \
                 `EXPLAIN QUERY PLAN {sql}`, then say in plain words which tables are scanned in \
                 full, which indexes are used, and which index (if any) would make it faster, \
                 using the schema above:\n\n{sql}"
            )
        }),
    ])
}
