use mcp_scopes::scope;

/// Read the database.
#[scope(name = "db:query", implied = [])]
pub struct DbQuery;

fn main() {}
