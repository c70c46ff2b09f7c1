//! `casdoor sync` failing against a loopback Casdoor: every failure mode gets a typed error whose
//! message names the cause, nothing is written, and the client secret never shows. What a
//! successful sync sends is in `casdoor_sync.rs`.

mod casdoor_support;

use casdoor_support::admin::{APP_ID, CLIENT_ID, CLIENT_SECRET, FakeCasdoor, Mode};
use casdoor_support::sync_input::{manifest, options, scope};
use mcp_scopes::casdoor::{Credentials, SyncError, SyncOptions, SyncStep, sync};

/// Every failure: a typed error, a message naming the cause, no write, and never the secret.
async fn fails_without_writing(mode: Mode, check: impl Fn(&SyncError) -> bool) -> String {
    let fake = FakeCasdoor::with_default_app(mode).await;
    let err = sync(&options(&fake)).await.unwrap_err();
    assert!(check(&err), "unexpected error for {mode:?}: {err:?}");
    if mode != Mode::ErrorOnUpdate && mode != Mode::Unaffected {
        assert!(fake.posts().is_empty(), "{mode:?} must not write");
    }
    let text = format!("{err} {err:?}");
    assert!(!text.contains(CLIENT_SECRET), "secret leaked: {text}");
    err.to_string()
}

#[tokio::test]
async fn status_error_with_http_200_is_an_error() {
    let msg = fails_without_writing(Mode::ErrorOnRead, |e| {
        matches!(
            e,
            SyncError::Casdoor {
                action: SyncStep::Read,
                ..
            }
        )
    })
    .await;
    assert!(msg.contains("read-only for you"), "{msg}");

    let msg = fails_without_writing(Mode::ErrorOnUpdate, |e| {
        matches!(
            e,
            SyncError::Casdoor {
                action: SyncStep::Update,
                ..
            }
        )
    })
    .await;
    assert!(msg.contains("Data too long"), "{msg}");
}

#[tokio::test]
async fn refused_credentials_are_named() {
    for (mode, status) in [(Mode::Status401, 401), (Mode::Status403, 403)] {
        let msg = fails_without_writing(
            mode,
            |e| matches!(e, SyncError::Refused { status: s, .. } if *s == status),
        )
        .await;
        assert!(msg.contains("check the client id and secret"), "{msg}");
    }
    // Wrong credentials: Casdoor's usual HTTP 200 error.
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let opts = SyncOptions::new(
        &fake.endpoint,
        APP_ID,
        Credentials::new(CLIENT_ID, "wrong"),
        manifest(),
    );
    let err = sync(&opts).await.unwrap_err();
    assert!(err.to_string().contains("Unauthorized operation"), "{err}");
    assert!(fake.posts().is_empty());
}

#[tokio::test]
async fn malformed_missing_and_unaffected_replies() {
    let msg = fails_without_writing(Mode::Html, |e| {
        matches!(
            e,
            SyncError::Malformed {
                action: SyncStep::Read,
                ..
            }
        )
    })
    .await;
    assert!(msg.contains("not a Casdoor JSON reply"), "{msg}");

    let msg = fails_without_writing(Mode::NotFound, |e| matches!(e, SyncError::NotFound(_))).await;
    assert!(msg.contains("admin/db-server"), "{msg}");

    fails_without_writing(Mode::Unaffected, |e| matches!(e, SyncError::Unaffected(_))).await;

    let msg = fails_without_writing(Mode::Redirect, |e| {
        matches!(e, SyncError::HttpStatus { status: 308, .. })
    })
    .await;
    assert!(msg.contains("give the endpoint it points to"), "{msg}");

    let msg = fails_without_writing(Mode::NoEnvelope, |e| {
        matches!(e, SyncError::Malformed { .. })
    })
    .await;
    assert!(msg.contains("no `status`"), "{msg}");
}

#[tokio::test]
async fn connection_refused_is_a_clear_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let opts = SyncOptions::new(
        &endpoint,
        APP_ID,
        Credentials::new(CLIENT_ID, CLIENT_SECRET),
        manifest(),
    );
    let err = sync(&opts).await.unwrap_err();
    assert!(matches!(err, SyncError::Unreachable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("cannot reach Casdoor at {endpoint}")),
        "{msg}"
    );
    assert!(!msg.contains(CLIENT_SECRET));
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let fake = FakeCasdoor::with_default_app(Mode::Normal).await;
    let creds = || Credentials::new(CLIENT_ID, CLIENT_SECRET);
    let cases: Vec<(SyncOptions, &str)> = vec![
        (
            SyncOptions::new(&fake.endpoint, "db-server", creds(), manifest()),
            "not an application id",
        ),
        (
            SyncOptions::new("door.example.com", APP_ID, creds(), manifest()),
            "not a usable Casdoor endpoint",
        ),
        (
            SyncOptions::new(
                &fake.endpoint,
                APP_ID,
                Credentials::new(CLIENT_ID, ""),
                manifest(),
            ),
            "no Casdoor credentials",
        ),
        (
            SyncOptions::new(
                &fake.endpoint,
                APP_ID,
                creds(),
                vec![scope("db:.*", "All", "everything", &[])],
            ),
            "cannot go into the manifest",
        ),
    ];
    for (opts, expected) in cases {
        let err = sync(&opts).await.unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
    // Credentials typed into the endpoint are not echoed (CI logs keep stderr).
    let opts = SyncOptions::new(
        "https://admin:hunter2@door.example.com",
        APP_ID,
        creds(),
        manifest(),
    );
    let err = sync(&opts).await.unwrap_err().to_string();
    assert!(
        err.contains("`https://***@door.example.com` is not a usable Casdoor endpoint"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(fake.gets(), 0, "nothing reached Casdoor");
}

#[test]
fn options_debug_redacts_the_secret() {
    let opts = SyncOptions::new(
        "https://door.example.com",
        APP_ID,
        Credentials::new(CLIENT_ID, CLIENT_SECRET),
        manifest(),
    );
    let shown = format!("{opts:?}");
    assert!(
        shown.contains(CLIENT_ID) && !shown.contains(CLIENT_SECRET),
        "{shown}"
    );
}
