//! Protocol-layer tests of the MCP endpoint with hand-built tool definitions and a principal put in
//! place directly (token validation is tested with the full router in `tests/tests/server_*.rs`).

use ::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use axum::body::Body;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use super::*;
use crate::auth::{DevSigner, Principal, ValidatorConfig};
use crate::registry::Registry;
use crate::scope::ScopeSet;
use crate::tool::{
    CallToolResult, Content, LogLevel, ToolAnnotations, ToolCall, ToolDef, ToolFuture,
};

fn read_handler(call: ToolCall) -> ToolFuture {
    Box::pin(async move {
        let args = call.arguments.unwrap_or_default();
        Ok(CallToolResult::success(vec![Content::text(format!(
            "read {}",
            Value::Object(args)
        ))]))
    })
}

fn write_handler(_call: ToolCall) -> ToolFuture {
    Box::pin(async move { Ok(CallToolResult::success(vec![Content::text("written")])) })
}

fn chatty_handler(call: ToolCall) -> ToolFuture {
    Box::pin(async move {
        call.notifier.progress(1.0, Some(2.0), Some("half"));
        call.notifier
            .log(LogLevel::Debug, Some("t"), json!("debug line"));
        call.notifier
            .log(LogLevel::Warning, Some("t"), json!("warning line"));
        tokio::task::yield_now().await;
        call.notifier.progress(2.0, Some(2.0), None);
        Ok(CallToolResult::success(vec![Content::text("done")]))
    })
}

const fn def(
    name: &'static str,
    scopes: &'static [&'static str],
    handler: fn(ToolCall) -> ToolFuture,
) -> ToolDef {
    ToolDef {
        name,
        title: None,
        description: "a test tool",
        scopes,
        public: scopes.is_empty(),
        annotations: ToolAnnotations {
            read_only: Some(true),
            destructive: None,
            idempotent: None,
            open_world: None,
        },
        args: &[],
        output_schema: || None,
        handler,
        location: "server/tests.rs",
    }
}

static READ: ToolDef = def("read", &[], read_handler);
static WRITE: ToolDef = def("write", &[], write_handler);
static CHATTY: ToolDef = def("chatty", &[], chatty_handler);

fn server(configure: impl FnOnce(McpServerBuilder) -> McpServerBuilder) -> McpServer {
    let signer = DevSigner::generate();
    let config = ValidatorConfig::new("https://issuer.example.com", "http://127.0.0.1:8080/mcp")
        .static_jwks(signer.jwks());
    let registry = Registry::from_tools(&[&READ, &WRITE, &CHATTY]).unwrap();
    configure(
        McpServer::builder()
            .info("test-server", "1.2.3")
            .instructions("use the tools")
            .auth(config)
            .registry(registry),
    )
    .build()
    .unwrap()
}

