//! The example database MCP server as a library, so its tests can start it in-process.
//!
//! [`db`] is the database layer (SQLite, or PostgreSQL with `--database-url`): it owns every safety guarantee the tools advertise. [`tools`]
//! declares the scopes and the MCP tools on top of it. [`server_builder`] puts them together; the
//! binary adds the command line (`mcp_scopes::cli`), which configures authentication.

pub mod db;
pub mod tools;

use mcp_scopes::server::{McpServer, McpServerBuilder};

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "shop.sqlite3";

/// What the model is told about this server as a whole.
const INSTRUCTIONS: &str = "A SQLite database of a small shop: customers, products, orders and \
order_items (each order item references an order and a product), plus the order_totals view. \
Call list_tables, then describe_table, before writing SQL. Use query for reads (one SELECT, with \
? placeholders and params), execute for INSERT/UPDATE/DELETE, and the create_/drop_ tools for \
schema changes. Prices are integer cents.";

/// What the model is told on PostgreSQL: the same shop, PostgreSQL's placeholders.
const INSTRUCTIONS_POSTGRES: &str = "A PostgreSQL database of a small shop: customers, products, \
orders and order_items (each order item references an order and a product), plus the order_totals \
view. Call list_tables, then describe_table, before writing SQL. Use query for reads (one SELECT \
in PostgreSQL's dialect, with $1, $2, … placeholders and params), execute for \
INSERT/UPDATE/DELETE, and the create_/drop_ tools for schema changes. Prices are integer cents.";

/// The server with its tools, instructions and database; authentication is still to be set
/// (`.auth(…)`), which the command line does. One caller may have
/// [`Limits::max_calls_per_caller`](db::Limits::max_calls_per_caller) calls running at once (of
/// the default limits: 6, two below the 8 read connections).
pub fn server_builder(db: db::Database) -> McpServerBuilder {
    McpServer::builder()
        .max_calls_per_caller(Some(db::Limits::default().max_calls_per_caller()))
        .info("db-server", env!("CARGO_PKG_VERSION"))
        .title("Shop database")
        .instructions(if db.is_postgres() {
            INSTRUCTIONS_POSTGRES
        } else {
            INSTRUCTIONS
        })
        .state(db)
}
