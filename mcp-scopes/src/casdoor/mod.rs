//! `casdoor sync`: push this server's scope manifest into a Casdoor application.
//!
//! Casdoor only grants the scopes an application lists (once its list is non-empty), so the list must
//! follow the code. Casdoor's admin API has no "update one field" call: `update-application` rewrites
//! every column from the body. A sync therefore reads the application, replaces the entries of
//! `scopes` (and of `customScopes`, which Casdoor's consent screen reads) that this server manages
//! (the names in its manifest), keeps the others unless pruning is asked for, and posts the whole
//! object back with every other byte exactly as read (see `application.rs` for how). Just before
//! writing it reads the application again and stops if anything else changed meanwhile, so an
//! admin's edit is never undone. Nothing is written when nothing changes or on a dry run, and any
//! failure before the write leaves the application untouched.
//!
//! The credentials are an application's client id and secret, which Casdoor treats as a full admin:
//! use them from a deployment pipeline, not from the running server. They are sent as HTTP Basic
//! credentials and never printed, logged or put in a URL.

mod application;
mod client;
#[cfg(feature = "cli")]
mod command;
mod plan;
mod sync;

pub use client::{CLIENT_ID_ENV, CLIENT_SECRET_ENV, Credentials, SyncStep};
pub use plan::ScopeChange;
pub use sync::sync;

#[cfg(feature = "cli")]
pub(crate) use command::{CasdoorCommand, run as run_command};

use std::fmt;
use std::time::Duration;

use crate::manifest::{CasdoorScope, ManifestError};

/// What to sync where. Build with [`SyncOptions::new`].
#[derive(Debug, Clone)]
pub struct SyncOptions {
    endpoint: String,
    application: String,
    credentials: Credentials,
    scopes: Vec<CasdoorScope>,
    dry_run: bool,
    prune: bool,
    custom_scopes: bool,
    timeout: Duration,
}

impl SyncOptions {
    /// Sync `scopes` (from [`crate::manifest::casdoor_scopes`]) into the application `owner/name` of
    /// the Casdoor at `endpoint` (its origin, e.g. `https://door.example.com`).
    pub fn new(
        endpoint: impl Into<String>,
        application: impl Into<String>,
        credentials: Credentials,
        scopes: Vec<CasdoorScope>,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            application: application.into(),
            credentials,
            scopes,
            dry_run: false,
            prune: false,
            custom_scopes: true,
            timeout: Duration::from_secs(30),
        }
    }

    /// Only compute and report the changes; write nothing.
    #[must_use]
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }

    /// Also remove entries of `scopes` this server does not declare.
    #[must_use]
    pub fn prune(mut self, yes: bool) -> Self {
        self.prune = yes;
        self
    }

    /// Also sync `customScopes`, what Casdoor's consent screen shows, from the same manifest
    /// (default: yes). With `false` that field is left exactly as it is.
    #[must_use]
    pub fn custom_scopes(mut self, yes: bool) -> Self {
        self.custom_scopes = yes;
        self
    }

    /// The timeout of each HTTP request (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Why a sync failed. In every case the application was not changed, except
