//! One token cannot take the server for itself: 500 parallel heavy calls from one caller run at
//! most the per-caller limit at a time (the rest get 429 with `Retry-After` at once), memory stays
//! bounded, and another caller is answered while they still hold every place the first caller has
//! (the heavy calls run until the test releases them, so no clock decides). A call that never ends
//! is stopped by the default call timeout.
//!
//! Alone in its test binary so that the process's memory is this test's.

mod server_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_scopes::auth::TokenClaims;
use mcp_scopes::registry::Registry;
use mcp_scopes::server::{DEFAULT_MAX_CALLS_PER_CALLER, TOO_MANY_CALLS};
use mcp_scopes::tool::State;
use mcp_scopes::{tool, tools};
use serde_json::{Value, json};
use server_support::{ISSUER, RESOURCE, server_with};

/// How much each heavy call holds while it runs.
const HELD_BYTES: usize = 1 << 20;

/// What the heavy tool reports about its runs.
#[derive(Clone, Default)]
struct Load {
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    /// Set by the test once another caller was answered: the heavy calls then end.
    released: Arc<AtomicBool>,
}

/// Counts a run from its start to its end, however it ends.
struct Running(Load);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Holds 1 MiB and a blocking thread until the test releases it (at most 30 s), as a large query
/// does.
#[tool(public)]
async fn heavy(State(load): State<Load>) -> String {
    let now = load.running.fetch_add(1, Ordering::SeqCst) + 1;
    load.most.fetch_max(now, Ordering::SeqCst);
    let released = Arc::clone(&load.released);
    let _running = Running(load);
    let held = vec![1_u8; HELD_BYTES];
    let sum = tokio::task::spawn_blocking(move || {
        let cap = Instant::now() + Duration::from_secs(30);
        while !released.load(Ordering::SeqCst) && Instant::now() < cap {
            std::thread::sleep(Duration::from_millis(10));
        }
        held.iter().map(|b| usize::from(*b)).sum::<usize>()
    })
    .await
    .unwrap_or_default();
    format!("held {sum} bytes")
}

/// Never finishes on its own.
#[tool(public)]
async fn forever() -> String {
    std::future::pending().await
}

/// Answers at once.
#[tool(public)]
async fn quick() -> &'static str {
    "quick"
}

/// The resident memory of this process, in bytes (Linux), or `None` elsewhere.
fn resident_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn call(tool: &str, id: u64) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool}})
}

async fn post(
    client: &reqwest::Client,
    addr: SocketAddr,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    client
        .post(format!("http://{addr}/mcp"))
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(body)
        .send()
        .await
        .expect("the server answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_heavy_calls_from_one_token_leave_room_for_another_caller() {
    let load = Load::default();
    let registry = Registry::from_tools(tools![heavy, quick]).expect("consistent");
    let state = load.clone();
    let s = server_with(move |b| b.registry(registry).state(state));
    let alice = s.token(&[]);
    let bob = s
        .signer
        .mint(
            &TokenClaims::new(ISSUER, RESOURCE)
                .subject("bob")
                .claim("azp", "client-1"),
        )
        .expect("a token");
    let addr = s.listen().await;
    let client = reqwest::Client::new();
    // Warm up (connection pool, token cache) before measuring memory.
    assert_eq!(
        post(&client, addr, &bob, &call("quick", 0)).await.status(),
        200
    );
    let before = resident_bytes();

    let answered = Arc::new(AtomicUsize::new(0));
    let flood: Vec<_> = (1..=500)
        .map(|id| {
            let (client, alice) = (client.clone(), alice.clone());
            let answered = Arc::clone(&answered);
            tokio::spawn(async move {
                let response = post(&client, addr, &alice, &call("heavy", id)).await;
                answered.fetch_add(1, Ordering::SeqCst);
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap_or_default().to_owned());
                let body: Value = response.json().await.unwrap_or(Value::Null);
                (id, status, retry_after, body)
            })
        })
        .collect();
    // Once every request of the flood has met the limit (running, or answered: the refusals
    // come at once), bob is served at once while alice's calls hold every place she has. (The
    // first moments, when 500 requests are read and their tokens checked, measure the machine.)
    let deadline = Instant::now() + Duration::from_secs(10);
    while load.running.load(Ordering::SeqCst) + answered.load(Ordering::SeqCst) < 500 {
        assert!(Instant::now() < deadline, "the flood was never taken in");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        load.running.load(Ordering::SeqCst) > 0,
        "the heavy calls ended before another caller could be tried"
    );
    // The heavy calls hold their places until released below: bob is answered only if he needs
    // none of alice's places. (20 s is far below their 30 s cap, so a bob queued behind them
    // fails here instead of being served once they give up.)
    let answer = tokio::time::timeout(
        Duration::from_secs(20),
        post(&client, addr, &bob, &call("quick", 1000)),
    )
    .await
    .expect("another caller was kept waiting behind the heavy calls");
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.expect("JSON");
    assert_eq!(answer["result"]["content"][0]["text"], "quick");
    let during = resident_bytes();
    load.released.store(true, Ordering::SeqCst);

    let mut ok = 0;
    let mut refused = 0;
    for task in flood {
        let (id, status, retry_after, body) = task.await.expect("no panic");
        match status {
            200 => {
                ok += 1;
                assert_eq!(body["result"]["content"][0]["text"], "held 1048576 bytes");
            }
            429 => {
                refused += 1;
                assert_eq!(retry_after.as_deref(), Some("1"), "{body}");
                assert_eq!(body["id"], id, "{body}");
                assert_eq!(body["error"]["code"], TOO_MANY_CALLS, "{body}");
                let message = body["error"]["message"].as_str().unwrap_or_default();
                assert!(message.contains("too many tool calls"), "{message}");
            }
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    let most = load.most.load(Ordering::SeqCst);
    assert!(
        most <= DEFAULT_MAX_CALLS_PER_CALLER,
        "{most} heavy calls ran at once"
    );
    assert!(ok >= DEFAULT_MAX_CALLS_PER_CALLER, "{ok} served");
    assert_eq!(ok + refused, 500);
    if let (Some(before), Some(during)) = (before, during) {
        let grown = during.saturating_sub(before);
        // 16 calls hold 16 MiB; 500 unbounded ones would hold 500 MiB.
        assert!(grown < 128 << 20, "memory grew by {} MiB", grown >> 20);
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_that_never_ends_is_stopped_after_a_minute_by_default() {
    let registry = Registry::from_tools(tools![forever]).expect("consistent");
    let s = server_with(move |b| b.registry(registry));
    let started = tokio::time::Instant::now();
    let reply = s.call(&[], "forever", json!({})).await;
    assert_eq!(reply.status, 200);
    let result = &reply.json()["result"];
    assert_eq!(result["isError"], true, "{}", reply.text);
    let text = result["content"][0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("did not finish within 60s"), "{text}");
    assert_eq!(started.elapsed().as_secs(), 60);
}

#[test]
#[should_panic(expected = "max_calls_per_caller must be at least 1")]
fn a_limit_of_zero_calls_is_refused() {
    drop(mcp_scopes::server::McpServer::builder().max_calls_per_caller(Some(0)));
}
