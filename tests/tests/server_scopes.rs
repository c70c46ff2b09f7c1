//! Authentication and the per-tool scope gate, seen over HTTP: 401 challenges, 403 step-up with the
//! exact `WWW-Authenticate` header, the handler never running when refused, implications, the in-band
//! option, filtered listings, and what the Protected Resource Metadata publishes.

mod server_support;

use http::StatusCode;
use mcp_scopes::server::{INSUFFICIENT_SCOPE, INVALID_PARAMS, SCOPES_META_KEY, ScopeFailure};
use serde_json::{Value, json};
use server_support::{PRM_URL, server, server_with};

fn names(reply: &server_support::Reply) -> Vec<String> {
    reply.json()["result"]["tools"]
        .as_array()
        .map(|tools| {
            tools
                .iter()
                .filter_map(|t| t["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn requests_without_a_token_get_a_401_naming_the_baseline_scopes() {
    let s = server();
    // Listing, a scoped tool, and a public tool: authentication comes before any of them.
    for body in [
        json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}),
        json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"x"}}}),
        json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"status"}}),
    ] {
        let reply = s.send("POST", "/mcp", &[], &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(
            reply.header("www-authenticate"),
            Some(
                format!(r#"Bearer realm="mcp", scope="db:query", resource_metadata="{PRM_URL}""#)
                    .as_str()
            ),
            "{body}"
        );
        assert!(!reply.text.contains("all good"), "{body}: {}", reply.text);
    }
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn invalid_tokens_get_a_401_invalid_token() {
    let s = server();
    let other = server();
    let body = json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}).to_string();
    // Signed by another server's key.
    let foreign = format!("Bearer {}", other.token(&["db:query"]));
    let reply = s
        .send("POST", "/mcp", &[("authorization", &foreign)], &body)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with(r#"Bearer realm="mcp", error="invalid_token", error_description=""#),
        "{challenge}"
    );
    assert!(
        challenge.ends_with(&format!(
            r#"scope="db:query", resource_metadata="{PRM_URL}""#
        )),
        "{challenge}"
    );
}

#[tokio::test]
async fn step_up_a_query_token_calling_a_modify_tool_gets_403_then_succeeds_with_a_new_token() {
    let s = server();
    let reply = s.call(&["db:query"], "insert", json!({"row": "r1"})).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(
            format!(
                r#"Bearer realm="mcp", error="insufficient_scope", error_description="insufficient scope: tool `insert` needs db:modify", scope="db:modify db:query", resource_metadata="{PRM_URL}""#
            )
            .as_str()
        )
    );
    let body = reply.json();
    assert_eq!(body["id"], 1);
    assert_eq!(body["error"]["code"], INSUFFICIENT_SCOPE);
    assert_eq!(body["error"]["data"]["missingScopes"], json!(["db:modify"]));
    assert_eq!(
        s.calls.get(),
        0,
        "the handler must not run when the gate refuses"
    );

    // The client re-authorizes with exactly the challenged scopes and retries.
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    let requested: Vec<&str> = challenge
        .split("scope=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .split(' ')
        .collect();
    let reply = s.call(&requested, "insert", json!({"row": "r1"})).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["result"]["content"][0]["text"], "inserted r1");
    assert_eq!(s.calls.get(), 1);
}

