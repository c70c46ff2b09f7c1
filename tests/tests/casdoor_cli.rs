//! `<server> manifest --out` and `<server> casdoor sync` through the command line every server gets
//! (`mcp_scopes::cli`), against a loopback Casdoor.

// `#[tool]` functions must be async; this one has nothing to await.
#![allow(clippy::unused_async)]

mod casdoor_support;

use std::process::ExitCode;

use casdoor_support::admin::{APP_ID, CLIENT_ID, CLIENT_SECRET, FakeCasdoor, Mode};
use mcp_scopes::cli::Cli;
use mcp_scopes::registry::Registry;
use mcp_scopes::{scope, tool, tools};

/// Read the database.
#[scope(name = "db:query", display_name = "Query Database", baseline)]
pub struct DbQuery;

/// Runs a read-only query.
#[tool(scope = DbQuery, read_only)]
async fn query() -> String {
    String::new()
}

async fn run(args: &[&str]) -> ExitCode {
    let registry = Registry::from_tools(tools![query]).unwrap();
    Cli::new("files-server", "0.0.0")
        .registry(registry)
        .run_from(
            std::iter::once("files-server").chain(args.iter().copied()),
            |_| Err("this test never serves".into()),
        )
        .await
}

/// `casdoor sync` of the fake's application with good credentials, then `more`.
fn sync_args<'a>(endpoint: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "casdoor",
        "sync",
        "--endpoint",
        endpoint,
        "--application",
        APP_ID,
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
    ];
    args.extend_from_slice(more);
    args
}

#[tokio::test]
async fn sync_writes_once_then_finds_nothing_to_do() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let args = sync_args(&fake.endpoint, &["--oidc-scopes"]);
    assert_eq!(run(&args).await, ExitCode::SUCCESS);
    let posts = fake.posts();
    assert_eq!(posts.len(), 1);
    let sent: serde_json::Value = serde_json::from_str(&posts[0]).unwrap();
    let names: Vec<&str> = sent["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "db:query",
            "legacy:read",
            "openid",
            "profile",
            "email",
            "offline_access"
        ]
    );
    assert_eq!(sent["scopes"][0]["tools"], serde_json::json!(["query"]));

    assert_eq!(run(&args).await, ExitCode::SUCCESS);
    assert_eq!(fake.posts().len(), 1, "the second run wrote nothing");

    let mut dry = args.clone();
    dry.push("--dry-run");
    dry.push("--prune");
    assert_eq!(run(&dry).await, ExitCode::SUCCESS);
    assert_eq!(fake.posts().len(), 1, "a dry run writes nothing");
}

#[tokio::test]
async fn no_custom_scopes_leaves_the_consent_list_alone() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let before = fake.state.lock().unwrap().app.clone();
    let custom =
        |app: &str| serde_json::from_str::<serde_json::Value>(app).unwrap()["customScopes"].clone();
    let mut args = sync_args(&fake.endpoint, &[]);
    args.push("--no-custom-scopes");
    assert_eq!(run(&args).await, ExitCode::SUCCESS);
    assert_eq!(custom(&fake.posts()[0]), custom(&before));
    args.pop();
    assert_eq!(run(&args).await, ExitCode::SUCCESS);
    assert_eq!(
        custom(&fake.posts()[1]),
        serde_json::json!([{"scope": "db:query", "displayName": "Query Database", "description": "Read the database."}])
    );
}

#[tokio::test]
async fn sync_failures_exit_non_zero_and_change_nothing() {
    let fake = FakeCasdoor::with_default_app(Mode::ErrorOnRead).await;
    let base = [
        "casdoor",
        "sync",
        "--endpoint",
        &fake.endpoint,
        "--application",
        APP_ID,
    ];
    let mut with_credentials = base.to_vec();
    with_credentials.extend(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]);
    assert_eq!(run(&with_credentials).await, ExitCode::FAILURE);
    assert!(fake.posts().is_empty());

    // Usage errors: no credentials, no endpoint, a malformed application id.
    let usage = ExitCode::from(2);
    if std::env::var_os("CASDOOR_CLIENT_SECRET").is_none() {
        assert_eq!(run(&base).await, usage);
    }
    if std::env::var_os("CASDOOR_ENDPOINT").is_none() {
        assert_eq!(
            run(&[
                "casdoor",
                "sync",
                "--application",
                APP_ID,
                "--client-id",
                "x",
                "--client-secret",
                "y"
            ])
            .await,
            usage
        );
    }
    let mut bad_id = with_credentials.clone();
    bad_id[5] = "no-owner";
    assert_eq!(run(&bad_id).await, usage);
    assert_eq!(fake.gets(), 1, "only the first run reached Casdoor");
}

#[tokio::test]
async fn manifest_out_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("casdoor-scopes.json");
    let path_text = path.to_str().unwrap();
    assert_eq!(
        run(&["manifest", "--out", path_text]).await,
        ExitCode::SUCCESS
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        written,
        serde_json::json!([{"name": "db:query", "displayName": "Query Database",
                            "description": "Read the database.", "tools": ["query"]}])
    );
    assert_eq!(
        run(&[
            "manifest",
            "--out",
            "/nonexistent-dir/x/casdoor-scopes.json"
        ])
        .await,
        ExitCode::FAILURE
    );
}
