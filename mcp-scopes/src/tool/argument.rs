//! Handler arguments (extractors). Filled in with the `#[tool]` macro work.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Shared state given to the server builder, by type.
#[derive(Debug, Clone, Default)]
pub struct StateMap {
    values: Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

/// The tool's input, deserialized from `arguments`; its JSON Schema becomes `inputSchema`.
#[derive(Debug, Clone)]
pub struct Args<T>(pub T);

/// Shared state of type `T`, as given to the server builder.
#[derive(Debug, Clone)]
pub struct State<T>(pub T);

/// A type a tool handler can take as an argument.
pub trait ToolArgument: Sized + Send {}

impl StateMap {
    #[allow(dead_code)]
    fn len(&self) -> usize {
        self.values.len()
    }
}
