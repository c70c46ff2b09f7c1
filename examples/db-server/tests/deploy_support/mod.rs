//! Two production-mode `db-server` instances behind Debian's nginx, on loopback: the balancer is
//! configured from `deploy/nginx.conf` (the file users copy), tokens come from an issuer stub on
//! loopback (discovery document and JWKS, RS256), and the database is PostgreSQL when
//! `MCP_TEST_DATABASE_URL` names one, else one SQLite file both instances share.

#![allow(dead_code, unreachable_pub)] // each test file uses a different part

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use mcp_scopes_tests::auth::{TestKey, jwks, now};
use mcp_scopes_tests::jwks_server::JwksServer;
use mcp_scopes_tests::rpc_client::{Reply, rpc};
use serde_json::{Value, json};

use super::binary_support::{Server, free_port};

/// Debian's nginx.
pub const NGINX: &str = "/usr/sbin/nginx";

/// The nginx configuration users copy; the test fills in its placeholders.
pub const NGINX_TEMPLATE: &str = include_str!("../../deploy/nginx.conf");

/// Where the instances keep their data.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A PostgreSQL database both instances connect to.
    Postgres(String),
    /// One SQLite file both instances open (one machine only; stands in where PostgreSQL is missing).
    SharedSqlite(PathBuf),
}

/// Whether nginx is installed; says so loudly when it is not, and fails instead under
/// `MCP_REQUIRE_NGINX=1` (CI).
pub fn nginx_available() -> bool {
    if Path::new(NGINX).is_file() {
        return true;
    }
    assert!(
        std::env::var("MCP_REQUIRE_NGINX").as_deref() != Ok("1"),
        "MCP_REQUIRE_NGINX=1 but {NGINX} is missing (apt-get install -y nginx-light)"
    );
    say(&format!(
        "SKIPPED: {NGINX} is missing, so the several-instances test did not run (apt-get install -y nginx-light)"
    ));
    false
}

/// PostgreSQL from `MCP_TEST_DATABASE_URL`; without it, one SQLite file in `dir`, said loudly
/// (and a failure under `MCP_REQUIRE_POSTGRES=1`).
pub fn backend(dir: &Path) -> Backend {
    if let Ok(url) = std::env::var("MCP_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        return Backend::Postgres(url);
    }
    assert!(
        std::env::var("MCP_REQUIRE_POSTGRES").as_deref() != Ok("1"),
        "MCP_REQUIRE_POSTGRES=1 but MCP_TEST_DATABASE_URL is not set (eval \"$(bash tests/postgres/start.sh)\")"
    );
    say(
        "NOTE: MCP_TEST_DATABASE_URL is not set: the two instances share one SQLite file instead of PostgreSQL (eval \"$(bash tests/postgres/start.sh)\" to run against PostgreSQL)",
    );
    Backend::SharedSqlite(dir.join("shared"))
}

/// Writes `line` to the test's stderr past libtest's capture, so a skip or a fallback shows even
/// when the test passes.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// nginx in the foreground, stopped (and its workers with it) when dropped.
pub struct Nginx {
    child: Child,
    run_dir: PathBuf,
}

