//! mcp-scopes: make an MCP server an OAuth 2.1 resource server with per-tool scopes.

pub mod auth;
pub mod registry;
pub mod scope;
pub mod tool;
