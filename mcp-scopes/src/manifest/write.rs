//! Writing a manifest so that no reader ever sees half a file, with the permissions of an ordinary
//! committed file: used by `manifest --out`, `write_to` and the test helper's rewrite.

use std::io::Write as _;
use std::path::Path;

use super::error::ManifestError;

/// Writes `bytes` to `path` so that readers see either the old content or the new, never a part: the
/// bytes go to a temporary file in the same directory, are flushed to disk, then renamed over `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ManifestError> {
    let io = |source| ManifestError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".manifest-");
    set_permissions(&mut builder, path);
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Gives the temporary file the permissions of the file it replaces, else those of an ordinary
/// committed file: it is created owner-only, which would otherwise stick to the manifest.
#[cfg(unix)]
fn set_permissions(builder: &mut tempfile::Builder<'_, '_>, path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let permissions = std::fs::metadata(path).map_or_else(
        |_| std::fs::Permissions::from_mode(0o644),
        |meta| meta.permissions(),
    );
    builder.permissions(permissions);
}

#[cfg(not(unix))]
fn set_permissions(_builder: &mut tempfile::Builder<'_, '_>, _path: &Path) {}
