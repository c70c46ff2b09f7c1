//! The development-mode server (no issuer: tokens signed by the key in the data directory, minted
//! by the `token` command) logs no token, token part or key material, even at TRACE with every
//! library's events on. The production-mode counterpart is
//! `binary.rs::production_mode_never_prints_or_logs_a_token`; the validator and `casdoor sync` at
//! TRACE are in `tests/tests/logs_keep_secrets.rs`.

mod binary_support;

use binary_support::{Server, free_port, run, token};
use serde_json::json;

async fn post(endpoint: &str, authorization: &str, body: &serde_json::Value) -> u16 {
    reqwest::Client::new()
        .post(endpoint)
        .header("Authorization", authorization)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(body)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn development_mode_logs_no_token_or_key_at_trace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    let server = Server::start_with_env(port, dir.path(), &[("RUST_LOG", "trace")]);
    assert!(server.banner_value("mode:").starts_with("development"));

    let query = token(port, dir.path(), "db:query");
    let admin = token(port, dir.path(), "db:admin");
    // Minted for another port: another audience, refused with the development hint.
    let other_port = token(free_port(), dir.path(), "db:query");
    let mut tampered = query.clone();
    tampered.truncate(tampered.len() - 4);
    tampered.push_str("AAAA");

    let call = |tool: &str, arguments: serde_json::Value| {
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
               "params": {"name": tool, "arguments": arguments}})
    };
    let list = call("list_tables", json!({}));
    let write = call(
        "execute",
        json!({"sql": "DELETE FROM order_items WHERE id = -1"}),
    );
    let bearer = |t: &str| format!("Bearer {t}");
    assert_eq!(post(&endpoint, &bearer(&query), &list).await, 200);
    assert_eq!(post(&endpoint, &bearer(&query), &write).await, 403);
    assert_eq!(post(&endpoint, &bearer(&admin), &write).await, 200);
    for refused in [&other_port, &tampered] {
        assert_eq!(post(&endpoint, &bearer(refused), &list).await, 401);
    }
    assert_eq!(post(&endpoint, &format!("Basic {query}"), &list).await, 401);
    // The `token` command's own diagnostics (a refused mint) are output too.
    let refused_mint = run(
        &["token", "--scope", "db:query", "--ttl", "999d"],
        dir.path(),
    );
    assert!(!refused_mint.status.success());

    std::thread::sleep(std::time::Duration::from_millis(300));
    let (banner, log) = (server.banner(), server.log());
    server.terminate();
    let output = format!(
        "{banner}\n{log}\n{}",
        String::from_utf8_lossy(&refused_mint.stderr)
    );
    // RUST_LOG=trace was in force (the libraries' DEBUG events show), and the refusals were logged.
    assert!(
        log.contains("DEBUG") && log.contains("bearer token refused"),
        "the scenario logged nothing to search:\n{log}"
    );

    let key_pem = std::fs::read_to_string(dir.path().join("dev-signing-key.pem")).expect("the key");
    let mut secrets: Vec<String> = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .map(str::to_owned)
        .collect();
    secrets.push("PRIVATE KEY".to_owned());
    for token in [&query, &admin, &other_port, &tampered] {
        secrets.push(token.clone());
        secrets.extend(
            token
                .split('.')
                .filter(|part| part.len() > 16)
                .map(str::to_owned),
        );
    }
    for secret in &secrets {
        if let Some(line) = output.lines().find(|line| line.contains(secret.as_str())) {
            panic!(
                "a secret ({} chars) reached the output:\n{line}",
                secret.len()
            );
        }
    }
}
