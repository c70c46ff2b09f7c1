//! Streamed answers through `deploy/nginx.conf`: a tool's progress notifications reach the client
//! through nginx while the tool still runs (nginx does not buffer `text/event-stream`), and a
//! client that goes away stops the call behind nginx. The server is a mcp-scopes server with one
//! slow tool (db-server's tools answer at once), served as the binary serves; nginx is Debian's.
//! Skipped loudly without `/usr/sbin/nginx`.

mod binary_support;
mod deploy_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use deploy_support::{Nginx, nginx_available};
use mcp_scopes::auth::ValidatorConfig;
use mcp_scopes::registry::Registry;
use mcp_scopes::server::McpServer;
use mcp_scopes::tool::{Notifier, State};
use mcp_scopes::{tool, tools};
use mcp_scopes_tests::auth::{TestKey, jwks, now};
use mcp_scopes_tests::rpc_client::{first_sse_event, last_sse_event};
use mcp_scopes_tests::tool_gate::{Abandoned, Gate};
use serde_json::json;

/// Sends one progress notification, then waits until released: a buffering proxy would hold the
/// notification back (it is far smaller than a buffer).
#[tool(public)]
async fn slow(notifier: Notifier, State(gate): State<Gate>) -> String {
    let run = Abandoned::watch(&gate);
    notifier.progress(1.0, None, Some("working"));
    gate.release.notified().await;
    run.finish();
    "finished".to_owned()
}

struct Behind {
    endpoint: String,
    token: String,
    gate: Gate,
    _nginx: Nginx,
}

/// The slow tool's server on loopback, behind nginx (both upstream slots point at it).
async fn behind_nginx(dir: &std::path::Path) -> Behind {
    let key = TestKey::rsa("stream-1");
    let listen = binary_support::free_port();
    let endpoint = format!("http://127.0.0.1:{listen}/mcp");
    let issuer = "https://auth.example.test";
    let gate = Gate::default();
    let server = McpServer::builder()
        .registry(Registry::from_tools(tools![slow]).expect("registry"))
        .state(gate.clone())
        .auth(ValidatorConfig::new(issuer, &endpoint).static_jwks(jwks(&[&key])))
        .build()
        .expect("server");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(mcp_scopes::server::serve(listener, server.into_router()).into_future());
    let nginx = Nginx::start(&dir.join("nginx"), listen, [port, port]);
    let now = now();
    let token = key.token(
        "RS256",
        &json!({"iss": issuer, "sub": "streamer", "aud": endpoint, "iat": now, "nbf": now,
                "exp": now + 600, "scope": ""}),
    );
    Behind {
        endpoint,
        token,
        gate,
        _nginx: nginx,
    }
}

async fn call_slow(behind: &Behind) -> reqwest::Response {
    reqwest::Client::new()
        .post(&behind.endpoint)
        .bearer_auth(&behind.token)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "slow", "_meta": {"progressToken": "p"}}}))
        .send()
        .await
        .expect("nginx answers")
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_reaches_the_client_through_nginx_while_the_tool_runs() {
    if !nginx_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let behind = behind_nginx(dir.path()).await;
    let mut response = call_slow(&behind).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let first = first_sse_event(&mut response).await;
    assert_eq!(first["method"], "notifications/progress", "{first}");
    assert_eq!(
        behind.gate.finished.load(Ordering::SeqCst),
        0,
        "the event came while the tool was still running"
    );
    behind.gate.release.notify_one();
    let last = last_sse_event(response).await;
    assert_eq!(last["result"]["content"][0]["text"], "finished", "{last}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_going_away_stops_its_call_behind_nginx() {
    if !nginx_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let behind = behind_nginx(dir.path()).await;
    let mut response = call_slow(&behind).await;
    first_sse_event(&mut response).await;
    drop(response);
    for _ in 0..100 {
        if behind.gate.abandoned.load(Ordering::SeqCst) == 1 {
            assert_eq!(behind.gate.finished.load(Ordering::SeqCst), 0);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the call kept running after its client went away");
}
