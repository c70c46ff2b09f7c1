//! Resources, resource templates, prompts and completion served over HTTP under every protocol
//! version: listings (with their scopes, paginated, filtered), reads and gets, the scope gate's 403
//! before any handler runs (a canary counter proves it), hidden items answered exactly as unknown
//! ones, the step-up challenge of each revision, capabilities, and the 2026-07-28 `Mcp-Name` check.

// `#[resource]` and `#[prompt]` functions are async by contract, even those that never await.
#![allow(clippy::unused_async)]

mod server_support;

use std::sync::atomic::Ordering;

use http::StatusCode;
use mcp_scopes::auth::{ScopeRoles, TokenClaims};
use mcp_scopes::completion::Completing;
use mcp_scopes::prompt::PromptMessage;
use mcp_scopes::registry::Registry;
use mcp_scopes::server::{
    HEADER_MISMATCH, INSUFFICIENT_SCOPE, INTERNAL_ERROR, INVALID_PARAMS, METHOD_NOT_FOUND,
    NOT_ENTITLED, RESOURCE_NOT_FOUND, SCOPES_META_KEY,
};
use mcp_scopes::tool::{Args, State};
use mcp_scopes::{prompt, prompts, resource, resources, tools};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use server_support::{
    Calls, DbAdmin, DbQuery, ISSUER, PRM_URL, RESOURCE, Reply, TestServer, modern_request, server,
    server_of,
};

/// The schema, as SQL.
#[resource(uri = "db://schema", scope = DbQuery, mime_type = "application/sql")]
async fn schema(State(calls): State<Calls>) -> String {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "CREATE TABLE users (id);".to_owned()
}

/// The audit log: administrators only.
#[resource(uri = "db://audit", scope = DbAdmin)]
async fn audit(State(calls): State<Calls>) -> &'static str {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "nothing happened"
}

/// One table's rows.
#[resource(uri_template = "db://tables/{table}", scope = DbQuery, mime_type = "text/csv",
           complete(table = table_names))]
async fn table(table: String, State(calls): State<Calls>) -> Result<String, String> {
    calls.0.fetch_add(1, Ordering::SeqCst);
    if table == "users" {
        Ok("id\n1".to_owned())
    } else {
        Err(format!("no table `{table}`"))
    }
}

/// A row by number; row 0 takes half a second.
#[resource(uri_template = "db://rows/{id}", scope = DbQuery)]
async fn row(id: u32) -> String {
    if id == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    format!("row {id}")
}

async fn table_names(partial: Completing, State(calls): State<Calls>) -> Vec<&'static str> {
    calls.0.fetch_add(1, Ordering::SeqCst);
    let mut names = vec!["orders", "users"];
    names.retain(|n| n.starts_with(&partial.value));
    names
}

#[derive(Deserialize, JsonSchema)]
struct ExplainArgs {
    /// The query to explain.
    sql: String,
}

/// Explain a query's plan.
#[prompt(scope = DbQuery, complete(sql = sql_starts))]
async fn explain(Args(args): Args<ExplainArgs>, State(calls): State<Calls>) -> PromptMessage {
    calls.0.fetch_add(1, Ordering::SeqCst);
    PromptMessage::user(format!("Explain the plan of `{}`.", args.sql))
}

async fn sql_starts(partial: Completing) -> Vec<&'static str> {
    let mut starts = vec!["SELECT", "WITH"];
    starts.retain(|s| s.starts_with(&partial.value.to_uppercase()));
    starts
}

/// Plan a schema migration: administrators only.
#[prompt(scope = DbAdmin)]
async fn migrate(State(calls): State<Calls>) -> &'static str {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "Plan a migration."
}

/// Say hello.
#[prompt(public)]
async fn hello() -> &'static str {
    "Hello."
}

fn registry() -> Registry {
    Registry::from_declarations(
        tools![],
        resources![schema, audit, table, row],
        prompts![explain, migrate, hello],
    )
    .expect("the resource registry is consistent")
}

fn resource_server() -> TestServer {
    server_of(registry(), |b| b)
}

const VERSIONS: [&str; 3] = ["2025-06-18", "2025-11-25", "2026-07-28"];

