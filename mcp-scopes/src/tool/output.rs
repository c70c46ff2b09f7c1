//! What a tool handler can return. Filled in with the `#[tool]` macro work.

/// Structured output: serialized to `structuredContent`, its schema becomes `outputSchema`.
#[derive(Debug, Clone)]
pub struct Structured<T>(pub T);

/// A type a tool handler can return.
pub trait IntoToolResult {}
