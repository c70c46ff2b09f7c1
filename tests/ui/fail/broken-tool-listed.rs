//! A `#[tool]` with a mistake still writes its `TOOL`, so `tools![…]` listing it adds no second
//! error: one mistake, one error.
use mcp_scopes::tool;

/// Runs a query.
#[tool(scope = "db:query")]
fn run_query() -> String {
    String::new()
}

fn main() {
    let _ = mcp_scopes::tools![run_query];
    let _ = run_query();
}
