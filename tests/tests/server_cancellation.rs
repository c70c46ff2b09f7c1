//! Who may cancel a running legacy call with `notifications/cancelled`: only the same caller
//! (issuer, subject, client) with the same token `jti`; a token of another subject that carries
//! the same `jti` cannot. A request id the caller reused still cancels the call that is running,
//! and the id is matched as the exact text sent (ids beyond 64 bits included).

mod server_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_scopes::auth::TokenClaims;
use mcp_scopes::registry::Registry;
use mcp_scopes::server::serve;
use mcp_scopes::tool::State;
use mcp_scopes::{tool, tools};
use serde_json::{Value, json};
use server_support::{ISSUER, RESOURCE, TestServer, server_with};

/// What the waiting tool reports.
#[derive(Clone, Default)]
struct Runs {
    started: Arc<AtomicUsize>,
    abandoned: Arc<AtomicUsize>,
}

/// Counts a run dropped before it finished.
struct Abandoned(Runs);

impl Drop for Abandoned {
    fn drop(&mut self) {
        self.0.abandoned.fetch_add(1, Ordering::SeqCst);
    }
}

/// Runs until cancelled.
#[tool(public)]
async fn wait(State(runs): State<Runs>) -> String {
    runs.started.fetch_add(1, Ordering::SeqCst);
    let _abandoned = Abandoned(runs);
    std::future::pending().await
}

/// Answers at once.
#[tool(public)]
async fn quick() -> &'static str {
    "quick"
}

struct Live {
    addr: SocketAddr,
    server: TestServer,
    runs: Runs,
    client: reqwest::Client,
}

async fn start() -> Live {
    let runs = Runs::default();
    let registry = Registry::from_tools(tools![wait, quick]).expect("consistent");
    let state = runs.clone();
    let server = server_with(move |b| b.registry(registry).state(state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(serve(listener, server.router.clone()).into_future());
    Live {
        addr,
        server,
        runs,
        client: reqwest::Client::new(),
    }
}

impl Live {
    fn token(&self, subject: &str, jti: &str) -> String {
        self.server
            .signer
            .mint(
                &TokenClaims::new(ISSUER, RESOURCE)
                    .subject(subject)
                    .claim("azp", "client-1")
                    .claim("jti", jti),
            )
            .expect("a token")
    }

    async fn post(&self, token: &str, body: &Value) -> reqwest::Response {
        self.post_text(token, body.to_string()).await
    }

    async fn post_text(&self, token: &str, body: String) -> reqwest::Response {
        self.client
            .post(format!("http://{}/mcp", self.addr))
            .bearer_auth(token)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-11-25")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the server answers")
    }

    /// Starts `tool` under request `id` (JSON text, sent as it is) and leaves it running (the
    /// reply is awaited elsewhere).
    fn start_call(self: &Arc<Self>, token: &str, tool: &str, id: &str) {
        let (live, token) = (Arc::clone(self), token.to_owned());
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}"}}}}"#
        );
        tokio::spawn(async move {
            let _ = live.post_text(&token, body).await.text().await;
        });
    }

    /// Cancels request `id` (JSON text, sent as it is).
    async fn cancel(&self, token: &str, id: &str) {
        let body = format!(
            r#"{{"jsonrpc":"2.0","method":"notifications/cancelled","params":{{"requestId":{id}}}}}"#
        );
        assert_eq!(self.post_text(token, body).await.status(), 202);
    }

    async fn wait_until(&self, what: impl Fn(&Runs) -> bool) {
        for _ in 0..250 {
            if what(&self.runs) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("timed out");
    }
}

#[tokio::test]
async fn another_subject_with_the_same_jti_cannot_cancel_a_call() {
    let live = Arc::new(start().await);
    let alice = live.token("alice", "shared-jti");
    let mallory = live.token("mallory", "shared-jti");
    live.start_call(&alice, "wait", "5");
    live.wait_until(|r| r.started.load(Ordering::SeqCst) == 1)
        .await;

    live.cancel(&mallory, "5").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        live.runs.abandoned.load(Ordering::SeqCst),
        0,
        "another subject's token cancelled alice's call"
    );

    live.cancel(&alice, "5").await;
    live.wait_until(|r| r.abandoned.load(Ordering::SeqCst) == 1)
        .await;
}

#[tokio::test]
async fn a_reused_request_id_still_cancels_the_call_that_is_running() {
    let live = Arc::new(start().await);
    let alice = live.token("alice", "j1");
    live.start_call(&alice, "wait", "7");
    live.wait_until(|r| r.started.load(Ordering::SeqCst) == 1)
        .await;
    // The same id again, for a call that finishes at once.
    let quick = json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"quick"}});
    let answer: Value = live.post(&alice, &quick).await.json().await.expect("JSON");
    assert_eq!(answer["result"]["content"][0]["text"], "quick");

    live.cancel(&alice, "7").await;
    live.wait_until(|r| r.abandoned.load(Ordering::SeqCst) == 1)
        .await;
}

#[tokio::test]
async fn cancellation_matches_the_request_id_text_exactly() {
    // Each pair is the same number once read as an f64, which is how ids were once compared.
    for (running, near) in [
        ("12345678901234567890123", "12345678901234567890124"),
        ("1E2", "100.0"),
        ("-18446744073709551617", "-18446744073709551616"),
    ] {
        let live = Arc::new(start().await);
        let alice = live.token("alice", "j1");
        live.start_call(&alice, "wait", running);
        live.wait_until(|r| r.started.load(Ordering::SeqCst) == 1)
            .await;
        live.cancel(&alice, near).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            live.runs.abandoned.load(Ordering::SeqCst),
            0,
            "cancelling {near} stopped the call {running}"
        );
        live.cancel(&alice, running).await;
        live.wait_until(|r| r.abandoned.load(Ordering::SeqCst) == 1)
            .await;
    }
}
