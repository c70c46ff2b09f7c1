//! Every name here is also checked against `mcp_scopes::scope::validate_scope_name` by
//! `tests/registry.rs`, so the macro and the runtime reject the same names.
use mcp_scopes::tool;

/// Reads.
#[tool(scope = ["", "db query", "db:*", "db::query", "db.query", ":db", "db:", "db:quer\"y", "db\\query", "db:(a|b)", "dé:query"])]
async fn read() -> &'static str {
    "read"
}

fn main() {}
