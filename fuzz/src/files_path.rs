//! Target `files_path`: the files-server example's path checks (`RelPath::parse`) and every file
//! operation of its `Root`, in a served directory that holds traps pointing outside it.
//!
//! Layout (in a temporary directory, on `/dev/shm` when there is one: the writes' `fsync`s would
//! otherwise wait on the disk): `outside/` holds `outside-marker.txt` (text containing [`MARKER`])
//! and a FIFO `outside-marker.fifo`; `root/` (the served directory) holds a file `notes/todo.txt`,
//! relative and absolute symbolic links to both outside files, a link to `outside/` itself, a hard
//! link to the marker file and a FIFO of its own.
//!
//! An input is up to [`MAX_OPERATIONS`] operations separated by 0xFF bytes. In each, the first byte
//! picks the operation (read, stat, list, search, write, create a directory, move, delete); the
//! rest holds its path (and a second path or a pattern), NUL-separated. Invariants: an accepted
//! path is plain names only and prints back to itself; no answer ever carries the marker (nothing
//! outside was read or listed); after every change `outside/` keeps its entries and bytes; opening
//! a FIFO would block, which libFuzzer reports as a timeout (`-timeout` in `run.sh`).
//!
//! Speed (this target ran at ~500 inputs per second in its first campaign, slowing as the tree
//! grew): the operations are polled on this thread (outside a runtime `Root` runs them in place,
//! no blocking-pool task per input); after an input that ran a change, the served tree is put back
//! to the layout above (only what differs is rewritten), so every input starts from the same small
//! tree and a finding reproduces from its saved input alone; the limits are low enough that the
//! quota refusals are reachable within one input. `outside/`'s names and bytes are re-read after
//! every change: comparing `lstat` times instead misses a same-size rewrite made within the
//! kernel's timestamp tick (tried: a deliberate rewrite of the marker went unseen).

use std::collections::BTreeMap;
use std::future::Future;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, symlink};
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::Command;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use files_server::fs::{Limits, RelPath, Root, WriteMode};
use sha2::{Digest as _, Sha256};
use tempfile::TempDir;

use crate::support::{digest, split_at_byte};

/// Text only the files outside the root hold.
pub const MARKER: &str = "outside-marker";
/// The most operations one input runs.
pub const MAX_OPERATIONS: usize = 4;
/// The served file that is not a trap, and its content.
const TODO: (&str, &str) = ("notes/todo.txt", "inside\n");

struct Fixture {
    _dir: TempDir,
    outside: PathBuf,
    root_path: PathBuf,
    /// The marker file's and the spare FIFO's inodes: `hard` and `fifo` in the root are links to them.
    secret_inode: u64,
    spare_fifo: PathBuf,
    spare_fifo_inode: u64,
    /// `outside/`'s names and the marker's bytes at start.
    outside_at_start: Vec<[u8; 32]>,
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
    state.push(Sha256::digest(names.join("/").as_bytes()).into());
    state
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Removes whatever is at `path` (a directory with all it holds; links themselves).
fn remove(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path).expect("remove a directory"),
        Ok(_) => std::fs::remove_file(path).expect("remove a file"),
        Err(_) => {}
    }
}

/// The symbolic links of the layout: name in the root, target.
fn links(outside: &Path) -> BTreeMap<&'static str, PathBuf> {
    BTreeMap::from([
        (
            "link-out",
            PathBuf::from(format!("../outside/{MARKER}.txt")),
        ),
        ("link-abs", outside.join(format!("{MARKER}.txt"))),
        ("link-dir", PathBuf::from("../outside")),
        ("link-fifo", outside.join(format!("{MARKER}.fifo"))),
        (
            "notes/link-up",
            PathBuf::from(format!("../../outside/{MARKER}.txt")),
        ),
    ])
}