/// The endpoint with the caller's scopes taken from an `x-test-scopes` header.
fn router(server: &McpServer) -> Router {
    server
        .guarded(server.endpoint_router(None))
        .layer(axum::middleware::from_fn(
            |mut req: axum::extract::Request, next: axum::middleware::Next| async move {
                let scopes = req
                    .headers()
                    .get("x-test-scopes")
                    .and_then(|v| v.to_str().ok())
                    .map(ScopeSet::from_space_separated)
                    .unwrap_or_default();
                req.extensions_mut().insert(Principal {
                    subject: Some("alice".into()),
                    client_id: Some("client-1".into()),
                    issuer: "https://issuer.example.com".into(),
                    expires_at: u64::MAX,
                    jti: Some("jti-1".into()),
                    scopes,
                    claims: serde_json::Map::new(),
                });
                next.run(req).await
            },
        ))
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

async fn send(router: &Router, method: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri("/mcp")
        .header("host", "127.0.0.1:8080")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (k, v) in headers {
        let name = ::http::HeaderName::from_bytes(k.as_bytes()).unwrap();
        request
            .headers_mut()
            .unwrap()
            .insert(name, v.parse().unwrap());
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn rpc(router: &Router, headers: &[(&str, &str)], body: Value) -> Reply {
    send(router, "POST", headers, &body.to_string()).await
}

fn modern(
    method: &str,
    name: Option<&str>,
    mut params: Value,
) -> (Vec<(&'static str, String)>, Value) {
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2026-07-28");
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({});
    let mut headers = vec![
        ("mcp-protocol-version", "2026-07-28".to_owned()),
        ("mcp-method", method.to_owned()),
    ];
    if let Some(name) = name {
        headers.push(("mcp-name", name.to_owned()));
    }
    (
        headers,
        json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }),
    )
}

async fn rpc_modern(
    router: &Router,
    scopes: &str,
    method: &str,
    name: Option<&str>,
    params: Value,
) -> Reply {
    let (headers, body) = modern(method, name, params);
    let mut h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    h.push(("x-test-scopes", scopes));
    rpc(router, &h, body).await
}

#[tokio::test]
async fn initialize_negotiates_a_legacy_version_and_never_issues_a_session() {
    let r = router(&server(|b| b));
    let reply = rpc(
        &r,
        &[],
        json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers.get("mcp-session-id").is_none());
    let result = &reply.json()["result"];
    assert_eq!(result["protocolVersion"], "2025-06-18");
    assert_eq!(
        result["serverInfo"],
        json!({"name":"test-server","version":"1.2.3"})
    );
    assert_eq!(
        result["capabilities"]["tools"],
        json!({"listChanged": false})
    );
    assert_eq!(result["capabilities"]["logging"], json!({}));
    assert_eq!(result["instructions"], "use the tools");

    let reply = rpc(
        &r,
        &[],
        json!({"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2024-01-01"}}),
    )
    .await;
    assert_eq!(reply.json()["result"]["protocolVersion"], "2025-11-25");
}

#[tokio::test]
async fn notifications_get_202_and_ping_gets_an_empty_result() {
    let r = router(&server(|b| b));
    let reply = rpc(
        &r,
        &[("mcp-protocol-version", "2025-11-25")],
        json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.text, "");
    let reply = rpc(
        &r,
        &[("mcp-protocol-version", "2025-11-25")],
        json!({"jsonrpc":"2.0","id":"p","method":"ping"}),
    )
    .await;
    assert_eq!(reply.json(), json!({"jsonrpc":"2.0","id":"p","result":{}}));
    let reply = rpc(
        &r,
        &[("mcp-protocol-version", "2025-11-25")],
        json!({"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"info"}}),
    )
    .await;
    assert_eq!(reply.json()["result"], json!({}));
    let reply = rpc(
        &r,
        &[("mcp-protocol-version", "2025-11-25")],
        json!({"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"loud"}}),
    )
    .await;
    assert_eq!(reply.json()["error"]["code"], INVALID_PARAMS);
}

#[tokio::test]
async fn malformed_bodies_get_jsonrpc_errors() {
    let r = router(&server(|b| b));
    let reply = send(&r, "POST", &[], "{not json").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["code"], PARSE_ERROR);
    assert_eq!(reply.json()["id"], Value::Null);
    let reply = send(
        &r,
        "POST",
        &[],
        r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["code"], INVALID_REQUEST);
    let reply = rpc(
        &r,
        &[],
        json!({"jsonrpc":"2.0","id":9,"method":"nope/nope"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["error"]["code"], METHOD_NOT_FOUND);
    assert_eq!(reply.json()["id"], 9);
    let reply = send(&r, "POST", &[("content-type", "text/plain")], "{}").await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn only_post_is_allowed() {
    let r = router(&server(|b| b));
    for method in ["GET", "DELETE", "PUT"] {
        let reply = send(&r, method, &[], "").await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(reply.headers["allow"], "POST");
    }
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let r = router(&server(|b| b.max_body_bytes(64)));
    let big = json!({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"x".repeat(100)}});
    let reply = rpc(&r, &[], big).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Without a Content-Length the limit still holds while reading.
    let body = Body::from_stream(futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 40])),
        Ok(bytes::Bytes::from(vec![b' '; 40])),
    ]));
    let response = r
        .clone()
        .oneshot(
            Request::post("/mcp")
                .header("host", "localhost")
                .body(body)
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let reply = rpc(&r, &[], json!({"jsonrpc":"2.0","id":1,"method":"ping"})).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn foreign_origins_and_hosts_are_refused() {
    let r = router(&server(|b| b.allowed_origins(["https://app.example.com"])));
    let ping = json!({"jsonrpc":"2.0","id":1,"method":"ping"}).to_string();
    for (origin, expected) in [
        ("http://localhost:6274", StatusCode::OK),
        ("https://app.example.com", StatusCode::OK),
        ("https://evil.example.com", StatusCode::FORBIDDEN),
        ("null", StatusCode::FORBIDDEN),
    ] {
        let reply = send(&r, "POST", &[("origin", origin)], &ping).await;
        assert_eq!(reply.status, expected, "{origin}");
    }
    // DNS rebinding: the resource is on loopback, so a foreign Host is refused, even for GET.
    let request = |method: &str| {
        Request::builder()
            .method(method)
            .uri("/mcp")
            .header("host", "evil.example.com")
            .header("content-type", "application/json")
            .body(Body::from(ping.clone()))
            .unwrap()
    };
    for method in ["POST", "GET"] {
        let response = r.clone().oneshot(request(method)).await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method}");
    }
}

#[tokio::test]
async fn tools_list_shows_scopes_in_meta_in_name_order() {
    let r = router(&server(|b| b));
    let reply = rpc(
        &r,
        &[("x-test-scopes", "")],
        json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}),
    )
    .await;
    let tools = reply.json()["result"]["tools"].clone();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["chatty", "read", "write"]);
    assert_eq!(tools[0]["_meta"][SCOPES_META_KEY], json!([]));
    assert_eq!(tools[1]["inputSchema"]["type"], "object");
    assert_eq!(tools[1]["annotations"], json!({"readOnlyHint": true}));
    assert!(reply.json()["result"].get("nextCursor").is_none());
    assert!(reply.json()["result"].get("ttlMs").is_none());
}

