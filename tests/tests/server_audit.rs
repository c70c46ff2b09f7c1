//! Audit events (`mcp_scopes::audit`), read the way an operator's tools read them: the formatted log
//! line parsed as logfmt. One vocabulary (`decision` = `allow`/`deny`, snake_case `reason`), every
//! client-influenced value quoted and cut short, never the token, and no line per request without a
//! token at the default level.

mod server_support;

use mcp_scopes::audit::{MAX_FIELD_CHARS, TARGET};
use mcp_scopes_tests::log_capture::Captured;
use serde_json::json;
use server_support::{Reply, TestServer, server, server_with};
use tracing::Level;

/// Collects formatted log output in memory.
/// One parsed log line: its level and its `key=value` pairs, in order (bare words have no value).
#[derive(Debug)]
struct Line {
    raw: String,
    pairs: Vec<(String, Option<String>)>,
}

impl Line {
    /// Every value given to `key` (bare words, such as the message's, are not fields).
    fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }

    /// The value of `key`, which must appear exactly once.
    fn get(&self, key: &str) -> &str {
        let all = self.all(key);
        assert_eq!(
            all.len(),
            1,
            "`{key}` is not there exactly once: {}",
            self.raw
        );
        all[0]
    }

    fn level(&self) -> &str {
        // The formatter writes the level as the first bare word.
        self.pairs.first().map_or("", |(k, _)| k.as_str())
    }
}

/// logfmt: `key=value` or `key="quoted \"value\""` separated by spaces; other words stand alone.
fn logfmt(raw: &str) -> Line {
    let mut pairs = Vec::new();
    let mut chars = raw.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(_) = chars.peek() else { break };
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            pairs.push((key, None));
            continue;
        }
        chars.next();
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        pairs.push((key, Some(value)));
    }
    Line {
        raw: raw.to_owned(),
        pairs,
    }
}

/// Runs `scenario` with a subscriber capturing events up to `level`, and returns the audit lines.
async fn audited<F, Fut>(level: Level, scenario: F) -> Vec<Line>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .without_time()
        .with_max_level(level)
        .finish();
    {
        // The test runtime is single-threaded, so the server's tasks see this default too.
        let _guard = tracing::subscriber::set_default(subscriber);
        scenario().await;
    }
    let text = captured.text();
    text.lines()
        .filter(|l| l.contains(&format!("{TARGET}:")))
        .map(logfmt)
        .collect()
}

fn call(tool: &str) -> String {
    json!({"jsonrpc":"2.0","id":1,"method":"tools/call",
        "params":{"name":tool,"arguments":{"row":"r","sql":"s"}}})
    .to_string()
}

async fn call_with(s: &TestServer, token: &str, tool: &str) -> Reply {
    let auth = format!("Bearer {token}");
    s.send("POST", "/mcp", &[("authorization", &auth)], &call(tool))
        .await
}

#[tokio::test]
async fn an_allowed_call_logs_the_token_and_the_scope_decision() {
    let s = server();
    let token = s.token(&["db:query"]);
    let lines = audited(Level::INFO, || async {
        assert_eq!(call_with(&s, &token, "query").await.status, 200);
    })
    .await;
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let accepted = &lines[0];
    assert_eq!(accepted.get("decision"), "allow");
    assert_eq!(accepted.get("reason"), "token_valid");
    assert_eq!(accepted.get("subject"), "alice");
    assert_eq!(accepted.get("client_id"), "client-1");
    assert_eq!(accepted.get("granted"), "db:query");
    assert_eq!(accepted.get("method"), "POST");
    assert_eq!(accepted.get("path"), "/mcp");
    let gate = &lines[1];
    assert_eq!(gate.level(), "INFO");
    assert_eq!(gate.get("decision"), "allow");
    assert_eq!(gate.get("reason"), "scope_granted");
    assert_eq!(gate.get("tool"), "query");
    assert_eq!(gate.get("required"), "db:query");
    assert_eq!(gate.get("granted"), "db:query");
    assert!(gate.get("jti").starts_with("dev/"), "{}", gate.raw);
    let signature = token.rsplit('.').next().unwrap_or_default();
    assert!(
        lines.iter().all(|l| !l.raw.contains(signature)),
        "the token leaked into the log"
    );
}

#[tokio::test]
async fn a_call_lacking_a_scope_is_a_deny_with_what_was_missing() {
    let s = server();
    let token = s.token(&["db:query"]);
    let lines = audited(Level::INFO, || async {
        assert_eq!(call_with(&s, &token, "insert").await.status, 403);
    })
    .await;
    let deny = lines.last().expect("an event");
    assert_eq!(deny.level(), "WARN");
    assert_eq!(deny.get("decision"), "deny");
    assert_eq!(deny.get("reason"), "insufficient_scope");
    assert_eq!(deny.get("tool"), "insert");
    assert_eq!(deny.get("required"), "db:modify");
    assert_eq!(deny.get("granted"), "db:query");
    assert_eq!(deny.get("subject"), "alice");
}

