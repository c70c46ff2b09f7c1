//! Tools that change the schema (`db:admin`).

use mcp_scopes::tool;
use mcp_scopes::tool::{Args, State, Structured};
use schemars::JsonSchema;
use serde::Deserialize;

use super::scopes::DbAdmin;
use crate::db::{Database, DbError, SchemaChange};

/// Input of `create_table`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTableInput {
    /// One `CREATE TABLE` statement in SQLite syntax, e.g.
    /// `CREATE TABLE reviews (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES products(id), stars INTEGER CHECK (stars BETWEEN 1 AND 5))`.
    /// `IF NOT EXISTS` and `AS SELECT …` are allowed; TEMP tables, views and triggers are not.
    pub sql: String,
}

/// Creates a table from one CREATE TABLE statement. Foreign keys are enforced, so declare them
/// with REFERENCES to keep data consistent.
#[tool(scope = DbAdmin)]
pub async fn create_table(
    Args(input): Args<CreateTableInput>,
    State(db): State<Database>,
) -> Result<Structured<SchemaChange>, DbError> {
    db.create_table(input.sql).await.map(Structured)
}

/// Input of `create_index`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIndexInput {
    /// One `CREATE [UNIQUE] INDEX` statement in SQLite syntax, e.g.
    /// `CREATE INDEX orders_by_date ON orders(ordered_at)`.
    pub sql: String,
}

/// Creates an index from one CREATE INDEX statement, to speed up queries that filter or join on
/// the indexed columns (or, with UNIQUE, to forbid duplicates).
#[tool(scope = DbAdmin)]
pub async fn create_index(
    Args(input): Args<CreateIndexInput>,
    State(db): State<Database>,
) -> Result<Structured<SchemaChange>, DbError> {
    db.create_index(input.sql).await.map(Structured)
}

/// Input of `drop_table`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DropTableInput {
    /// The table to drop (a name, not SQL).
    pub table: String,
    /// Succeed without doing anything when the table does not exist.
    #[serde(default)]
    pub if_exists: bool,
}

/// Drops a table with all its rows, indexes and triggers. This cannot be undone. Refused while
/// rows of other tables reference rows in it through a foreign key.
#[tool(scope = DbAdmin, destructive)]
pub async fn drop_table(
    Args(input): Args<DropTableInput>,
    State(db): State<Database>,
) -> Result<Structured<SchemaChange>, DbError> {
    db.drop_table(input.table, input.if_exists)
        .await
        .map(Structured)
}

/// Input of `drop_index`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DropIndexInput {
    /// The index to drop (a name, not SQL), as `describe_table` lists it.
    pub index: String,
    /// Succeed without doing anything when the index does not exist.
    #[serde(default)]
    pub if_exists: bool,
}

/// Drops an index. Data is kept, but queries that used the index may get slower; indexes made
/// by UNIQUE or PRIMARY KEY constraints cannot be dropped.
#[tool(scope = DbAdmin, destructive)]
pub async fn drop_index(
    Args(input): Args<DropIndexInput>,
    State(db): State<Database>,
) -> Result<Structured<SchemaChange>, DbError> {
    db.drop_index(input.index, input.if_exists)
        .await
        .map(Structured)
}
