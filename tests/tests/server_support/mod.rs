//! The small database server the `server_*` suites run against, written the way a user writes one
//! (`#[scope]`, `#[tool]`, `tools![…]`), plus helpers to mint tokens and send MCP requests in process.

#![allow(dead_code, unreachable_pub)]
// `#[tool]` functions are async by contract, even those that never await.
#![allow(clippy::unused_async)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use http::Request;
use mcp_scopes::auth::{DevSigner, TokenClaims, ValidatorConfig};
use mcp_scopes::registry::Registry;
use mcp_scopes::server::{McpServer, McpServerBuilder};
use mcp_scopes::tool::{Args, LogLevel, Notifier, State, Structured};
use mcp_scopes::{scope, tool, tools};
pub use mcp_scopes_tests::http::Reply;
use mcp_scopes_tests::http::send;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const ISSUER: &str = "https://auth.example.test";
/// On loopback, so the DNS-rebinding `Host` check is on.
pub const RESOURCE: &str = "http://localhost:3000/mcp";
pub const HOST: &str = "localhost:3000";
pub const PRM_URL: &str = "http://localhost:3000/.well-known/oauth-protected-resource/mcp";

/// Read rows.
#[scope(name = "db:query", display_name = "Query the database", baseline)]
pub struct DbQuery;

/// Insert, update and delete rows.
#[scope(name = "db:modify", display_name = "Change rows", implies = [DbQuery])]
pub struct DbModify;

/// Everything, including schema changes.
#[scope(name = "db:admin", display_name = "Administer the database", implies = [DbModify])]
pub struct DbAdmin;

/// Counts handler runs, to prove the gate stops calls before the handler.
#[derive(Clone, Default)]
pub struct Calls(pub Arc<AtomicUsize>);

impl Calls {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct QueryInput {
    /// The SQL to run.
    pub sql: String,
}

#[derive(Serialize, JsonSchema)]
pub struct Rows {
    pub rows: Vec<String>,
}

/// Runs a read-only query.
#[tool(scope = DbQuery, read_only)]
async fn query(Args(input): Args<QueryInput>, State(calls): State<Calls>) -> Structured<Rows> {
    calls.0.fetch_add(1, Ordering::SeqCst);
    Structured(Rows {
        rows: vec![format!("ran: {}", input.sql)],
    })
}

#[derive(Deserialize, JsonSchema)]
pub struct InsertInput {
    /// The row to insert.
    pub row: String,
}

/// Inserts a row.
#[tool(scope = DbModify, destructive = false)]
async fn insert(
    Args(input): Args<InsertInput>,
    State(calls): State<Calls>,
) -> Result<String, String> {
    calls.0.fetch_add(1, Ordering::SeqCst);
    if input.row.is_empty() {
        return Err("an empty row cannot be inserted".to_owned());
    }
    Ok(format!("inserted {}", input.row))
}

/// Deletes every row.
#[tool(scope = DbAdmin, destructive, idempotent)]
async fn reset(State(calls): State<Calls>) -> &'static str {
    calls.0.fetch_add(1, Ordering::SeqCst);
    "reset"
}

/// Reports the server's status, with progress and log notifications along the way.
#[tool(public, title = "Server status")]
async fn status(notifier: Notifier) -> String {
    notifier.progress(1.0, Some(2.0), Some("checking"));
    notifier.log(LogLevel::Debug, Some("status"), json!("debug detail"));
    notifier.log(LogLevel::Warning, Some("status"), json!("disk almost full"));
    tokio::task::yield_now().await;
    notifier.progress(2.0, Some(2.0), None);
    "all good".to_owned()
}

pub fn registry() -> Registry {
    Registry::from_tools(tools![query, insert, reset, status])
        .expect("the test registry is consistent")
}

/// A server under test: its router, its signing key and its handler counter.
pub struct TestServer {
    pub router: Router,
    pub signer: Arc<DevSigner>,
    pub calls: Calls,
}

pub fn server() -> TestServer {
    server_with(|b| b)
}

pub fn server_with(configure: impl FnOnce(McpServerBuilder) -> McpServerBuilder) -> TestServer {
    server_of(registry(), configure)
}

