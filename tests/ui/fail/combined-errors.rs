//! Independent problems are all reported at once, and the function is still emitted (so `main`
//! can call it without a further error).
use mcp_scopes::tool;

#[tool(scope = "db:*", titel = "Query", read_only = 1)]
fn run_query<T>(value: T) -> String {
    let _ = value;
    String::new()
}

fn main() {
    let _ = run_query(1);
}
