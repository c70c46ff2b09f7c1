//! Every tool over HTTP with a token: without its scope the call gets the 403 step-up challenge
//! before the handler runs (the tree, canary included, stays byte for byte the same); with it, the
//! tool does its job. `tools/list` shows every tool with its title and annotations.

mod support;

use serde_json::{Value, json};
use support::{CANARY, Tree, snapshot};

/// Each tool, the scope it needs, and arguments that succeed on a fresh tree (and would change
/// or reveal something there).
fn calls() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("list_directory", "files:list", json!({"path": "notes"})),
        ("stat_path", "files:list", json!({"path": "canary.txt"})),
        ("search_files", "files:list", json!({"pattern": "*.txt"})),
        ("read_file", "files:read", json!({"path": "canary.txt"})),
        (
            "write_file",
            "files:write",
            json!({"path": "canary.txt", "content": "overwritten", "mode": "overwrite"}),
        ),
        (
            "create_directory",
            "files:write",
            json!({"path": "new-dir"}),
        ),
        (
            "move_path",
            "files:write",
            json!({"from": "canary.txt", "to": "moved.txt"}),
        ),
        ("delete_path", "files:write", json!({"path": "canary.txt"})),
    ]
}

const ALL: [&str; 3] = ["files:list", "files:read", "files:write"];

#[tokio::test]
async fn every_tool_without_its_scope_gets_403_before_the_handler() {
    let tree = Tree::new();
    let server = tree.serve().await;
    let before = snapshot(&tree.root());
    for (tool, scope, arguments) in calls() {
        let others: Vec<&str> = ALL.iter().copied().filter(|s| *s != scope).collect();
        let token = server.token(&others);
        let reply = server.call(&token, tool, arguments).await;
        assert_eq!(reply.status, 403, "{tool}: {reply:?}");
        let challenge = reply.challenge();
        assert!(
            challenge.contains("error=\"insufficient_scope\""),
            "{tool}: {challenge}"
        );
        let wanted = challenge
            .split("scope=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        assert!(
            wanted.split(' ').any(|s| s == scope),
            "{tool}: the challenge asks for {scope}: {challenge}"
        );
        assert!(challenge.contains("resource_metadata=\""), "{challenge}");
        assert_eq!(
            snapshot(&tree.root()),
            before,
            "{tool}: nothing changed without the scope"
        );
    }
    assert_eq!(
        std::fs::read(tree.root().join("canary.txt")).expect("canary"),
        CANARY
    );
    server.stop().await;
}

#[tokio::test]
async fn every_tool_with_its_scope_does_its_job() {
    for (tool, scope, arguments) in calls() {
        // A fresh tree each time: the write tools change the canary.
        let tree = Tree::new();
        let server = tree.serve().await;
        let token = server.token(&[scope]);
        let reply = server.call(&token, tool, arguments).await;
        let out = reply.structured().clone();
        let root = tree.root();
        match tool {
            "list_directory" => {
                assert_eq!(out["entries"][0]["name"], "todo.txt", "{out}");
                assert_eq!(out["entries"][0]["kind"], "file");
                assert_eq!(out["entries"][0]["size"], 11);
                assert!(
                    out["entries"][0]["modified"]
                        .as_str()
                        .is_some_and(|m| m.ends_with('Z'))
                );
            }
            "stat_path" => {
                assert_eq!(out["kind"], "file");
                assert_eq!(out["size"], CANARY.len());
                assert_eq!(out["links"], 1);
            }
            "search_files" => {
                let paths: Vec<&str> = out["matches"]
                    .as_array()
                    .expect("matches")
                    .iter()
                    .filter_map(|m| m["path"].as_str())
                    .collect();
                assert_eq!(paths, ["canary.txt", "notes/todo.txt"], "{out}");
            }
            "read_file" => {
                assert_eq!(out["encoding"], "utf8");
                assert_eq!(out["content"].as_str().map(str::as_bytes), Some(CANARY));
                assert_eq!(out["eof"], true);
            }
            "write_file" => {
                assert_eq!(
                    std::fs::read(root.join("canary.txt")).expect("read"),
                    b"overwritten"
                );
                assert_eq!(out["created"], false);
            }
            "create_directory" => assert!(root.join("new-dir").is_dir()),
            "move_path" => {
                assert!(!root.join("canary.txt").exists());
                assert_eq!(
                    std::fs::read(root.join("moved.txt")).expect("moved"),
                    CANARY
                );
            }
            "delete_path" => assert!(!root.join("canary.txt").exists()),
            other => panic!("untested tool {other}"),
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn tools_list_shows_every_tool_with_title_scope_and_annotations() {
    let tree = Tree::new();
    let server = tree.serve().await;
    let token = server.token(&["files:list"]);
    let reply = server.rpc(&token, "tools/list", json!({})).await;
    let tools = reply.result()["tools"].as_array().expect("tools").clone();
    let mut names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = calls().iter().map(|(tool, _, _)| *tool).collect();
    expected.sort_unstable();
    assert_eq!(names, expected);
    let tool = |name: &str| {
        tools
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    for name in &names {
        let t = tool(name);
        assert!(t["title"].as_str().is_some_and(|s| !s.is_empty()), "{t}");
        assert_eq!(t["annotations"]["openWorldHint"], false, "{t}");
    }
    assert_eq!(tool("read_file")["annotations"]["readOnlyHint"], true);
    assert_eq!(tool("list_directory")["annotations"]["readOnlyHint"], true);
    assert_eq!(tool("delete_path")["annotations"]["destructiveHint"], true);
    assert_eq!(tool("write_file")["annotations"]["destructiveHint"], true);
    assert_eq!(
        tool("create_directory")["annotations"]["destructiveHint"],
        false
    );
    server.stop().await;
}

#[tokio::test]
async fn the_401_challenge_names_the_baseline_scope_files_list() {
    let tree = Tree::new();
    let server = tree.serve().await;
    let reply = server.rpc("not-a-token", "tools/list", json!({})).await;
    assert_eq!(reply.status, 401);
    assert!(
        reply.challenge().contains("scope=\"files:list\""),
        "{}",
        reply.challenge()
    );
    server.stop().await;
}
