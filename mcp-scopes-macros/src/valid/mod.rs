//! The checks between parsing and expansion: everything that can be known wrong before type
//! checking (scope grammar, the function's shape, missing keys) becomes a spanned error here, and
//! what passes becomes the model the expansion reads. A model is built even when a check fails,
//! so the expansion can still write the companion items (a tool's `TOOL`, a scope's
//! `DeclaredScope` impl) and one mistake gives one error.
//!
//! Split by declaration kind (`tool`, `scope`, `items` for resources and prompts), with what
//! they share in `func` (the function's shape) and `declaration` (gate, name, description). This
//! file only declares the parts and re-exports them, so no part imports a file that imports it.

mod declaration;
mod func;
mod items;
mod scope;
mod tool;

pub(crate) use func::Func;
pub(crate) use items::{Prompt, Resource, prompt, resource};
pub(crate) use scope::{Scope, scope};
pub(crate) use tool::{Tool, tool};
