//! The same scope rules as `#[tool]`: `scope` or `public`, exactly one.
use mcp_scopes::{prompt, resource};

/// The schema.
#[resource(uri = "db://schema")]
async fn schema() -> &'static str {
    ""
}

/// Says hello.
#[prompt(public, scope = "db:query")]
async fn hello() -> &'static str {
    "hello"
}

fn main() {}
