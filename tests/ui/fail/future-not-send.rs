use std::rc::Rc;

use mcp_scopes::tool;

async fn pause() {}

/// Counts.
#[tool(public)]
async fn count() -> String {
    let held = Rc::new(1);
    pause().await;
    held.to_string()
}

fn main() {}
