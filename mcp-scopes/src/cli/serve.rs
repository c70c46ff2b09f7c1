//! `serve`: listen, build the server with the configured token validation, wait for the first
//! attempt to load the authorization server's keys (so the first requests are not answered 503),
//! print where it is and how to get in, and stop gracefully on Ctrl-C or SIGTERM: requests in flight get
//! `--shutdown-grace` to finish, so a stalled client cannot keep the process alive, and a second
//! signal stops at once. Connections are served by [`crate::server::serve`], so a client that
//! sends half a request, or stops reading its answers, is disconnected after its header or write
//! timeout instead of holding a connection.

use std::fmt::Write as _;
use std::future::IntoFuture as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use tokio::net::TcpListener;

use super::config::{Config, Mode};
use super::data_dir::{
    DEV_KEY_FILE, DEV_SERVER_URL_FILE, create_data_dir, default_data_dir, load_dev_signer,
};
use super::exit_status::{fail, usage_error};
use super::flag_error::FlagError;
use super::setup_context::{ServeContext, SetupError};
use crate::auth::DevSigner;
use crate::registry::Registry;
use crate::server::{McpServer, McpServerBuilder};

/// Who is serving, for the banner and the hints it prints, and the defaults it chose.
#[derive(Debug, Clone, Copy)]
pub(super) struct ServerName {
    pub(super) name: &'static str,
    pub(super) version: &'static str,
    /// The port used without `--port`, which the token hint then need not repeat.
    pub(super) default_port: u16,
    /// The server chose the default of `--max-calls-per-caller`
    /// ([`Cli::default_max_calls_per_caller`](super::Cli::default_max_calls_per_caller)): the
    /// flag's value then applies even when not given, as `--help` says.
    pub(super) chose_max_calls_per_caller: bool,
}

pub(super) async fn serve<F>(
    server_name: ServerName,
    invocation: &str,
    registry: Registry,
    config: Config,
    matches: clap::ArgMatches,
    setup: F,
) -> ExitCode
where
    F: FnOnce(&ServeContext) -> Result<McpServerBuilder, SetupError>,
{
    let name = server_name.name;
    init_logging();
    // The address first: a port in use is reported before anything is created.
    let listener = match TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            return usage_error(&FlagError::new(
                "--port",
                format!("cannot listen on {}: {e}", config.listen),
            ));
        }
    };
    let signer = match prepare_data_dir(&config) {
        Ok(signer) => signer,
        Err(e) => return usage_error(&e),
    };
    // The server's own setup may choose these limits; a flag (or its variable), when given, wins,
    // and so does a default the server gave the command line (the one `--help` shows).
    let call_limits = CallLimits {
        max_per_caller: (server_name.chose_max_calls_per_caller
            || super::args::given(&matches, "max_calls_per_caller"))
        .then_some(config.max_calls_per_caller),
        timeout: super::args::given(&matches, "call_timeout").then_some(config.call_timeout),
    };
    let context = ServeContext {
        data_dir: config.data_dir.clone(),
        development: config.is_development(),
        matches,
    };
    let builder = match setup(&context) {
        Ok(builder) => builder,
        Err(e) => return fail(&format!("{name} could not start: {e}")),
    };
    let bound = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => return fail(&e),
    };
    let resource = config.resource_for(bound);
    if config.is_development() {
        remember_dev_server_url(&config.data_dir, &resource);
    }
    let validator = config.validator_config(&resource, signer.as_ref().map(DevSigner::jwks));
    if let Err(e) = config.token_rules.check_scope_roles(&registry) {
        return usage_error(&e);
    }
    let builder = if config.token_rules.scope_roles.is_empty() {
        builder
    } else {
        builder.entitlements(config.token_rules.scope_roles.clone())
    };
    let server = match with_development_hints(call_limits.apply(builder), config.is_development())
        .registry(registry)
        .auth(validator)
        .caller_warning_given_elsewhere()
        .build()
    {
        Ok(server) => server,
        Err(e) => return fail(&e),
    };
    // Listen for signals before the banner says the server is up, so a stop sent as soon as it
    // appears is graceful too.
    let mut signals = StopSignals::new();
    if !first_key_load(server.validator(), &mut signals).await {
        return finished();
    }
    announce(&server_name, invocation, &config, &server, bound);
    let router = super::development::router(&config, signer, server);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // Not `axum::serve`: that never times out a client that sends half a request.
    let serving = crate::server::serve(listener, router)
        .header_read_timeout(Some(config.header_timeout))
        .write_timeout(Some(config.write_timeout))
        .max_connections(Some(config.max_connections))
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .into_future();
    tokio::pin!(serving);
    tokio::select! {
        () = &mut serving => return finished(),
        () = signals.recv() => {}
    }
    let grace = config.shutdown_grace;
    tracing::info!(
        "shutting down: finishing the requests in flight (at most {}s; Ctrl-C again to stop now)",
        grace.as_secs()
    );
    let _ = stop.send(());
    tokio::select! {
        () = &mut serving => finished(),
        () = tokio::time::sleep(grace) => {
            tracing::warn!(
                "stopped with requests still in flight after {}s (--shutdown-grace)",
                grace.as_secs()
            );
            ExitCode::SUCCESS
        }
        () = signals.recv() => {
            tracing::warn!("stopped at a second signal, with requests still in flight");
            ExitCode::SUCCESS
        }
    }
    // Leaving here drops the runtime, which waits for work already running on blocking threads
    // (a database transaction commits or rolls back) before the process exits.
}

