//! The scopes that guard the tools, resources and prompt, in a file of their own: every tool file
//! names them, and the registry in `tools/mod.rs` names every tool file.
//!
//! Scopes nest: `db:admin` ⊇ `db:modify` ⊇ `db:query`, so a token with `db:admin` may call every
//! tool.

use mcp_scopes::scope;

/// Read the database: list tables, describe them, and run read-only SQL queries.
#[scope(name = "db:query", display_name = "Query the database", baseline)]
pub struct DbQuery;

/// Insert, update and delete rows (includes everything `db:query` allows).
#[scope(name = "db:modify", display_name = "Change rows", implies = [DbQuery])]
pub struct DbModify;

/// Create and drop tables and indexes (includes everything `db:modify` allows).
#[scope(name = "db:admin", display_name = "Change the schema", implies = [DbModify])]
pub struct DbAdmin;
