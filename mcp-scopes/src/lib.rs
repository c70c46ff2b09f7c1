#![doc = include_str!("../README.md")]

pub mod audit;
pub mod auth;
#[cfg(feature = "casdoor-sync")]
pub mod casdoor;
#[cfg(feature = "cli")]
pub mod cli;
pub mod completion;
#[cfg(feature = "dev-authorization-server")]
pub mod dev_authorization;
pub mod handler;
mod loopback;
pub mod manifest;
pub mod metadata;
mod outbound_http;
pub mod prompt;
pub mod registry;
pub mod resource;
pub mod scope;
pub mod server;
pub mod tool;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use mcp_scopes_macros::{prompt, resource, scope, tool};

/// The `schemars` (major version 1, JSON Schema 2020-12) that tool input and output schemas are
/// made with. `Args<T>` and `Structured<T>` need `T: schemars::JsonSchema` from this very major
/// version: depend on `schemars = "1"` yourself, or derive against this copy with
/// `#[derive(mcp_scopes::schemars::JsonSchema)]` and `#[schemars(crate = "mcp_scopes::schemars")]`.
/// A `JsonSchema` derived with schemars 0.8 is another trait and is refused at compile time.
pub use schemars;
