//! Resources, resource templates, prompts and completion served over HTTP under every protocol
//! version: listings (with their scopes, paginated), reads and gets, completion, capabilities,
//! handler failures as JSON-RPC errors, subscriptions refused, and the 2026-07-28 `Mcp-Name` check.
//! The scope gate in front of them is `server_resources_gate.rs`.

mod resources_fixture;
mod server_support;

use http::StatusCode;
use mcp_scopes::server::{
    HEADER_MISMATCH, INTERNAL_ERROR, INVALID_PARAMS, METHOD_NOT_FOUND, RESOURCE_NOT_FOUND,
    SCOPES_META_KEY,
};
use resources_fixture::{VERSIONS, names, registry, request, resource_server};
use serde_json::{Value, json};
use server_support::{modern_request, server, server_of};

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
