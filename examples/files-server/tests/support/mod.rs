//! Starts the files server in-process on 127.0.0.1:0 with a development key, mints tokens, speaks
//! MCP over HTTP to it as a client would, and photographs directory trees to prove nothing moved.

#![allow(dead_code, unreachable_pub)] // each test file uses a different part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use files_server::fs::{Limits, Root};
use mcp_scopes::auth::{DevSigner, TokenClaims, ValidatorConfig};
pub use mcp_scopes_tests::rpc_client::Reply;
use mcp_scopes_tests::rpc_client::rpc;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server.
pub struct TestServer {
    pub endpoint: String,
    signer: DevSigner,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves the existing directory `root`; the key lives in `key_dir`.
    pub async fn start(root: &Path, key_dir: &Path) -> Self {
        Self::start_with(root, key_dir, Limits::default()).await
    }

    /// [`TestServer::start`] with other limits.
    pub async fn start_with(root: &Path, key_dir: &Path, limits: Limits) -> Self {
        let root = Root::open(root, limits).expect("open root");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let resource = format!("http://{addr}/mcp");
        let signer = DevSigner::load_or_create(key_dir.join("key.pem")).expect("key");
        let server = files_server::server_builder(root)
            .registry(files_server::tools::registry().expect("registry"))
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
            endpoint: resource,
            signer,
            client: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops gracefully.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task");
        }
    }

    /// A token granting `scopes`.
    pub fn token(&self, scopes: &[&str]) -> String {
        let issuer = self.endpoint.trim_end_matches("/mcp").to_owned();
        self.signer
            .mint(
                &TokenClaims::new(issuer, &self.endpoint)
                    .subject("tester")
                    .scopes(scopes.iter().copied()),
            )
            .expect("a test token")
    }

    /// POSTs one JSON-RPC request.
    pub async fn rpc(&self, token: &str, method: &str, params: Value) -> Reply {
        rpc(&self.client, &self.endpoint, Some(token), method, params).await
    }

    /// Calls a tool.
    pub async fn call(&self, token: &str, tool: &str, arguments: Value) -> Reply {
        self.rpc(
            token,
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
        )
        .await
    }
}

/// What a path holds, as seen without following links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    File(Vec<u8>),
    Dir,
    Link(PathBuf),
    Other,
}

/// Every entry below `dir` (not following links) with its bytes or link target.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Node> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("read dir") {
            let path = entry.expect("entry").path();
            let key = path
                .strip_prefix(dir)
                .expect("below")
                .to_string_lossy()
                .into_owned();
            let meta = std::fs::symlink_metadata(&path).expect("lstat");
            let node = if meta.file_type().is_symlink() {
                Node::Link(std::fs::read_link(&path).expect("link"))
            } else if meta.is_dir() {
                stack.push(path.clone());
                Node::Dir
            } else if meta.is_file() {
                Node::File(std::fs::read(&path).expect("read"))
            } else {
                Node::Other
            };
            out.insert(key, node);
        }
    }
    out
}

/// A temporary directory holding `root/` (with `notes/todo.txt` and `canary.txt`) and `keys/`.
pub struct Tree {
    pub dir: tempfile::TempDir,
}

/// The canary's content: tests check it is never changed by a refused call.
pub const CANARY: &[u8] = b"canary: must never change\n";

impl Tree {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("root/notes")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("keys")).expect("mkdir");
        std::fs::write(dir.path().join("root/notes/todo.txt"), b"- buy milk\n").expect("write");
        std::fs::write(dir.path().join("root/canary.txt"), CANARY).expect("write");
        Self { dir }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    pub fn keys(&self) -> PathBuf {
        self.dir.path().join("keys")
    }

    /// A server on this tree.
    pub async fn serve(&self) -> TestServer {
        TestServer::start(&self.root(), &self.keys()).await
    }
}
