//! The command line every server built with mcp-scopes can have (feature `cli`): `serve` (the
//! default), `token` (development tokens) and `manifest` (the scope manifest for the
//! authorization server), configured by flags or `MCP_…` environment variables.
//!
//! It exists so a server's `main` is a few lines and every server gets the same safe defaults:
//! without an issuer it runs in development mode, where a signing key kept in the data directory
//! (owner-only permissions) signs tokens that go through the usual validation, and it refuses to
//! listen on anything but a loopback address. With `--issuer` or `--casdoor` it validates tokens
//! from that authorization server and never prints one.
//!
//! ```no_run
//! use std::process::ExitCode;
//! use mcp_scopes::cli::Cli;
//! use mcp_scopes::server::McpServer;
//!
//! #[tokio::main]
//! async fn main() -> ExitCode {
//!     Cli::new("my-server", env!("CARGO_PKG_VERSION"))
//!         .run(|_ctx| Ok(McpServer::builder().info("my-server", env!("CARGO_PKG_VERSION"))))
//!         .await
//! }
//! ```

mod args;
mod config;
mod data_dir;
mod development;
mod exit_status;
mod flag_error;
mod help;
mod invocation;
mod serve;
mod setup_context;
mod token_command;
mod token_rules;
mod urls;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

pub use flag_error::FlagError;
pub use setup_context::{ServeContext, SetupError};

use self::args::{Args, Command};
use self::config::Config;
use self::data_dir::default_data_dir;
use self::exit_status::{USAGE_ERROR, fail, usage_error};
use self::token_command::{TokenRequest, audience_given, token};
use crate::manifest::{self, ManifestFormat, ManifestOptions};
use crate::registry::Registry;
use crate::server::McpServerBuilder;

/// A server's command line. See the module docs.
#[derive(Debug)]
pub struct Cli {
    name: &'static str,
    version: &'static str,
    about: Option<&'static str>,
    registry: Option<Registry>,
    default_port: u16,
    /// `None`: the framework's default, unless the setup's builder chose another.
    default_max_calls_per_caller: Option<usize>,
    flags: Option<fn(clap::Command) -> clap::Command>,
}

/// The port `serve` listens on unless told otherwise ([`Cli::default_port`]).
pub const DEFAULT_PORT: u16 = 8080;

impl Cli {
    /// The command line of server `name` (also the binary name shown in help and hints, and the
    /// default data directory `./<name>-data`).
    pub fn new(name: &'static str, version: &'static str) -> Self {
        Self {
            name,
            version,
            about: None,
            registry: None,
            default_port: DEFAULT_PORT,
            default_max_calls_per_caller: None,
            flags: None,
        }
    }

    /// The port to listen on when neither `--port` nor `MCP_PORT` is given (default 8080), so two
    /// servers can run side by side with no flags.
    #[must_use]
    pub fn default_port(mut self, port: u16) -> Self {
        self.default_port = port;
        self
    }

    /// How many calls one caller may have running at once when neither `--max-calls-per-caller`
    /// nor `MCP_MAX_CALLS_PER_CALLER` is given (default
    /// [`DEFAULT_MAX_CALLS_PER_CALLER`](crate::server::DEFAULT_MAX_CALLS_PER_CALLER), 16);
    /// `--help` shows it as the flag's default. A server whose calls share a smaller pool sets it
    /// below that pool's size, so one caller cannot hold every place: the example db-server sets
    /// it two below its read connections. It replaces what the setup's builder says
    /// ([`McpServerBuilder::max_calls_per_caller`]), as the flag does.
    ///
    /// # Panics
    ///
    /// On 0, which would refuse every call.
    #[must_use]
    pub fn default_max_calls_per_caller(mut self, limit: usize) -> Self {
        assert!(limit > 0, "default_max_calls_per_caller must be at least 1");
        self.default_max_calls_per_caller = Some(limit);
        self
    }

