//! The example database MCP server as a library, so its tests can start it in-process.
//!
//! [`db`] is the SQLite layer: it owns every safety guarantee the tools advertise.

pub mod db;
