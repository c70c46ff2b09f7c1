//! The audit summaries of what is not logged line by line (issue "log flooding without a token"):
//! requests without a token are counted and the count logged at INFO at the end of the window, and
//! a peer's refusals beyond its budget are counted in a WARN line at the end of its window, even
//! when nothing follows the burst (a burst followed by silence used to go unreported). What is
//! still counted when the server goes is logged then. A short window (`audit_window`) keeps the
//! waits short.

mod audit_support;
mod server_support;

use std::time::Duration;

use audit_support::{Line, audited};
use server_support::{server, server_with};
use tracing::Level;

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

/// The INFO summaries of requests without a token among `lines`.
fn unauthenticated_summaries(lines: &[Line]) -> Vec<&Line> {
    lines
        .iter()
        .filter(|l| l.level() == "INFO" && l.get("reason") == "no_credentials")
        .collect()
}

fn counted(summaries: &[&Line]) -> u64 {
    summaries
        .iter()
        .map(|l| l.get("count").parse::<u64>().expect("a count"))
        .sum()
}

#[tokio::test]
async fn a_burst_without_a_token_then_silence_is_summarized_at_the_end_of_the_window() {
    let s = server_with(|b| b.audit_window(Duration::from_millis(200)));
    let lines = audited(Level::INFO, || async {
        for _ in 0..30 {
            assert_eq!(s.send("POST", "/mcp", &[], PING).await.status, 401);
        }
        // Silence: no request follows the burst.
        tokio::time::sleep(Duration::from_millis(700)).await;
    })
    .await;
    let summaries = unauthenticated_summaries(&lines);
    assert!(!summaries.is_empty(), "no summary: {lines:#?}");
    // A window may end during the burst: then two lines share the count, never more or less.
    assert!(summaries.len() <= 2, "{summaries:#?}");
    assert_eq!(counted(&summaries), 30, "{summaries:#?}");
    for line in &summaries {
        assert_eq!(line.get("decision"), "deny");
        assert_ne!(line.get("count"), "0", "an empty window is not logged");
    }
    assert_eq!(
        lines.len(),
        summaries.len(),
        "only the summaries: {lines:#?}"
    );
}

#[tokio::test]
async fn what_is_still_counted_when_the_server_goes_is_logged_then() {
    // The default window (a minute) never ends within the test.
    let s = server();
    let lines = audited(Level::INFO, || async {
        for _ in 0..7 {
            assert_eq!(s.send("POST", "/mcp", &[], PING).await.status, 401);
        }
        drop(s);
    })
    .await;
    let summaries = unauthenticated_summaries(&lines);
    assert_eq!(summaries.len(), 1, "{lines:#?}");
    assert_eq!(summaries[0].get("count"), "7");
}

/// Refusals over the per-peer budget, from a real TCP peer: the budget's lines, then at the end of
/// the window one line with the address and how many were left out.
#[tokio::test]
async fn refusals_left_out_are_counted_at_the_end_of_the_peers_window() {
    let s = server_with(|b| {
        b.refusals_logged_per_peer(3)
            .audit_window(Duration::from_millis(200))
    });
    let addr = s.listen().await;
    let client = reqwest::Client::new();
    let lines = audited(Level::INFO, || async {
        for _ in 0..10 {
            let reply = client
                .post(format!("http://{addr}/mcp"))
                .header("origin", "https://evil.example")
                .header("content-type", "application/json")
                .body(PING)
                .send()
                .await
                .expect("an answer");
            assert_eq!(reply.status(), 403);
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
    })
    .await;
    let refusals: Vec<&Line> = lines
        .iter()
        .filter(|l| l.get("reason") == "origin_not_allowed")
        .collect();
    let summaries: Vec<&Line> = lines
        .iter()
        .filter(|l| l.get("reason") == "refusals_suppressed")
        .collect();
    // A window may end during the burst; every refusal is either logged or counted, once.
    let left_out: u64 = summaries
        .iter()
        .map(|l| l.get("suppressed").parse::<u64>().expect("a count"))
        .sum::<u64>()
        + refusals
            .iter()
            .map(|l| l.get("suppressed").parse::<u64>().expect("a count"))
            .sum::<u64>();
    assert!(refusals.len() >= 3, "{lines:#?}");
    assert_eq!(refusals.len() as u64 + left_out, 10, "{lines:#?}");
    assert!(!summaries.is_empty(), "no summary: {lines:#?}");
    for summary in &summaries {
        assert_eq!(summary.level(), "WARN");
        assert_eq!(summary.get("decision"), "deny");
        assert_eq!(summary.get("peer"), "127.0.0.1");
    }
}
