//! How a subcommand that cannot go on ends: the error on stderr and the process's exit status
//! (2 for a usage or configuration error, as clap uses, 1 for anything else), the same for every
//! subcommand.

use std::process::ExitCode;

use super::flag_error::FlagError;

/// Exit status for usage and configuration errors (as clap uses).
pub(super) const USAGE_ERROR: u8 = 2;

/// Prints `error` and ends with the generic failure status.
pub(super) fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}

/// Prints a flag's error and ends with [`USAGE_ERROR`].
pub(super) fn usage_error(error: &FlagError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(USAGE_ERROR)
}