#[tokio::test]
async fn tools_list_paginates_with_an_opaque_cursor() {
    let r = router(&server(|b| b.page_size(2)));
    let first = rpc(
        &r,
        &[],
        json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}),
    )
    .await
    .json();
    assert_eq!(first["result"]["tools"].as_array().unwrap().len(), 2);
    let cursor = first["result"]["nextCursor"].as_str().unwrap().to_owned();
    let second = rpc(
        &r,
        &[],
        json!({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor": cursor}}),
    )
    .await
    .json();
    assert_eq!(second["result"]["tools"][0]["name"], "write");
    assert!(second["result"].get("nextCursor").is_none());
    let bad = rpc(
        &r,
        &[],
        json!({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor": "%%%"}}),
    )
    .await
    .json();
    assert_eq!(bad["error"]["code"], INVALID_PARAMS);
}

#[tokio::test]
async fn bad_call_params_are_invalid_params() {
    let r = router(&server(|b| b));
    for params in [
        json!({}),
        json!({"name": 3}),
        json!({"name":"read","arguments":[1]}),
    ] {
        let reply = rpc(
            &r,
            &[("x-test-scopes", "srvtest:read")],
            json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":params}),
        )
        .await;
        assert_eq!(reply.json()["error"]["code"], INVALID_PARAMS, "{params}");
    }
}

#[tokio::test]
async fn notifications_turn_the_reply_into_an_sse_stream() {
    let r = router(&server(|b| b));
    let reply = rpc(
        &r,
        &[("mcp-protocol-version", "2025-11-25")],
        json!({"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"chatty","_meta":{"progressToken":"tok"}}}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-type"], "text/event-stream");
    let events: Vec<Value> = reply
        .text
        .split("\n\n")
        .filter_map(|e| e.strip_prefix("event: message\ndata: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let methods: Vec<&str> = events
        .iter()
        .map(|e| e["method"].as_str().unwrap_or("response"))
        .collect();
    assert_eq!(
        methods,
        [
            "notifications/progress",
            "notifications/message",
            "notifications/message",
            "notifications/progress",
            "response"
        ]
    );
    assert_eq!(
        events[0]["params"],
        json!({"progressToken":"tok","progress":1.0,"total":2.0,"message":"half"})
    );
    assert_eq!(events[4]["id"], "c");
    assert_eq!(events[4]["result"]["content"][0]["text"], "done");

    // 2026-07-28: logs only at or above the requested level; none without one.
    let reply = rpc_modern(
        &r,
        "",
        "tools/call",
        Some("chatty"),
        json!({"name":"chatty","_meta":{"io.modelcontextprotocol/logLevel":"warning"}}),
    )
    .await;
    assert_eq!(
        reply.text.matches("notifications/message").count(),
        1,
        "{}",
        reply.text
    );
    assert!(reply.text.contains("\"resultType\":\"complete\""));
    let reply = rpc_modern(
        &r,
        "",
        "tools/call",
        Some("chatty"),
        json!({"name":"chatty"}),
    )
    .await;
    // No progress token and no log level: nothing to stream, so plain JSON.
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.json()["result"]["content"][0]["text"], "done");
    // A client that does not accept SSE gets JSON.
    let reply = send(
        &r,
        "POST",
        &[("accept", "application/json")],
        &json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"chatty","_meta":{"progressToken":1}}}).to_string(),
    )
    .await;
    assert_eq!(reply.headers["content-type"], "application/json");
}

#[tokio::test]
async fn modern_requests_get_discover_result_type_and_server_info() {
    let r = router(&server(|b| b));
    let reply = rpc_modern(&r, "", "server/discover", None, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let result = reply.json()["result"].clone();
    assert_eq!(result["resultType"], "complete");
    assert_eq!(
        result["supportedVersions"],
        json!(["2026-07-28", "2025-11-25", "2025-06-18"])
    );
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "test-server"
    );
    assert_eq!(result["cacheScope"], "public");
    assert!(result["ttlMs"].as_u64().is_some());
    assert_eq!(result["instructions"], "use the tools");

    let reply = rpc_modern(&r, "", "tools/list", None, json!({})).await;
    let result = reply.json()["result"].clone();
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["cacheScope"], "public");
    assert_eq!(result["ttlMs"], 300_000);

    for removed in ["ping", "initialize", "logging/setLevel", "resources/list"] {
        let reply = rpc_modern(&r, "", removed, None, json!({})).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{removed}");
        assert_eq!(reply.json()["error"]["code"], METHOD_NOT_FOUND);
    }
    let reply = rpc_modern(
        &r,
        "",
        "tools/list",
        None,
        json!({"_meta":{"io.modelcontextprotocol/logLevel":"chatty"}}),
    )
    .await;
    assert_eq!(reply.json()["error"]["code"], INVALID_PARAMS);
}

#[tokio::test]
async fn modern_header_rules_are_enforced_over_http() {
    let r = router(&server(|b| b));
    let (mut headers, body) = modern("tools/call", Some("read"), json!({"name":"read"}));
    headers[1].1 = "tools/list".into();
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = rpc(&r, &h, body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["code"], HEADER_MISMATCH);

    let (_, mut body) = modern("tools/list", None, json!({}));
    body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2030-01-01");
    let reply = rpc(
        &r,
        &[
            ("mcp-protocol-version", "2030-01-01"),
            ("mcp-method", "tools/list"),
        ],
        body,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["code"], UNSUPPORTED_PROTOCOL_VERSION);
    assert_eq!(reply.json()["error"]["data"]["supported"][0], "2026-07-28");

    let reply = rpc(
        &r,
        &[("mcp-protocol-version", "2024-11-05")],
        json!({"jsonrpc":"2.0","id":1,"method":"tools/list"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[test]
fn build_refuses_missing_state_and_missing_auth() {
    #[derive(Clone)]
    struct Db;
    fn needs_db(state: &crate::tool::StateMap) -> Result<(), String> {
        if state.contains::<Db>() {
            Ok(())
        } else {
            Err("no Db".into())
        }
    }
    static ARGS: [crate::tool::ArgSpec; 1] = [crate::tool::ArgSpec {
        type_name: "State<Db>",
        input_schema: || None,
        check_state: needs_db,
    }];
    static STATEFUL: ToolDef = ToolDef {
        args: &ARGS,
        ..def("stateful", &[], read_handler)
    };
    let signer = DevSigner::generate();
    let config = || {
        ValidatorConfig::new("https://issuer.example.com", "https://mcp.example.com/mcp")
            .static_jwks(signer.jwks())
    };
    let registry = || Registry::from_tools(&[&STATEFUL]).unwrap();
    let err = McpServer::builder()
        .auth(config())
        .registry(registry())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("stateful"), "{err}");
    assert!(err.to_string().contains("state(…)"), "{err}");
    let built = McpServer::builder()
        .auth(config())
        .registry(registry())
        .state(Db)
        .build()
        .unwrap();
    assert_eq!(built.path(), "/mcp");
    assert_eq!(
        built.resource_metadata_url(),
        "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
    );
    let err = McpServer::builder()
        .registry(registry())
        .build()
        .unwrap_err();
    assert!(matches!(err, ServerError::NoAuth));
}
