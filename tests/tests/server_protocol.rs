//! The MCP protocol over Streamable HTTP, seen by a client: every method in each revision, the
//! JSON-RPC error codes with their HTTP statuses, the revision headers and `_meta` fields, and
//! pagination. The HTTP around it (methods, body limit, `Origin`/`Host`, CORS) is in
//! `server_http.rs`; SSE replies are in `server_sse.rs`.

mod server_support;

use http::StatusCode;
use mcp_scopes::server::{
    HEADER_MISMATCH, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR,
    UNSUPPORTED_PROTOCOL_VERSION,
};
use serde_json::{Value, json};
use server_support::{TestServer, modern_request, server, server_with};

const ALL: &[&str] = &["db:admin"];

async fn raw(s: &TestServer, headers: &[(&str, &str)], body: &str) -> server_support::Reply {
    let auth = format!("Bearer {}", s.token(ALL));
    let mut all = vec![("authorization", auth.as_str())];
    all.extend_from_slice(headers);
    s.send("POST", "/mcp", &all, body).await
}

#[tokio::test]
async fn legacy_handshake_initialize_initialized_ping() {
    let s = server();
    let reply = s
        .post(
            ALL,
            &[],
            &json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
                "protocolVersion":"2025-11-25","capabilities":{},
                "clientInfo":{"name":"inspector","version":"1"}}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.header("mcp-session-id"),
        None,
        "a stateless server issues no session"
    );
    assert_eq!(
        reply.json(),
        json!({"jsonrpc":"2.0","id":0,"result":{
            "protocolVersion":"2025-11-25",
            "capabilities":{"tools":{"listChanged":false},"logging":{}},
            "serverInfo":{"name":"db-test","version":"0.9.0"},
            "instructions":"Query with `query`, change rows with `insert`."}})
    );
    let older = s
        .post(ALL, &[], &json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}))
        .await;
    assert_eq!(older.json()["result"]["protocolVersion"], "2025-06-18");

    let reply = s
        .post(
            ALL,
            &[("mcp-protocol-version", "2025-11-25")],
            &json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert!(reply.text.is_empty());

    let reply = s.legacy(ALL, "ping", json!({})).await;
    assert_eq!(reply.json(), json!({"jsonrpc":"2.0","id":1,"result":{}}));
    let reply = s
        .legacy(ALL, "logging/setLevel", json!({"level":"warning"}))
        .await;
    assert_eq!(reply.json()["result"], json!({}));
}

#[tokio::test]
async fn a_request_without_the_version_header_is_served_as_2025_03_26() {
    let s = server();
    let reply = s
        .post(
            ALL,
            &[],
            &json!({"jsonrpc":"2.0","id":"x","method":"tools/list"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["id"], "x");
    assert!(reply.json()["result"]["tools"].is_array());
    assert!(reply.json()["result"].get("resultType").is_none());
}

#[tokio::test]
async fn an_unsupported_version_header_is_a_400() {
    let s = server();
    let reply = s
        .post(
            ALL,
            &[("mcp-protocol-version", "2024-11-05")],
            &json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), Some(UNSUPPORTED_PROTOCOL_VERSION));
    assert_eq!(reply.json()["id"], 1);
    assert_eq!(
        reply.json()["error"]["data"]["supported"],
        json!(["2026-07-28", "2025-11-25", "2025-06-18"])
    );
}

#[tokio::test]
async fn jsonrpc_errors_carry_their_codes_and_statuses() {
    let s = server();
    let cases: &[(&str, StatusCode, i64)] = &[
        ("{\"jsonrpc\":", StatusCode::BAD_REQUEST, PARSE_ERROR),
        (
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
        ),
        (
            r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}"#,
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"prompts/list"}"#,
            StatusCode::OK,
            METHOD_NOT_FOUND,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}"#,
            StatusCode::OK,
            INVALID_PARAMS,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}}"#,
            StatusCode::OK,
            INVALID_PARAMS,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{}}}"#,
            StatusCode::OK,
            INVALID_PARAMS,
        ),
    ];
    for (body, status, code) in cases {
        let reply = raw(&s, &[], body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (*status, Some(*code)),
            "{body}"
        );
        assert_eq!(reply.json()["jsonrpc"], "2.0");
    }
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn server_discover_and_modern_results() {
    let s = server();
    let reply = s.modern(ALL, "server/discover", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let result = reply.json()["result"].clone();
    assert_eq!(
        result,
        json!({
            "resultType": "complete",
            "supportedVersions": ["2026-07-28", "2025-11-25", "2025-06-18"],
            "capabilities": {"tools": {"listChanged": false}, "logging": {}},
            "instructions": "Query with `query`, change rows with `insert`.",
            "ttlMs": 300_000,
            "cacheScope": "public",
            "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "db-test", "version": "0.9.0"}},
        })
    );
    let reply = s.modern(ALL, "tools/list", json!({})).await;
    let result = reply.json()["result"].clone();
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["ttlMs"], 300_000);
    assert_eq!(result["cacheScope"], "public");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "db-test"
    );
    let reply = s
        .modern(
            ALL,
            "tools/call",
            json!({"name":"query","arguments":{"sql":"select 2"}}),
        )
        .await;
    assert_eq!(reply.json()["result"]["resultType"], "complete");
    assert_eq!(
        reply.json()["result"]["structuredContent"]["rows"][0],
        "ran: select 2"
    );
}

