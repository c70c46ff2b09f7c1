//! The few files a new served directory starts with, so the tools have something to show.

use std::path::Path;

use super::error::FsError;

/// A 1×1 PNG, to show how binary files come back (base64).
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xd0, 0xaa, 0xbf, 0x02,
    0x00, 0x02, 0x54, 0x01, 0x7e, 0x5a, 0x42, 0xca, 0x47, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The sample files, by path.
pub(crate) const SAMPLES: &[(&str, &[u8])] = &[
    (
        "README.md",
        b"# Your files\n\nThis directory is served by files-server. Ask the model to list it, \
read a file, or write notes here.\n",
    ),
    (
        "notes/todo.txt",
        b"- try list_directory\n- read notes/todo.txt\n- append a line with write_file\n",
    ),
    (
        "reports/2025-q3.csv",
        b"month,visitors,signups\n2025-07,1200,48\n2025-08,1350,61\n2025-09,1410,57\n",
    ),
    ("images/pixel.png", PIXEL_PNG),
];

/// Creates `root` (owner-only on Unix) with the sample files.
pub(super) fn create(root: &Path) -> Result<(), FsError> {
    let shown = root.display().to_string();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(root)
        .map_err(|e| FsError::io("create", &shown, e))?;
    for (path, content) in SAMPLES {
        let target = root.join(path);
        if let Some(dir) = target.parent() {
            builder
                .create(dir)
                .map_err(|e| FsError::io("create", path, e))?;
        }
        std::fs::write(&target, content).map_err(|e| FsError::io("write", path, e))?;
    }
    Ok(())
}
