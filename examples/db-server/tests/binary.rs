//! The built `db-server` binary, run the way the README says: start it, get a token with its
//! `token` command, call it over HTTP, stop it with SIGTERM, start it again.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_db-server");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A running server and the lines of its banner.
struct Server {
    child: Child,
    banner: Vec<String>,
}

impl Server {
    /// Starts `db-server --port PORT --data-dir DIR` and waits for its banner.
    fn start(port: u16, dir: &Path) -> Self {
        Self::start_with(port, dir, &[])
    }

    /// [`Server::start`] with more flags.
    fn start_with(port: u16, dir: &Path, flags: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["--port", &port.to_string(), "--data-dir"])
            .arg(dir)
            .args(flags)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start db-server");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, banner_lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        while !banner.iter().any(|l: &String| l.contains("get a token:")) {
            match banner_lines.recv_timeout(Duration::from_mins(1)) {
                Ok(line) => banner.push(line),
                Err(e) => {
                    let _ = child.kill();
                    panic!("no banner from db-server ({e}); got {banner:?}");
                }
            }
        }
        Self { child, banner }
    }

    fn banner_value(&self, label: &str) -> &str {
        self.banner
            .iter()
            .find_map(|l| l.trim().strip_prefix(label))
            .map_or("", str::trim)
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn terminate(mut self) {
        self.signal("-TERM");
        let status = self.wait_exit(Duration::from_secs(10));
        assert!(status.success(), "db-server exited with {status}");
    }

    /// Sends a signal (`-TERM`, `-INT`).
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to exit, failing the test if it is still running after `within`.
    fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("db-server still running {within:?} after being told to stop");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("run db-server")
}

async fn call(endpoint: &str, token: &str, tool: &str, arguments: Value) -> Value {
    let response = reqwest::Client::new()
        .post(endpoint)
        .bearer_auth(token)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": tool, "arguments": arguments}}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    body["result"]["structuredContent"].clone()
}

fn token(port: u16, dir: &Path, scope: &str) -> String {
    let out = run(
        &["token", "--scope", scope, "--port", &port.to_string()],
        dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_serves_mints_tokens_stops_and_keeps_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    let server = Server::start(port, &data);
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    assert_eq!(server.banner_value("MCP endpoint:"), endpoint);
    assert!(server.banner_value("mode:").starts_with("development"));
    let hint = server.banner_value("get a token:");
    assert!(
        hint.ends_with(&format!(
            "token --scope db:query --port {port} --data-dir {}",
            data.display()
        )),
        "{hint}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700, "data directory is owner-only");
        assert_eq!(
            mode(&data.join("dev-signing-key.pem")),
            0o600,
            "key is owner-only"
        );
    }

    let reader = token(port, &data, "db:query");
    let tables = call(&endpoint, &reader, "list_tables", json!({})).await;
    assert_eq!(tables["tables"][0]["name"], "customers");
    let writer = token(port, &data, "db:modify");
    let inserted = call(
        &endpoint,
        &writer,
        "execute",
        json!({"sql": "INSERT INTO customers (name, email, country, created_at) VALUES (?, ?, ?, ?)",
               "params": ["Hedy Lamarr", "hedy@example.com", "AT", "2025-09-01"]}),
    )
    .await;
    assert_eq!(inserted["rows_affected"], 1);
    server.terminate();
    assert!(
        !data
            .join(format!("{}-wal", db_server::DATABASE_FILE))
            .exists(),
        "a clean stop checkpoints the WAL into the database file"
    );

    let again = Server::start(port, &data);
    let found = call(
        &endpoint,
        &reader,
        "query",
        json!({"sql": "SELECT country FROM customers WHERE email = ?", "params": ["hedy@example.com"]}),
    )
    .await;
    assert_eq!(
        found["rows"],
        json!([["AT"]]),
        "data and key survive a restart"
    );
    again.terminate();
}

#[test]
fn development_mode_refuses_a_network_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let out = run(
        &["--bind", "0.0.0.0", "--port", &free_port().to_string()],
        &data,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: --bind: development mode"),
        "{stderr}"
    );
    assert!(stderr.contains("loopback"), "{stderr}");
    assert!(!data.exists(), "nothing was created");
}

