use mcp_scopes::scope;

/// Change rows.
#[scope(name = "db:modify", implies = [1])]
pub struct DbModify;

fn main() {}
