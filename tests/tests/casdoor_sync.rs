//! `casdoor sync` against a loopback Casdoor: what is sent and what survives (managed entries
//! replaced, others kept byte for byte, prune, dry run, re-runs). Every failure mode is in
//! `casdoor_sync_failures.rs`; `customScopes` and edits made during a sync in
//! `casdoor_sync_custom.rs`. The byte-for-byte tests here leave `customScopes` alone.

mod casdoor_support;

use casdoor_support::admin::{
    APP_AFTER_SCOPES, APP_BEFORE_SCOPES, APP_ID, APP_SCOPES, CLIENT_ID, CLIENT_SECRET, FakeCasdoor,
    Mode,
};
use casdoor_support::sync_input::{manifest, options, scope};
use mcp_scopes::casdoor::{Credentials, ScopeChange, SyncError, SyncOptions, SyncOutcome, sync};
use serde_json::{Value, json};

/// Splits a posted body into the bytes before `scopes`, its value, and the bytes after, checking the
/// surrounding bytes are exactly those Casdoor sent.
fn posted_scopes(body: &str) -> Value {
    assert!(
        body.starts_with(APP_BEFORE_SCOPES),
        "bytes before `scopes` changed:\n{body}"
    );
    assert!(
        body.ends_with(APP_AFTER_SCOPES),
        "bytes after `scopes` changed:\n{body}"
    );
    let middle = &body[APP_BEFORE_SCOPES.len()..body.len() - APP_AFTER_SCOPES.len()];
    serde_json::from_str(middle).expect("scopes is JSON")
}

#[tokio::test]
async fn replaces_managed_entries_keeps_others_and_every_other_byte() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let report = sync(&options(&fake).custom_scopes(false)).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Written);

    let posts = fake.posts();
    assert_eq!(posts.len(), 1, "exactly one update");
    assert_eq!(
        posted_scopes(&posts[0]),
        json!([
            {"name": "db:query", "displayName": "Query Database", "description": "Run read-only queries",
             "tools": ["describe_table", "list_tables", "query"]},
            {"name": "legacy:read", "displayName": "Legacy", "description": "Kept by <admin>", "tools": []},
            {"name": "db:admin", "displayName": "Database Admin", "description": "Create & drop <tables>",
             "tools": ["create_table", "drop_table"]},
        ])
    );
    // The unmanaged entry is sent back as the very text Casdoor sent (escapes included).
    assert!(posts[0].contains(
        r#"{"name":"legacy:read","displayName":"Legacy","description":"Kept by \u003cadmin\u003e","tools":[]}"#
    ));

    let state = fake.state.lock().unwrap();
    assert_eq!(
        state.ids,
        vec![APP_ID, APP_ID, APP_ID],
        "every call (read, read again, update) names the application"
    );
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{CLIENT_ID}:{CLIENT_SECRET}")
        )
    );
    assert!(
        state.authorizations.iter().all(|a| *a == basic),
        "HTTP Basic on every call"
    );
    drop(state);

    assert!(
        report
            .changes
            .contains(&ScopeChange::Added(manifest()[0].clone()))
    );
    assert!(report.changes.contains(&ScopeChange::Kept {
        name: "legacy:read".into()
    }));
    assert!(report.changes.iter().any(|c| matches!(
        c,
        ScopeChange::Changed { before, after }
            if before.description == "old text" && before.tools.is_empty() && after.name == "db:query"
    )));
    let shown = report.to_string();
    for needle in [
        "+ db:admin",
        "~ db:query",
        r#"description: "old text" -> "Run read-only queries""#,
        "tools: [] -> [describe_table, list_tables, query]",
        "legacy:read (not declared by this server; kept",
        "Updated: 2 change(s) written.",
    ] {
        assert!(shown.contains(needle), "missing {needle:?} in:\n{shown}");
    }
}

#[tokio::test]
async fn a_second_run_writes_nothing() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    sync(&options(&fake)).await.unwrap();
    let again = sync(&options(&fake)).await.unwrap();
    assert_eq!(again.outcome, SyncOutcome::UpToDate);
    assert!(!again.has_changes());
    assert_eq!(fake.posts().len(), 1, "the re-run did not post");
    assert_eq!(
        fake.gets(),
        3,
        "read and read again before the write, then once"
    );
    assert!(again.to_string().contains("Up to date: nothing to write."));
}

