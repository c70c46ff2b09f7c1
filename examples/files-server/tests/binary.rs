//! The built `files-server` binary, run the way its README says: its defaults, its own flags,
//! every tool collected by linking, and writes that stay whole when the process is killed
//! mid-write (SIGKILL: no cleanup runs).

#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_files-server");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("FILES_ROOT")
        .output()
        .expect("run files-server")
}

/// A running binary, killed when dropped.
struct Server(Child);

impl Server {
    /// Starts the binary with `args` and waits until it prints how to get a token.
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("FILES_ROOT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start files-server");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, banner) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        loop {
            match banner.recv_timeout(Duration::from_mins(1)) {
                Ok(line) if line.contains("get a token:") => return Self(child),
                Ok(_) => {}
                Err(e) => {
                    let _ = child.kill();
                    panic!("no banner from files-server: {e}");
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn token(port: u16, data: &Path, scopes: &[&str]) -> String {
    let mut args = vec!["token".to_owned(), "--port".to_owned(), port.to_string()];
    for scope in scopes {
        args.extend(["--scope".to_owned(), (*scope).to_owned()]);
    }
    args.extend(["--data-dir".to_owned(), data.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
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

async fn rpc(port: u16, token: &str, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/mcp"))
        .bearer_auth(token)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(&body)
        .send()
        .await
        .expect("request")
        .json::<Value>()
        .await
        .expect("json")
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".files-server-tmp-"))
        .collect()
}

#[test]
fn help_shows_the_default_port_and_the_root_flag() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.starts_with("An MCP server for a directory of files"),
        "{help}"
    );
    assert!(help.contains("[default: 8081]"), "{help}");
    assert!(
        help.contains("--root <DIR>") && help.contains("FILES_ROOT"),
        "{help}"
    );
    assert!(help.contains("--quota <BYTES>"), "{help}");
    assert!(help.contains("--max-entries <N>"), "{help}");
}

#[test]
fn a_root_holding_the_data_directory_or_missing_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data").display().to_string();
    let port = free_port().to_string();
    let missing = dir.path().join("missing");
    for (root, expected) in [
        (dir.path(), "signing key would then be readable"),
        (missing.as_path(), "does not exist"),
    ] {
        let root = root.display().to_string();
        let out = run(&["--port", &port, "--data-dir", &data, "--root", &root]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--root:") && stderr.contains(expected),
            "{stderr}"
        );
    }
}

/// `files-server manifest --oidc-scopes` (the README's way to regenerate `casdoor-scopes.json`)
/// prints exactly the committed file and `--out` writes it, from the tools the built binary
/// collected by linking (`tests/casdoor_manifest.rs` checks the library's registry, not the binary);
/// it writes nothing else in its working directory.
#[test]
fn the_manifest_command_gives_the_committed_casdoor_manifest() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/casdoor-scopes.json"))
            .expect("the committed manifest");
    let regenerate = "regenerate with: cargo run -p files-server -- manifest --oidc-scopes \
                      --out examples/files-server/casdoor-scopes.json";
    let cwd = tempfile::tempdir().expect("temp dir");
    let written = cwd.path().join("manifest.json");
    let written_arg = written.to_str().expect("a UTF-8 temporary path");
    for extra in [&[][..], &["--out", written_arg][..]] {
        let out = Command::new(BIN)
            .args(["manifest", "--oidc-scopes"])
            .args(extra)
            .current_dir(cwd.path())
            .env_remove("RUST_LOG")
            .env_remove("FILES_ROOT")
            .output()
            .expect("run files-server manifest");
        assert!(
            out.status.success(),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest = if extra.is_empty() {
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            std::fs::read_to_string(&written).expect("the written manifest")
        };
        assert_eq!(
            manifest, committed,
            "files-server manifest {extra:?} differs from casdoor-scopes.json; {regenerate}"
        );
    }
    let left: Vec<String> = std::fs::read_dir(cwd.path())
        .expect("read the working directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["manifest.json"], "nothing but the manifest written");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_root_has_samples_and_every_tool_is_collected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let port = free_port();
    // The server flag after the subcommand, as with the common flags.
    let _server = Server::start(&[
        "serve",
        "--port",
        &port.to_string(),
        "--data-dir",
        &data.display().to_string(),
    ]);
    let token = token(port, &data, &["files:list", "files:read"]);
    let tools = rpc(port, &token, "tools/list", json!({})).await;
    let mut names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "create_directory",
            "delete_path",
            "list_directory",
            "move_path",
            "read_file",
            "search_files",
            "stat_path",
            "write_file"
        ],
        "Registry::collected() found every tool in the linked binary"
    );
    let listing = rpc(
        port,
        &token,
        "tools/call",
        json!({"name": "list_directory", "arguments": {}}),
    )
    .await;
    let entries = &listing["result"]["structuredContent"]["entries"];
    assert_eq!(entries[0]["name"], "README.md", "{listing}");
    let png = rpc(
        port,
        &token,
        "tools/call",
        json!({"name": "read_file", "arguments": {"path": "images/pixel.png"}}),
    )
    .await;
    assert_eq!(
        png["result"]["structuredContent"]["encoding"], "base64",
        "{png}"
    );
    assert!(
        data.join(files_server::DEFAULT_ROOT)
            .join("notes/todo.txt")
            .is_file()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_killed_midway_leaves_the_old_file_or_the_new_one_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let root = dir.path().join("root");
    std::fs::create_dir(&root).expect("mkdir");
    let size = 1024 * 1024;
    std::fs::write(root.join("big.txt"), "A".repeat(size)).expect("write");
    let port = free_port();
    let args = [
        "--port".to_owned(),
        port.to_string(),
        "--data-dir".to_owned(),
        data.display().to_string(),
        "--root".to_owned(),
        root.display().to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut interrupted = 0;
    for round in 0..8_u64 {
        let mut server = Server::start(&args);
        assert!(
            temp_files(&root).is_empty(),
            "a restart clears what a kill left"
        );
        let token = token(port, &data, &["files:write"]);
        // Several writers at once: while one request is being parsed another is being written,
        // so a kill at any moment is likely to find a write half done.
        let writers: Vec<_> = ['B', 'C', 'D', 'E']
            .into_iter()
            .map(|letter| {
                let token = token.clone();
                tokio::spawn(async move {
                    let content = letter.to_string().repeat(size);
                    let arguments =
                        json!({"path": "big.txt", "content": content, "mode": "overwrite"});
                    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                      "params": {"name": "write_file", "arguments": arguments}});
                    let client = reqwest::Client::new();
                    loop {
                        let sent = client
                            .post(format!("http://127.0.0.1:{port}/mcp"))
                            .bearer_auth(&token)
                            .header("Accept", "application/json, text/event-stream")
                            .header("MCP-Protocol-Version", "2025-11-25")
                            .json(&body)
                            .send()
                            .await;
                        if sent.is_err() {
                            break; // killed
                        }
                    }
                })
            })
            .collect();
        // Kill the moment a write is under way (its temporary file exists), or, every other
        // round, at a moment picked by the clock.
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if round % 2 == 0 && !temp_files(&root).is_empty() {
                break;
            }
            if round % 2 == 1 && start.elapsed() > Duration::from_millis(300 + round * 60) {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        server.0.kill().expect("SIGKILL");
        server.0.wait().expect("wait");
        for writer in writers {
            let _ = writer.await;
        }
        if !temp_files(&root).is_empty() {
            interrupted += 1;
        }
        let content = std::fs::read(root.join("big.txt")).expect("read");
        assert_eq!(content.len(), size, "round {round}: the file is whole");
        assert!(
            content.iter().all(|b| *b == content[0]),
            "round {round}: one version, not a mix"
        );
    }
    assert!(
        interrupted > 0,
        "at least one kill landed in the middle of a write"
    );
    let _server = Server::start(&args);
    assert!(temp_files(&root).is_empty());
}
