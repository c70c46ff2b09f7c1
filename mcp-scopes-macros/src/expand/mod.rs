//! The generated code: data (a `ToolDef` or `ScopeDef` in the registry's distributed slice) plus
//! one handler that calls into the runtime. Everything is named through `<crate>::__private`, so
//! the output does not depend on the user's imports or prelude. A model whose checks failed is
//! expanded too, as close to the normal output as its errors allow.
//!
//! Split by declaration kind (`tool`, `scope`, `items` for resources and prompts), with the
//! handler they share in `handler`. This file only declares the parts and re-exports them, so no
//! part imports a file that imports it.

mod handler;
mod items;
mod scope;
mod tool;

pub(crate) use items::{prompt, resource};
pub(crate) use scope::scope;
pub(crate) use tool::{tool, user_fn};
