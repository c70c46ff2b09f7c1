//! A fixture MCP server for the MCP conformance suite (`@modelcontextprotocol/conformance`, server
//! scenarios), built with mcp-scopes like any real server: tokens are validated and every tool, resource and prompt
//! sits behind a scope, so the suite tests the framework's own transport, not a special path. Used only
//! by the interop harness (`tests/interop/run.sh`).

pub mod context;
pub mod tools;
