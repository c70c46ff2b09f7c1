//! What the tools do, over HTTP: paging, byte ranges, text and base64, write modes, moves, the
//! size limits and the quota (a refused write leaves nothing behind).

mod support;

use base64::Engine as _;
use files_server::fs::Limits;
use serde_json::json;
use support::{TestServer, Tree, snapshot};

const ALL: [&str; 3] = ["files:list", "files:read", "files:write"];

#[tokio::test]
async fn listings_page_and_reads_take_byte_ranges() {
    let tree = Tree::new();
    for i in 0..7 {
        std::fs::write(tree.root().join(format!("f{i}.txt")), "x").expect("write");
    }
    // "é" is two bytes: a range ending inside it stops before it, so text stays text.
    std::fs::write(tree.root().join("text.txt"), "abcdé-end").expect("write");
    std::fs::write(tree.root().join("bin.dat"), [0_u8, 159, 146, 150, 255]).expect("write");
    let server = tree.serve().await;
    let token = server.token(&ALL);

    let page = server
        .call(&token, "list_directory", json!({"limit": 4}))
        .await;
    let page = page.structured();
    assert_eq!(page["total"], 11, "{page}");
    assert_eq!(page["entries"].as_array().map(Vec::len), Some(4));
    assert_eq!(page["next_offset"], 4);
    let last = server
        .call(&token, "list_directory", json!({"offset": 8, "limit": 4}))
        .await;
    assert_eq!(
        last.structured()["entries"].as_array().map(Vec::len),
        Some(3)
    );
    assert!(last.structured().get("next_offset").is_none());

    let piece = server
        .call(
            &token,
            "read_file",
            json!({"path": "text.txt", "offset": 2, "length": 3}),
        )
        .await;
    let piece = piece.structured();
    assert_eq!(piece["content"], "cd", "{piece}");
    assert_eq!(piece["length"], 2);
    assert_eq!(piece["eof"], false);
    assert_eq!(piece["size"], 10);
    let rest = server
        .call(
            &token,
            "read_file",
            json!({"path": "text.txt", "offset": 4}),
        )
        .await;
    assert_eq!(rest.structured()["content"], "é-end");
    assert_eq!(rest.structured()["eof"], true);

    let binary = server
        .call(&token, "read_file", json!({"path": "bin.dat"}))
        .await;
    assert_eq!(binary.structured()["encoding"], "base64");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(binary.structured()["content"].as_str().unwrap_or_default())
        .expect("base64");
    assert_eq!(decoded, [0_u8, 159, 146, 150, 255]);
    server.stop().await;
}

#[tokio::test]
async fn write_modes_create_overwrite_append() {
    let tree = Tree::new();
    let server = tree.serve().await;
    let token = server.token(&ALL);
    let root = tree.root();
    let write = |path: &str, content: &str, mode: &str| json!({"path": path, "content": content, "mode": mode});

    let created = server
        .call(
            &token,
            "write_file",
            write("notes/new.txt", "one\n", "create"),
        )
        .await;
    assert_eq!(created.structured()["created"], true);
    let stat = server
        .call(&token, "stat_path", json!({"path": "notes/new.txt"}))
        .await;
    assert_eq!(
        stat.structured()["links"],
        1,
        "a new file has one name, no leftover link"
    );
    let again = server
        .call(
            &token,
            "write_file",
            write("notes/new.txt", "other", "create"),
        )
        .await;
    assert!(again.tool_error().contains("already exists"));
    server
        .call(
            &token,
            "write_file",
            write("notes/new.txt", "two\n", "append"),
        )
        .await
        .structured();
    assert_eq!(
        std::fs::read_to_string(root.join("notes/new.txt")).expect("read"),
        "one\ntwo\n"
    );
    server
        .call(
            &token,
            "write_file",
            write("notes/new.txt", "three\n", "overwrite"),
        )
        .await
        .structured();
    assert_eq!(
        std::fs::read_to_string(root.join("notes/new.txt")).expect("read"),
        "three\n"
    );
    let png = server
        .call(
            &token,
            "write_file",
            json!({"path": "pixel.bin", "content": "AAEC/w==", "encoding": "base64"}),
        )
        .await;
    assert_eq!(png.structured()["size"], 4);
    assert_eq!(
        std::fs::read(root.join("pixel.bin")).expect("read"),
        [0, 1, 2, 255]
    );
    let bad = server
        .call(
            &token,
            "write_file",
            json!({"path": "bad.bin", "content": "not base64!", "encoding": "base64"}),
        )
        .await;
    assert!(bad.tool_error().contains("base64"));
    assert!(!root.join("bad.bin").exists());
    let no_parent = server
        .call(
            &token,
            "write_file",
            write("missing/dir/x.txt", "x", "create"),
        )
        .await;
    assert!(no_parent.tool_error().contains("does not exist"));

    server.stop().await;
}

