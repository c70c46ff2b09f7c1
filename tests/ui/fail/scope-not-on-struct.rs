use mcp_scopes::scope;

/// Read the database.
#[scope(name = "db:query")]
pub enum DbQuery {}

fn main() {}
