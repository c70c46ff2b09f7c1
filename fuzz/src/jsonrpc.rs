//! Target `jsonrpc`: a POST to `/mcp` of the db-server example (its real registry and a seeded
//! SQLite file), driven in process through the axum router, with a token granting `db:query` only.
//!
//! The first byte picks how the request is framed:
//! - 0: no `MCP-Protocol-Version` header; 1, 2, 3: `2025-03-26`, `2025-06-18`, `2025-11-25`;
//! - 4: `2026-07-28` with `Mcp-Method` and `Mcp-Name` mirrored from the body when it parses;
//! - 5: `2026-07-28` with `Mcp-Method` and `Mcp-Name` taken from the input (NUL-separated before
//!   the body), so they may disagree with it.
//!
//! The second byte's low bits choose `Accept` (JSON only, or JSON and SSE) and `Content-Type`. The
//! rest is the body.
//!
//! Invariants: no 5xx; a JSON answer is JSON (JSON-RPC 2.0 when it is an object with `jsonrpc`),
//! every SSE event is JSON; a tool that needs more than `db:query` never returns a result; and the
//! database file never changes (checked every [`DIGEST_EVERY`] inputs).

use std::sync::LazyLock;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use db_server::db::{Database, Limits};
use http::Request;
use http_body_util::BodyExt as _;
use mcp_scopes::auth::{DevSigner, TokenClaims, ValidatorConfig};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt as _;

use crate::support::{RUNTIME, UnchangedDatabase, split_at_byte};

const ISSUER: &str = "https://issuer.fuzz";
const RESOURCE: &str = "http://localhost:3000/mcp";
const HOST: &str = "localhost:3000";
/// How often the database file's digest is compared with the one taken at start.
pub const DIGEST_EVERY: u64 = 256;
/// Tools that need more than `db:query`.
const WRITE_TOOLS: [&str; 5] = [
    "execute",
    "create_table",
    "create_index",
    "drop_table",
    "drop_index",
];
const VERSIONS: [&str; 4] = ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"];

struct Fixture {
    _dir: TempDir,
    database: UnchangedDatabase,
    router: Router,
    authorization: String,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(db_server::DATABASE_FILE);
    let limits = Limits {
        // Keeps slow SQL from slowing the run; the limit itself is what is being exercised.
        time_limit: Duration::from_millis(200),
        ..Limits::default()
    };
    let db = Database::open_with_limits(&path, limits).expect("the example database");
    let signer = DevSigner::generate();
    let router = RUNTIME.block_on(async {
        db_server::server_builder(db)
            .auth(ValidatorConfig::new(ISSUER, RESOURCE).static_jwks(signer.jwks()))
            .registry(db_server::tools::registry().expect("the example registry"))
            .build()
            .expect("the example server builds")
            .into_router()
    });
    let token = signer
        .mint(
            &TokenClaims::new(ISSUER, RESOURCE)
                .subject("fuzz")
                .scopes(["db:query"]),
        )
        .expect("a token");
    Fixture {
        _dir: dir,
        database: UnchangedDatabase::new(&path, DIGEST_EVERY),
        router,
        authorization: format!("Bearer {token}"),
    }
});

