//! The compile-time registry: every tool, resource, prompt and scope declared with `#[tool]`,
//! `#[resource]`, `#[prompt]` and `#[scope]` and linked into the binary, or explicit lists for tests
//! and for several servers in one binary.
//!
//! Entries are collected with `linkme` distributed slices: no code runs before `main`, and it works
//! across crates. A [`Registry`] is checked once, when a server is built, so a duplicate tool name or
//! a scope used but never declared stops the server at start with both locations named.
//!
//! This file holds the `tools!`, `resources!` and `prompts!` macros and declares the parts: the
//! linked lists and the [`Registry`] built from them (`checked`), the checks on each declaration
//! (`checks`), the lookups a request needs (`lookup`) and the errors (`error`). Each part names the
//! others through their own files, so no file imports one that imports it.

mod checked;
mod checks;
mod error;
mod lookup;

pub use checked::{PROMPTS, RESOURCES, Registry, SCOPES, TOOLS};
pub use error::RegistryError;
pub use lookup::CompletionTarget;

/// An explicit list of tools, as `&[&'static ToolDef]`, for [`Registry::from_tools`]: each
/// argument is the path of a `#[tool]` function (which also names the hidden type holding its
/// definition, `run_query::TOOL`, that `#[tool]` writes next to it).
///
/// ```ignore
/// let registry = Registry::from_tools(mcp_scopes::tools![run_query, admin::drop_table])?;
/// ```
#[macro_export]
macro_rules! tools {
    ($($($segment:ident)::+),* $(,)?) => {
        &[$($($segment)::+::TOOL),*] as &[&'static $crate::tool::ToolDef]
    };
}

/// An explicit list of resources, as `&[&'static ResourceDef]`, for
/// [`Registry::from_declarations`]: each argument is the path of a `#[resource]` function.
#[macro_export]
macro_rules! resources {
    ($($($segment:ident)::+),* $(,)?) => {
        &[$($($segment)::+::RESOURCE),*] as &[&'static $crate::resource::ResourceDef]
    };
}

/// An explicit list of prompts, as `&[&'static PromptDef]`, for
/// [`Registry::from_declarations`]: each argument is the path of a `#[prompt]` function.
#[macro_export]
macro_rules! prompts {
    ($($($segment:ident)::+),* $(,)?) => {
        &[$($($segment)::+::PROMPT),*] as &[&'static $crate::prompt::PromptDef]
    };
}
