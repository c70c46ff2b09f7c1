//! The scope manifest: the scopes a server declares, with the tools that need each, written in a form
//! an authorization server can import.
//!
//! An authorization server has to know a server's scopes before it can grant them, and the list must
//! never drift from the code. So the manifest is generated from the same [`Registry`] that drives the
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
//! Where things are: the two formats, their documents and how each is built from a [`Registry`] are
//! in `formats.rs`; the checks above in `checks.rs`; the committed file and its test helper in
//! `file.rs`. This file holds what ties them together: the options, the errors and the writers.

mod checks;
#[cfg(feature = "manifest-file")]
mod file;
mod formats;
mod write;

pub use checks::{CASDOOR_SCOPE_COLUMN, check_casdoor_scopes};
#[cfg(feature = "manifest-file")]
pub use file::{FileStatus, ManifestFile, ManifestFileError, UPDATE_ENV};
pub use formats::{
    CasdoorScope, GenericManifest, ManifestFormat, ManifestScope, STANDARD_OIDC_SCOPES,
    casdoor_scopes, generic,
};
pub use write::write_atomically;

#[cfg(feature = "dev-authorization-server")]
pub(crate) use formats::declared_scopes;

use std::path::PathBuf;

use crate::registry::Registry;
use crate::scope::ScopeNameError;

/// How to generate a manifest: the format and whether to add the standard OIDC scopes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ManifestOptions {
    /// The format (default: Casdoor).
    pub format: ManifestFormat,
    /// Whether to add [`STANDARD_OIDC_SCOPES`] (after the server's own; a scope the server declares
    /// itself under one of those names is kept as declared).
    pub oidc_scopes: bool,
}

impl ManifestOptions {
    /// The Casdoor format without the OIDC scopes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the format.
    #[must_use]
    pub fn format(mut self, format: ManifestFormat) -> Self {
        self.format = format;
        self
    }

    /// Adds (or not) the standard OIDC scopes.
    #[must_use]
    pub fn oidc_scopes(mut self, yes: bool) -> Self {
        self.oidc_scopes = yes;
        self
    }
}

/// Why a manifest cannot be generated or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// A scope name is not valid for Casdoor (e.g. it holds a regex metacharacter).
    #[error("scope `{name}` cannot go into the manifest: {source}")]
    InvalidName {
        /// The scope.
        name: String,
        /// What is wrong with it.
        source: ScopeNameError,
    },
    /// A scope has no description; Casdoor shows it on the consent screen.
    #[error(
        "scope `{name}` has an empty description; write a doc comment on its `#[scope]` declaration saying what it allows"
    )]
    EmptyDescription {
        /// The scope.
        name: String,
    },
    /// All scope names joined by spaces do not fit Casdoor's scope column.
    #[error(
        "the {count} scopes joined by spaces are {length} characters long, more than the {limit} Casdoor stores for a requested scope string; use fewer or shorter scope names"
    )]
    TooLong {
        /// How many scopes.
        count: usize,
        /// The joined length.
        length: usize,
        /// The limit ([`CASDOOR_SCOPE_COLUMN`]).
        limit: usize,
    },
    /// A format name other than `casdoor` or `json`.
    #[error("unknown manifest format `{0}`; use `casdoor` or `json`")]
    UnknownFormat(String),
    /// The manifest could not be serialized.
    #[error("cannot serialize the manifest: {0}")]
    Serialize(#[from] serde_json::Error),
    /// A manifest file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The manifest of `registry` as pretty-printed JSON with a final newline: the exact bytes
/// [`write_to`] writes and `ManifestFile` (feature `manifest-file`) compares.
pub fn render(registry: &Registry, options: ManifestOptions) -> Result<String, ManifestError> {
    let mut text = match options.format {
        ManifestFormat::Casdoor => {
            serde_json::to_string_pretty(&casdoor_scopes(registry, options.oidc_scopes)?)?
        }
        ManifestFormat::Json => {
            serde_json::to_string_pretty(&generic(registry, options.oidc_scopes)?)?
        }
    };
    text.push('\n');
    Ok(text)
}

/// Generates, checks and writes the manifest to `path` atomically (a reader never sees a half-written
/// file, and a failed run leaves the old file in place).
pub fn write_to(
    path: impl AsRef<std::path::Path>,
    registry: &Registry,
    options: ManifestOptions,
) -> Result<(), ManifestError> {
    let text = render(registry, options)?;
    write_atomically(path.as_ref(), text.as_bytes())
}
