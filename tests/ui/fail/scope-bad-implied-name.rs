use mcp_scopes::scope;

/// Change rows.
#[scope(name = "db:modify", implies = ["db:query*"])]
pub struct DbModify;

fn main() {}
