//! The HTTP around the MCP endpoint, seen by a client: only `POST` is served (other methods get the
//! 401 challenge without a token, 405 with one), the body limit,
//! `Origin`/`Host` checks (DNS-rebinding protection) before authentication, CORS for browser
//! clients, and the identity, cache and origin options of the builder showing up where clients look.
//! The JSON-RPC methods themselves are in `server_protocol.rs`.

mod server_support;

use http::StatusCode;
use serde_json::json;
use server_support::{server, server_with};

const ALL: &[&str] = &["db:admin"];

#[tokio::test]
async fn only_post_is_served_and_any_method_without_a_token_gets_the_challenge() {
    let s = server();
    let auth = format!("Bearer {}", s.token(ALL));
    for method in ["GET", "DELETE", "PUT", "PATCH", "HEAD"] {
        // Without credentials: the 401 challenge a client probing the endpoint (e.g. `curl -i`)
        // needs to find the authorization server, whatever the method.
        let reply = s.send(method, "/mcp", &[], "").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method}");
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.contains("resource_metadata="),
            "{method}: {challenge}"
        );
        // Authenticated: the method is not allowed.
        let reply = s
            .send(method, "/mcp", &[("authorization", auth.as_str())], "")
            .await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(reply.header("allow"), Some("POST"), "{method}");
        // A bad token is a bad token, whatever the method.
        let reply = s
            .send(
                method,
                "/mcp",
                &[("authorization", "Bearer not.a.token")],
                "",
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method}");
    }
    assert_eq!(s.calls.get(), 0);
}

#[tokio::test]
async fn bodies_past_the_limit_get_413() {
    let s = server_with(|b| b.max_body_bytes(256));
    let big = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"x".repeat(300)}}});
    let reply = s.post(ALL, &[], &big).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The answer says which limit, as a JSON-RPC error a client can show.
    assert_eq!(
        reply.json()["error"]["message"],
        "request body is larger than 256 bytes",
        "{}",
        reply.text
    );
    assert_eq!(s.calls.get(), 0);
    let small = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"x"}}});
    assert_eq!(s.post(ALL, &[], &small).await.status, StatusCode::OK);
    // The default is 1 MiB.
    let s = server();
    let huge =
        json!({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"x".repeat(1024 * 1024)}});
    assert_eq!(
        s.post(ALL, &[], &huge).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn foreign_origins_and_hosts_are_refused_before_authentication() {
    let s = server_with(|b| b.allowed_origins(["https://app.example.com"]));
    let ping = json!({"jsonrpc":"2.0","id":1,"method":"ping"});
    for (headers, expected) in [
        (vec![("origin", "http://localhost:6274")], StatusCode::OK),
        (vec![("origin", "http://127.0.0.1:3000")], StatusCode::OK),
        (vec![("origin", "https://app.example.com")], StatusCode::OK),
        (
            vec![("origin", "https://evil.example.com")],
            StatusCode::FORBIDDEN,
        ),
        (vec![("origin", "null")], StatusCode::FORBIDDEN),
        (vec![("host", "evil.example.com")], StatusCode::FORBIDDEN),
        (
            vec![
                ("host", "evil.example.com"),
                ("origin", "http://evil.example.com"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (vec![("host", "127.0.0.1:3000")], StatusCode::OK),
    ] {
        let reply = s.post(ALL, &headers, &ping).await;
        assert_eq!(reply.status, expected, "{headers:?}");
        let unauthenticated = s.send("POST", "/mcp", &headers, &ping.to_string()).await;
        let want = if expected == StatusCode::OK {
            StatusCode::UNAUTHORIZED
        } else {
            expected
        };
        assert_eq!(unauthenticated.status, want, "{headers:?} without a token");
    }
}

#[tokio::test]
async fn allowed_hosts_extend_the_loopback_names() {
    let ping = json!({"jsonrpc":"2.0","id":1,"method":"ping"});
    let s = server_with(|b| b.allowed_hosts(["mcp.example.com"]));
    assert_eq!(
        s.post(ALL, &[("host", "mcp.example.com")], &ping)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        s.post(ALL, &[("host", "other.example.com")], &ping)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn browser_clients_from_allowed_origins_get_cors() {
    let s = server();
    let preflight = [
        ("origin", "http://localhost:6274"),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "authorization, content-type, mcp-protocol-version",
        ),
    ];
    let reply = s.send("OPTIONS", "/mcp", &preflight, "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://localhost:6274")
    );
    assert_eq!(
        reply.header("access-control-allow-headers"),
        Some("authorization, content-type, mcp-protocol-version")
    );
    let mut foreign = preflight;
    foreign[0].1 = "https://evil.example.com";
    assert_eq!(
        s.send("OPTIONS", "/mcp", &foreign, "").await.status,
        StatusCode::FORBIDDEN
    );

    // A 401 to a browser client is readable, challenge included.
    let body = json!({"jsonrpc":"2.0","id":1,"method":"ping"}).to_string();
    let reply = s
        .send(
            "POST",
            "/mcp",
            &[("origin", "http://localhost:6274")],
            &body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://localhost:6274")
    );
    assert_eq!(
        reply.header("access-control-expose-headers"),
        Some("www-authenticate")
    );
}

#[tokio::test]
async fn identity_cache_and_origin_options_show_up_where_clients_look() {
    let s = server_with(|b| {
        b.title("Test database")
            .cache_ttl(std::time::Duration::from_secs(5))
            .allow_loopback_origins(false)
            .realm("db")
            .resource_name("The test database")
    });
    let discover = s.modern(ALL, "server/discover", json!({})).await.json();
    assert_eq!(discover["result"]["ttlMs"], 5000);
    assert_eq!(
        discover["result"]["_meta"]["io.modelcontextprotocol/serverInfo"],
        json!({"name": "db-test", "version": "0.9.0", "title": "Test database"})
    );
    let list = s.modern(ALL, "tools/list", json!({})).await.json();
    assert_eq!(list["result"]["ttlMs"], 5000);
    let reply = s
        .post(
            ALL,
            &[("origin", "http://localhost:6274")],
            &json!({"jsonrpc":"2.0","id":1,"method":"ping"}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "loopback origins were switched off"
    );
    let unauthenticated = s.send("POST", "/mcp", &[], "{}").await;
    assert!(
        unauthenticated
            .header("www-authenticate")
            .is_some_and(|c| c.starts_with(r#"Bearer realm="db", "#)),
        "{unauthenticated:?}"
    );
    let prm = s
        .send("GET", "/.well-known/oauth-protected-resource/mcp", &[], "")
        .await
        .json();
    assert_eq!(prm["resource_name"], "The test database");

    let s = server_with(mcp_scopes::server::McpServerBuilder::without_realm);
    let unauthenticated = s.send("POST", "/mcp", &[], "{}").await;
    assert!(
        unauthenticated
            .header("www-authenticate")
            .is_some_and(|c| c.starts_with(r#"Bearer scope="db:query""#)),
        "{unauthenticated:?}"
    );
}
