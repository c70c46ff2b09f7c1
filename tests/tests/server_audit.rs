//! Audit events of the scope gate: every decision is logged on `mcp_scopes::audit` with the tool,
//! required and granted scopes, subject, client and token id, and never the token itself.

mod server_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use server_support::server;
use tracing_subscriber::fmt::MakeWriter;

/// Collects formatted log output in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn each_gate_decision_is_audited_without_the_token() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // The test runtime is single-threaded, so the handler tasks see this default too.
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = server();
    let token = s.token(&["db:query"]);
    let call = |tool: &str| {
        json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":tool,"arguments":{"row":"r","sql":"s"}}})
            .to_string()
    };
    let auth = format!("Bearer {token}");
    let denied = s
        .send("POST", "/mcp", &[("authorization", &auth)], &call("insert"))
        .await;
    assert_eq!(denied.status, 403);
    let allowed = s
        .send("POST", "/mcp", &[("authorization", &auth)], &call("query"))
        .await;
    assert_eq!(allowed.status, 200);

    let log = captured.text();
    let deny = log
        .lines()
        .find(|l| l.contains("mcp_scopes::audit") && l.contains("insufficient_scope"))
        .unwrap_or_else(|| panic!("no denial event in:\n{log}"));
    for part in [
        "tool=\"insert\"",
        "subject=\"alice\"",
        "client_id=\"client-1\"",
        "jti=\"dev/",
        "required=db:modify",
        "granted=db:query",
    ] {
        assert!(deny.contains(part), "{part} missing from: {deny}");
    }
    let allow = log
        .lines()
        .find(|l| l.contains("mcp_scopes::audit") && l.contains("scope_granted"))
        .unwrap_or_else(|| panic!("no allow event in:\n{log}"));
    assert!(allow.contains("tool=\"query\""), "{allow}");
    assert!(allow.contains("required=db:query"), "{allow}");
    let signature = token.rsplit('.').next().unwrap_or_default();
    assert!(!log.contains(signature), "the token leaked into the log");
}
