//! Files as resources over HTTP: the `file:///{path}` template is listed, reads a file whole (text
//! as text, binary as a base64 blob), applies the same confinement as the tools, and without
//! `files:read` gets the 403 step-up before the handler runs.

mod support;

use serde_json::json;
use support::{CANARY, Tree, snapshot};

#[tokio::test]
async fn files_read_as_resources_behind_files_read() {
    let tree = Tree::new();
    std::fs::write(tree.root().join("notes/bin.dat"), [0_u8, 255, 1]).expect("write");
    let server = tree.serve().await;
    let reader = server.token(&["files:read"]);

    let templates = server
        .rpc(&reader, "resources/templates/list", json!({}))
        .await;
    let listed = templates.result()["resourceTemplates"].clone();
    assert!(
        listed
            .as_array()
            .is_some_and(|all| all.iter().any(|t| t["uriTemplate"] == "file:///{path}")),
        "{listed}"
    );

    let text = server
        .rpc(
            &reader,
            "resources/read",
            json!({"uri": "file:///canary.txt"}),
        )
        .await;
    let contents = &text.result()["contents"][0];
    assert_eq!(contents["uri"], "file:///canary.txt");
    assert_eq!(contents["text"].as_str().map(str::as_bytes), Some(CANARY));

    let nested = server
        .rpc(
            &reader,
            "resources/read",
            json!({"uri": "file:///notes%2Fbin.dat"}),
        )
        .await;
    let contents = &nested.result()["contents"][0];
    assert_eq!(contents["blob"], "AP8B", "{contents}");

    for escape in [
        "file:///..%2F..%2Fetc%2Fpasswd",
        "file:///%2Fetc%2Fpasswd",
        "file:///notes%2F%2E%2E%2F%2E%2E%2Fkeys%2Fkey.pem",
    ] {
        let refused = server
            .rpc(&reader, "resources/read", json!({"uri": escape}))
            .await;
        assert_eq!(refused.status, 200, "{refused:?}");
        let message = refused.body["error"]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(message.contains("refused path"), "{escape}: {refused:?}");
    }

    let before = snapshot(&tree.root());
    let without_read = server.token(&["files:list", "files:write"]);
    let forbidden = server
        .rpc(
            &without_read,
            "resources/read",
            json!({"uri": "file:///canary.txt"}),
        )
        .await;
    assert_eq!(forbidden.status, 403, "{forbidden:?}");
    assert!(forbidden.challenge().contains("insufficient_scope"));
    assert!(forbidden.challenge().contains("files:read"));
    assert!(
        !forbidden.body.to_string().contains("canary: must"),
        "no contents without the scope"
    );
    assert_eq!(snapshot(&tree.root()), before);
    server.stop().await;
}
