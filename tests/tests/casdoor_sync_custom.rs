//! `casdoor sync` beyond `scopes`: `customScopes` (what Casdoor's consent screen reads) synced from
//! the same manifest, an admin's edit made between the first read and the write (never undone), and
//! admin credentials never sent over plain http.

mod casdoor_support;

use casdoor_support::admin::{
    APP_BEFORE_SCOPES, APP_ID, APP_SCOPES, CLIENT_ID, CLIENT_SECRET, FakeCasdoor, Mode,
};
use casdoor_support::sync_input::options;
use mcp_scopes::casdoor::{Credentials, ScopeChange, SyncError, SyncOptions, SyncOutcome, sync};
use serde_json::{Value, json};

/// The default application with this `customScopes` value.
fn app_with_custom(custom: &str) -> String {
    format!(
        r#"{APP_BEFORE_SCOPES}{APP_SCOPES},"customScopes":{custom},"formCss":"\u003cstyle\u003e","CertObj":null}}"#
    )
}

fn posted(fake: &FakeCasdoor) -> Value {
    let posts = fake.posts();
    assert_eq!(posts.len(), 1, "one update");
    serde_json::from_str(&posts[0]).expect("JSON")
}

#[tokio::test]
async fn custom_scopes_follow_the_manifest_and_keep_the_others() {
    let legacy =
        r#"{"scope":"legacy:read","displayName":"Legacy","description":"by \u003cadmin\u003e"}"#;
    let fake = FakeCasdoor::start(
        app_with_custom(&format!(
            r#"[{{"scope":"db:query","displayName":"Query","description":"x"}},{legacy}]"#
        )),
        Mode::Normal,
    )
    .await;
    let report = sync(&options(&fake)).await.expect("synced");
    assert_eq!(report.outcome, SyncOutcome::Written);
    let sent = posted(&fake);
    assert_eq!(
        sent["customScopes"],
        json!([
            {"scope": "db:query", "displayName": "Query Database", "description": "Run read-only queries"},
            {"scope": "legacy:read", "displayName": "Legacy", "description": "by <admin>"},
            {"scope": "db:admin", "displayName": "Database Admin", "description": "Create & drop <tables>"},
        ])
    );
    assert!(
        fake.posts()[0].contains(legacy),
        "the unmanaged entry is sent back as read"
    );
    assert_eq!(
        sent["scopes"].as_array().map(Vec::len),
        Some(3),
        "scopes synced too"
    );
    assert!(report.custom_scope_changes.contains(&ScopeChange::Kept {
        name: "legacy:read".into()
    }));
    let shown = report.to_string();
    let custom = &shown[shown
        .find("customScopes (the consent screen)")
        .expect(&shown)..];
    assert!(
        custom.contains("+ db:admin") && custom.contains("~ db:query"),
        "{shown}"
    );
    assert!(
        !custom.contains("tools"),
        "consent entries have no tools: {shown}"
    );

    let again = sync(&options(&fake)).await.expect("re-run");
    assert_eq!(again.outcome, SyncOutcome::UpToDate, "{again}");
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test]
async fn custom_scopes_can_be_left_alone() {
    let custom = r#"[{"scope":"db:query","displayName":"Mine","description":"typed by hand"}]"#;
    let fake = FakeCasdoor::start(app_with_custom(custom), Mode::Normal).await;
    let report = sync(&options(&fake).custom_scopes(false))
        .await
        .expect("synced");
    assert!(report.custom_scope_changes.is_empty());
    assert!(
        fake.posts()[0].contains(&format!(r#","customScopes":{custom},"#)),
        "customScopes sent back byte for byte"
    );
}

#[tokio::test]
async fn an_admin_edit_between_the_reads_stops_the_sync() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let edited = fake
        .state
        .lock()
        .unwrap()
        .app
        .replace(r#""tokenFormat":"JWT""#, r#""tokenFormat":"JWT-Standard""#);
    fake.state.lock().unwrap().edit_before_second_read = Some(edited.clone());
    let err = sync(&options(&fake)).await.expect_err("stopped");
    assert!(
        matches!(&err, SyncError::ChangedMeanwhile { fields, .. } if fields == &["tokenFormat"]),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.contains("tokenFormat") && shown.contains("nothing was written"),
        "{shown}"
    );
    assert!(fake.posts().is_empty(), "nothing written");
    assert_eq!(
        fake.state.lock().unwrap().app,
        edited,
        "the admin's edit stands"
    );
}

#[tokio::test]
async fn an_edit_of_the_synced_lists_between_the_reads_is_kept() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    // An admin adds an entry of their own to `scopes` while the sync runs.
    let edited = fake.state.lock().unwrap().app.replace(
        r#""scopes":["#,
        r#""scopes":[{"name":"ops:read","displayName":"Ops","description":"added meanwhile","tools":[]},"#,
    );
    fake.state.lock().unwrap().edit_before_second_read = Some(edited);
    let report = sync(&options(&fake)).await.expect("synced");
    assert_eq!(report.outcome, SyncOutcome::Written);
    let names: Vec<Value> = posted(&fake)["scopes"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(
        names,
        [
            json!("ops:read"),
            json!("db:query"),
            json!("legacy:read"),
            json!("db:admin")
        ]
    );
}

#[tokio::test]
async fn admin_credentials_never_go_over_plain_http() {
    for endpoint in ["http://door.example.test", "http://10.0.0.7:8000"] {
        let options = SyncOptions::new(
            endpoint,
            APP_ID,
            Credentials::new(CLIENT_ID, CLIENT_SECRET),
            Vec::new(),
        );
        let err = sync(&options).await.expect_err("refused");
        assert!(matches!(err, SyncError::InsecureEndpoint(_)), "{err:?}");
        assert!(err.to_string().contains("use https"), "{err}");
    }
}