    /// The server's own flags, next to the common ones: `augment` is usually the
    /// `augment_args` of a `#[derive(clap::Args)]` struct, read back in the setup function with
    /// `from_arg_matches(&ctx.matches)`. They are accepted before or after the subcommand and
    /// listed by `--help`.
    ///
    /// ```no_run
    /// use clap::{Args as _, FromArgMatches as _};
    /// # use mcp_scopes::cli::Cli;
    /// # use mcp_scopes::server::McpServer;
    ///
    /// #[derive(clap::Args)]
    /// struct Flags {
    ///     /// The directory to serve.
    ///     #[arg(long, env = "MY_ROOT")]
    ///     root: Option<std::path::PathBuf>,
    /// }
    ///
    /// # async fn run() -> std::process::ExitCode {
    /// Cli::new("my-server", "1.0.0")
    ///     .flags(Flags::augment_args)
    ///     .run(|ctx| {
    ///         let flags = Flags::from_arg_matches(&ctx.matches)?;
    ///         Ok(McpServer::builder().info("my-server", "1.0.0"))
    ///     })
    ///     .await
    /// # }
    /// ```
    #[must_use]
    pub fn flags(mut self, augment: fn(clap::Command) -> clap::Command) -> Self {
        self.flags = Some(augment);
        self
    }

    /// One line saying what the server is, for `--help`.
    #[must_use]
    pub fn about(mut self, about: &'static str) -> Self {
        self.about = Some(about);
        self
    }

    /// The tools and scopes (default: [`Registry::collected`]). `serve` serves exactly these,
    /// `manifest` lists them and `token` accepts their scopes.
    #[must_use]
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Parses the process's arguments and runs the subcommand. `setup` is called before serving,
    /// with the data directory, and returns the server builder without authentication (the
    /// command line configures that) and without a registry (set with [`Cli::registry`]).
    pub async fn run<F>(self, setup: F) -> ExitCode
    where
        F: FnOnce(&ServeContext) -> Result<McpServerBuilder, SetupError>,
    {
        self.run_from(std::env::args_os(), setup).await
    }

