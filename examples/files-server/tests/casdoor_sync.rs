//! `files-server casdoor sync` puts this server's scopes (the guide's names, display names and
//! descriptions, with their tools) into a Casdoor application, here a loopback stand-in for
//! Casdoor's admin API (`get-application`, `update-application`, Basic client credentials).

use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::Value;

const APPLICATION: &str = r#"{"owner":"admin","name":"files-server","clientId":"abc","scopes":[]}"#;

async fn fake_casdoor(posts: Arc<Mutex<Vec<String>>>) -> String {
    let ok = |data: String| format!(r#"{{"status":"ok","msg":"","data":{data},"data2":null}}"#);
    let router = Router::new()
        .route(
            "/api/get-application",
            get(move || async move { ok(APPLICATION.to_owned()) }),
        )
        .route(
            "/api/update-application",
            post(
                |State(posts): State<Arc<Mutex<Vec<String>>>>, body: String| async move {
                    posts
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(body);
                    r#"{"status":"ok","msg":"","data":"Affected","data2":null}"#
                },
            ),
        )
        .with_state(posts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn casdoor_sync_sends_the_guides_three_scopes_with_their_tools() {
    let posts = Arc::new(Mutex::new(Vec::new()));
    let endpoint = fake_casdoor(Arc::clone(&posts)).await;
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_files-server"))
            .args(["casdoor", "sync", "--endpoint", &endpoint])
            .args(["--application", "admin/files-server", "--oidc-scopes"])
            .env("CASDOOR_CLIENT_ID", "id")
            .env("CASDOOR_CLIENT_SECRET", "secret")
            .output()
    })
    .await
    .expect("task")
    .expect("run files-server");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let posts = posts.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(posts.len(), 1, "one update");
    let sent: Value = serde_json::from_str(&posts[0]).expect("json");
    let scope = |name: &str| {
        sent["scopes"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("{name} not sent: {sent}"))
    };
    let list = scope("files:list");
    assert_eq!(list["displayName"], "List Files");
    assert_eq!(
        list["description"],
        "See file names and metadata in directories"
    );
    assert_eq!(scope("files:read")["displayName"], "Read Files");
    assert_eq!(
        scope("files:read")["description"],
        "View and download files from your storage. Also opens resources: file:///{path}.",
        "the guide's description, then the resource the scope also opens"
    );
    assert_eq!(
        scope("files:write")["description"],
        "Create, modify, and delete files in your storage"
    );
    assert_eq!(
        scope("files:read")["tools"],
        serde_json::json!(["read_file"])
    );
    scope("openid");
    assert_eq!(
        sent["clientId"], "abc",
        "the rest of the application is sent back unchanged"
    );
}