#[tokio::test]
async fn implied_scopes_count_and_unknown_scopes_grant_nothing() {
    let s = server();
    let reply = s
        .call(&["db:admin"], "query", json!({"sql": "select 1"}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json()["result"]["structuredContent"],
        json!({"rows": ["ran: select 1"]})
    );
    let reply = s.call(&["db:modify"], "insert", json!({"row": "x"})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = s
        .call(&["db:*", "admin"], "query", json!({"sql": "select 1"}))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(s.calls.get(), 2);
}

#[tokio::test]
async fn a_tool_error_is_a_result_the_model_can_read() {
    let s = server();
    let reply = s.call(&["db:modify"], "insert", json!({"row": ""})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let result = &reply.json()["result"];
    assert_eq!(result["isError"], true);
    assert_eq!(
        result["content"][0]["text"],
        "an empty row cannot be inserted"
    );
    let reply = s.call(&["db:modify"], "insert", json!({"rows": 3})).await;
    assert_eq!(reply.error_code(), Some(INVALID_PARAMS));
}

#[tokio::test]
async fn public_tools_need_a_token_but_no_scope() {
    let s = server();
    let reply = s
        .post(
            &[],
            &[("accept", "application/json")],
            &json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"status"}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["result"]["content"][0]["text"], "all good");
}

#[tokio::test]
async fn in_band_failures_are_jsonrpc_errors_without_a_challenge() {
    let s = server_with(|b| b.scope_failure(ScopeFailure::InBand));
    let reply = s.call(&["db:query"], "insert", json!({"row": "r"})).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("www-authenticate"), None);
    assert_eq!(reply.error_code(), Some(INSUFFICIENT_SCOPE));
    assert_eq!(
        reply.json()["error"]["data"]["requiredScopes"],
        json!(["db:modify"])
    );
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn tools_list_shows_every_tool_with_its_scopes() {
    let s = server();
    let reply = s.legacy(&["db:query"], "tools/list", json!({})).await;
    assert_eq!(names(&reply), ["insert", "query", "reset", "status"]);
    let tools = reply.json()["result"]["tools"].clone();
    assert_eq!(tools[0]["_meta"][SCOPES_META_KEY], json!(["db:modify"]));
    assert_eq!(tools[1]["_meta"][SCOPES_META_KEY], json!(["db:query"]));
    assert_eq!(tools[2]["_meta"][SCOPES_META_KEY], json!(["db:admin"]));
    assert_eq!(
        tools[2]["annotations"],
        json!({"destructiveHint": true, "idempotentHint": true})
    );
    assert_eq!(tools[3]["_meta"][SCOPES_META_KEY], json!([]));
    assert_eq!(tools[1]["annotations"]["readOnlyHint"], true);
    assert_eq!(
        tools[1]["inputSchema"]["properties"]["sql"]["type"],
        "string"
    );
    assert_eq!(tools[1]["outputSchema"]["type"], "object");
    assert_eq!(tools[1]["description"], "Runs a read-only query.");
    assert_eq!(tools[3]["title"], "Server status");
}

#[tokio::test]
async fn filtering_lists_only_callable_tools_and_hides_the_rest_like_unknown_ones() {
    let s = server_with(|b| b.filter_tools_by_scope(true));
    let reply = s.legacy(&["db:query"], "tools/list", json!({})).await;
    assert_eq!(names(&reply), ["query", "status"]);
    let reply = s.modern(&["db:query"], "tools/list", json!({})).await;
    assert_eq!(reply.json()["result"]["cacheScope"], "private");
    let reply = s.legacy(&["db:admin"], "tools/list", json!({})).await;
    assert_eq!(names(&reply), ["insert", "query", "reset", "status"]);

    let hidden = s.call(&["db:query"], "insert", json!({"row": "r"})).await;
    let unknown = s.call(&["db:query"], "insurt", json!({"row": "r"})).await;
    assert_eq!(hidden.status, StatusCode::OK);
    assert_eq!(hidden.status, unknown.status);
    assert_eq!(hidden.header("www-authenticate"), None);
    let strip = |r: &server_support::Reply, name: &str| {
        let mut v = r.json();
        v["error"]["message"] = Value::from(
            v["error"]["message"]
                .as_str()
                .unwrap_or("")
                .replace(name, "NAME"),
        );
        v
    };
    assert_eq!(strip(&hidden, "insert"), strip(&unknown, "insurt"));
    assert_eq!(hidden.error_code(), Some(INVALID_PARAMS));
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn protected_resource_metadata_lists_the_scopes_in_use() {
    let s = server();
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let reply = s.send("GET", path, &[], "").await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let prm = reply.json();
        assert_eq!(prm["resource"], "http://localhost:3000/mcp");
        assert_eq!(
            prm["authorization_servers"],
            json!(["https://auth.example.test"])
        );
        assert_eq!(
            prm["scopes_supported"],
            json!(["db:admin", "db:modify", "db:query"])
        );
        assert_eq!(prm["bearer_methods_supported"], json!(["header"]));
        assert_eq!(prm["resource_name"], "db-test");
    }
    let s = server_with(|b| b.baseline_scopes_only_in_metadata(true));
    let prm = s
        .send("GET", "/.well-known/oauth-protected-resource/mcp", &[], "")
        .await
        .json();
    assert_eq!(prm["scopes_supported"], json!(["db:query"]));
}
