//! Why a manifest cannot be generated or written: one error type shared by the checks, the formats
//! and the writers.

use std::path::PathBuf;

use crate::scope::ScopeNameError;

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
        /// The limit ([`CASDOOR_SCOPE_COLUMN`](super::CASDOOR_SCOPE_COLUMN)).
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