/// `method` under `version` (legacy: the header; 2026-07-28: `_meta` and mirrored headers).
async fn request(
    s: &TestServer,
    version: &str,
    scopes: &[&str],
    method: &str,
    params: Value,
) -> Reply {
    if version == "2026-07-28" {
        return s.modern(scopes, method, params).await;
    }
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    s.post(scopes, &[("mcp-protocol-version", version)], &body)
        .await
}

fn names(reply: &Reply, field: &str, key: &str) -> Vec<String> {
    reply.json()["result"][field]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn lists_show_every_item_with_its_scopes_under_every_version() {
    let s = resource_server();
    for version in VERSIONS {
        let reply = request(&s, version, &[], "resources/list", json!({})).await;
        assert_eq!(reply.status, StatusCode::OK, "{version}");
        assert_eq!(
            names(&reply, "resources", "uri"),
            ["db://audit", "db://schema"],
            "{version}"
        );
        let schema = &reply.json()["result"]["resources"][1];
        assert_eq!(schema["mimeType"], "application/sql");
        assert_eq!(schema["description"], "The schema, as SQL.");
        assert_eq!(schema["_meta"][SCOPES_META_KEY], json!(["db:query"]));

        let reply = request(&s, version, &[], "resources/templates/list", json!({})).await;
        assert_eq!(
            names(&reply, "resourceTemplates", "uriTemplate"),
            ["db://rows/{id}", "db://tables/{table}"],
            "{version}"
        );

        let reply = request(&s, version, &[], "prompts/list", json!({})).await;
        assert_eq!(
            names(&reply, "prompts", "name"),
            ["explain", "hello", "migrate"]
        );
        let explain = &reply.json()["result"]["prompts"][0];
        assert_eq!(
            explain["arguments"],
            json!([{"name": "sql", "description": "The query to explain.", "required": true}])
        );
        assert_eq!(explain["_meta"][SCOPES_META_KEY], json!(["db:query"]));
        assert_eq!(
            reply.json()["result"]["prompts"][1]["_meta"][SCOPES_META_KEY],
            json!([])
        );

        let result = &reply.json()["result"];
        if version == "2026-07-28" {
            assert_eq!(result["resultType"], "complete");
            assert_eq!(result["cacheScope"], "public");
            assert!(result["ttlMs"].is_u64(), "{result}");
        } else {
            assert!(result.get("resultType").is_none(), "{result}");
            assert!(result.get("cacheScope").is_none(), "{result}");
        }
    }
    assert_eq!(s.calls.get(), 0, "listing runs no handler");
}

#[tokio::test]
async fn reads_gets_and_completions_run_their_handlers_under_every_version() {
    let s = resource_server();
    // Each request, where in the reply it is checked (a JSON pointer), and what is there.
    let cases = [
        (
            "resources/read",
            json!({"uri": "db://schema"}),
            "/result/contents",
            json!([{"uri": "db://schema", "mimeType": "application/sql",
                    "text": "CREATE TABLE users (id);"}]),
        ),
        (
            "resources/read",
            json!({"uri": "db://tables/users"}),
            "/result/contents/0",
            json!({"uri": "db://tables/users", "mimeType": "text/csv", "text": "id\n1"}),
        ),
        (
            "prompts/get",
            json!({"name": "explain", "arguments": {"sql": "SELECT 1"}}),
            "/result/messages",
            json!([{"role": "user", "content": {"type": "text",
                    "text": "Explain the plan of `SELECT 1`."}}]),
        ),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "db://tables/{table}"},
                   "argument": {"name": "table", "value": "u"}}),
            "/result/completion",
            json!({"values": ["users"]}),
        ),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "explain"},
                   "argument": {"name": "sql", "value": "se"}}),
            "/result/completion",
            json!({"values": ["SELECT"]}),
        ),
    ];
    for version in VERSIONS {
        for (method, params, pointer, expected) in &cases {
            let reply = request(&s, version, &["db:query"], method, params.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{version} {method}: {}",
                reply.text
            );
            let body = reply.json();
            assert_eq!(
                body.pointer(pointer),
                Some(expected),
                "{version} {method}: {}",
                reply.text
            );
            if version == "2026-07-28" && *method == "resources/read" {
                assert_eq!(body["result"]["resultType"], "complete");
            }
        }
    }
    // schema, table, explain and the table completer, three times.
    assert_eq!(s.calls.get(), 12);
}

