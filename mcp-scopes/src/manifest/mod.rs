//! The scope manifest: the scopes a server declares, with the tools that need each, written in a form
//! an authorization server can import.
//!
//! An authorization server has to know a server's scopes before it can grant them, and the list must
//! never drift from the code. So the manifest is generated from the same [`Registry`] that drives the
//! scope gate, checked before it is written, and kept in the repository by a test
//! ([`ManifestFile::assert_current`]) that fails when a tool or scope changed and nobody regenerated it.
//!
//! Two formats:
//! - [`ManifestFormat::Casdoor`]: a JSON array in exactly the shape of a Casdoor application's `scopes`
//!   field (`name`, `displayName`, `description`, `tools`), ready to paste or to push with
//!   `casdoor sync`.
//! - [`ManifestFormat::Json`]: a generic document for other authorization servers, which also carries
//!   the baseline flag, the implications and the public tools.
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
//! every name must pass [`validate_scope_name`], all names joined by spaces must fit
//! [`CASDOOR_SCOPE_COLUMN`], and no description may be empty; each failure is a [`ManifestError`].

mod file;

pub use file::{FileStatus, ManifestFile, UPDATE_ENV, write_atomically};

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::registry::Registry;
use crate::scope::{ScopeNameError, validate_scope_name};

/// The length of Casdoor's column that stores a token's requested scope string: every scope of the
/// manifest, joined by single spaces, must fit in it so a client may ask for all of them at once.
pub const CASDOOR_SCOPE_COLUMN: usize = 300;

/// The standard OpenID Connect scopes (`name`, `displayName`, `description`) added by
/// [`ManifestOptions::oidc_scopes`]. Casdoor refuses any requested scope missing from a non-empty
/// `scopes` list, so an application that lists this server's scopes must list these too if its
/// clients ask for them.
pub const STANDARD_OIDC_SCOPES: [(&str, &str, &str); 4] = [
    (
        "openid",
        "OpenID",
        "Sign you in and tell the application who you are.",
    ),
    (
        "profile",
        "Profile",
        "Read your name, picture and other basic profile information.",
    ),
    ("email", "Email", "Read your email address."),
    (
        "offline_access",
        "Offline access",
        "Stay signed in and refresh access without asking you again.",
    ),
];

/// Which manifest to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ManifestFormat {
    /// A Casdoor application's `scopes` array (`casdoor`).
    #[default]
    Casdoor,
    /// The generic document with baseline flags and implications (`json`).
    Json,
}

impl ManifestFormat {
    /// The name used on the command line: `casdoor` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Casdoor => "casdoor",
            Self::Json => "json",
        }
    }
}

impl fmt::Display for ManifestFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ManifestFormat {
    type Err = ManifestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "casdoor" => Ok(Self::Casdoor),
            "json" => Ok(Self::Json),
            other => Err(ManifestError::UnknownFormat(other.to_owned())),
        }
    }
}

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

/// One entry of a Casdoor application's `scopes` field (Casdoor's `ScopeItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CasdoorScope {
    /// The scope token.
    pub name: String,
    /// The short name on the consent screen.
    pub display_name: String,
    /// What the scope allows.
    pub description: String,
    /// The tools that declare this scope, sorted by name.
    pub tools: Vec<String>,
}

/// One scope of the generic manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestScope {
    /// The scope token.
    pub name: String,
    /// The short human name.
    pub display_name: String,
    /// What the scope allows.
    pub description: String,
    /// Whether a client should ask for it first (the 401 `scope=` hint).
    pub baseline: bool,
    /// The scopes it implies directly, as declared.
    pub implies: Vec<String>,
    /// The tools that declare this scope, sorted by name.
    pub tools: Vec<String>,
}

/// The generic manifest: every scope with its tools, baseline flag and implications, plus the tools
/// any authenticated caller may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenericManifest {
    /// The scopes, sorted by name (OIDC scopes, when asked for, last).
    pub scopes: Vec<ManifestScope>,
    /// Tools that need no scope, sorted by name.
    pub public_tools: Vec<String>,
}

