//! The example database MCP server as a library, so its tests can start it in-process.
//!
//! [`db`] is the SQLite layer: it owns every safety guarantee the tools advertise. [`tools`]
//! declares the scopes and the MCP tools on top of it.

pub mod db;
pub mod tools;
