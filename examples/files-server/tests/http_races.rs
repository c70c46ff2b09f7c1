//! Changes racing the server: a directory swapped for a link to the outside while requests walk
//! through it, and writers racing each other on one file.

#![cfg(unix)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use support::{Tree, snapshot};

const SECRET: &str = "SECRET-BEHIND-THE-SWAP";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_directory_swapped_for_a_link_mid_request_never_leads_outside() {
    let tree = Tree::new();
    let base = tree.dir.path().to_path_buf();
    let root = tree.root();
    std::fs::create_dir(base.join("outside")).expect("mkdir");
    std::fs::write(base.join("outside/x.txt"), SECRET).expect("write");
    std::fs::create_dir(root.join("swap")).expect("mkdir");
    std::fs::write(root.join("swap/x.txt"), "inside").expect("write");
    let outside_before = snapshot(&base.join("outside"));

    // The attacker: flips `swap` between the real directory and a link to the outside, as fast
    // as it can (each flip is one atomic rename).
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let stop = Arc::clone(&stop);
        let root = root.clone();
        std::thread::spawn(move || {
            let mut flips = 0_u64;
            std::os::unix::fs::symlink(base.join("outside"), root.join("link-ready"))
                .expect("symlink");
            while !stop.load(Ordering::Relaxed) {
                // Park the real directory, put the link in its place, then swap back.
                std::fs::rename(root.join("swap"), root.join("parked")).expect("park");
                std::fs::rename(root.join("link-ready"), root.join("swap")).expect("link in");
                std::fs::rename(root.join("swap"), root.join("link-ready")).expect("link out");
                std::fs::rename(root.join("parked"), root.join("swap")).expect("unpark");
                flips += 1;
            }
            flips
        })
    };

    let server = tree.serve().await;
    let token = server.token(&["files:list", "files:read", "files:write"]);
    let mut served_inside = 0;
    for round in 0..150 {
        let read = server
            .call(&token, "read_file", json!({"path": "swap/x.txt"}))
            .await;
        let listed = server
            .call(&token, "list_directory", json!({"path": "swap"}))
            .await;
        let written = server
            .call(
                &token,
                "write_file",
                json!({"path": "swap/new.txt", "content": format!("round {round}"), "mode": "overwrite"}),
            )
            .await;
        for reply in [&read, &listed, &written] {
            let body = reply.body.to_string();
            assert!(!body.contains(SECRET), "leaked through the swap: {body}");
            assert_eq!(reply.status, 200, "{reply:?}");
        }
        if read.result()["isError"] != json!(true) {
            assert_eq!(read.structured()["content"], "inside");
            served_inside += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let flips = swapper.join().expect("swapper");
    assert!(flips > 10, "the swap really raced ({flips} flips)");
    assert!(served_inside > 0, "some reads got through between swaps");
    assert_eq!(
        snapshot(&tree.dir.path().join("outside")),
        outside_before,
        "nothing was written outside"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_leave_one_complete_version() {
    let tree = Tree::new();
    let server = Arc::new(tree.serve().await);
    let token = server.token(&["files:write"]);
    let size = 512 * 1024;
    let mut writers = Vec::new();
    for letter in ['a', 'b', 'c', 'd', 'e', 'f'] {
        let server = Arc::clone(&server);
        let token = token.clone();
        writers.push(tokio::spawn(async move {
            let content = letter.to_string().repeat(size);
            server
                .call(
                    &token,
                    "write_file",
                    json!({"path": "shared.txt", "content": content, "mode": "overwrite"}),
                )
                .await
                .structured()["size"]
                .clone()
        }));
    }
    for writer in writers {
        assert_eq!(writer.await.expect("writer"), size);
    }
    let content = std::fs::read(tree.root().join("shared.txt")).expect("read");
    assert_eq!(content.len(), size);
    assert!(
        content.iter().all(|b| *b == content[0]),
        "one writer's version, whole"
    );
    let leftovers: Vec<_> = std::fs::read_dir(tree.root())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".files-server-tmp-")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}
