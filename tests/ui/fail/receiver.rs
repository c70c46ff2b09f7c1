use mcp_scopes::tool;

struct Db;

impl Db {
    /// Runs a query.
    #[tool(scope = "db:query")]
    async fn run_query(&self) -> String {
        String::new()
    }
}

fn main() {}