#[tokio::test]
async fn a_missing_scope_gets_a_403_step_up_before_any_handler_runs() {
    let s = resource_server();
    let cases = [
        (
            "resources/read",
            json!({"uri": "db://tables/users"}),
            "resource `db://tables/users`",
        ),
        (
            "prompts/get",
            json!({"name": "explain", "arguments": {"sql": "SELECT 1"}}),
            "prompt `explain`",
        ),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "db://tables/{table}"},
                   "argument": {"name": "table", "value": ""}}),
            "resource `db://tables/{table}`",
        ),
    ];
    for version in VERSIONS {
        for (method, params, what) in &cases {
            // A token with no scope this server declares: the challenge is the same under
            // every revision.
            let reply = request(&s, version, &["profile"], method, params.clone()).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{version} {method}");
            assert_eq!(
                reply.header("www-authenticate"),
                Some(
                    format!(
                        r#"Bearer realm="mcp", error="insufficient_scope", error_description="insufficient scope: {what} needs db:query", scope="db:query", resource_metadata="{PRM_URL}""#
                    )
                    .as_str()
                ),
                "{version} {method}"
            );
            let body = reply.json();
            assert_eq!(body["error"]["code"], INSUFFICIENT_SCOPE);
            assert_eq!(body["error"]["data"]["missingScopes"], json!(["db:query"]));
        }
    }
    assert_eq!(s.calls.get(), 0, "no handler ran for a refused request");
}