/// [`SyncError::Unaffected`] and errors of the update call itself, where Casdoor's state is whatever
/// its reply says.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The endpoint is not an http(s) origin.
    #[error(
        "`{0}` is not a usable Casdoor endpoint; give its origin, e.g. https://door.example.com"
    )]
    InvalidEndpoint(String),
    /// The endpoint is plain http to a host that is not loopback: the admin credentials would
    /// cross the network in clear.
    #[error(
        "`{0}`: plain http would send the admin credentials in clear; use https (http is accepted only for a loopback host such as 127.0.0.1)"
    )]
    InsecureEndpoint(String),
    /// The application is not `owner/name`.
    #[error("`{0}` is not an application id; use `owner/name`, e.g. admin/my-mcp-server")]
    InvalidApplication(String),
    /// No client id or secret.
    #[error(
        "no Casdoor credentials: pass --client-id and --client-secret or set {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}"
    )]
    MissingCredentials,
    /// The manifest fails Casdoor's rules.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Casdoor could not be reached (connection refused, DNS, TLS, timeout).
    #[error("cannot reach Casdoor at {endpoint}: {reason}")]
    Unreachable {
        /// The endpoint.
        endpoint: String,
        /// The network error and its causes.
        reason: String,
    },
    /// HTTP 401 or 403.
    #[error(
        "Casdoor refused the credentials (HTTP {status}) when trying to {action} application `{application}`; check the client id and secret"
    )]
    Refused {
        /// 401 or 403.
        status: u16,
        /// What the call was doing (`read` or `update`).
        action: SyncStep,
        /// The application id.
        application: String,
    },
    /// Another non-success HTTP status.
    #[error("Casdoor answered HTTP {status} when asked to {action} the application{hint}")]
    HttpStatus {
        /// The status code.
        status: u16,
        /// What the call was doing.
        action: SyncStep,
        /// A hint for redirects (empty otherwise).
        hint: &'static str,
    },
    /// A reply with `"status":"error"` (Casdoor sends these with HTTP 200).
    #[error("Casdoor refused to {action} application `{application}`: {message}")]
    Casdoor {
        /// What the call was doing.
        action: SyncStep,
        /// The application id.
        application: String,
        /// Casdoor's `msg`.
        message: String,
    },
    /// A reply that is not what Casdoor sends.
    #[error("unexpected reply from Casdoor when asked to {action} the application: {reason}")]
    Malformed {
        /// What the call was doing.
        action: SyncStep,
        /// What was wrong.
        reason: String,
    },
    /// `get-application` found nothing under this id.
    #[error("Casdoor has no application `{0}`; check the owner (organisation) and the name")]
    NotFound(String),
    /// `update-application` answered `Unaffected`.
    #[error("Casdoor answered `Unaffected`: application `{0}` was not changed")]
    Unaffected(String),
    /// The sync would leave the application's `scopes` empty (an empty manifest with `--prune`).
    /// Casdoor grants any requested scope when that list is empty, so this would widen access, not
    /// narrow it; nothing is written.
    #[error(
        "refusing to empty the `scopes` of application `{0}`: Casdoor grants any requested scope when the list is empty; this server declares no scopes, so drop --prune (or clear the list in Casdoor yourself)"
    )]
    WouldEmptyScopes(String),
    /// Someone changed other fields of the application between the sync's first read and the read
    /// just before writing: writing the whole object back would undo their change, so nothing was
    /// written.
    #[error(
        "application `{application}` was changed in Casdoor while syncing (field(s) {}): nothing was written, so that change is kept; check it and run the sync again",
        .fields.join(", ")
    )]
    ChangedMeanwhile {
        /// The application id.
        application: String,
        /// The fields that changed.
        fields: Vec<String>,
    },
}

/// What a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The application already listed the manifest; nothing was written.
    UpToDate,
    /// Changes were found and not written ([`SyncOptions::dry_run`]).
    DryRun,
    /// The application was updated.
    Written,
}

/// The result of a sync: every entry's fate, what was done, and warnings. Its `Display` is the
/// readable diff the CLI prints.
#[derive(Debug, Clone)]
pub struct SyncReport {
    /// The application id.
    pub application: String,
    /// One entry per scope of the application's `scopes` before or after.
    pub changes: Vec<ScopeChange>,
    /// The same for `customScopes` (empty when [`SyncOptions::custom_scopes`] is off).
    pub custom_scope_changes: Vec<ScopeChange>,
    /// What was done.
    pub outcome: SyncOutcome,
    /// Things the operator should know (e.g. OIDC scopes that Casdoor will now refuse).
    pub warnings: Vec<String>,
}

impl SyncReport {
    /// Whether the application differs (or differed) from the manifest.
    pub fn has_changes(&self) -> bool {
        self.change_count() > 0
    }

    fn change_count(&self) -> usize {
        self.changes
            .iter()
            .chain(&self.custom_scope_changes)
            .filter(|c| c.is_change())
            .count()
    }
}

impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.change_count();
        writeln!(f, "Casdoor application {}: scopes", self.application)?;
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        if !self.custom_scope_changes.is_empty() {
            writeln!(f, "customScopes (the consent screen)")?;
            for change in &self.custom_scope_changes {
                writeln!(f, "{change}")?;
            }
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        match self.outcome {
            SyncOutcome::UpToDate => write!(f, "Up to date: nothing to write."),
            SyncOutcome::DryRun => write!(f, "Dry run: {count} change(s), nothing written."),
            SyncOutcome::Written => write!(f, "Updated: {count} change(s) written."),
        }
    }
}