/// A server of `registry` (e.g. with resources and prompts), configured by `configure`.
pub fn server_of(
    registry: Registry,
    configure: impl FnOnce(McpServerBuilder) -> McpServerBuilder,
) -> TestServer {
    let signer = Arc::new(DevSigner::generate());
    let calls = Calls::default();
    let builder = McpServer::builder()
        .info("db-test", "0.9.0")
        .instructions("Query with `query`, change rows with `insert`.")
        .auth(ValidatorConfig::new(ISSUER, RESOURCE).static_jwks(signer.jwks()))
        .registry(registry)
        .state(calls.clone());
    let router = configure(builder)
        .build()
        .expect("the test server builds")
        .into_router();
    TestServer {
        router,
        signer,
        calls,
    }
}

impl TestServer {
    pub fn token(&self, scopes: &[&str]) -> String {
        self.signer
            .mint(
                &TokenClaims::new(ISSUER, RESOURCE)
                    .subject("alice")
                    .scopes(scopes.iter().copied())
                    .claim("azp", "client-1"),
            )
            .expect("a test token")
    }

    /// Sends `body` with `headers` (a default `Host`, `Content-Type` and `Accept` unless given).
    /// Serves the router on a loopback port with [`mcp_scopes::server::serve`] (real TCP, so the
    /// server sees the peer's address); the server task ends with the test's runtime.
    pub async fn listen(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(mcp_scopes::server::serve(listener, self.router.clone()).into_future());
        addr
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        self.send_bytes(method, path, headers, body.as_bytes().to_vec())
            .await
    }

    /// [`Self::send`] with a body that need not be UTF-8.
    pub async fn send_bytes(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::from(body))
            .expect("a valid request");
        let defaults = [
            ("host", HOST),
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ];
        for (name, value) in defaults.iter().chain(headers) {
            let name = http::HeaderName::from_bytes(name.as_bytes()).expect("header name");
            request
                .headers_mut()
                .insert(name, value.parse().expect("header value"));
        }
        send(&self.router, request).await
    }

    /// POSTs a JSON-RPC message to `/mcp` with a bearer token granting `scopes`.
    pub async fn post(&self, scopes: &[&str], headers: &[(&str, &str)], body: &Value) -> Reply {
        let auth = format!("Bearer {}", self.token(scopes));
        let mut all = vec![("authorization", auth.as_str())];
        all.extend_from_slice(headers);
        self.send("POST", "/mcp", &all, &body.to_string()).await
    }

    /// A 2025-11-25 request (header set, as after `initialize`) sent with `token` as it is.
    pub async fn legacy_with_token(&self, token: &str, method: &str, params: Value) -> Reply {
        let auth = format!("Bearer {token}");
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let headers = [
            ("authorization", auth.as_str()),
            ("mcp-protocol-version", "2025-11-25"),
        ];
        self.send("POST", "/mcp", &headers, &body.to_string()).await
    }

    /// A 2025-11-25 request (header set, as after `initialize`).
    pub async fn legacy(&self, scopes: &[&str], method: &str, params: Value) -> Reply {
        self.post(
            scopes,
            &[("mcp-protocol-version", "2025-11-25")],
            &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}),
        )
        .await
    }

    /// A 2026-07-28 request with the required `_meta` and mirrored headers.
    pub async fn modern(&self, scopes: &[&str], method: &str, params: Value) -> Reply {
        let (headers, body) = modern_request(method, params);
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post(scopes, &headers, &body).await
    }

    /// `tools/call` at 2025-11-25.
    pub async fn call(&self, scopes: &[&str], tool: &str, arguments: Value) -> Reply {
        self.legacy(
            scopes,
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
        )
        .await
    }
}

/// Headers and body of a well-formed 2026-07-28 request.
pub fn modern_request(method: &str, mut params: Value) -> (Vec<(&'static str, String)>, Value) {
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2026-07-28");
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({});
    params["_meta"]["io.modelcontextprotocol/clientInfo"] = json!({"name": "t", "version": "1"});
    let mut headers = vec![
        ("mcp-protocol-version", "2026-07-28".to_owned()),
        ("mcp-method", method.to_owned()),
    ];
    // `Mcp-Name` mirrors the tool or prompt name, or the URI a `resources/read` reads.
    let name_field = if method == "resources/read" {
        "uri"
    } else {
        "name"
    };
    if let Some(name) = params.get(name_field).and_then(Value::as_str) {
        headers.push(("mcp-name", name.to_owned()));
    }
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    (headers, body)
}