#[tokio::test]
async fn the_step_up_challenge_follows_each_revision_s_rule() {
    // 2025-06-18 and 2025-11-25: the needed scopes, then what the caller already holds.
    // 2026-07-28 (SEP-2350): only the scopes the operation needs.
    let s = resource_server();
    let tools_server = server();
    for (version, expected) in [
        ("2025-06-18", "db:admin db:query"),
        ("2025-11-25", "db:admin db:query"),
        ("2026-07-28", "db:admin"),
    ] {
        let scope = format!(r#"scope="{expected}""#);
        let reply = request(
            &s,
            version,
            &["db:query"],
            "resources/read",
            json!({"uri": "db://audit"}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(challenge.contains(&scope), "{version}: {challenge}");
        let reply = request(
            &s,
            version,
            &["db:query"],
            "prompts/get",
            json!({"name": "migrate"}),
        )
        .await;
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(challenge.contains(&scope), "{version}: {challenge}");

        let expected = expected.replace("db:admin", "db:modify");
        let reply = request(
            &tools_server,
            version,
            &["db:query"],
            "tools/call",
            json!({"name": "insert", "arguments": {"row": "r"}}),
        )
        .await;
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.contains(&format!(r#"scope="{expected}""#)),
            "{version}: {challenge}"
        );
    }
    assert_eq!(s.calls.get(), 0);
    assert_eq!(tools_server.calls.get(), 0);
    // With the scope, the same read succeeds (implied scopes count: admin implies query).
    let reply = request(
        &s,
        "2026-07-28",
        &["db:admin"],
        "resources/read",
        json!({"uri": "db://audit"}),
    )
    .await;
    assert_eq!(
        reply.json()["result"]["contents"][0]["text"],
        "nothing happened"
    );
}

#[tokio::test]
async fn with_list_filtering_hidden_items_look_exactly_like_unknown_ones() {
    let s = server_of(registry(), |b| b.filter_tools_by_scope(true));
    for version in VERSIONS {
        let reply = request(&s, version, &["db:query"], "resources/list", json!({})).await;
        assert_eq!(names(&reply, "resources", "uri"), ["db://schema"]);
        let reply = request(&s, version, &["db:query"], "prompts/list", json!({})).await;
        assert_eq!(names(&reply, "prompts", "name"), ["explain", "hello"]);
        let reply = request(&s, version, &[], "resources/templates/list", json!({})).await;
        assert!(names(&reply, "resourceTemplates", "uriTemplate").is_empty());
        if version == "2026-07-28" {
            assert_eq!(reply.json()["result"]["cacheScope"], "private");
        }

        let read = |uri: &str| {
            request(
                &s,
                version,
                &["db:query"],
                "resources/read",
                json!({"uri": uri}),
            )
        };
        let hidden = read("db://audit").await;
        let unknown = read("db://nothing").await;
        for reply in [&hidden, &unknown] {
            assert_eq!(reply.status, StatusCode::OK);
            assert_eq!(reply.error_code(), Some(RESOURCE_NOT_FOUND));
            assert!(reply.header("www-authenticate").is_none());
        }
        assert_eq!(
            hidden.text.replace("db://audit", "X"),
            unknown.text.replace("db://nothing", "X")
        );

        let get = |name: &str| {
            request(
                &s,
                version,
                &["db:query"],
                "prompts/get",
                json!({"name": name}),
            )
        };
        let hidden = get("migrate").await;
        let unknown = get("migrat3").await;
        assert_eq!(hidden.error_code(), Some(INVALID_PARAMS));
        assert_eq!(
            hidden.text.replace("migrate", "X"),
            unknown.text.replace("migrat3", "X")
        );
        let complete = |name: &str| {
            request(
                &s,
                version,
                &["db:query"],
                "completion/complete",
                json!({"ref": {"type": "ref/prompt", "name": name},
                       "argument": {"name": "a", "value": ""}}),
            )
        };
        let hidden = complete("migrate").await;
        let unknown = complete("migrat3").await;
        assert_eq!(hidden.error_code(), Some(INVALID_PARAMS));
        assert_eq!(
            hidden.text.replace("migrate", "X"),
            unknown.text.replace("migrat3", "X")
        );
    }
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn unknown_items_without_filtering_get_the_sdks_codes() {
    let s = resource_server();
    let reply = request(
        &s,
        "2025-11-25",
        &["db:query"],
        "resources/read",
        json!({"uri": "db://nothing"}),
    )
    .await;
    assert_eq!(reply.error_code(), Some(RESOURCE_NOT_FOUND));
    assert_eq!(reply.json()["error"]["data"]["uri"], "db://nothing");
    let reply = request(
        &s,
        "2025-11-25",
        &["db:query"],
        "prompts/get",
        json!({"name": "nothing"}),
    )
    .await;
    assert_eq!(reply.error_code(), Some(INVALID_PARAMS));
    assert_eq!(reply.json()["error"]["message"], "unknown prompt: nothing");
}

#[tokio::test]
async fn lists_are_paginated_like_tools() {
    let s = server_of(registry(), |b| b.page_size(1));
    for version in VERSIONS {
        let mut seen = Vec::new();
        let mut params = json!({});
        loop {
            let reply = request(&s, version, &[], "prompts/list", params.clone()).await;
            seen.extend(names(&reply, "prompts", "name"));
            match reply.json()["result"]["nextCursor"].as_str() {
                Some(cursor) => params = json!({ "cursor": cursor }),
                None => break,
            }
            assert!(seen.len() < 10, "pagination ends");
        }
        assert_eq!(seen, ["explain", "hello", "migrate"], "{version}");
        let reply = request(
            &s,
            version,
            &[],
            "resources/list",
            json!({"cursor": "bm90LWEtdXJp"}),
        )
        .await;
        assert_eq!(reply.error_code(), Some(INVALID_PARAMS));
    }
}

#[tokio::test]
async fn capabilities_name_only_what_the_registry_holds() {
    let with = resource_server();
    let reply = with.modern(&[], "server/discover", json!({})).await;
    let capabilities = &reply.json()["result"]["capabilities"];
    assert_eq!(
        capabilities["resources"],
        json!({"subscribe": false, "listChanged": false})
    );
    assert_eq!(capabilities["prompts"], json!({"listChanged": false}));
    assert_eq!(capabilities["completions"], json!({}));
    assert!(capabilities.get("tools").is_none(), "{capabilities}");

    let tools_only = server();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                      "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                 "clientInfo": {"name": "c", "version": "1"}}});
    let reply = tools_only.post(&[], &[], &init).await;
    assert_eq!(
        reply.json()["result"]["capabilities"],
        json!({"tools": {"listChanged": false}, "logging": {}})
    );
    // What is not advertised is not served either.
    for method in [
        "resources/list",
        "resources/read",
        "prompts/get",
        "completion/complete",
    ] {
        let reply = request(&tools_only, "2025-11-25", &[], method, json!({})).await;
        assert_eq!(reply.error_code(), Some(METHOD_NOT_FOUND), "{method}");
    }
}

#[tokio::test]
async fn modern_requests_mirror_the_uri_or_prompt_name_in_mcp_name() {
    let s = resource_server();
    for (method, params, other) in [
        (
            "resources/read",
            json!({"uri": "db://schema"}),
            "db://audit",
        ),
        ("prompts/get", json!({"name": "hello"}), "explain"),
    ] {
        let (mut headers, body) = modern_request(method, params);
        let reply = s
            .post(
                &["db:query"],
                &headers
                    .iter()
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect::<Vec<_>>(),
                &body,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{method}: {}", reply.text);
        for (name, value) in &mut headers {
            if *name == "mcp-name" {
                *value = other.to_owned();
            }
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = s.post(&["db:query"], &headers, &body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::BAD_REQUEST, Some(HEADER_MISMATCH)),
            "{method}"
        );
        let without: Vec<(&str, &str)> = headers
            .into_iter()
            .filter(|(k, _)| *k != "mcp-name")
            .collect();
        let reply = s.post(&["db:query"], &without, &body).await;
        assert_eq!(reply.error_code(), Some(HEADER_MISMATCH), "{method}");
    }
    assert_eq!(s.calls.get(), 1, "only the matching read ran");
}

#[tokio::test]
async fn handler_failures_are_json_rpc_errors_of_their_kind() {
    let s = resource_server();
    let read = |uri: &'static str| {
        request(
            &s,
            "2025-11-25",
            &["db:query"],
            "resources/read",
            json!({"uri": uri}),
        )
    };
    let reply = read("db://tables/orders").await;
    assert_eq!(
        (reply.error_code(), reply.json()["error"]["message"].clone()),
        (Some(INTERNAL_ERROR), json!("no table `orders`"))
    );
    let reply = read("db://rows/seven").await;
    assert_eq!(reply.error_code(), Some(INVALID_PARAMS), "{}", reply.text);
    let reply = request(
        &s,
        "2025-11-25",
        &["db:query"],
        "prompts/get",
        json!({"name": "explain", "arguments": {}}),
    )
    .await;
    assert_eq!(reply.error_code(), Some(INVALID_PARAMS), "{}", reply.text);
    let reply = request(
        &s,
        "2025-11-25",
        &["db:query"],
        "prompts/get",
        json!({"name": "explain", "arguments": {"sql": 5}}),
    )
    .await;
    assert_eq!(reply.error_code(), Some(INVALID_PARAMS), "{}", reply.text);
    let reply = request(&s, "2025-11-25", &[], "resources/read", json!({})).await;
    assert_eq!(reply.error_code(), Some(INVALID_PARAMS));
}

#[tokio::test]
async fn completion_without_a_completer_suggests_nothing_and_bad_requests_are_refused() {
    let s = resource_server();
    let complete = |params: Value| {
        request(
            &s,
            "2025-11-25",
            &["db:query"],
            "completion/complete",
            params,
        )
    };
    let reply = complete(
        json!({"ref": {"type": "ref/resource", "uri": "db://rows/{id}"},
                                "argument": {"name": "id", "value": "1"}}),
    )
    .await;
    assert_eq!(
        reply.json()["result"],
        json!({"completion": {"values": []}})
    );
    for bad in [
        json!({"argument": {"name": "id", "value": "1"}}),
        json!({"ref": {"type": "ref/tool", "name": "x"}, "argument": {"name": "a", "value": ""}}),
        json!({"ref": {"type": "ref/prompt", "name": "explain"}, "argument": {"name": "sql"}}),
        json!({"ref": {"type": "ref/prompt", "name": "explain"},
               "argument": {"name": "sql", "value": "x".repeat(5000)}}),
    ] {
        let reply = complete(bad.clone()).await;
        assert_eq!(reply.error_code(), Some(INVALID_PARAMS), "{bad}");
    }
    let reply = complete(
        json!({"ref": {"type": "ref/resource", "uri": "db://nope/{x}"},
                                "argument": {"name": "x", "value": ""}}),
    )
    .await;
    assert_eq!(reply.error_code(), Some(RESOURCE_NOT_FOUND));
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn subscriptions_are_refused_plainly() {
    let s = resource_server();
    for version in VERSIONS {
        for method in ["resources/subscribe", "resources/unsubscribe"] {
            let reply = request(
                &s,
                version,
                &["db:query"],
                method,
                json!({"uri": "db://schema"}),
            )
            .await;
            assert_eq!(
                reply.error_code(),
                Some(METHOD_NOT_FOUND),
                "{version} {method}"
            );
            let message = reply.json()["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(message.contains("not supported"), "{message}");
        }
    }
}

#[tokio::test]
async fn reads_count_against_the_caller_s_limit_of_running_calls() {
    let s = std::sync::Arc::new(server_of(registry(), |b| b.max_calls_per_caller(Some(1))));
    let slow = {
        let s = std::sync::Arc::clone(&s);
        tokio::spawn(async move {
            request(
                &s,
                "2025-11-25",
                &["db:query"],
                "resources/read",
                json!({"uri": "db://rows/0"}),
            )
            .await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let second = request(
        &s,
        "2025-11-25",
        &["db:query"],
        "resources/read",
        json!({"uri": "db://rows/1"}),
    )
    .await;
    assert_eq!(
        second.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        second.text
    );
    let first = slow.await.expect("the slow read finishes");
    assert_eq!(first.json()["result"]["contents"][0]["text"], "row 0");
    let after = request(
        &s,
        "2025-11-25",
        &["db:query"],
        "resources/read",
        json!({"uri": "db://rows/1"}),
    )
    .await;
    assert_eq!(after.json()["result"]["contents"][0]["text"], "row 1");
}

#[tokio::test]
async fn a_huge_unknown_uri_or_name_is_echoed_cut_short() {
    let s = resource_server();
    let long = format!("db://{}", "x".repeat(10_000));
    for (method, params, code) in [
        ("resources/read", json!({"uri": long}), RESOURCE_NOT_FOUND),
        ("prompts/get", json!({"name": long}), INVALID_PARAMS),
    ] {
        let reply = request(&s, "2025-11-25", &["db:query"], method, params).await;
        assert_eq!(reply.error_code(), Some(code), "{method}");
        assert!(
            reply.text.len() < 1000,
            "{method}: {} bytes",
            reply.text.len()
        );
    }
}

#[tokio::test]
async fn entitlements_guard_resources_prompts_and_completions_like_tools() {
    let s = server_of(registry(), |b| {
        b.entitlements(
            ScopeRoles::new()
                .require("db:admin", "dba")
                .require("db:query", "reader"),
        )
    });
    let requests = [
        ("resources/read", json!({"uri": "db://audit"})),
        ("resources/read", json!({"uri": "db://tables/users"})),
        ("prompts/get", json!({"name": "migrate"})),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "db://tables/{table}"},
                   "argument": {"name": "table", "value": "u"}}),
        ),
    ];
    let without_roles = s
        .signer
        .mint(&TokenClaims::new(ISSUER, RESOURCE).scopes(["db:admin", "db:query"]))
        .expect("minted");
    for (method, params) in &requests {
        let reply = s
            .legacy_with_token(&without_roles, method, params.clone())
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {params}");
        assert_eq!(reply.error_code(), Some(NOT_ENTITLED), "{method} {params}");
        let challenge = reply.header("www-authenticate").expect("a challenge");
        assert!(
            challenge.contains(r#"error="access_denied""#) && !challenge.contains("scope=\""),
            "no step-up: {challenge}"
        );
    }
    assert_eq!(
        s.calls.get(),
        0,
        "no handler ran for a user without the roles"
    );

    let with_roles = s
        .signer
        .mint(
            &TokenClaims::new(ISSUER, RESOURCE)
                .scopes(["db:admin", "db:query"])
                .claim("roles", json!(["dba", "reader"])),
        )
        .expect("minted");
    for (method, params) in &requests {
        let reply = s
            .legacy_with_token(&with_roles, method, params.clone())
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{method} {params}: {}",
            reply.text
        );
        assert!(reply.json().get("result").is_some(), "{}", reply.text);
    }
    assert_eq!(s.calls.get(), requests.len(), "each handler ran once");
}