/// Prints the banner (where the server is, how to get in) and logs the configuration's warnings.
fn announce(
    server_name: &ServerName,
    invocation: &str,
    config: &Config,
    server: &McpServer,
    bound: SocketAddr,
) {
    println!("{}", banner(server_name, invocation, config, server, bound));
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
}

/// Creates or checks the data directory; in development mode also loads (or creates) the key.
fn prepare_data_dir(config: &Config) -> Result<Option<DevSigner>, FlagError> {
    if config.is_development() {
        load_dev_signer(&config.data_dir).map(Some)
    } else {
        create_data_dir(&config.data_dir).map(|()| None)
    }
}

/// The per-call limits given as flags (`None`: left to the server's setup, else the defaults).
struct CallLimits {
    max_per_caller: Option<usize>,
    timeout: Option<std::time::Duration>,
}

impl CallLimits {
    fn apply(self, mut builder: McpServerBuilder) -> McpServerBuilder {
        // Never 0: the flag's parser refuses it.
        if let Some(limit) = self.max_per_caller.filter(|n| *n > 0) {
            builder = builder.max_calls_per_caller(Some(limit));
        }
        if let Some(limit) = self.timeout {
            builder = builder.call_timeout(limit);
        }
        builder
    }
}

/// In development mode, 401s say the likely cause of a refused token (another port, another key).
fn with_development_hints(builder: McpServerBuilder, development: bool) -> McpServerBuilder {
    if development {
        builder.development_hints()
    } else {
        builder
    }
}

/// Writes the endpoint URL where `token` finds it (see [`DEV_SERVER_URL_FILE`]). A failure only
/// costs that convenience (`token` then needs `--port`), so it is logged, not fatal.
fn remember_dev_server_url(data_dir: &std::path::Path, resource: &str) {
    let path = data_dir.join(DEV_SERVER_URL_FILE);
    if let Err(e) = std::fs::write(&path, format!("{resource}\n")) {
        tracing::warn!(
            "cannot write {}: {e}; `token` will need --port to mint for this server",
            path.display()
        );
    }
}

/// How long start-up waits for the first attempt to load the authorization server's keys (one
/// attempt is bounded by the fetch timeouts; this bounds a misconfiguration of those).
const FIRST_KEY_LOAD_WAIT: Duration = Duration::from_secs(30);