/// Puts the served tree back to the layout: removes any other entry of the root and of `notes/`,
/// and re-creates each trap that is missing or is not what it should be.
fn restore_layout(fixture: &Fixture) {
    let root = &fixture.root_path;
    let links = links(&fixture.outside);
    let keep = |dir: &str, name: &str| {
        let path = if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        };
        links.contains_key(path.as_str())
            || path == TODO.0
            || ["notes", "hard", "fifo"].contains(&path.as_str())
    };
    if !std::fs::symlink_metadata(root.join("notes")).is_ok_and(|m| m.is_dir()) {
        remove(&root.join("notes"));
        std::fs::create_dir(root.join("notes")).expect("notes/");
    }
    for dir in ["", "notes"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("a served directory") {
            let entry = entry.expect("a directory entry");
            if !keep(dir, &entry.file_name().to_string_lossy()) {
                remove(&entry.path());
            }
        }
    }
    let todo = root.join(TODO.0);
    let todo_ok = std::fs::symlink_metadata(&todo).is_ok_and(|m| m.is_file() && m.nlink() == 1)
        && std::fs::read(&todo).is_ok_and(|bytes| bytes == TODO.1.as_bytes());
    if !todo_ok {
        remove(&todo);
        std::fs::write(&todo, TODO.1).expect("a file");
    }
    for (name, target) in &links {
        let at = root.join(name);
        if std::fs::read_link(&at).ok().as_ref() != Some(target) {
            remove(&at);
            symlink(target, &at).expect("a symbolic link");
        }
    }
    for (name, original, inode) in [
        (
            "hard",
            fixture.outside.join(format!("{MARKER}.txt")),
            fixture.secret_inode,
        ),
        ("fifo", fixture.spare_fifo.clone(), fixture.spare_fifo_inode),
    ] {
        let at = root.join(name);
        if !std::fs::symlink_metadata(&at).is_ok_and(|m| m.ino() == inode) {
            remove(&at);
            std::fs::hard_link(&original, &at).expect("a hard link");
        }
    }
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = if Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm")
    } else {
        tempfile::tempdir()
    }
    .expect("a temporary directory");
    let outside = dir.path().join("outside");
    let root_path = dir.path().join("root");
    let spare_fifo = dir.path().join("spare.fifo");
    std::fs::create_dir(&outside).expect("outside/");
    std::fs::create_dir(&root_path).expect("root/");
    let secret = outside.join(format!("{MARKER}.txt"));
    std::fs::write(&secret, format!("{MARKER}\n")).expect("the marker file");
    mkfifo(&outside.join(format!("{MARKER}.fifo")));
    mkfifo(&spare_fifo);
    let inode = |path: &Path| std::fs::symlink_metadata(path).expect("lstat").ino();
    assert!(
        std::fs::symlink_metadata(&spare_fifo).is_ok_and(|m| m.file_type().is_fifo()),
        "a FIFO"
    );
    let limits = Limits {
        max_read_bytes: 4096,
        max_file_bytes: 4096,
        // Low enough that a few operations of one input reach them (the layout holds 9 entries).
        quota_bytes: 8 * 1024,
        max_entries: 16,
    };
    let fixture = Fixture {
        _dir: dir,
        secret_inode: inode(&secret),
        spare_fifo_inode: inode(&spare_fifo),
        outside_at_start: outside_state(&outside),
        outside,
        root_path: root_path.clone(),
        spare_fifo,
        root: Root::open(&root_path, limits).expect("the served directory"),
    };
    restore_layout(&fixture);
    fixture
});

/// Polls a `Root` operation on this thread: outside a runtime it runs in place, so it is ready.
fn now<T>(operation: impl Future<Output = T>) -> T {
    match pin!(operation).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(answer) => answer,
        Poll::Pending => panic!("a Root operation outside a runtime did not run in place"),
    }
}

/// Runs one input.
pub fn check(data: &[u8]) {
    let fixture = &*FIXTURE;
    let mut changed = false;
    for operation in data.split(|&b| b == 0xff).take(MAX_OPERATIONS) {
        if let Some(change) = run_operation(fixture, operation) {
            changed = true;
            assert_eq!(
                outside_state(&fixture.outside),
                fixture.outside_at_start,
                "{change} reached outside the root"
            );
        }
    }
    if changed {
        restore_layout(fixture);
    }
}

/// Runs one operation and checks its answer; `Some(name)` for an operation that may change the
/// tree.
fn run_operation(fixture: &Fixture, data: &[u8]) -> Option<&'static str> {
    let (&operation, rest) = data.split_first()?;
    let (first, second) = split_at_byte(rest, 0);
    let first = String::from_utf8_lossy(first).into_owned();
    let second = String::from_utf8_lossy(second).into_owned();
    if first.contains(MARKER) || second.contains(MARKER) {
        // A name the fuzzer wrote inside the root would look like a leak.
        return None;
    }
    let path = match RelPath::parse(&first) {
        Ok(path) => plain_names(&first, path),
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return None;
        }
    };
    let root = &fixture.root;
    let (answer, change) = match operation % 8 {
        0 => (format!("{:?}", now(root.read(path, 0, None))), None),
        1 => (format!("{:?}", now(root.stat(path))), None),
        2 => (format!("{:?}", now(root.list(path, 0, 100))), None),
        3 => (format!("{:?}", now(root.search(path, second, 50))), None),
        4 => {
            let mode = [WriteMode::Create, WriteMode::Overwrite, WriteMode::Append]
                [usize::from(operation / 8 % 3)];
            let written = now(root.write(path, second.into_bytes(), mode));
            (format!("{written:?}"), Some("a write"))
        }
        5 => {
            let made = now(root.create_dir(path, operation & 8 != 0));
            (format!("{made:?}"), Some("a new directory"))
        }
        6 => match RelPath::parse(&second) {
            Ok(to) => {
                let moved = now(root.rename(path, to, operation & 8 != 0));
                (format!("{moved:?}"), Some("a move"))
            }
            Err(_) => (String::new(), None),
        },
        _ => {
            let deleted = now(root.delete(path, operation & 8 != 0));
            (format!("{deleted:?}"), Some("a delete"))
        }
    };
    assert!(!answer.contains(MARKER), "read outside the root: {answer}");
    change
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
