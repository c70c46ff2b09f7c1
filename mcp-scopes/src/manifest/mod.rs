//! The scope manifest: the scopes a server declares, with the tools that need each, written in a form
//! an authorization server can import.
//!
//! An authorization server has to know a server's scopes before it can grant them, and the list must
//! never drift from the code. So the manifest is generated from the same [`Registry`](crate::registry::Registry) that drives the
//! scope gate, checked before it is written, and kept in the repository by a test
//! (`ManifestFile::assert_current`, feature `manifest-file`) that fails when a tool or scope changed
//! and nobody regenerated it.
//!
//! Two formats:
//! - [`ManifestFormat::Casdoor`]: a JSON array in exactly the shape of a Casdoor application's `scopes`
//!   field (`name`, `displayName`, `description`, `tools`), ready to paste or to push with
//!   `casdoor sync`. `tools` holds tool names only; the resources and prompts a scope also opens are
//!   named at the end of its description ("Also opens resources: …").
//! - [`ManifestFormat::Json`]: a generic document for other authorization servers, which also carries
//!   each scope's `resources` (URIs and URI templates) and `prompts`, the baseline flag, the
//!   implications and the public tools, resources and prompts.
//!
//! # What `tools` lists
//! A scope's `tools` are the tools that **declare** it. A tool that needs several scopes is listed
//! under each of them. Implications are not expanded: a tool declaring `db:query` is also callable with
//! `db:admin` when `db:admin` implies `db:query`, yet it is listed only under `db:query`. Casdoor's
//! `tools` means "the tools this scope is for", and expanding it would list every read tool again
//! under every write scope; the generic format carries `implies` so a reader can expand it.
//!
//! # Checks
//! Casdoor treats a requested scope holding a regex metacharacter as a pattern, stores the whole
//! requested scope string in a 300-character column, and shows descriptions on its consent screen. So
//! every name must pass [`validate_scope_name`](crate::scope::validate_scope_name), all names joined
//! by spaces must fit [`CASDOOR_SCOPE_COLUMN`], and no description may be empty; each failure is a
//! [`ManifestError`].
//!
//! Where things are: the two formats, their documents and how each is built from a [`Registry`](crate::registry::Registry) are
//! in `formats.rs`; the checks above in `checks.rs`; the committed file and its test helper in
//! `file.rs`; the options and the functions that render and write a manifest in `render.rs`; the
//! errors in `error.rs`; the atomic write in `write.rs`. This file only declares the parts and
//! re-exports them, so no part imports a file that imports it.

mod checks;
mod error;
#[cfg(feature = "manifest-file")]
mod file;
mod formats;
mod render;
mod write;

pub use checks::{CASDOOR_SCOPE_COLUMN, check_casdoor_scopes};
pub use error::ManifestError;
#[cfg(feature = "manifest-file")]
pub use file::{FileStatus, ManifestFile, ManifestFileError, UPDATE_ENV};
pub use formats::{
    CasdoorScope, GenericManifest, ManifestFormat, ManifestScope, STANDARD_OIDC_SCOPES,
    casdoor_scopes, generic,
};
pub use render::{ManifestOptions, render, write_to};
pub use write::write_atomically;

#[cfg(feature = "dev-authorization-server")]
pub(crate) use formats::declared_scopes;