#[tokio::test]
async fn directories_moves_and_deletes() {
    let tree = Tree::new();
    let server = tree.serve().await;
    let token = server.token(&ALL);
    let root = tree.root();
    std::fs::write(root.join("pixel.bin"), [0_u8, 1, 2, 255]).expect("write");
    std::fs::write(root.join("notes/new.txt"), "three\n").expect("write");
    server
        .call(
            &token,
            "create_directory",
            json!({"path": "a/b/c", "parents": true}),
        )
        .await
        .structured();
    assert!(root.join("a/b/c").is_dir());
    let exists = server
        .call(
            &token,
            "move_path",
            json!({"from": "pixel.bin", "to": "notes/new.txt"}),
        )
        .await;
    assert!(exists.tool_error().contains("already exists"));
    let moved = server
        .call(
            &token,
            "move_path",
            json!({"from": "pixel.bin", "to": "a/b/c/pixel.bin"}),
        )
        .await;
    assert_eq!(moved.structured()["to"], "a/b/c/pixel.bin");
    let not_empty = server
        .call(&token, "delete_path", json!({"path": "a"}))
        .await;
    assert!(not_empty.tool_error().contains("recursive"));
    assert!(root.join("a/b/c/pixel.bin").exists());
    server
        .call(
            &token,
            "delete_path",
            json!({"path": "a", "recursive": true}),
        )
        .await
        .structured();
    assert!(!root.join("a").exists());
    server.stop().await;
}

#[tokio::test]
async fn size_limits_and_the_quota_refuse_writes_and_leave_nothing() {
    let tree = Tree::new();
    let limits = Limits {
        max_read_bytes: 8,
        max_file_bytes: 64,
        quota_bytes: 100,
        max_entries: 6,
    };
    let server = TestServer::start_with(&tree.root(), &tree.keys(), limits).await;
    let token = server.token(&ALL);
    // The tree holds 11 + 26 = 37 bytes and 3 entries.
    let before = snapshot(&tree.root());

    let read = server
        .call(&token, "read_file", json!({"path": "notes/todo.txt"}))
        .await;
    assert_eq!(read.structured()["length"], 8, "reads are capped");
    assert_eq!(read.structured()["eof"], false);

    let too_big = server
        .call(
            &token,
            "write_file",
            json!({"path": "big.txt", "content": "x".repeat(65)}),
        )
        .await;
    assert!(
        too_big.tool_error().contains("over the limit of 64 bytes"),
        "{too_big:?}"
    );
    let over_quota = server
        .call(
            &token,
            "write_file",
            json!({"path": "big.txt", "content": "x".repeat(64)}),
        )
        .await;
    let message = over_quota.tool_error();
    assert!(
        message.contains("quota of 100 bytes") && message.contains("101"),
        "{message}"
    );
    let append_over = server
        .call(
            &token,
            "write_file",
            json!({"path": "notes/todo.txt", "content": "x".repeat(60), "mode": "append"}),
        )
        .await;
    assert!(append_over.tool_error().contains("over the limit"));
    assert_eq!(
        snapshot(&tree.root()),
        before,
        "refused writes leave nothing behind"
    );

    // Replacing a file counts only the difference.
    server
        .call(
            &token,
            "write_file",
            json!({"path": "canary.txt", "content": "y".repeat(60), "mode": "overwrite"}),
        )
        .await
        .structured();
    for i in 0..3 {
        server
            .call(
                &token,
                "write_file",
                json!({"path": format!("e{i}"), "content": ""}),
            )
            .await
            .structured();
    }
    let too_many = server
        .call(&token, "create_directory", json!({"path": "one-more"}))
        .await;
    assert!(
        too_many.tool_error().contains("more than 6 files"),
        "{too_many:?}"
    );
    assert!(!tree.root().join("one-more").exists());
    server.stop().await;
}

#[tokio::test]
async fn search_matches_names_by_glob_below_a_directory() {
    let tree = Tree::new();
    std::fs::create_dir_all(tree.root().join("reports/2025")).expect("mkdir");
    std::fs::write(tree.root().join("reports/2025/Q3.CSV"), "a").expect("write");
    std::fs::write(tree.root().join("reports/summary.csv"), "b").expect("write");
    let server = tree.serve().await;
    let token = server.token(&["files:list"]);
    let found = server
        .call(
            &token,
            "search_files",
            json!({"pattern": "*.csv", "path": "reports"}),
        )
        .await;
    let paths: Vec<&str> = found.structured()["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .filter_map(|m| m["path"].as_str())
        .collect();
    assert_eq!(paths, ["reports/summary.csv", "reports/2025/Q3.CSV"]);
    let capped = server
        .call(
            &token,
            "search_files",
            json!({"pattern": "*", "max_results": 2}),
        )
        .await;
    assert_eq!(capped.structured()["truncated"], true);
    assert_eq!(
        capped.structured()["matches"].as_array().map(Vec::len),
        Some(2)
    );
    let bad = server
        .call(&token, "search_files", json!({"pattern": "[unclosed"}))
        .await;
    assert!(bad.tool_error().contains("invalid glob"));
    server.stop().await;
}
