#![doc = include_str!("../../README.md")]

pub mod auth;
#[cfg(feature = "casdoor-sync")]
pub mod casdoor;
#[cfg(feature = "cli")]
pub mod cli;
pub mod manifest;
pub mod metadata;
pub mod registry;
pub mod scope;
pub mod server;
pub mod tool;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use mcp_scopes_macros::{scope, tool};