#[tokio::test]
async fn unknown_and_hidden_tools_are_denials_with_their_own_reasons() {
    let s = server_with(|b| b.filter_tools_by_scope(true));
    let token = s.token(&["db:query"]);
    let mut bodies = Vec::new();
    let lines = audited(Level::INFO, || async {
        bodies.push(call_with(&s, &token, "drop_everything").await.json());
        bodies.push(call_with(&s, &token, "insert").await.json());
    })
    .await;
    let denials: Vec<&Line> = lines
        .iter()
        .filter(|l| l.get("decision") == "deny")
        .collect();
    assert_eq!(denials.len(), 2, "{lines:#?}");
    assert_eq!(denials[0].get("reason"), "unknown_tool");
    assert_eq!(denials[0].get("tool"), "drop_everything");
    assert_eq!(denials[1].get("reason"), "hidden_tool");
    assert_eq!(denials[1].get("tool"), "insert");
    assert_eq!(denials[1].get("subject"), "alice");
    // The client cannot tell them apart.
    assert_eq!(
        bodies[0]["error"]["code"], bodies[1]["error"]["code"],
        "{bodies:?}"
    );
}

#[tokio::test]
async fn a_request_without_a_token_is_not_an_info_line() {
    let s = server();
    let send = || async {
        for _ in 0..50 {
            let reply = s.send("POST", "/mcp", &[], &call("query")).await;
            assert_eq!(reply.status, 401);
        }
    };
    assert!(audited(Level::INFO, send).await.is_empty());
    let debug = audited(Level::DEBUG, send).await;
    assert_eq!(debug.len(), 50);
    for line in &debug {
        assert_eq!(line.level(), "DEBUG");
        assert_eq!(line.get("decision"), "deny");
        assert_eq!(line.get("reason"), "no_credentials");
        assert_eq!(line.get("path"), "/mcp");
    }
}

#[tokio::test]
async fn a_bad_token_is_a_deny_with_the_token_error_as_reason() {
    let s = server();
    let stranger = server().token(&["db:admin"]);
    let lines = audited(Level::INFO, || async {
        assert_eq!(call_with(&s, &stranger, "query").await.status, 401);
    })
    .await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0].get("decision"), "deny");
    let reason = lines[0].get("reason");
    assert!(
        !reason.is_empty() && reason.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "{reason}"
    );
    assert!(!lines[0].get("detail").is_empty());
    let signature = stranger.rsplit('.').next().unwrap_or_default();
    assert!(!lines[0].raw.contains(signature));
}

#[tokio::test]
async fn a_refused_origin_is_a_deny_naming_it() {
    let s = server();
    let token = s.token(&["db:query"]);
    let lines = audited(Level::INFO, || async {
        let auth = format!("Bearer {token}");
        let reply = s
            .send(
                "POST",
                "/mcp",
                &[("authorization", &auth), ("origin", "https://evil.example")],
                &call("query"),
            )
            .await;
        assert_eq!(reply.status, 403);
    })
    .await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0].level(), "WARN");
    assert_eq!(lines[0].get("decision"), "deny");
    assert_eq!(lines[0].get("reason"), "origin_not_allowed");
    assert_eq!(lines[0].get("detail"), "https://evil.example");
}

/// The request of the report (issue "forged audit fields"): an `Origin` that, copied unquoted,
/// added `decision="allow" … subject="root"` to the line.
#[tokio::test]
async fn an_origin_cannot_add_fields_to_its_refusal() {
    let s = server();
    let forged = "http://x` is not allowed method=POST path=\"/mcp\"  decision=\"allow\" reason=\"token_valid\" subject=\"root\" x=`";
    let lines = audited(Level::INFO, || async {
        let reply = s
            .send(
                "POST",
                "/mcp",
                &[("origin", forged)],
                r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            )
            .await;
        assert_eq!(reply.status, 403);
    })
    .await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let line = &lines[0];
    assert_eq!(line.all("decision"), ["deny"], "{}", line.raw);
    assert_eq!(line.all("reason"), ["origin_not_allowed"], "{}", line.raw);
    assert!(line.all("subject").is_empty(), "{}", line.raw);
    assert_eq!(line.get("detail"), forged);
}

#[tokio::test]
async fn a_scope_string_cannot_add_fields_to_an_event() {
    let s = server();
    let token = s.token(&["db:query subject=root"]);
    let lines = audited(Level::INFO, || async {
        call_with(&s, &token, "query").await;
    })
    .await;
    assert!(!lines.is_empty());
    for line in &lines {
        assert_eq!(line.all("subject"), ["alice"], "{}", line.raw);
        assert_eq!(line.get("granted"), "db:query subject=root");
    }
}

#[tokio::test]
async fn a_huge_origin_is_cut_in_the_log_and_in_the_reply() {
    let s = server();
    let huge = format!("http://{}.example", "a".repeat(300_000));
    let mut reply = None;
    let lines = audited(Level::INFO, || async {
        reply = Some(
            s.send("POST", "/mcp", &[("origin", &huge)], &call("query"))
                .await,
        );
    })
    .await;
    let reply = reply.expect("sent");
    assert_eq!(reply.status, 403);
    assert!(reply.text.len() < 1024, "{} bytes", reply.text.len());
    assert_eq!(lines.len(), 1);
    let detail = lines[0].get("detail");
    assert_eq!(detail.chars().count(), MAX_FIELD_CHARS + 1);
    assert!(detail.ends_with('…'));
    assert!(lines[0].raw.len() < 2048, "{} bytes", lines[0].raw.len());
}

#[tokio::test]
async fn refusals_are_logged_up_to_the_limit_per_peer() {
    let s = server_with(|b| b.refusals_logged_per_peer(3));
    let lines = audited(Level::INFO, || async {
        for _ in 0..10 {
            let reply = s
                .send(
                    "POST",
                    "/mcp",
                    &[("origin", "https://evil.example")],
                    &call("query"),
                )
                .await;
            assert_eq!(reply.status, 403);
        }
    })
    .await;
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines.iter().all(|l| l.get("suppressed") == "0"));
}
