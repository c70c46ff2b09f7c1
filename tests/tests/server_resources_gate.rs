//! The scope gate in front of resources, resource templates, prompts and completion, under every
//! protocol version: the 403 step-up before any handler runs (the fixture's call counter proves
//! it), each revision's step-up challenge, hidden items answered exactly as unknown ones (fixed
//! URIs, template URIs, prompts and completions), the caller's limit of running calls, echoed
//! names cut short, and the entitlements hook.

mod resources_fixture;
mod server_support;

use http::StatusCode;
use mcp_scopes::auth::{ScopeRoles, TokenClaims};
use mcp_scopes::server::{INSUFFICIENT_SCOPE, INVALID_PARAMS, NOT_ENTITLED, RESOURCE_NOT_FOUND};
use resources_fixture::{VERSIONS, names, registry, request, resource_server};
use serde_json::json;
use server_support::{ISSUER, PRM_URL, RESOURCE, server, server_of};

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

        // A fixed resource, and a URI of a template, that the caller cannot see: each reads like
        // a URI nothing matches.
        let db_query: &[&str] = &["db:query"];
        for (scopes, hidden_uri) in [(db_query, "db://audit"), (&[], "db://tables/users")] {
            let read =
                |uri: &str| request(&s, version, scopes, "resources/read", json!({"uri": uri}));
            let hidden = read(hidden_uri).await;
            let unknown = read("db://nothing").await;
            for reply in [&hidden, &unknown] {
                assert_eq!(reply.status, StatusCode::OK, "{hidden_uri}");
                assert_eq!(reply.error_code(), Some(RESOURCE_NOT_FOUND), "{hidden_uri}");
                assert!(reply.header("www-authenticate").is_none());
            }
            assert_eq!(
                hidden.text.replace(hidden_uri, "X"),
                unknown.text.replace("db://nothing", "X")
            );
        }

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