/// The generic manifest of `registry`, checked.
pub fn generic(registry: &Registry, oidc_scopes: bool) -> Result<GenericManifest, ManifestError> {
    let mut scopes: Vec<ManifestScope> = registry
        .scopes()
        .iter()
        .map(|def| ManifestScope {
            name: def.name.to_owned(),
            display_name: display_name(def.name, def.display_name),
            description: def.description.trim().to_owned(),
            baseline: def.baseline,
            implies: def.implies.iter().map(|s| (*s).to_owned()).collect(),
            tools: tools_declaring(registry, def.name),
        })
        .collect();
    if oidc_scopes {
        for (name, display, description) in STANDARD_OIDC_SCOPES {
            if !scopes.iter().any(|s| s.name == name) {
                scopes.push(ManifestScope {
                    name: name.to_owned(),
                    display_name: display.to_owned(),
                    description: description.to_owned(),
                    baseline: false,
                    implies: Vec::new(),
                    tools: Vec::new(),
                });
            }
        }
    }
    check(
        scopes
            .iter()
            .map(|s| (s.name.as_str(), s.description.as_str())),
    )?;
    let public_tools = registry
        .tools()
        .iter()
        .filter(|t| t.scopes.is_empty())
        .map(|t| t.name.to_owned())
        .collect();
    Ok(GenericManifest {
        scopes,
        public_tools,
    })
}

/// The Casdoor `scopes` array of `registry`, checked.
pub fn casdoor_scopes(
    registry: &Registry,
    oidc_scopes: bool,
) -> Result<Vec<CasdoorScope>, ManifestError> {
    Ok(generic(registry, oidc_scopes)?
        .scopes
        .into_iter()
        .map(|s| CasdoorScope {
            name: s.name,
            display_name: s.display_name,
            description: s.description,
            tools: s.tools,
        })
        .collect())
}

/// The manifest of `registry` as pretty-printed JSON with a final newline: the exact bytes
/// [`write_to`] writes and [`ManifestFile`] compares.
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

/// Checks `(name, description)` pairs against what Casdoor needs; see the module docs.
pub fn check<'a>(
    scopes: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), ManifestError> {
    let mut count = 0;
    let mut length = 0;
    for (name, description) in scopes {
        validate_scope_name(name).map_err(|source| ManifestError::InvalidName {
            name: name.to_owned(),
            source,
        })?;
        if description.trim().is_empty() {
            return Err(ManifestError::EmptyDescription {
                name: name.to_owned(),
            });
        }
        length += name.len() + usize::from(count > 0);
        count += 1;
    }
    if length > CASDOOR_SCOPE_COLUMN {
        return Err(ManifestError::TooLong {
            count,
            length,
            limit: CASDOOR_SCOPE_COLUMN,
        });
    }
    Ok(())
}

/// A declared display name, or the scope name when none was given (Casdoor shows the display name on
/// its consent screen; an empty one would show nothing).
fn display_name(name: &str, declared: &str) -> String {
    let declared = declared.trim();
    if declared.is_empty() {
        name.to_owned()
    } else {
        declared.to_owned()
    }
}

/// The tools that declare `scope`, sorted by name (the registry keeps tools sorted).
fn tools_declaring(registry: &Registry, scope: &str) -> Vec<String> {
    registry
        .tools()
        .iter()
        .filter(|t| t.scopes.contains(&scope))
        .map(|t| t.name.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_what_casdoor_cannot_take() {
        assert!(check([("db:query", "Run read-only queries")]).is_ok());
        assert!(matches!(
            check([("db:.*", "everything")]),
            Err(ManifestError::InvalidName { .. })
        ));
        assert!(matches!(
            check([("db:query", "  \n")]),
            Err(ManifestError::EmptyDescription { name }) if name == "db:query"
        ));
        let long: Vec<String> = (0..30).map(|i| format!("scope{i:03}:abcd")).collect();
        // 30 names of 13 characters plus 29 spaces = 419.
        let err = check(long.iter().map(|n| (n.as_str(), "d"))).unwrap_err();
        assert!(
            matches!(
                err,
                ManifestError::TooLong {
                    count: 30,
                    length: 419,
                    limit: 300
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn joined_length_exactly_at_the_limit_is_accepted() {
        // 20 names of 14 characters + 19 spaces = 299; one more character makes 300, still fine.
        let mut names: Vec<String> = (0..20).map(|i| format!("scope{i:03}:abcde")).collect();
        names[0].push('x');
        assert!(check(names.iter().map(|n| (n.as_str(), "d"))).is_ok());
        names[0].push('y');
        assert!(check(names.iter().map(|n| (n.as_str(), "d"))).is_err());
    }

    #[test]
    fn format_names_round_trip() {
        for f in [ManifestFormat::Casdoor, ManifestFormat::Json] {
            assert_eq!(f.as_str().parse::<ManifestFormat>().unwrap(), f);
        }
        assert!(matches!(
            "yaml".parse::<ManifestFormat>(),
            Err(ManifestError::UnknownFormat(f)) if f == "yaml"
        ));
    }
}
