//! Audit events (`mcp_scopes::audit`), read the way an operator's tools read them: the formatted log
//! line parsed as logfmt. One vocabulary (`decision` = `allow`/`deny`, snake_case `reason`), every
//! client-influenced value quoted and cut short, never the token, and no line per request without a
//! token at the default level.

mod audit_support;
mod server_support;

use audit_support::{Line, audited};
use mcp_scopes::audit::MAX_FIELD_CHARS;
use serde_json::json;
use server_support::{Reply, TestServer, server, server_with};
use tracing::Level;

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
async fn an_allowed_call_is_one_info_line_naming_the_caller_the_tool_and_the_decision() {
    let s = server();
    let token = s.token(&["db:query"]);
    let lines = audited(Level::INFO, || async {
        assert_eq!(call_with(&s, &token, "query").await.status, 200);
    })
    .await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let gate = &lines[0];
    assert_eq!(gate.level(), "INFO");
    assert_eq!(gate.get("decision"), "allow");
    assert_eq!(gate.get("reason"), "scope_granted");
    assert_eq!(gate.get("kind"), "tool");
    assert_eq!(gate.get("tool"), "query");
    assert_eq!(gate.get("required"), "db:query");
    assert_eq!(gate.get("granted"), "db:query");
    assert_eq!(gate.get("subject"), "alice");
    assert_eq!(gate.get("client_id"), "client-1");
    assert!(gate.get("jti").starts_with("dev/"), "{}", gate.raw);
    let signature = token.rsplit('.').next().unwrap_or_default();
    assert!(
        lines.iter().all(|l| !l.raw.contains(signature)),
        "the token leaked into the log"
    );
}

#[tokio::test]
async fn the_accepted_token_is_a_debug_line_with_the_request() {
    let s = server();
    let token = s.token(&["db:query"]);
    let lines = audited(Level::DEBUG, || async {
        assert_eq!(call_with(&s, &token, "query").await.status, 200);
    })
    .await;
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let accepted = &lines[0];
    assert_eq!(accepted.level(), "DEBUG");
    assert_eq!(accepted.get("decision"), "allow");
    assert_eq!(accepted.get("reason"), "token_valid");
    assert_eq!(accepted.get("subject"), "alice");
    assert_eq!(accepted.get("client_id"), "client-1");
    assert_eq!(accepted.get("granted"), "db:query");
    assert_eq!(accepted.get("method"), "POST");
    assert_eq!(accepted.get("path"), "/mcp");
    assert_eq!(lines[1].level(), "INFO");
    assert_eq!(lines[1].get("reason"), "scope_granted");
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
    assert_eq!(lines.len(), 1, "one line, the refusal: {lines:#?}");
    let deny = &lines[0];
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
    // Like an unknown resource or prompt, so one filter on `kind` finds every refusal of a tool.
    for denial in &denials {
        assert_eq!(denial.get("kind"), "tool", "{denial:?}");
    }
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