impl Nginx {
    /// Starts nginx listening on `listen` in front of `instances`, with its files in `run_dir`.
    pub fn start(run_dir: &Path, listen: u16, instances: [u16; 2]) -> Self {
        std::fs::create_dir_all(run_dir).expect("nginx run dir");
        let config = NGINX_TEMPLATE
            .replace("@LISTEN@", &format!("127.0.0.1:{listen}"))
            .replace("@INSTANCE_A@", &format!("127.0.0.1:{}", instances[0]))
            .replace("@INSTANCE_B@", &format!("127.0.0.1:{}", instances[1]))
            .replace("@RUN_DIR@", &run_dir.display().to_string());
        assert!(!config.contains('@'), "a placeholder is left: {config}");
        let conf = run_dir.join("nginx.conf");
        std::fs::write(&conf, config).expect("write nginx.conf");
        let child = Command::new(NGINX)
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(run_dir)
            // Also where nginx logs before it has read the configuration.
            .arg("-e")
            .arg(run_dir.join("error.log"))
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let nginx = Self {
            child,
            run_dir: run_dir.to_path_buf(),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", listen)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not start listening: {}",
                nginx.error_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    /// nginx's error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.run_dir.join("error.log")).unwrap_or_default()
    }

    /// nginx's access log so far (one line per request, naming the instances tried).
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.run_dir.join("access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its workers; SIGKILL would leave them listening.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The whole deployment: issuer stub, two instances, nginx.
pub struct Cluster {
    pub issuer: JwksServer,
    key: TestKey,
    pub backend: Backend,
    pub ports: [u16; 2],
    instances: Mutex<[Option<Server>; 2]>,
    pub nginx: Nginx,
    /// The MCP endpoint behind nginx (also the tokens' audience).
    pub endpoint: String,
    dir: PathBuf,
    client: reqwest::Client,
}

impl Cluster {
    /// Starts everything in `dir`.
    pub async fn start(dir: &Path) -> Self {
        let key = TestKey::rsa("deploy-1");
        let issuer = JwksServer::start(jwks(&[&key])).await;
        let doc = json!({"issuer": issuer.base, "jwks_uri": issuer.jwks_uri()});
        issuer.set_document("/.well-known/openid-configuration", doc);
        let backend = backend(dir);
        let ports = [free_port(), free_port()];
        let listen = free_port();
        let endpoint = format!("http://127.0.0.1:{listen}/mcp");
        let nginx = Nginx::start(&dir.join("nginx"), listen, ports);
        let cluster = Self {
            issuer,
            key,
            backend,
            ports,
            instances: Mutex::new([None, None]),
            nginx,
            endpoint,
            dir: dir.to_path_buf(),
            client: reqwest::Client::new(),
        };
        cluster.start_instance(0);
        cluster.start_instance(1);
        cluster
    }

    /// Starts instance `i` (0 or 1) on its port, as `run-two-instances.sh` does.
    pub fn start_instance(&self, i: usize) {
        let issuer = self.issuer.base.clone();
        let mut flags = vec![
            "--issuer".to_owned(),
            issuer,
            "--resource".to_owned(),
            self.endpoint.clone(),
        ];
        let data = match &self.backend {
            Backend::Postgres(url) => {
                flags.extend(["--database-url".to_owned(), url.clone()]);
                self.dir.join(format!("instance-{i}"))
            }
            Backend::SharedSqlite(shared) => shared.clone(),
        };
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let server = Server::start_with(self.ports[i], &data, &flags);
        self.instances
            .lock()
            .unwrap_or_else(PoisonError::into_inner)[i] = Some(server);
    }

    /// Takes instance `i` out (to signal it and wait for its exit).
    pub fn take_instance(&self, i: usize) -> Server {
        self.instances
            .lock()
            .unwrap_or_else(PoisonError::into_inner)[i]
            .take()
            .expect("instance running")
    }

    /// `127.0.0.1:PORT` of instance `i`, as nginx names it.
    pub fn addr(&self, i: usize) -> String {
        format!("127.0.0.1:{}", self.ports[i])
    }

    /// Which instance answered, from an `X-Served-By` value: one address, or several when nginx
    /// tried others first (the last one answered).
    pub fn which(&self, served_by: &str) -> usize {
        let answered = served_by.rsplit(", ").next().unwrap_or("");
        (0..2)
            .find(|&i| answered == self.addr(i))
            .unwrap_or_else(|| panic!("served by `{served_by}`, not by an instance"))
    }

    /// A token for the deployment with `scope`.
    pub fn token(&self, scope: &str) -> String {
        let now = now();
        let claims = json!({
            "iss": self.issuer.base, "sub": "deploy-user", "aud": self.endpoint,
            "azp": "deploy-client", "iat": now, "nbf": now, "exp": now + 600,
            "jti": format!("deploy-{now}"), "scope": scope,
        });
        self.key.token("RS256", &claims)
    }

    /// Calls `tool` through nginx; the reply and who answered (`X-Served-By`, empty if absent).
    pub async fn call(&self, token: &str, tool: &str, arguments: Value) -> (Reply, String) {
        let reply = rpc(
            &self.client,
            &self.endpoint,
            Some(token),
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
        )
        .await;
        let served_by = reply
            .headers
            .get("x-served-by")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (reply, served_by)
    }

    /// Calls through nginx until instance `i` answers (for up to 8 s: nginx skips an instance for
    /// `fail_timeout`, 3 s, after it refused a connection).
    pub async fn wait_until_served_by(&self, i: usize, token: &str) {
        for _ in 0..80 {
            let (reply, served_by) = self.call(token, "list_tables", json!({})).await;
            assert_eq!(reply.status, 200, "{:?} via {served_by}", reply.body);
            if served_by == self.addr(i) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "instance {i} is never chosen by nginx: {}",
            self.nginx.error_log()
        );
    }
}