#[test]
fn configuration_errors_are_one_line_naming_the_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (args, flag) in [
        (&["--issuer", "https://auth.example.com"][..], "--resource"),
        (&["--port", "http"][..], "--port"),
        (
            &[
                "--issuer",
                "not a url",
                "--resource",
                "https://m.example.com/mcp",
            ][..],
            "--issuer",
        ),
        (
            &[
                "--issuer",
                "https://a.example.com",
                "--casdoor",
                "https://c.example.com",
            ][..],
            "--casdoor",
        ),
    ] {
        let out = run(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
    // Environment variables count as flags.
    let out = Command::new(BIN)
        .env("MCP_BIND", "10.1.2.3")
        .env("MCP_DATA_DIR", dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bind"));
}

#[test]
fn tokens_are_only_minted_in_development_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(
        &[
            "token",
            "--scope",
            "db:query",
            "--issuer",
            "https://auth.example.com",
            "--resource",
            "https://mcp.example.com/mcp",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no token printed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--issuer"));

    let out = run(&["token", "--scope", "db:everything"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("db:admin, db:modify, db:query"),
        "lists the declared scopes: {stderr}"
    );
}

#[test]
fn manifest_lists_each_scope_with_its_tools() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The manifest depends on the code only, not on how the server is configured to run.
    let out = Command::new(BIN)
        .arg("manifest")
        .env("MCP_ISSUER", "https://auth.example.com")
        .env("MCP_DATA_DIR", dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: Value = serde_json::from_slice(&out.stdout).expect("json");
    let scopes: Vec<(&str, Vec<&str>)> = manifest
        .as_array()
        .expect("array")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default(),
                s["tools"]
                    .as_array()
                    .map(|t| t.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        scopes,
        [
            (
                "db:admin",
                vec!["create_index", "create_table", "drop_index", "drop_table"]
            ),
            ("db:modify", vec!["execute"]),
            ("db:query", vec!["describe_table", "list_tables", "query"]),
        ]
    );
    assert!(!dir.path().join("dev-signing-key.pem").exists());
}

#[test]
fn token_names_this_server_the_scopes_and_the_lifetime() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(
        &[
            "token",
            "--scope",
            "db:query db:modify",
            "--scope",
            "db:admin",
            "--ttl",
            "90s",
            "--port",
            "9999",
            "--subject",
            "alice",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).expect("utf-8");
    let payload = token.trim().split('.').nth(1).expect("a JWT");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("json");
    assert_eq!(claims["aud"], json!(["http://127.0.0.1:9999/mcp"]));
    assert_eq!(claims["iss"], "http://127.0.0.1:9999");
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["scope"], "db:query db:modify db:admin");
    assert_eq!(
        claims["exp"].as_u64().expect("exp") - claims["iat"].as_u64().expect("iat"),
        90
    );
}

/// Opens a connection and sends half a request, the way a stalled or hostile client would.
fn stuck_client(port: u16) -> std::net::TcpStream {
    use std::io::Write as _;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .expect("send");
    std::thread::sleep(Duration::from_millis(200));
    stream
}

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
            let _ = reqwest::Client::new()
                .post(&endpoint)
                .bearer_auth(&admin)
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25")
                .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                              "params": {"name": "execute", "arguments": {"sql": sql}}}))
                .send()
                .await;
        }
    });
    let _stuck = stuck_client(port);
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.signal("-TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal("-INT");
    // Stopping waits for the transaction (at most the 5s statement limit), not for the client.
    let status = server.wait_exit(Duration::from_secs(8));
    assert!(status.success(), "db-server exited with {status}");
    write.abort();

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
