//! A manifest as bytes and on disk: the options (format, OIDC scopes), [`render`] and
//! [`write_to`].

use super::error::ManifestError;
use super::formats::{ManifestFormat, casdoor_scopes, generic};
use super::write::write_atomically;
use crate::registry::Registry;

/// How to generate a manifest: the format and whether to add the standard OIDC scopes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ManifestOptions {
    /// The format (default: Casdoor).
    pub format: ManifestFormat,
    /// Whether to add [`STANDARD_OIDC_SCOPES`](super::STANDARD_OIDC_SCOPES) (after the server's own; a scope the server declares
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
