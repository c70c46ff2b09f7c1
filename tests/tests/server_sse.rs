//! Which replies stream: a tool's notifications go out as Server-Sent Events followed by the
//! response, a 2026-07-28 client gets log messages only at a level it asked for, and a client that
//! accepts only JSON gets JSON. Delivery over a real connection is in `server_streaming.rs`.

mod server_support;

use http::StatusCode;
use mcp_scopes::server::INVALID_PARAMS;
use serde_json::{Value, json};
use server_support::server;

const ALL: &[&str] = &["db:admin"];

#[tokio::test]
async fn notifications_from_a_tool_stream_as_sse_then_the_response() {
    let s = server();
    let reply = s
        .legacy(
            ALL,
            "tools/call",
            json!({"name":"status","_meta":{"progressToken":"p1"}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    assert_eq!(reply.header("x-accel-buffering"), Some("no"));
    let events = reply.events();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["method"].as_str().unwrap_or("response"))
        .collect();
    assert_eq!(
        kinds,
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
        json!({"progressToken":"p1","progress":1.0,"total":2.0,"message":"checking"})
    );
    assert_eq!(
        events[2]["params"],
        json!({"level":"warning","logger":"status","data":"disk almost full"})
    );
    assert_eq!(
        events[4],
        json!({"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"all good"}]}})
    );
}

#[tokio::test]
async fn modern_log_messages_need_a_requested_level() {
    let s = server();
    let reply = s
        .modern(
            ALL,
            "tools/call",
            json!({"name":"status","_meta":{"io.modelcontextprotocol/logLevel":"info"}}),
        )
        .await;
    let events = reply.events();
    let logs: Vec<&Value> = events
        .iter()
        .filter(|e| e["method"] == "notifications/message")
        .collect();
    assert_eq!(
        logs.len(),
        1,
        "only the warning is at or above info: {events:?}"
    );
    assert_eq!(
        logs[0]["params"],
        json!({"level":"warning","logger":"status","data":"disk almost full"})
    );
    assert_eq!(events.last().unwrap()["result"]["resultType"], "complete");
    // No level, no progress token: nothing to stream.
    let reply = s.modern(ALL, "tools/call", json!({"name":"status"})).await;
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json()["result"]["content"][0]["text"], "all good");
    let reply = s
        .modern(
            ALL,
            "tools/call",
            json!({"name":"status","_meta":{"io.modelcontextprotocol/logLevel":"loud"}}),
        )
        .await;
    assert_eq!(reply.error_code(), Some(INVALID_PARAMS));
}

#[tokio::test]
async fn a_client_accepting_only_json_gets_json() {
    let s = server();
    let reply = s
        .post(
            ALL,
            &[("accept", "application/json")],
            &json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"status","_meta":{"progressToken":1}}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    // The response alone, its notifications dropped: the tool's result, not an error.
    assert_eq!(
        reply.json(),
        json!({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"all good"}]}})
    );
}
