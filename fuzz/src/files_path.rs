//! Target `files_path`: the files-server example's path checks (`RelPath::parse`) and every file
//! operation of its `Root`, in a served directory that holds traps pointing outside it.
//!
//! Layout (in a temporary directory): `outside/` holds `outside-marker.txt` (text containing
//! [`MARKER`]) and a FIFO `outside-marker.fifo`; `root/` (the served directory) holds a normal file,
//! relative and absolute symbolic links to both, a link to `outside/` itself, a hard link to the
//! marker file and a FIFO of its own.
//!
//! The first byte picks the operation (read, stat, list, search, write, create a directory, move,
//! delete); the rest holds its path (and a second path or a pattern), NUL-separated. Invariants:
//! an accepted path is plain names only and prints back to itself; no answer ever carries the
//! marker (nothing outside was read or listed); `outside/` keeps its entries and bytes after every
//! change; opening a FIFO would block, which libFuzzer reports as a timeout (`-timeout` in
//! `run.sh`). Changes stay inside `root/`, whose traps are put back after each one.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use files_server::fs::{Limits, RelPath, Root, WriteMode};
use tempfile::TempDir;

use crate::support::{RUNTIME, digest, split_at_byte};

/// Text only the files outside the root hold.
pub const MARKER: &str = "outside-marker";

struct Fixture {
    _dir: TempDir,
    outside: PathBuf,
    root_path: PathBuf,
    before: Vec<[u8; 32]>,
    root: Root,
}

fn outside_state(outside: &Path) -> Vec<[u8; 32]> {
    let mut names: Vec<String> = std::fs::read_dir(outside)
        .expect("outside/ is readable")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut state = digest(&[&outside.join(format!("{MARKER}.txt"))]);
    state.push(<sha2::Sha256 as sha2::Digest>::digest(names.join("/").as_bytes()).into());
    state
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Puts the traps back where a change removed or replaced them.
fn set_traps(outside: &Path, root: &Path) {
    let secret = outside.join(format!("{MARKER}.txt"));
    let fifo = outside.join(format!("{MARKER}.fifo"));
    let links: [(&str, PathBuf); 5] = [
        (
            "link-out",
            PathBuf::from(format!("../outside/{MARKER}.txt")),
        ),
        ("link-abs", secret.clone()),
        ("link-dir", PathBuf::from("../outside")),
        ("link-fifo", fifo),
        (
            "notes/link-up",
            PathBuf::from(format!("../../outside/{MARKER}.txt")),
        ),
    ];
    let _ = std::fs::create_dir(root.join("notes"));
    if std::fs::read(root.join("notes/todo.txt")).is_err() {
        let _ = std::fs::remove_dir_all(root.join("notes/todo.txt"));
        std::fs::write(root.join("notes/todo.txt"), "inside\n").expect("a file");
    }
    for (name, target) in links {
        let at = root.join(name);
        if std::fs::read_link(&at).ok().as_ref() != Some(&target) {
            let _ = std::fs::remove_dir_all(&at);
            let _ = std::fs::remove_file(&at);
            symlink(&target, &at).expect("a symbolic link");
        }
    }
    let hard = root.join("hard");
    if std::fs::symlink_metadata(&hard).is_err() {
        std::fs::hard_link(&secret, &hard).expect("a hard link");
    }
    let fifo = root.join("fifo");
    if std::fs::symlink_metadata(&fifo).is_err() {
        mkfifo(&fifo);
    }
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let outside = dir.path().join("outside");
    let root_path = dir.path().join("root");
    std::fs::create_dir(&outside).expect("outside/");
    std::fs::create_dir(&root_path).expect("root/");
    std::fs::write(outside.join(format!("{MARKER}.txt")), format!("{MARKER}\n"))
        .expect("the marker file");
    mkfifo(&outside.join(format!("{MARKER}.fifo")));
    set_traps(&outside, &root_path);
    let before = outside_state(&outside);
    let limits = Limits {
        max_read_bytes: 4096,
        max_file_bytes: 4096,
        quota_bytes: 256 * 1024,
        max_entries: 256,
    };
    let root = Root::open(&root_path, limits).expect("the served directory");
    Fixture {
        _dir: dir,
        outside,
        root_path,
        before,
        root,
    }
});

/// Runs one input.
pub fn check(data: &[u8]) {
    let fixture = &*FIXTURE;
    let Some((&operation, rest)) = data.split_first() else {
        return;
    };
    let (first, second) = split_at_byte(rest, 0);
    let first = String::from_utf8_lossy(first).into_owned();
    let second = String::from_utf8_lossy(second).into_owned();
    if first.contains(MARKER) || second.contains(MARKER) {
        // A name the fuzzer wrote inside the root would look like a leak.
        return;
    }
    let path = match RelPath::parse(&first) {
        Ok(path) => plain_names(&first, path),
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let root = &fixture.root;
    let answer = RUNTIME.block_on(async {
        match operation % 8 {
            0 => format!("{:?}", root.read(path, 0, None).await),
            1 => format!("{:?}", root.stat(path).await),
            2 => format!("{:?}", root.list(path, 0, 100).await),
            3 => format!("{:?}", root.search(path, second.clone(), 50).await),
            4 => {
                let mode = [WriteMode::Create, WriteMode::Overwrite, WriteMode::Append]
                    [usize::from(operation / 8 % 3)];
                format!(
                    "{:?}",
                    root.write(path, second.clone().into_bytes(), mode).await
                )
            }
            5 => format!("{:?}", root.create_dir(path, operation & 8 != 0).await),
            6 => match RelPath::parse(&second) {
                Ok(to) => format!("{:?}", root.rename(path, to, operation & 8 != 0).await),
                Err(_) => String::new(),
            },
            _ => format!("{:?}", root.delete(path, operation & 8 != 0).await),
        }
    });
    assert!(!answer.contains(MARKER), "read outside the root: {answer}");
    if operation % 8 >= 4 {
        assert_eq!(
            outside_state(&fixture.outside),
            fixture.before,
            "a change reached outside the root"
        );
        set_traps(&fixture.outside, &fixture.root_path);
    }
}

fn plain_names(raw: &str, path: RelPath) -> RelPath {
    for name in path.names() {
        assert!(
            !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0']),
            "{raw:?} gave the name {name:?}"
        );
    }
    assert_eq!(
        RelPath::parse(&path.to_string()).expect("a printed path parses"),
        path
    );
    path
}
