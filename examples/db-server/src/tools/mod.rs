//! The MCP tools of the example server. Each tool is one `#[tool]` function: its doc comment is
//! what the model reads, its `Args<…>` type is the input schema, its `Structured<…>` return is the
//! output schema, and an `Err` becomes a result the model reads (`isError`). The scope gate runs
//! before any of these functions. `context` holds the resources (the schema, each table) and the
//! prompt; `scopes` the scopes that guard them all.

pub mod admin;
pub mod answer;
pub mod context;
pub mod modify;
pub mod read;
pub mod scopes;

use mcp_scopes::registry::{Registry, RegistryError};

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
