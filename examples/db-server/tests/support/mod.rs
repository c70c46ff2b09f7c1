//! Starts the example server in-process on 127.0.0.1:0 with a development key, mints tokens, and
//! speaks MCP over HTTP to it, as a client would.

#![allow(dead_code, unreachable_pub)] // each test file uses a different part

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use db_server::db::{Database, Limits};
use mcp_scopes::auth::{DevSigner, TokenClaims, ValidatorConfig};
pub use mcp_scopes_tests::rpc_client::Reply;
use mcp_scopes_tests::rpc_client::rpc;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server.
pub struct TestServer {
    pub endpoint: String,
    pub resource: String,
    pub data_dir: PathBuf,
    signer: DevSigner,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts the server on the database in `data_dir` (created and seeded on first use).
    pub async fn start(data_dir: &Path) -> Self {
        Self::start_with_limits(data_dir, Limits::default()).await
    }

    /// Starts the server with the database's limits set to `limits`.
    pub async fn start_with_limits(data_dir: &Path, limits: Limits) -> Self {
        let db = Database::open_with_limits(data_dir.join(db_server::DATABASE_FILE), limits)
            .expect("open database");
        Self::start_on(data_dir, db).await
    }

    /// Starts the server on `db` (SQLite or PostgreSQL); `data_dir` holds the signing key.
    pub async fn start_on(data_dir: &Path, db: Database) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let resource = format!("http://{addr}/mcp");
        let signer = DevSigner::load_or_create(data_dir.join("key.pem")).expect("key");
        let server = db_server::server_builder(db)
            .registry(db_server::tools::registry().expect("registry"))
            .auth(
                ValidatorConfig::new(format!("http://{addr}"), &resource)
                    .static_jwks(signer.jwks()),
            )
            .build()
            .expect("server");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, server.into_router())
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .expect("serve");
        });
        Self {
            endpoint: resource.clone(),
            resource,
            data_dir: data_dir.to_path_buf(),
            signer,
            client: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The database file the server serves.
    pub fn database_file(&self) -> PathBuf {
        self.data_dir.join(db_server::DATABASE_FILE)
    }

    /// Stops gracefully and waits until the server (and its database) is gone; a panic in the
    /// server's task fails the test here.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task");
        }
    }

    /// A token granting `scopes`, signed by the server's development key.
    pub fn token(&self, scopes: &[&str]) -> String {
        self.token_of("tester", scopes)
    }

    /// A token for another user (`subject`): another caller for the per-caller limits.
    pub fn token_of(&self, subject: &str, scopes: &[&str]) -> String {
        let issuer = self.resource.trim_end_matches("/mcp").to_owned();
        self.signer
            .mint(
                &TokenClaims::new(issuer, &self.resource)
                    .subject(subject)
                    .scopes(scopes.iter().copied()),
            )
            .expect("a test token")
    }

    /// POSTs one JSON-RPC request; returns the status, headers and JSON body (null if none).
    pub async fn rpc(&self, token: Option<&str>, method: &str, params: Value) -> Reply {
        rpc(&self.client, &self.endpoint, token, method, params).await
    }

    /// Calls a tool.
    pub async fn call(&self, token: &str, tool: &str, arguments: Value) -> Reply {
        self.rpc(
            Some(token),
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
        )
        .await
    }
}

/// Starts a server on a fresh, seeded database in a temporary directory, runs `test` against it, then
/// stops the server and joins its task, so a panic while serving fails the test too.
pub async fn with_fresh_server(test: impl AsyncFnOnce(&TestServer)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    test(&server).await;
    server.stop().await;
}

/// A freshly seeded database in a temporary directory (kept alive by the returned guard).
pub fn open_seeded() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(dir.path().join(db_server::DATABASE_FILE)).expect("open");
    (dir, db)
}

/// Everything a write could change in the database file, as text: settings, schema, every row.
pub fn dump(path: &Path) -> String {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let mut out = String::new();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode");
    writeln!(out, "user_version={version} journal_mode={mode}").expect("write");
    let mut objects = conn
        .prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
        .expect("schema");
    let objects: Vec<(String, String, String)> = objects
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("schema rows")
        .collect::<Result<_, _>>()
        .expect("schema rows");
    for (kind, name, sql) in objects {
        writeln!(out, "{kind} {name}: {sql}").expect("write");
        if kind == "table" {
            let mut rows = conn
                .prepare(&format!("SELECT * FROM \"{name}\" ORDER BY rowid"))
                .expect("rows");
            let width = rows.column_count();
            let mut rows = rows.query([]).expect("rows");
            while let Some(row) = rows.next().expect("row") {
                let values: Vec<String> = (0..width)
                    .map(|i| format!("{:?}", row.get_ref(i).expect("value")))
                    .collect();
                writeln!(out, "{}", values.join("|")).expect("write");
            }
        }
    }
    out
}

/// The files in a directory, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
