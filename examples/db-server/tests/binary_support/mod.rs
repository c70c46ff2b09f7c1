//! Runs the built `db-server` binary the way the README says, and talks to it over HTTP.

#![allow(dead_code, unreachable_pub)] // each test file uses a different part

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_db-server");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A running server and the lines of its banner.
pub struct Server {
    child: Child,
    banner: Vec<String>,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `db-server --port PORT --data-dir DIR` and waits for its banner.
    pub fn start(port: u16, dir: &Path) -> Self {
        Self::start_with(port, dir, &[])
    }

    /// [`Server::start`] with more flags.
    pub fn start_with(port: u16, dir: &Path, flags: &[&str]) -> Self {
        Self::launch(port, dir, flags, &[])
    }

    /// [`Server::start`] with environment variables set.
    pub fn start_with_env(port: u16, dir: &Path, vars: &[(&str, &str)]) -> Self {
        Self::launch(port, dir, &[], vars)
    }

    fn launch(port: u16, dir: &Path, flags: &[&str], vars: &[(&str, &str)]) -> Self {
        let mut child = Command::new(BIN)
            .args(["--port", &port.to_string(), "--data-dir"])
            .arg(dir)
            .args(flags)
            // A developer's own database URL must not turn the SQLite tests into PostgreSQL ones,
            // nor their RUST_LOG change what the server logs; `vars` may set either.
            .env_remove("MCP_DATABASE_URL")
            .env_remove("DATABASE_URL")
            .env_remove("MCP_DATABASE_READER_URL")
            .env_remove("RUST_LOG")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start db-server");
        let log: Arc<Mutex<String>> = Arc::default();
        let stderr = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap_or_else(PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (lines, banner_lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        // The last banner line: how to get a token, or in production the mode.
        let last = |l: &String| {
            l.contains("get a token:")
                || l.split_once("mode:")
                    .is_some_and(|(_, mode)| mode.trim_start().starts_with("production"))
        };
        while !banner.iter().any(last) {
            match banner_lines.recv_timeout(Duration::from_mins(1)) {
                Ok(line) => banner.push(line),
                Err(e) => {
                    let _ = child.kill();
                    panic!("no banner from db-server ({e}); got {banner:?}");
                }
            }
        }
        Self { child, banner, log }
    }

    /// The whole banner.
    pub fn banner(&self) -> String {
        self.banner.join("\n")
    }

    /// What the server logged to stderr so far.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn banner_value(&self, label: &str) -> &str {
        self.banner
            .iter()
            .find_map(|l| l.trim().strip_prefix(label))
            .map_or("", str::trim)
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(mut self) {
        self.signal("-TERM");
        let status = self.wait_exit(Duration::from_secs(10));
        assert!(status.success(), "db-server exited with {status}");
    }

    /// Sends a signal (`-TERM`, `-INT`).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to exit, failing the test if it is still running after `within`.
    pub fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("db-server still running {within:?} after being told to stop");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("RUST_LOG")
        .env_remove("MCP_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("MCP_DATABASE_READER_URL")
        .output()
        .expect("run db-server")
}

pub async fn call(endpoint: &str, token: &str, tool: &str, arguments: Value) -> Value {
    let response = reqwest::Client::new()
        .post(endpoint)
        .bearer_auth(token)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": tool, "arguments": arguments}}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    body["result"]["structuredContent"].clone()
}

/// Creates the development key in `dir` as a server started there would (`token` never creates one).
pub fn dev_key(dir: &Path) {
    mcp_scopes::auth::DevSigner::load_or_create(dir.join("dev-signing-key.pem"))
        .expect("development key");
}

/// A token from the `token` command for the server on `port` with data directory `dir` (whose key
/// is created first if no server ran there yet).
pub fn token(port: u16, dir: &Path, scope: &str) -> String {
    dev_key(dir);
    let out = run(
        &["token", "--scope", scope, "--port", &port.to_string()],
        dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

/// Opens a connection and sends half a request, the way a stalled or hostile client would.
pub fn stuck_client(port: u16) -> std::net::TcpStream {
    use std::io::Write as _;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .expect("send");
    std::thread::sleep(Duration::from_millis(200));
    stream
}

/// A development-mode `db-server` in a fresh data directory (kept alive by the returned
/// directory), and an OAuth client for its built-in authorization server.
pub fn dev_server_with_oauth() -> (
    tempfile::TempDir,
    Server,
    mcp_scopes_tests::oauth_client::DevOAuth,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let server = Server::start(port, &dir.path().join("data"));
    let oauth =
        mcp_scopes_tests::oauth_client::DevOAuth::new(&format!("http://127.0.0.1:{port}/mcp"));
    (dir, server, oauth)
}
