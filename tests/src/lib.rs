//! Cross-crate integration tests for mcp-scopes; the tests live in `tests/tests/`.
