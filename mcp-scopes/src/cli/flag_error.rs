//! The error of every command-line check: which flag to fix, and how. Its own file because the
//! configuration, the token rules and the data directory all report through it.

use std::fmt;

/// A configuration mistake, named by its flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagError {
    /// The flag to fix, e.g. `--resource`.
    pub flag: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl FlagError {
    pub(crate) fn new(flag: &'static str, message: impl Into<String>) -> Self {
        Self {
            flag,
            message: message.into(),
        }
    }
}

impl fmt::Display for FlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.flag, self.message)
    }
}

impl std::error::Error for FlagError {}
