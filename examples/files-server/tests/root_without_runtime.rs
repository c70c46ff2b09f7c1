//! `Root`'s operations polled outside any tokio runtime (a caller with its own executor, or the
//! fuzz target) run on the calling thread instead of panicking for want of a blocking pool, and
//! keep every check they make inside one.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use files_server::fs::{FsError, Kind, Limits, RelPath, Root, WriteMode};

/// Polls `future` once, outside any runtime: the operation must be done by then.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut context = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut context) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("a file operation outside a runtime did not finish at once"),
    }
}

fn path(text: &str) -> RelPath {
    RelPath::parse(text).expect("a valid path")
}

#[test]
fn operations_outside_a_runtime_run_on_the_calling_thread_with_their_checks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(outside.path().join("secret.txt"), "secret\n").expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("link"))
        .expect("symlink");
    let root = Root::open(dir.path(), Limits::default()).expect("open root");

    let written = ready(root.write(path("notes/a.txt"), b"hello\n".to_vec(), WriteMode::Create));
    assert!(
        matches!(written, Err(FsError::NotFound(_))),
        "a missing parent is refused: {written:?}"
    );
    ready(root.create_dir(path("notes"), false)).expect("mkdir");
    let written = ready(root.write(path("notes/a.txt"), b"hello\n".to_vec(), WriteMode::Create))
        .expect("write");
    assert_eq!(written.size, 6);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes/a.txt")).expect("read back"),
        "hello\n"
    );
    let read = ready(root.read(path("notes/a.txt"), 0, None)).expect("read");
    assert_eq!(read.content, "hello\n");

    let stat = ready(root.stat(path("link"))).expect("stat");
    assert_eq!(stat.kind, Kind::Symlink);
    let through_link = ready(root.read(path("link"), 0, None));
    assert!(
        matches!(through_link, Err(FsError::Symlink(_))),
        "a link is not followed: {through_link:?}"
    );
    ready(root.rename(path("notes/a.txt"), path("b.txt"), false)).expect("move");
    ready(root.delete(path("b.txt"), false)).expect("delete");
    assert!(!dir.path().join("b.txt").exists());
    assert_eq!(
        std::fs::read_to_string(outside.path().join("secret.txt")).expect("read"),
        "secret\n"
    );
}
