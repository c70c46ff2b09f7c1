use mcp_scopes::scope;

/// Change rows.
#[scope(name = "db:modify", implies)]
pub struct DbModify;

fn main() {}
