//! What `serve` hands the server's own setup function and what that function may fail with: the
//! contract between the command line and the server's code, kept apart from both so `serve` and
//! the command-line entry point each name it without naming the other.

use std::path::PathBuf;

/// An error from the server's own setup (opening its database, …), shown to the user as is.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

/// What the server's setup function is told before the server starts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeContext {
    /// The data directory (exists; created with owner-only permissions if it did not).
    pub data_dir: PathBuf,
    /// Whether tokens are development tokens (no authorization server configured).
    pub development: bool,
    /// The parsed command line, where the server's own flags ([`Cli::flags`](super::Cli::flags))
    /// are read with `FromArgMatches::from_arg_matches`.
    pub matches: clap::ArgMatches,
}
