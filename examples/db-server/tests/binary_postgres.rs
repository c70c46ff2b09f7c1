//! The built binary on PostgreSQL: `DATABASE_URL` (as most tools name it) switches it over, and bad
//! database settings stop it with a message that names the flag and never the password.
//!
//! Needs `MCP_TEST_DATABASE_URL` (see `pg_support`) for the first test.

mod binary_support;
mod pg_support;

use binary_support::{Server, call, free_port, run, token};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn database_url_in_the_environment_serves_postgres() {
    let Some(test_db) = pg_support::fresh_database("binary_postgres::environment").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let server = Server::start_with_env(port, dir.path(), &[("DATABASE_URL", &test_db.url)]);
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    let token = token(port, dir.path(), "db:modify");
    let count = call(
        &endpoint,
        &token,
        "query",
        json!({"sql": "SELECT count(*) AS n, current_database()::text AS db FROM orders"}),
    )
    .await;
    let db_name = test_db
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(count["rows"], json!([[30, db_name]]), "{count}");
    assert!(
        !dir.path().join(db_server::DATABASE_FILE).exists(),
        "a SQLite file was created"
    );
    server.terminate();
    test_db.drop_database().await;
}

#[test]
fn bad_database_settings_stop_the_server_and_say_which() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port().to_string();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--database-url", "mysql://x"],
            "--database-url is not a PostgreSQL URL",
        ),
        (
            &["--database-url", "postgres://u:hunter2secret@127.0.0.1:1/x"],
            "cannot connect to PostgreSQL",
        ),
        (
            &[
                "--database-reader-url",
                "postgres://u:hunter2secret@127.0.0.1:1/x",
            ],
            "--database-reader-url needs --database-url",
        ),
        (
            &[
                "--database-url",
                "postgres://u@127.0.0.1:1/x",
                "--database-schema",
                "Bad-Name",
            ],
            "--database-schema \"Bad-Name\"",
        ),
    ];
    for (flags, says) in cases {
        let mut args = flags.to_vec();
        args.extend(["--port", port.as_str()]);
        let out = run(&args, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flags:?} started");
        assert!(stderr.contains(says), "{flags:?}: {stderr}");
        assert!(
            !stderr.contains("hunter2secret"),
            "the password leaked: {stderr}"
        );
    }
}
