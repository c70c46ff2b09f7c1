//! A syntax error inside the attribute costs that key only: the tool is still listed, and
//! `public` still counts (no "missing `scope`").
use mcp_scopes::tool;

/// Says hello.
#[tool(public read_only)]
async fn hello() -> &'static str {
    "hello"
}

fn main() {
    let _ = mcp_scopes::tools![hello];
}
