//! `--max-calls-per-caller` and `--call-timeout` (and their variables) reach the server: a second
//! concurrent call from one caller gets 429 when the limit is 1, a slow query is cut off after the
//! given timeout with the documented error result, and 0 is refused at start with the flag's name.
//! Without the flag one caller may run 6 calls, db-server's own default (two below its 8 read
//! connections), which `--help` shows.

mod binary_support;

use std::time::{Duration, Instant};

use binary_support::{BIN, Server, free_port, run, token};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// A `query` call's HTTP status, `Retry-After` header and body.
type Answer = (u16, Option<String>, Value);

/// A query that runs until SQLite's 5 s statement limit stops it.
const ENDLESS: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c";

async fn query(endpoint: &str, token: &str, sql: &str) -> Answer {
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

/// Keeps `places` slow queries of `reader` running and sends quick ones until one is refused:
/// that answer, and the slow calls (still running).
///
/// Until the server has taken the slow calls, a quick call is served (no fixed wait that a loaded
/// machine outruns), and a slow call arriving while a quick one runs is the one refused: it is
/// sent again. Once the slow calls hold every place, the quick call is refused.
async fn refused_when_full(
    endpoint: &str,
    reader: &str,
    places: usize,
) -> (Answer, Vec<JoinHandle<Answer>>) {
    let spawn_slow = || {
        let (endpoint, reader) = (endpoint.to_owned(), reader.to_owned());
        tokio::spawn(async move { query(&endpoint, &reader, ENDLESS).await })
    };
    let mut slow: Vec<_> = (0..places).map(|_| spawn_slow()).collect();
    loop {
        let answer = query(endpoint, reader, "SELECT 1").await;
        if answer.0 != 200 {
            return (answer, slow);
        }
        for call in &mut slow {
            if call.is_finished() {
                let (status, _, body) = (&mut *call).await.expect("slow call");
                // Refused next to a quick call, or (on a very slow machine) already stopped by
                // the statement limit.
                assert!(status == 429 || status == 200, "{status}: {body}");
                *call = spawn_slow();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_limit_of_one_refuses_a_second_concurrent_call_with_429() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}/mcp");
    let _server = Server::start_with(port, &data, &["--max-calls-per-caller", "1"]);
    let reader = token(port, &data, "db:query");
    let ((status, retry_after, body), mut slow) = refused_when_full(&endpoint, &reader, 1).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(body["error"]["code"], mcp_scopes::server::TOO_MANY_CALLS);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("too many tool calls running for this caller (1)")),
        "{body}"
    );
    let (status, ..) = slow.pop().expect("the slow call").await.expect("slow call");
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

#[tokio::test(flavor = "multi_thread")]
async fn without_the_flag_one_caller_runs_six_calls_and_the_variable_changes_that() {
    for (vars, places) in [(&[][..], 6), (&[("MCP_MAX_CALLS_PER_CALLER", "2")][..], 2)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let port = free_port();
        let endpoint = format!("http://127.0.0.1:{port}/mcp");
        let server = Server::start_with_env(port, &data, vars);
        let reader = token(port, &data, "db:query");
        let ((status, _, body), slow) = refused_when_full(&endpoint, &reader, places).await;
        assert_eq!(status, 429, "{vars:?}: {body}");
        let expected = format!("too many tool calls running for this caller ({places})");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(&expected)),
            "{vars:?}: {body}"
        );
        for call in slow {
            call.abort();
        }
        drop(server);
    }
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
    // db-server's own default, not the framework's 16.
    let at = help
        .find("--max-calls-per-caller <N>")
        .expect("the flag is listed");
    let entry = help[at..].split("\n      --").next().unwrap_or_default();
    assert!(entry.contains("[default: 6]"), "{entry}");
}
