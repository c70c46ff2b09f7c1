//! Tools as the registry holds them: the static definition that `#[tool]` writes, the arguments a
//! handler can ask for (extractors, as in axum), and what a handler can return.
//!
//! The macro only emits data (a [`ToolDef`]) plus one call into this module; all behaviour lives here
//! where plain tests reach it.
//!
//! This file only declares the parts and re-exports them: each part names the others through their
//! own files, so no file imports one that imports it (`.ci/use_graph.py` checks this).

mod argument;
mod call;
mod content;
mod definition;
mod notify;
mod output;
mod state;

pub use argument::{ArgSpec, Args, MissingState, State, ToolArgument};
pub use call::{ToolCall, ToolCallError, ToolFuture, ToolHandler};
pub use content::{CallToolResult, Content, EmbeddedResource, ResourceLink};
pub use definition::{ToolAnnotations, ToolDef};
pub use notify::{LogLevel, NOTIFICATION_BUFFER, Notifier};
pub use output::{IntoToolResult, Structured};
pub use state::{StateMap, StateValue};
