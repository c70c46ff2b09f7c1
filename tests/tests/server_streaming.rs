//! Tool handlers running behind a real loopback connection: notifications reach the client while
//! the tool is still running, a client going away stops its call under every revision (2026-07-28
//! calls that cancellation; under the legacy ones, which cancel with `notifications/cancelled`, the
//! answer would have nowhere to go, since no stream can be resumed), a call past the configured
//! time limit is stopped, and a panicking handler is an internal error, not a dropped connection.

mod server_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use mcp_scopes::registry::Registry;
use mcp_scopes::server::McpServerBuilder;
use mcp_scopes::tool::{Notifier, State};
use mcp_scopes::{tool, tools};
use mcp_scopes_tests::rpc_client::{first_sse_event, last_sse_event};
use mcp_scopes_tests::tool_gate::{Abandoned, Gate};
use serde_json::{Value, json};
use server_support::{TestServer, modern_request, server_with};

/// Sends progress every 20 ms until released.
#[tool(public)]
async fn slow(notifier: Notifier, State(gate): State<Gate>) -> String {
    let run = Abandoned::watch(&gate);
    let mut step = 0.0;
    loop {
        step += 1.0;
        gate.steps.fetch_add(1, Ordering::SeqCst);
        notifier.progress(step, None, Some("working"));
        tokio::select! {
            () = gate.release.notified() => break,
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
    }
    run.finish();
    "finished".to_owned()
}

/// A handler with a bug.
#[tool(public)]
async fn boom() -> String {
    panic!("bug in the tool")
}

struct Live {
    url: String,
    server: TestServer,
    gate: Gate,
    /// One token for every request, as a client holds one.
    token: String,
}

async fn start() -> Live {
    start_with(|b| b).await
}

async fn start_with(configure: impl FnOnce(McpServerBuilder) -> McpServerBuilder) -> Live {
    let gate = Gate::default();
    let registry = Registry::from_tools(tools![slow, boom]).expect("consistent");
    let state = gate.clone();
    let server = server_with(move |b| configure(b.registry(registry).state(state)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}/mcp", listener.local_addr().expect("address"));
    let router = server.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let token = server.token(&[]);
    Live {
        url,
        server,
        gate,
        token,
    }
}

impl Live {
    async fn post(&self, headers: &[(&'static str, String)], body: &Value) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(&self.url)
            .bearer_auth(&self.token)
            .header("accept", "application/json, text/event-stream")
            .json(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send().await.expect("the server answers")
    }

    /// Waits until the running tool was dropped (its client left), then releases it: a dropped
    /// tool never finishes.
    async fn stopped_without_finishing(&self) {
        self.wait_for(|g| g.abandoned.load(Ordering::SeqCst) == 1)
            .await;
        self.gate.release.notify_one();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(self.gate.finished.load(Ordering::SeqCst), 0);
    }

    async fn wait_for(&self, what: impl Fn(&Gate) -> bool) {
        for _ in 0..250 {
            if what(&self.gate) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("timed out");
    }

    /// Waits until the running tool has taken five more steps (about 100 ms of work): proof that it
    /// was not stopped, where a fixed sleep would only hope so.
    async fn still_running(&self) {
        let at = self.gate.steps.load(Ordering::SeqCst);
        self.wait_for(|g| g.steps.load(Ordering::SeqCst) >= at + 5)
            .await;
        assert_eq!(self.gate.abandoned.load(Ordering::SeqCst), 0);
    }
}

fn legacy_call() -> Value {
    json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","_meta":{"progressToken":"t"}}})
}

#[tokio::test]
async fn notifications_arrive_while_the_tool_runs_then_the_response() {
    let live = start().await;
    let mut response = live
        .post(
            &[("mcp-protocol-version", "2025-11-25".to_owned())],
            &legacy_call(),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let first = first_sse_event(&mut response).await;
    assert_eq!(first["method"], "notifications/progress");
    assert_eq!(
        live.gate.finished.load(Ordering::SeqCst),
        0,
        "the tool is still running"
    );
    live.gate.release.notify_one();
    let last = last_sse_event(response).await;
    assert_eq!(last["id"], 1);
    assert_eq!(last["result"]["content"][0]["text"], "finished");
}

#[tokio::test]
async fn closing_the_stream_cancels_a_2026_call() {
    let live = start().await;
    let (headers, mut body) = modern_request("tools/call", json!({"name":"slow"}));
    body["params"]["_meta"]["progressToken"] = json!(9);
    let mut response = live.post(&headers, &body).await;
    assert_eq!(
        first_sse_event(&mut response).await["params"]["progressToken"],
        9
    );
    drop(response);
    live.stopped_without_finishing().await;
}

#[tokio::test]
async fn a_legacy_call_stops_when_its_client_leaves() {
    let live = start().await;
    let mut response = live
        .post(
            &[("mcp-protocol-version", "2025-06-18".to_owned())],
            &legacy_call(),
        )
        .await;
    first_sse_event(&mut response).await;
    drop(response);
    live.stopped_without_finishing().await;
}

#[tokio::test]
async fn a_panicking_handler_is_an_internal_error() {
    let live = start().await;
    let body = json!({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"boom"}});
    let response = live.post(&[], &body).await;
    assert_eq!(response.status(), 200);
    let reply: Value = response.json().await.expect("a JSON-RPC error");
    assert_eq!(reply["id"], 3);
    assert_eq!(reply["error"]["code"], mcp_scopes::server::INTERNAL_ERROR);
    assert!(
        !reply.to_string().contains("bug in the tool"),
        "details stay in the log"
    );
    // The server keeps serving.
    let list = json!({"jsonrpc":"2.0","id":4,"method":"tools/list"});
    assert_eq!(live.post(&[], &list).await.status(), 200);
}

#[tokio::test]
async fn notifications_cancelled_stops_a_legacy_call_of_the_same_token() {
    let live = start().await;
    let legacy = [("mcp-protocol-version", "2025-11-25".to_owned())];
    let mut response = live.post(&legacy, &legacy_call()).await;
    first_sse_event(&mut response).await;
    let cancel = json!({"jsonrpc":"2.0","method":"notifications/cancelled",
        "params":{"requestId":1,"reason":"the user pressed stop"}});
    // Another token (another jti) cannot cancel someone else's request 1.
    let other = reqwest::Client::new()
        .post(&live.url)
        .bearer_auth(live.server.token(&[]))
        .header("mcp-protocol-version", "2025-11-25")
        .json(&cancel)
        .send()
        .await
        .expect("answered");
    assert_eq!(other.status(), 202);
    live.still_running().await;

    assert_eq!(live.post(&legacy, &cancel).await.status(), 202);
    live.wait_for(|g| g.abandoned.load(Ordering::SeqCst) == 1)
        .await;
    let last = last_sse_event(response).await;
    assert_eq!(last["id"], 1);
    assert_eq!(last["error"]["message"], "the request was cancelled");
    live.gate.release.notify_one();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(live.gate.finished.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_call_past_the_time_limit_is_stopped_with_a_readable_error() {
    let live = start_with(|b| b.call_timeout(Duration::from_millis(100))).await;
    let body = json!({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"slow"}});
    let started = std::time::Instant::now();
    let response = live.post(&[], &body).await;
    let reply: Value = response.json().await.expect("JSON");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(reply["result"]["isError"], true, "{reply}");
    assert_eq!(
        reply["result"]["content"][0]["text"],
        "the tool `slow` did not finish within 100ms and was stopped"
    );
    live.wait_for(|g| g.abandoned.load(Ordering::SeqCst) == 1)
        .await;
    assert_eq!(live.gate.finished.load(Ordering::SeqCst), 0);
}
