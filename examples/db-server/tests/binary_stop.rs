//! Stopping and refusing to start: the built binary with stalled clients, a second signal during a
//! long write, and a data directory or key other users could reach.

mod binary_support;

use std::path::Path;
use std::time::Duration;

use binary_support::{Server, call, dev_key, free_port, run, stuck_client, token};
use serde_json::json;

#[test]
fn a_stalled_client_does_not_keep_the_server_from_stopping() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    let mut server = Server::start_with(port, &data, &["--shutdown-grace", "1s"]);
    let _stuck = stuck_client(port);
    server.signal("-TERM");
    let status = server.wait_exit(Duration::from_secs(8));
    assert!(status.success(), "db-server exited with {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_stops_at_once_and_the_write_in_flight_completes_or_rolls_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    // The default grace period (10s) is longer than this test waits.
    let mut server = Server::start(port, &data);
    let admin = token(port, &data, "db:admin");
    call(
        &endpoint,
        &admin,
        "create_table",
        json!({"sql": "CREATE TABLE big (x INTEGER, pad TEXT)"}),
    )
    .await;
    let rows = 400_000;
    let write = tokio::spawn({
        let endpoint = endpoint.clone();
        let admin = admin.clone();
        async move {
            let sql = format!(
                "INSERT INTO big WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT {rows}) SELECT x, printf('%0100d', x) FROM c"
            );
            // The answer may never come: the server is being stopped.
            let response = reqwest::Client::new()
                .post(&endpoint)
                .bearer_auth(&admin)
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25")
                .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                              "params": {"name": "execute", "arguments": {"sql": sql}}}))
                .send()
                .await
                .ok()?;
            response.json::<serde_json::Value>().await.ok()
        }
    });
    let _stuck = stuck_client(port);
    // The write is under way once its pages reach the write-ahead log.
    let wal = data.join(format!("{}-wal", db_server::DATABASE_FILE));
    let started = std::time::Instant::now();
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 1_000_000 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the write never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.signal("-TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal("-INT");
    // Stopping waits for the transaction (at most the 5s statement limit), not for the client.
    let status = server.wait_exit(Duration::from_secs(8));
    assert!(status.success(), "db-server exited with {status}");
    let reply = tokio::time::timeout(Duration::from_secs(10), write)
        .await
        .expect("the client sees the connection end")
        .expect("the client task");

    let conn = rusqlite::Connection::open(data.join(db_server::DATABASE_FILE)).expect("open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
    let count: i64 = conn
        .query_row("SELECT count(*) FROM big", [], |row| row.get(0))
        .expect("count");
    assert!(
        count == 0 || count == rows,
        "the write is all or nothing, found {count} rows"
    );
    // A client told the write succeeded finds every row; one told nothing may find either.
    let confirmed = reply
        .as_ref()
        .is_some_and(|r| r["result"]["structuredContent"]["rows_affected"] == rows);
    assert!(
        !confirmed || count == rows,
        "a confirmed write is kept: {reply:?}, {count} rows"
    );
}

#[cfg(unix)]
#[test]
fn a_data_directory_or_key_open_to_other_users_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let refused = |args: &[&str], data: &Path, expect: &str| {
        let out = run(args, data);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "no token printed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: --data-dir: "), "{stderr}");
        assert!(stderr.contains(expect), "{stderr}");
    };
    let port = free_port().to_string();

    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).expect("mkdir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    refused(&["--port", &port], &shared, "chmod 700");
    refused(&["token"], &shared, "chmod 700");
    assert_eq!(
        std::fs::read_dir(&shared).expect("list").count(),
        0,
        "nothing created in it"
    );

    let data = dir.path().join("data");
    dev_key(&data);
    let minted = run(&["token"], &data);
    assert!(minted.status.success());
    let key = data.join("dev-signing-key.pem");
    let pem = std::fs::read(&key).expect("key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    refused(&["token"], &data, "chmod 600");
    refused(&["--port", &port], &data, "chmod 600");
    assert_eq!(
        std::fs::read(&key).expect("key"),
        pem,
        "the key is left alone"
    );

    let file = dir.path().join("file");
    std::fs::write(&file, "").expect("write");
    refused(&["token"], &file, "is not a directory");
}

#[test]
fn a_port_in_use_is_a_one_line_error_naming_the_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let data = dir.path().join("data");
    let out = run(&["--port", &port], &data);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no banner");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: --port: cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(
        !data.exists(),
        "nothing created before the port was known to be free"
    );
}
