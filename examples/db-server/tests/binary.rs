//! The built `db-server` binary, run the way the README says: start it, get a token with its
//! `token` command, call it over HTTP, stop it with SIGTERM, start it again.

mod binary_support;

use std::path::Path;
use std::process::Command;

use binary_support::{BIN, Server, call, free_port, run, token};
use serde_json::{Value, json};

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
    assert_eq!(
        hint,
        format!(
            "cargo run -q --bin db-server -- token --scope db:query --port {port} --data-dir {}",
            data.display()
        ),
        "a command that works when pasted in the project"
    );
    assert!(
        server
            .banner_value("data:")
            .contains("out of version control"),
        "{}",
        server.banner()
    );
    assert_eq!(
        std::fs::read_to_string(data.join(".gitignore")).expect("the data directory's .gitignore"),
        "# Created by the MCP server: it holds the development signing key\n# and the server's data, which must never be committed.\n*\n"
    );
    // What follows `--` is what the binary itself is given.
    let (_, pasted) = hint.split_once(" -- ").expect("cargo run form");
    let out = Command::new(BIN)
        .args(pasted.split_whitespace())
        .output()
        .expect("run the banner's command");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pasted_token = String::from_utf8(out.stdout).expect("utf-8");
    let tables = call(&endpoint, pasted_token.trim(), "list_tables", json!({})).await;
    assert_eq!(tables["tables"][0]["name"], "customers");
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
    binary_support::dev_key(dir.path());
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

#[test]
fn token_never_creates_a_key_and_says_where_it_looked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    for data in [dir.path().join("missing"), empty.clone()] {
        let out = run(&["token", "--scope", "db:query"], &data);
        assert_eq!(out.status.code(), Some(2), "{}", data.display());
        assert!(out.stdout.is_empty(), "no token printed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "no development key at {}: start the server first",
                data.join("dev-signing-key.pem").display()
            )),
            "{stderr}"
        );
        assert!(stderr.contains("--data-dir"), "{stderr}");
    }
    assert!(!dir.path().join("missing").exists(), "nothing created");
    assert_eq!(std::fs::read_dir(&empty).expect("list").count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn token_without_port_mints_for_the_port_the_server_listens_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let server = Server::start(port, dir.path());
    let out = run(&["token", "--scope", "db:query"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let minted = String::from_utf8(out.stdout).expect("utf-8");
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    let tables = call(&endpoint, minted.trim(), "list_tables", json!({})).await;
    assert_eq!(tables["tables"][0]["name"], "customers");
    server.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_development_tokens_get_a_hint_at_the_likely_cause() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    let server = Server::start(port, &data);
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    let other_port = token(free_port(), &data, "db:query");
    let other_key = token(port, &dir.path().join("elsewhere"), "db:query");
    for (bearer, hint) in [
        (
            other_port,
            "mint one for this server's port with its `token` command",
        ),
        (
            other_key,
            "run its `token` command with the server's --data-dir",
        ),
    ] {
        let response = reqwest::Client::new()
            .post(&endpoint)
            .bearer_auth(&bearer)
            .header("Accept", "application/json, text/event-stream")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401);
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .expect("ASCII")
            .to_owned();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert!(challenge.contains(hint), "{challenge}");
    }
    server.terminate();
}

#[test]
fn an_absurd_token_lifetime_is_a_usage_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    binary_support::dev_key(dir.path());
    for ttl in ["18446744073709551615", "99999999999999d", "366d"] {
        let out = run(&["token", "--ttl", ttl], dir.path());
        assert_eq!(out.status.code(), Some(2), "{ttl}");
        assert!(out.stdout.is_empty(), "{ttl}: no token");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{ttl}: {stderr}");
        assert!(
            stderr.contains("--ttl") && stderr.contains("at most 365d"),
            "{stderr}"
        );
    }
    assert!(
        run(&["token", "--ttl", "365d"], dir.path())
            .status
            .success()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn production_mode_never_prints_or_logs_a_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    // A well-formed token, signed by a key this server does not trust.
    let foreign = token(port, &dir.path().join("dev"), "db:admin");
    let closed = free_port();
    let server = Server::start_with(
        port,
        &dir.path().join("prod"),
        &[
            "--casdoor",
            &format!("http://127.0.0.1:{closed}"),
            "--resource",
            &endpoint,
        ],
    );
    let mode = server.banner_value("mode:");
    assert!(mode.starts_with("production"), "{mode}");
    assert!(
        mode.contains("manifest --oidc-scopes"),
        "the hint imports the OIDC scopes too, or Casdoor refuses them: {mode}"
    );
    for bearer in [
        foreign.as_str(),
        "not.a.token",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
    ] {
        let response = reqwest::Client::new()
            .post(&endpoint)
            .bearer_auth(bearer)
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-11-25")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
            .send()
            .await
            .expect("request");
        assert!(!response.status().is_success(), "{bearer}");
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let (banner, log) = (server.banner(), server.log());
    server.terminate();
    let signature = foreign.rsplit('.').next().expect("signature");
    for (what, text) in [("banner", &banner), ("log", &log)] {
        assert!(!text.contains("eyJ"), "{what} holds a token: {text}");
        assert!(!text.contains(signature), "{what} holds a signature");
    }
    assert!(
        log.contains("bearer token refused"),
        "the refusals are logged: {log}"
    );
}
