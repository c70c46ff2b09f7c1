//! A manifest file committed next to a server's code, and the test helper that keeps it current.
//!
//! Reviewers see scope changes in the diff of the committed file, and an authorization server can be
//! configured from it without building the server. The helper compares the file with what the code
//! declares, and either fails with a readable diff and the command that regenerates it, or rewrites it
//! when [`UPDATE_ENV`] asks (the way snapshot-testing tools work).

use std::fmt::Write as _;
use std::path::PathBuf;

use super::error::ManifestError;
use super::render::{ManifestOptions, render};
use super::write::write_atomically;
use crate::registry::Registry;

/// Set this environment variable to `1` to let [`ManifestFile::check`] rewrite a stale file instead of
/// failing.
pub const UPDATE_ENV: &str = "MCP_SCOPES_UPDATE_MANIFEST";

/// What [`ManifestFile::check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// The file already held the current manifest; it was not touched.
    Current,
    /// The file was stale or missing and [`UPDATE_ENV`] asked for a rewrite: it now holds the current
    /// manifest.
    Updated,
}

/// Why a committed manifest is not current.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestFileError {
    /// The manifest cannot be generated, read or written.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The file differs from what the code declares (or does not exist).
    #[error(
        "{} is {} the tools and scopes declared in code.\n{diff}\nRegenerate it with:\n    {command}",
        path.display(),
        if *missing { "missing; it must hold" } else { "out of date with" }
    )]
    Stale {
        /// The file.
        path: PathBuf,
        /// Whether the file does not exist.
        missing: bool,
        /// A unified diff from the file's content to the current manifest.
        diff: String,
        /// The command that regenerates the file.
        command: String,
    },
}

/// A manifest file kept in the repository, checked by a test of the server:
///
/// ```no_run
/// # fn registry() -> mcp_scopes::registry::Registry {
/// #     mcp_scopes::registry::Registry::collected().expect("a valid registry")
/// # }
/// use mcp_scopes::manifest::{ManifestFile, ManifestOptions};
///
/// #[test]
/// fn casdoor_manifest_is_current() {
///     ManifestFile::new(concat!(env!("CARGO_MANIFEST_DIR"), "/casdoor-scopes.json"))
///         .options(ManifestOptions::new().oidc_scopes(true))
///         .assert_current(&registry());
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ManifestFile {
    path: PathBuf,
    options: ManifestOptions,
    command: Option<String>,
}

impl ManifestFile {
    /// The file at `path` (in a test, anchor it with `env!("CARGO_MANIFEST_DIR")`), in the Casdoor
    /// format without OIDC scopes unless [`Self::options`] says otherwise.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            options: ManifestOptions::default(),
            command: None,
        }
    }

    /// The format and OIDC option the file is written with.
    #[must_use]
    pub fn options(mut self, options: ManifestOptions) -> Self {
        self.options = options;
        self
    }

    /// The command shown to regenerate the file (default: `MCP_SCOPES_UPDATE_MANIFEST=1 cargo test`),
    /// e.g. `cargo run -p db-server -- manifest --out casdoor-scopes.json`.
    #[must_use]
    pub fn regenerate_command(mut self, command: impl Into<String>) -> Self {
        self.command = Some(command.into());
        self
    }

    /// Compares the file with the manifest of `registry`. A stale or missing file is an error, unless
    /// [`UPDATE_ENV`] is `1`, in which case it is rewritten atomically. Line endings are compared
    /// loosely (a checkout with CRLF endings is current).
    pub fn check(&self, registry: &Registry) -> Result<FileStatus, ManifestFileError> {
        let expected = render(registry, self.options)?;
        let (found, missing) = match std::fs::read_to_string(&self.path) {
            Ok(text) => (text, false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), true),
            Err(source) => {
                return Err(ManifestError::Io {
                    action: "read",
                    path: self.path.clone(),
                    source,
                }
                .into());
            }
        };
        let found = found.replace("\r\n", "\n");
        if !missing && found == expected {
            return Ok(FileStatus::Current);
        }
        if update_requested() {
            write_atomically(&self.path, expected.as_bytes())?;
            return Ok(FileStatus::Updated);
        }
        Err(ManifestFileError::Stale {
            path: self.path.clone(),
            missing,
            diff: unified_diff(&found, &expected),
            command: self.command.clone().unwrap_or_else(|| {
                format!("{UPDATE_ENV}=1 cargo test  (rewrites the file; review and commit it)")
            }),
        })
    }

    /// [`Self::check`] for a test.
    ///
    /// # Panics
    /// When the file is stale or missing (and no rewrite was asked for), with the readable diff and
    /// the command that regenerates it; or when it cannot be read or written.
    #[track_caller]
    pub fn assert_current(&self, registry: &Registry) {
        if let Err(e) = self.check(registry) {
            panic!("{e}");
        }
    }
}

fn update_requested() -> bool {
    std::env::var_os(UPDATE_ENV).is_some_and(|v| v == "1")
}

/// A unified diff of two texts, labelled `committed` and `generated`.
fn unified_diff(committed: &str, generated: &str) -> String {
    let diff = similar::TextDiff::from_lines(committed, generated);
    let mut out = String::new();
    let _ = write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header("committed", "generated")
    );
    out
}