/// Runs one input.
pub fn check(data: &[u8]) {
    let fixture = &*FIXTURE;
    let [mode, flags, rest @ ..] = data else {
        return;
    };
    let (request, body) = request(fixture, *mode, *flags, rest);
    let Ok(request) = request.body(Body::from(body.clone())) else {
        // Header values the fuzzer made that `http` refuses never reach a server.
        return;
    };
    let (status, text, content_type) = RUNTIME.block_on(async {
        let response = fixture
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("a readable body").to_bytes();
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (parts.status, bytes, content_type)
    });
    assert!(
        !status.is_server_error(),
        "{status} for {:?}",
        String::from_utf8_lossy(&body)
    );
    // Request ids are echoed byte for byte (`request_id.rs`), so an id serde_json cannot read as a
    // number (`1e999`) comes back as sent: tolerated only when the request itself had one.
    let sent_unreadable = serde_json::from_slice::<Value>(&body).is_err();
    let messages = answers(&text, &content_type, sent_unreadable);
    if let Ok(sent @ Value::Object(_)) = serde_json::from_slice::<Value>(&body) {
        let tool = sent["params"]["name"].as_str().unwrap_or_default();
        if sent["method"] == "tools/call" && WRITE_TOOLS.contains(&tool) {
            for message in &messages {
                let result = &message["result"];
                assert!(
                    result.is_null() || result["isError"] == true,
                    "{tool} ran with a db:query token: {message}"
                );
            }
        }
    }
    if fixture.database.due() {
        fixture
            .database
            .assert_unchanged("a request with a db:query token");
    }
}

fn request(
    fixture: &Fixture,
    mode: u8,
    flags: u8,
    rest: &[u8],
) -> (http::request::Builder, Vec<u8>) {
    let accept = if flags & 1 == 0 {
        "application/json, text/event-stream"
    } else {
        "application/json"
    };
    let mut request = Request::post("/mcp")
        .header("host", HOST)
        .header("authorization", &fixture.authorization)
        .header("accept", accept);
    match (flags >> 1) & 3 {
        0 => request = request.header("content-type", "application/json"),
        1 => request = request.header("content-type", "application/json; charset=utf-8"),
        2 => {}
        _ => request = request.header("content-type", "text/plain"),
    }
    match mode % 6 {
        0 => (request, rest.to_vec()),
        version @ 1..=3 => (
            request.header("mcp-protocol-version", VERSIONS[usize::from(version - 1)]),
            rest.to_vec(),
        ),
        4 => {
            request = request.header("mcp-protocol-version", VERSIONS[3]);
            if let Ok(sent @ Value::Object(_)) = serde_json::from_slice::<Value>(rest)
                && let Some(method) = sent["method"].as_str()
            {
                request = request.header("mcp-method", method);
                let field = if method == "resources/read" {
                    "uri"
                } else {
                    "name"
                };
                if let Some(name) = sent["params"][field].as_str() {
                    request = request.header("mcp-name", name);
                }
            }
            (request, rest.to_vec())
        }
        _ => {
            let (method, rest) = split_at_byte(rest, 0);
            let (name, body) = split_at_byte(rest, 0);
            request = request
                .header("mcp-protocol-version", VERSIONS[3])
                .header("mcp-method", method)
                .header("mcp-name", name);
            (request, body.to_vec())
        }
    }
}

/// The JSON-RPC messages of an answer, asserting each is well formed.
fn answers(body: &[u8], content_type: &str, sent_unreadable: bool) -> Vec<Value> {
    if body.is_empty() {
        return Vec::new();
    }
    let text = std::str::from_utf8(body).expect("answers are UTF-8");
    let messages: Vec<Value> = if content_type.starts_with("text/event-stream") {
        text.split("\n\n")
            .filter_map(|event| event.lines().find_map(|l| l.strip_prefix("data: ")))
            .map(|data| serde_json::from_str(data).expect("each SSE event is JSON"))
            .collect()
    } else if content_type.starts_with("application/json") {
        match serde_json::from_str(text) {
            Ok(answer) => vec![answer],
            Err(e) if sent_unreadable && e.to_string().contains("number out of range") => {
                Vec::new()
            }
            Err(e) => panic!("a JSON answer is not JSON ({e}): {text}"),
        }
    } else {
        Vec::new()
    };
    for message in &messages {
        if let Some(version) = message.get("jsonrpc") {
            assert_eq!(version, "2.0", "{message}");
            if message.get("method").is_some() {
                continue; // a notification or request from the server
            }
            assert!(
                message.get("result").is_some() != message.get("error").is_some(),
                "a response has exactly one of result and error: {message}"
            );
        }
    }
    messages
}
