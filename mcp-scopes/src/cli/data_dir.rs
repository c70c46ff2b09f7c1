//! The data directory and the development key in it: created owner-only (with a `.gitignore`
//! that keeps it out of version control) by `serve`, only ever read by `token`, and refused when
//! other users could read the key or write to the directory, since the key signs tokens for any
//! scope.

use std::path::{Path, PathBuf};

use super::flag_error::FlagError;
use crate::auth::DevSigner;

/// `./<name>-data`: next to where the server is started, easy to find and to delete.
pub(super) fn default_data_dir(name: &str) -> PathBuf {
    PathBuf::from(format!("./{name}-data"))
}

/// The file holding the development signing key, inside the data directory.
pub(crate) const DEV_KEY_FILE: &str = "dev-signing-key.pem";

/// The file where a development-mode server writes its MCP endpoint URL when it starts, so `token`
/// mints for the port it really listens on without being told.
pub(crate) const DEV_SERVER_URL_FILE: &str = "dev-server-url";

/// The MCP endpoint URL of the server that last started in development mode with `data_dir`, as
/// it wrote it to [`DEV_SERVER_URL_FILE`]; `None` when no such server ran.
pub(super) fn read_dev_server_url(data_dir: &Path) -> Result<Option<String>, FlagError> {
    let path = data_dir.join(DEV_SERVER_URL_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(FlagError::new(
                "--data-dir",
                format!("cannot read {}: {e}", path.display()),
            ));
        }
    };
    let url = std::str::from_utf8(&text).map_or("", str::trim);
    let is_url = url.len() <= 2048
        && reqwest::Url::parse(url).is_ok_and(|u| u.scheme() == "http" && u.host().is_some());
    if !is_url {
        return Err(FlagError::new(
            "--data-dir",
            format!(
                "{} does not hold the server's URL; delete it and restart the server, or give --port",
                path.display()
            ),
        ));
    }
    Ok(Some(url.to_owned()))
}

/// `path` as an absolute path, for messages that must say exactly where something was looked for.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// Loads the development key the server created in `data_dir`, after the same permission checks
/// the server makes; a missing key is an error saying where it was looked for.
pub(super) fn load_existing_dev_signer(data_dir: &Path) -> Result<DevSigner, FlagError> {
    let path = data_dir.join(DEV_KEY_FILE);
    let missing = || {
        FlagError::new(
            "--data-dir",
            format!(
                "no development key at {}: start the server first (it creates the key), or point at the server's data directory with --data-dir or MCP_DATA_DIR",
                absolute(&path).display()
            ),
        )
    };
    if !check_existing_data_dir(data_dir)? {
        return Err(missing());
    }
    check_key_permissions(&path)?;
    DevSigner::load(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            missing()
        } else {
            FlagError::new(
                "--data-dir",
                format!("cannot use the development key {}: {e}", path.display()),
            )
        }
    })
}

/// Creates the data directory (owner-only when this creates it) and loads or creates the
/// development key in it. A key other users could read is refused: it signs tokens for any scope.
pub(super) fn load_dev_signer(data_dir: &Path) -> Result<DevSigner, FlagError> {
    create_data_dir(data_dir)?;
    let path = data_dir.join(DEV_KEY_FILE);
    check_key_permissions(&path)?;
    DevSigner::load_or_create(&path).map_err(|e| {
        FlagError::new(
            "--data-dir",
            format!("cannot use the development key {}: {e}", path.display()),
        )
    })
}

/// Refuses a key file other users could read: it signs tokens for any scope.
fn check_key_permissions(path: &Path) -> Result<(), FlagError> {
    #[cfg(unix)]
    // The file itself, not a link's target: `DevSigner::load` refuses links with its own message.
    if let Ok(metadata) = std::fs::symlink_metadata(path)
        && metadata.is_file()
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(FlagError::new(
                "--data-dir",
                format!(
                    "the development key {} is open to other users (mode {mode:o}); make it owner-only with `chmod 600 {}`, or delete it to create a new one",
                    path.display(),
                    path.display()
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates the data directory with owner-only permissions, or checks an existing one: it must be
/// a directory that other users cannot write to (they could swap the key or the server's files).
pub(super) fn create_data_dir(dir: &Path) -> Result<(), FlagError> {
    let error = |message: String| FlagError::new("--data-dir", message);
    if check_existing_data_dir(dir)? {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| error(format!("cannot create {}: {e}", dir.display())))?;
    // The directory usually lands inside the user's project, whose .gitignore (from `cargo new`)
    // covers only /target: ignore everything in it, the key above all, as cargo does for target/.
    std::fs::write(dir.join(".gitignore"), DATA_DIR_GITIGNORE)
        .map_err(|e| error(format!("cannot write {}/.gitignore: {e}", dir.display())))
}

/// What the data directory's own `.gitignore` says: everything in it stays out of version control.
const DATA_DIR_GITIGNORE: &str = "# Created by the MCP server: it holds the development signing key\n# and the server's data, which must never be committed.\n*\n";

/// Whether `dir` exists, after checking that it is a directory other users cannot write to.
fn check_existing_data_dir(dir: &Path) -> Result<bool, FlagError> {
    let error = |message: String| FlagError::new("--data-dir", message);
    match std::fs::metadata(dir) {
        Ok(metadata) if !metadata.is_dir() => {
            Err(error(format!("{} is not a directory", dir.display())))
        }
        Ok(metadata) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = metadata.permissions().mode() & 0o7777;
                if mode & 0o022 != 0 {
                    return Err(error(format!(
                        "{} can be written by other users (mode {mode:o}); use a directory of your own, or `chmod 700 {}`",
                        dir.display(),
                        dir.display()
                    )));
                }
            }
            #[cfg(not(unix))]
            let _ = metadata;
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}
