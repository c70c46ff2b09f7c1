//! The INFO audit trail is the authorization decisions: every gated operation (`tools/call`,
//! `resources/read`, `prompts/get`, `completion/complete`) is exactly one line naming the caller,
//! the item and the decision, and a request that reaches no data (`ping`, `initialize`, a listing)
//! is none. A refusal is one WARN line and no `allow` line, whether the scope is missing or the
//! entitlements hook refuses.

// `#[tool]`, `#[resource]` and `#[prompt]` functions are async by contract.
#![allow(clippy::unused_async)]

mod audit_support;
mod server_support;

use audit_support::{Line, audited};
use mcp_scopes::auth::ScopeRoles;
use mcp_scopes::completion::Completing;
use mcp_scopes::registry::Registry;
use mcp_scopes::{prompt, prompts, resource, resources, tool, tools};
use serde_json::{Value, json};
use server_support::{DbAdmin, DbQuery, TestServer, server_of};
use tracing::Level;

/// Counts the rows.
#[tool(scope = DbQuery, read_only)]
async fn count_rows() -> &'static str {
    "3"
}

/// Drops everything: administrators only.
#[tool(scope = DbAdmin, destructive)]
async fn wipe() -> &'static str {
    "wiped"
}

/// The schema, as SQL.
#[resource(uri = "db://schema", scope = DbQuery, mime_type = "application/sql")]
async fn schema() -> &'static str {
    "CREATE TABLE users (id);"
}

/// One table's rows.
#[resource(uri_template = "db://tables/{table}", scope = DbQuery, complete(table = table_names))]
async fn table(table: String) -> String {
    format!("rows of {table}")
}

async fn table_names(partial: Completing) -> Vec<&'static str> {
    let mut names = vec!["orders", "users"];
    names.retain(|n| n.starts_with(&partial.value));
    names
}

/// Explain a query's plan.
#[prompt(scope = DbQuery)]
async fn explain() -> &'static str {
    "Explain the plan."
}

fn gated_server() -> TestServer {
    let registry = Registry::from_declarations(
        tools![count_rows, wipe],
        resources![schema, table],
        prompts![explain],
    )
    .expect("the registry is consistent");
    server_of(registry, |b| {
        b.entitlements(ScopeRoles::new().require("db:admin", "dba"))
    })
}

/// The audit lines at INFO and above while `scopes`' token sends `method` with `params`, checking
/// that the answer is a 200 without a JSON-RPC error when `succeeds`.
async fn lines_of(
    s: &TestServer,
    scopes: &[&str],
    method: &str,
    params: Value,
    succeeds: bool,
) -> Vec<Line> {
    audited(Level::INFO, || async {
        let reply = s.legacy(scopes, method, params).await;
        if succeeds {
            assert_eq!(reply.status, 200, "{method}: {}", reply.text);
            assert!(
                reply.json().get("error").is_none(),
                "{method}: {}",
                reply.text
            );
        }
    })
    .await
}

#[tokio::test]
async fn each_gated_operation_is_one_info_line_naming_caller_item_and_decision() {
    let s = gated_server();
    let cases = [
        (
            "tools/call",
            json!({"name": "count_rows", "arguments": {}}),
            "tool",
            "count_rows",
        ),
        (
            "resources/read",
            json!({"uri": "db://schema"}),
            "resource",
            "db://schema",
        ),
        (
            "resources/read",
            json!({"uri": "db://tables/users"}),
            "resource",
            "db://tables/users",
        ),
        (
            "prompts/get",
            json!({"name": "explain"}),
            "prompt",
            "explain",
        ),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "db://tables/{table}"},
                   "argument": {"name": "table", "value": "u"}}),
            "resource",
            "db://tables/{table}",
        ),
    ];
    for (method, params, kind, item) in cases {
        let lines = lines_of(&s, &["db:query"], method, params, true).await;
        assert_eq!(lines.len(), 1, "{method}: {lines:#?}");
        let line = &lines[0];
        assert_eq!(line.level(), "INFO", "{method}: {}", line.raw);
        assert_eq!(line.get("decision"), "allow", "{method}");
        assert_eq!(line.get("reason"), "scope_granted", "{method}");
        assert_eq!(line.get("kind"), kind, "{method}");
        assert_eq!(line.get("tool"), item, "{method}");
        assert_eq!(line.get("required"), "db:query", "{method}");
        assert_eq!(line.get("subject"), "alice", "{method}");
        assert_eq!(line.get("client_id"), "client-1", "{method}");
    }
}

#[tokio::test]
async fn a_request_that_reaches_no_data_is_no_info_line() {
    let s = gated_server();
    let initialize = json!({"protocolVersion": "2025-11-25", "capabilities": {},
                            "clientInfo": {"name": "t", "version": "1"}});
    let cases = [
        ("ping", json!({})),
        ("initialize", initialize),
        ("tools/list", json!({})),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("prompts/list", json!({})),
    ];
    for (method, params) in cases {
        let lines = lines_of(&s, &["db:query"], method, params, true).await;
        assert!(lines.is_empty(), "{method}: {lines:#?}");
    }
}

#[tokio::test]
async fn a_refusal_is_one_warn_line_and_no_allow_line() {
    let s = gated_server();
    let wipe = json!({"name": "wipe", "arguments": {}});
    // The scope is missing: the client may step up.
    let lines = lines_of(&s, &["db:query"], "tools/call", wipe.clone(), false).await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0].level(), "WARN");
    assert_eq!(lines[0].get("decision"), "deny");
    assert_eq!(lines[0].get("reason"), "insufficient_scope");
    assert_eq!(lines[0].get("tool"), "wipe");
    // The scope is there, but the user lacks the role the hook requires for it.
    let lines = lines_of(&s, &["db:admin"], "tools/call", wipe, false).await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0].level(), "WARN");
    assert_eq!(lines[0].get("decision"), "deny");
    assert_eq!(lines[0].get("reason"), "not_entitled");
    assert_eq!(lines[0].get("tool"), "wipe");
    assert_eq!(lines[0].get("subject"), "alice");
}
