//! Generics given by a `where` clause alone are refused where the clause is.
use mcp_scopes::{scope, tool};

/// Read the database.
#[scope(name = "db:query")]
pub struct DbQuery
where
    u8: Copy;

/// Says hello.
#[tool(public)]
async fn hello() -> &'static str
where
    u8: Copy,
{
    "hello"
}

fn main() {}
