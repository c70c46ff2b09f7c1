//! `--max-calls-per-caller` and `--call-timeout` (and their variables) reach the server: a second
//! concurrent call from one caller gets 429 when the limit is 1, a slow query is cut off after the
//! given timeout with the documented error result, and 0 is refused at start with the flag's name.

mod binary_support;

use std::time::{Duration, Instant};

use binary_support::{BIN, Server, free_port, run, token};
use serde_json::{Value, json};

/// A query that runs until SQLite's 5 s statement limit stops it.
const ENDLESS: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c";

async fn query(endpoint: &str, token: &str, sql: &str) -> (u16, Option<String>, Value) {
    let response = reqwest::Client::new()
        .post(endpoint)
        .bearer_auth(token)
        .header("Accept", "application/json")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "query", "arguments": {"sql": sql}}}))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry_after, response.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_limit_of_one_refuses_a_second_concurrent_call_with_429() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    let _server = Server::start_with(port, &data, &["--max-calls-per-caller", "1"]);
    let reader = token(port, &data, "db:query");
    let spawn_slow = || {
        let (endpoint, reader) = (endpoint.clone(), reader.clone());
        tokio::spawn(async move { query(&endpoint, &reader, ENDLESS).await })
    };
    let mut slow = spawn_slow();
    // The slow call holds the caller's only place until SQLite stops it after 5 s. Until the
    // server has taken it, a second call is served (no fixed wait that a loaded machine outruns),
    // and a slow call arriving while that one runs is the one refused: it is sent again. Once the
    // slow call holds the place, the second call is refused.
    let (status, retry_after, body) = loop {
        let (status, retry_after, body) = query(&endpoint, &reader, "SELECT 1").await;
        if status != 200 {
            break (status, retry_after, body);
        }
        if slow.is_finished() {
            let (status, _, body) = slow.await.expect("slow call");
            assert_eq!(status, 429, "the slow call met the quick one: {body}");
            slow = spawn_slow();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status, 429, "{body}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(body["error"]["code"], mcp_scopes::server::TOO_MANY_CALLS);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("too many tool calls running for this caller (1)")),
        "{body}"
    );
    let (status, ..) = slow.await.expect("slow call");
    assert_eq!(status, 200);
    // Its place is free again.
    let (status, _, body) = query(&endpoint, &reader, "SELECT 1").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_call_timeout_from_the_environment_cuts_a_slow_query_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    // Through the variable: the flag itself is covered by `--max-calls-per-caller` above and the
    // parser's unit tests.
    let _server = Server::start_with_env(port, &data, &[("MCP_CALL_TIMEOUT", "1s")]);
    let reader = token(port, &data, "db:query");
    let started = Instant::now();
    let (status, _, body) = query(&endpoint, &reader, ENDLESS).await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["isError"], true, "{body}");
    assert_eq!(
        body["result"]["content"][0]["text"],
        "the tool `query` did not finish within 1s and was stopped"
    );
    // The message shows the call timeout answered, not SQLite's 5 s statement limit; the bound
    // guards that the answer did not wait for the statement to end (it would come at 5 s). How
    // long after the 1 s timeout it arrives is the machine's load, so it is not checked closer.
    assert!(
        took < Duration::from_millis(4900),
        "answered after {took:?}"
    );
}

#[test]
fn zero_is_refused_with_the_flag_named_and_both_flags_are_in_help() {
    let dir = tempfile::tempdir().expect("temp dir");
    for flag in ["--max-calls-per-caller", "--call-timeout"] {
        let out = run(&["serve", flag, "0"], dir.path());
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(flag), "{flag}: {stderr}");
    }
    let out = std::process::Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&out.stdout);
    for shown in [
        "--max-calls-per-caller <N>",
        "MCP_MAX_CALLS_PER_CALLER",
        "--call-timeout <DURATION>",
        "MCP_CALL_TIMEOUT",
    ] {
        assert!(help.contains(shown), "{shown}:\n{help}");
    }
}