    /// [`Cli::run`] with explicit arguments (the first is the program name).
    pub async fn run_from<I, T, F>(self, args: I, setup: F) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
        F: FnOnce(&ServeContext) -> Result<McpServerBuilder, SetupError>,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let program = args
            .first()
            .map(|arg0| arg0.to_string_lossy().into_owned())
            .filter(|arg0| !arg0.is_empty())
            .unwrap_or_else(|| self.name.to_owned());
        let program_name = Path::new(&program).file_name().map_or_else(
            || self.name.to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let command = self.command(program_name);
        let parsed = command
            .try_get_matches_from(args)
            .and_then(|matches| Args::from_arg_matches(&matches).map(|args| (args, matches)));
        let (args, matches) = match parsed {
            Ok(parsed) => parsed,
            Err(e) if !e.use_stderr() => {
                // --help, --version
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                let rendered = e.render().to_string();
                let line = rendered
                    .lines()
                    .next()
                    .unwrap_or("error: invalid arguments");
                eprintln!("{line}");
                return ExitCode::from(USAGE_ERROR);
            }
        };
        let registry = match self.registry.clone().map_or_else(Registry::collected, Ok) {
            Ok(registry) => registry,
            Err(e) => return fail(&e),
        };
        // Only serving and minting depend on the server configuration; `manifest` and `casdoor`
        // work whatever it says.
        let config = || Config::resolve(&args.server, default_data_dir(self.name));
        match args.command.unwrap_or(Command::Serve) {
            Command::Serve => match config() {
                Ok(config) => {
                    let server = serve::ServerName {
                        name: self.name,
                        version: self.version,
                        default_port: self.default_port,
                        chose_max_calls_per_caller: self.default_max_calls_per_caller.is_some(),
                    };
                    let invocation = invocation::invocation(&program);
                    serve::serve(server, &invocation, registry, config, matches, setup).await
                }
                Err(e) => usage_error(&e),
            },
            Command::Token {
                scopes,
                ttl,
                subject,
            } => match config().and_then(|c| {
                let request = TokenRequest {
                    scopes: &scopes,
                    ttl,
                    subject: &subject,
                    audience_given: audience_given(&matches),
                };
                token(&registry, &c, &request)
            }) {
                Ok(token) => {
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(e) => usage_error(&e),
            },
            Command::Manifest {
                format,
                oidc_scopes,
                out,
            } => print_manifest(&registry, format, oidc_scopes, out.as_deref()),
            Command::Casdoor { command } => {
                crate::casdoor::run_command(command, &registry, args.server.casdoor.as_deref())
                    .await
            }
        }
    }
}

impl Cli {
    /// The command line as clap sees it: the common flags with this server's defaults, its own
    /// flags, each subcommand showing the flags it reads.
    fn command(&self, bin_name: String) -> clap::Command {
        let mut command = Args::command()
            .name(self.name)
            .bin_name(bin_name)
            .version(self.version)
            .mut_arg("data_dir", |arg| {
                arg.default_value(default_data_dir(self.name).into_os_string())
            })
            .mut_arg("port", |arg| {
                arg.default_value(self.default_port.to_string())
            });
        if let Some(limit) = self.default_max_calls_per_caller {
            command = command.mut_arg("max_calls_per_caller", |arg| {
                arg.default_value(limit.to_string())
            });
        }
        if let Some(about) = self.about {
            command = command.about(about);
        }
        if let Some(augment) = self.flags {
            command = with_global_flags(command, augment);
        }
        help::show_each_command_its_flags(command)
    }
}

/// Adds the server's own flags, global so they may follow the subcommand like the common ones.
fn with_global_flags(
    command: clap::Command,
    augment: fn(clap::Command) -> clap::Command,
) -> clap::Command {
    let common: Vec<clap::Id> = command
        .get_arguments()
        .map(|arg| arg.get_id().clone())
        .collect();
    // A derived `augment_args` also sets the command's about from the struct's doc comment.
    let about = command.get_about().cloned();
    let long_about = command.get_long_about().cloned();
    let mut command = augment(command)
        .about(None::<&str>)
        .long_about(None::<&str>);
    if let Some(about) = about {
        command = command.about(about);
    }
    if let Some(long_about) = long_about {
        command = command.long_about(long_about);
    }
    let added: Vec<clap::Id> = command
        .get_arguments()
        .map(|arg| arg.get_id().clone())
        .filter(|id| !common.contains(id))
        .collect();
    for id in added {
        command = command.mut_arg(id, |arg| arg.global(true));
    }
    command
}

fn print_manifest(
    registry: &Registry,
    format: ManifestFormat,
    oidc_scopes: bool,
    out: Option<&Path>,
) -> ExitCode {
    let options = ManifestOptions::new()
        .format(format)
        .oidc_scopes(oidc_scopes);
    if let Some(path) = out {
        return match manifest::write_to(path, registry, options) {
            Ok(()) => {
                eprintln!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    match manifest::render(registry, options) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server's own flag, as `Cli::flags` takes them.
    #[derive(Debug, clap::Args)]
    struct ServerFlags {
        /// The directory to serve.
        #[arg(long)]
        root: Option<String>,
    }

    #[test]
    fn server_flags_parse_before_and_after_the_subcommand_and_keep_the_about() {
        let command = with_global_flags(
            Args::command().about("the server"),
            <ServerFlags as clap::Args>::augment_args,
        );
        assert_eq!(
            command.get_about().map(ToString::to_string).as_deref(),
            Some("the server")
        );
        for argv in [
            &["srv", "--root", "r", "--port", "1"][..],
            &["srv", "serve", "--root", "r", "--port", "1"],
        ] {
            let matches = command.clone().try_get_matches_from(argv).expect("parses");
            let flags = ServerFlags::from_arg_matches(&matches).expect("server flags");
            assert_eq!(flags.root.as_deref(), Some("r"), "{argv:?}");
            let common = Args::from_arg_matches(&matches).expect("common flags");
            assert_eq!(common.server.port, 1, "{argv:?}");
        }
        assert!(
            command
                .try_get_matches_from(["srv", "--rooot", "r"])
                .is_err(),
            "a misspelt flag is still an error"
        );
    }
}
