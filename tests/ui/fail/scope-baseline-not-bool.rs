use mcp_scopes::scope;

/// Read the database.
#[scope(name = "db:query", baseline = "x")]
pub struct DbQuery;

fn main() {}
