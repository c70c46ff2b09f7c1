//! Attribute macros for mcp-scopes. Use them through the `mcp-scopes` crate.
