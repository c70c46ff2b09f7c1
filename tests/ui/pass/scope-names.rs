//! Every name here is also checked against `mcp_scopes::scope::validate_scope_name` by
//! `tests/registry.rs`, so the macro and the runtime accept the same names.
use mcp_scopes::tool;

/// Reads.
#[tool(scope = ["db:query", "db", "files:read:all", "a_b-c:D9", "UPPER:lower", "x-1:y_2:z"])]
async fn read() -> &'static str {
    "read"
}

fn main() {
    let _ = mcp_scopes::tools![read];
}
