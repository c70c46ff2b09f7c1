use mcp_scopes::scope;

/// Read the database.
#[scope(name = "db:query", baseline, name = "db:read")]
pub struct DbQuery;

fn main() {}
