use mcp_scopes::server::McpServer;
use mcp_scopes::tool;
use mcp_scopes::tool::State;

/// A database handle that cannot be cloned: state must be wrapped in `Arc`.
struct Db;

/// Reads from the database.
#[tool(public)]
async fn read(State(_db): State<Db>) -> String {
    String::new()
}

fn main() {
    let _ = McpServer::builder().state(Db);
}