#[tokio::test]
async fn prune_removes_entries_the_server_does_not_declare() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let report = sync(&options(&fake).prune(true).custom_scopes(false))
        .await
        .unwrap();
    assert!(report.changes.contains(&ScopeChange::Removed {
        name: "legacy:read".into(),
        duplicate: false
    }));
    let posts = fake.posts();
    let names: Vec<Value> = posted_scopes(&posts[0])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("db:query"), json!("db:admin")]);
    assert!(report.to_string().contains("- legacy:read"));
}

#[tokio::test]
async fn pruning_down_to_an_empty_list_is_refused() {
    // An empty `scopes` list makes Casdoor grant any requested scope: a server that declares no
    // scope must not wipe the list with --prune.
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let opts = SyncOptions::new(
        &fake.endpoint,
        APP_ID,
        Credentials::new(CLIENT_ID, CLIENT_SECRET),
        Vec::new(),
    );
    let err = sync(&opts.clone().prune(true)).await.unwrap_err();
    assert!(matches!(err, SyncError::WouldEmptyScopes(_)), "{err:?}");
    assert!(
        err.to_string().contains("grants any requested scope"),
        "{err}"
    );
    assert!(fake.posts().is_empty());
    // Without --prune the unmanaged entries stay: nothing to do.
    let report = sync(&opts).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::UpToDate);
    assert!(fake.posts().is_empty());
}

#[tokio::test]
async fn dry_run_prints_the_diff_and_writes_nothing() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let report = sync(&options(&fake).dry_run(true)).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::DryRun);
    assert!(report.has_changes());
    assert!(fake.posts().is_empty());
    let shown = report.to_string();
    assert!(shown.contains("+ db:admin"), "{shown}");
    assert!(
        shown.contains("Dry run: 4 change(s), nothing written."),
        "{shown}"
    );
}

#[tokio::test]
async fn null_or_absent_scopes_are_filled_in() {
    for (app, expect_prefix) in [
        (
            r#"{"owner":"admin","name":"db-server","scopes":null,"cert":"c"}"#,
            r#"{"owner":"admin","name":"db-server","scopes":[{"name":"db:admin""#,
        ),
        (
            r#"{"owner":"admin","name":"db-server","cert":"c"}"#,
            r#"{"owner":"admin","name":"db-server","cert":"c","scopes":[{"name":"db:admin""#,
        ),
    ] {
        let fake = FakeCasdoor::start(app.into(), Mode::Normal).await;
        let report = sync(&options(&fake)).await.unwrap();
        assert_eq!(report.outcome, SyncOutcome::Written);
        let posts = fake.posts();
        assert!(posts[0].starts_with(expect_prefix), "{}", posts[0]);
        let sent: Value = serde_json::from_str(&posts[0]).unwrap();
        assert_eq!(sent["scopes"].as_array().unwrap().len(), 2);
        assert_eq!(sent["cert"], "c");
    }
}

#[tokio::test]
async fn warns_when_the_oidc_scopes_will_be_refused() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let report = sync(&options(&fake)).await.unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("openid, profile, email, offline_access")),
        "{:?}",
        report.warnings
    );
    let mut with_oidc = manifest();
    for (name, display, description) in mcp_scopes::manifest::STANDARD_OIDC_SCOPES {
        with_oidc.push(scope(name, display, description, &[]));
    }
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let opts = SyncOptions::new(
        &fake.endpoint,
        APP_ID,
        Credentials::new(CLIENT_ID, CLIENT_SECRET),
        with_oidc,
    );
    assert!(sync(&opts).await.unwrap().warnings.is_empty());
}

#[test]
fn the_fixture_is_one_json_object() {
    let whole = format!("{APP_BEFORE_SCOPES}{APP_SCOPES}{APP_AFTER_SCOPES}");
    let v: Value = serde_json::from_str(&whole).unwrap();
    assert_eq!(v["scopes"].as_array().unwrap().len(), 2);
}