/// Waits for the first attempt to load the keys, and says so when the server starts without them;
/// `false` when a stop signal came first. The keys first: requests accepted before they arrive
/// would be answered 503, which a load balancer does not retry; clients that connect meanwhile
/// wait in the listen backlog.
async fn first_key_load(validator: &crate::auth::Validator, signals: &mut StopSignals) -> bool {
    let attempt = tokio::time::timeout(FIRST_KEY_LOAD_WAIT, validator.first_key_load());
    let attempted = tokio::select! {
        attempted = attempt => attempted.is_ok(),
        () = signals.recv() => return false,
    };
    if !attempted || !validator.is_ready() {
        tracing::warn!(
            "starting without the authorization server's signing keys: requests are answered 503 until they load"
        );
    }
    true
}

fn finished() -> ExitCode {
    tracing::info!("stopped");
    ExitCode::SUCCESS
}

/// Logs to stderr, at `info` unless `RUST_LOG` says otherwise.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Err means the application installed its own subscriber: keep it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Ctrl-C and SIGTERM, listened to from start-up to exit, so a second one is seen too.
struct StopSignals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Resolves at the next Ctrl-C or SIGTERM (never, for one that cannot be listened to).
    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<&mut tokio::signal::unix::Signal>) {
                match signal {
                    Some(signal) => {
                        if signal.recv().await.is_none() {
                            std::future::pending::<()>().await;
                        }
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.interrupt.as_mut()) => {}
                () = next(self.terminate.as_mut()) => {}
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// What the server prints when it starts: where it is, which mode, and how to get a token. Never
/// a token itself.
pub(super) fn banner(
    server_name: &ServerName,
    invocation: &str,
    config: &Config,
    server: &McpServer,
    bound: SocketAddr,
) -> String {
    let ServerName {
        name,
        version,
        default_port,
        ..
    } = *server_name;
    let mut out = String::new();
    let endpoint = server.resource();
    let _ = writeln!(out, "{name} {version}");
    let _ = writeln!(out, "  MCP endpoint:  {endpoint}");
    let _ = writeln!(out, "  metadata:      {}", server.resource_metadata_url());
    let scopes: Vec<String> = server
        .registry()
        .scopes()
        .iter()
        .map(|s| {
            if s.baseline {
                format!("{} (baseline)", s.name)
            } else {
                s.name.to_owned()
            }
        })
        .collect();
    let _ = writeln!(out, "  scopes:        {}", scopes.join(", "));
    match &config.mode {
        Mode::Development => {
            let _ = writeln!(
                out,
                "  mode:          development: tokens signed by {} (loopback only; configure --issuer or --casdoor for production)",
                config.data_dir.join(DEV_KEY_FILE).display()
            );
            let _ = writeln!(
                out,
                "  data:          {} holds the signing key: keep it out of version control (its own .gitignore does)",
                config.data_dir.display()
            );
            super::development::connect_hints(&mut out, name, server);
            let scope = server
                .registry()
                .baseline_scopes()
                .first()
                .copied()
                .unwrap_or("SCOPE");
            let _ = write!(
                out,
                "  get a token:   {invocation}token --scope {scope}{}",
                flags_to_repeat(name, default_port, config, bound)
            );
        }
        Mode::Issuer { issuer, jwks_uri } => {
            let _ = write!(
                out,
                "  mode:          production: tokens from {issuer} (keys: {})",
                jwks_uri.as_deref().unwrap_or("discovered from the issuer")
            );
        }
        Mode::Casdoor { endpoint, .. } => {
            let _ = write!(
                out,
                "  mode:          production: tokens from Casdoor at {endpoint}; import the scopes with `{invocation}manifest --oidc-scopes`"
            );
        }
    }
    out
}

/// The flags a `token` command needs to mint for this very server (its audience).
fn flags_to_repeat(name: &str, default_port: u16, config: &Config, bound: SocketAddr) -> String {
    let mut flags = String::new();
    if config.resource.is_some() {
        let _ = write!(flags, " --resource {}", config.resource_for(bound));
    } else {
        if bound.ip() != std::net::Ipv4Addr::LOCALHOST {
            let _ = write!(flags, " --bind {}", bound.ip());
        }
        if bound.port() != default_port {
            let _ = write!(flags, " --port {}", bound.port());
        }
    }
    if config.data_dir != default_data_dir(name) {
        let _ = write!(flags, " --data-dir {}", config.data_dir.display());
    }
    flags
}
