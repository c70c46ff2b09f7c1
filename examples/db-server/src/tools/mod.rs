//! The MCP tools of the example server and the scopes that guard them. Each tool is one
//! `#[tool]` function: its doc comment is what the model reads, its `Args<…>` type is the input
//! schema, its `Structured<…>` return is the output schema, and an `Err` becomes a result the
//! model reads (`isError`). The scope gate runs before any of these functions. `context` holds the
//! resources (the schema, each table) and the prompt.
//!
//! Scopes nest: `db:admin` ⊇ `db:modify` ⊇ `db:query`, so a token with `db:admin` may call every
//! tool.

pub mod admin;
pub mod answer;
pub mod context;
pub mod modify;
pub mod read;

use mcp_scopes::registry::{Registry, RegistryError};
use mcp_scopes::scope;

/// Read the database: list tables, describe them, and run read-only SQL queries.
#[scope(name = "db:query", display_name = "Query the database", baseline)]
pub struct DbQuery;

/// Insert, update and delete rows (includes everything `db:query` allows).
#[scope(name = "db:modify", display_name = "Change rows", implies = [DbQuery])]
pub struct DbModify;

/// Create and drop tables and indexes (includes everything `db:modify` allows).
#[scope(name = "db:admin", display_name = "Change the schema", implies = [DbModify])]
pub struct DbAdmin;

/// Every tool, resource and prompt of this server, checked (names unique, scopes declared).
pub fn registry() -> Result<Registry, RegistryError> {
    Registry::from_declarations(
        mcp_scopes::tools![
            read::list_tables,
            read::describe_table,
            read::query,
            modify::execute,
            admin::create_table,
            admin::create_index,
            admin::drop_table,
            admin::drop_index,
        ],
        mcp_scopes::resources![context::schema, context::table, context::settings],
        mcp_scopes::prompts![context::explain_query_plan],
    )
}