#[tokio::test]
async fn modern_unknown_and_removed_methods_are_404() {
    let s = server();
    for method in ["initialize", "ping", "logging/setLevel", "prompts/list"] {
        let reply = s.modern(ALL, method, json!({})).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method}");
        assert_eq!(reply.error_code(), Some(METHOD_NOT_FOUND), "{method}");
    }
    // And server/discover does not exist for legacy requests.
    let reply = s.legacy(ALL, "server/discover", json!({})).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::OK, Some(METHOD_NOT_FOUND))
    );
}

#[tokio::test]
async fn modern_headers_are_required_and_cross_checked() {
    let s = server();
    let (good, body) = modern_request(
        "tools/call",
        json!({"name":"query","arguments":{"sql":"1"}}),
    );
    let variants: Vec<Vec<(&str, String)>> = vec![
        good.iter()
            .filter(|(k, _)| *k != "mcp-method")
            .cloned()
            .collect(),
        good.iter()
            .filter(|(k, _)| *k != "mcp-name")
            .cloned()
            .collect(),
        good.iter()
            .filter(|(k, _)| *k != "mcp-protocol-version")
            .cloned()
            .collect(),
        good.iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *k == "mcp-name" {
                        "insert".to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect(),
        good.iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *k == "mcp-method" {
                        "tools/list".to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect(),
        good.iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *k == "mcp-protocol-version" {
                        "2025-11-25".to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect(),
    ];
    for headers in variants {
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = s.post(ALL, &h, &body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::BAD_REQUEST, Some(HEADER_MISMATCH)),
            "{headers:?}"
        );
        // The body was read, so the refusal is answered under the request's id.
        assert_eq!(reply.json()["id"], body["id"], "{headers:?}");
    }
    assert_eq!(s.calls.get(), 0);
    let h: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(s.post(ALL, &h, &body).await.status, StatusCode::OK);
    // A name that is not header-safe travels base64-encoded.
    let (mut headers, body) = modern_request("tools/call", json!({"name":"quéry"}));
    headers.retain(|(k, _)| *k != "mcp-name");
    headers.push(("mcp-name", "=?base64?cXXDqXJ5?=".to_owned()));
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = s.post(ALL, &h, &body).await;
    // The headers match, so the request gets through to the lookup: an unknown tool.
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::OK, Some(INVALID_PARAMS))
    );
}

#[tokio::test]
async fn an_unsupported_modern_version_lists_the_supported_ones() {
    let s = server();
    let (mut headers, mut body) = modern_request("tools/list", json!({}));
    body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    headers[0].1 = "2099-01-01".to_owned();
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = s.post(ALL, &h, &body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["error"],
        json!({"code": UNSUPPORTED_PROTOCOL_VERSION, "message": "unsupported protocol version `2099-01-01`",
               "data": {"supported": ["2026-07-28", "2025-11-25", "2025-06-18"], "requested": "2099-01-01"}})
    );
}

#[tokio::test]
async fn modern_requests_missing_a_required_meta_field_are_a_400_invalid_params() {
    // 2026-07-28 basic/index: `protocolVersion` and `clientCapabilities` are required in every
    // request's `_meta`; a request without one is malformed: -32602 with HTTP 400.
    let s = server();
    let caps = "io.modelcontextprotocol/clientCapabilities";
    let broken: [fn(&mut Value); 3] = [
        |body| {
            body["params"]["_meta"]
                .as_object_mut()
                .unwrap()
                .remove("io.modelcontextprotocol/clientCapabilities");
        },
        |body| body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!("all"),
        |body| {
            body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!(20_260_728);
        },
    ];
    for (method, params) in [
        ("server/discover", json!({})),
        ("tools/list", json!({})),
        (
            "tools/call",
            json!({"name":"query","arguments":{"sql":"1"}}),
        ),
    ] {
        for breaker in broken {
            let (headers, mut body) = modern_request(method, params.clone());
            breaker(&mut body);
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let reply = s.post(ALL, &h, &body).await;
            assert_eq!(
                (reply.status, reply.error_code()),
                (StatusCode::BAD_REQUEST, Some(INVALID_PARAMS)),
                "{method} {body}"
            );
            assert_eq!(reply.json()["id"], 1);
        }
    }
    assert_eq!(s.calls.get(), 0);
    // An empty object is a valid declaration of "no optional capabilities".
    let (headers, body) = modern_request("tools/list", json!({}));
    assert_eq!(body["params"]["_meta"][caps], json!({}));
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(s.post(ALL, &h, &body).await.status, StatusCode::OK);
}

#[tokio::test]
async fn tools_list_paginates_in_a_stable_order() {
    let s = server_with(|b| b.page_size(3));
    let first = s.legacy(ALL, "tools/list", json!({})).await.json();
    let page: Vec<&str> = first["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(page, ["insert", "query", "reset"]);
    let cursor = first["result"]["nextCursor"].clone();
    assert!(cursor.is_string());
    let second = s
        .legacy(ALL, "tools/list", json!({"cursor": cursor}))
        .await
        .json();
    assert_eq!(second["result"]["tools"][0]["name"], "status");
    assert!(second["result"].get("nextCursor").is_none());
    let bad = s.legacy(ALL, "tools/list", json!({"cursor": "!!"})).await;
    assert_eq!(bad.error_code(), Some(INVALID_PARAMS));
}
