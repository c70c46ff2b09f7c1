//! `casdoor sync`: push this server's scope manifest into a Casdoor application.
//!
//! Casdoor only grants the scopes an application lists (once its list is non-empty), so the list must
//! follow the code. Casdoor's admin API has no "update one field" call: `update-application` rewrites
//! every column from the body. A sync therefore reads the application, replaces the entries of
//! `scopes` that this server manages (the names in its manifest), keeps the others unless pruning is
//! asked for, and posts the whole object back with every other byte exactly as read (see
//! `application.rs` for how). Nothing is written when nothing changes or on a dry run, and any
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

pub use client::{CLIENT_ID_ENV, CLIENT_SECRET_ENV, Credentials, SyncStep};
pub use plan::ScopeChange;

#[cfg(feature = "cli")]
pub(crate) use command::{CasdoorCommand, run as run_command};

use std::fmt;
use std::time::Duration;

use crate::manifest::{CasdoorScope, ManifestError, STANDARD_OIDC_SCOPES, check_casdoor_scopes};
use application::Application;
use client::{AdminClient, envelope};

/// What to sync where. Build with [`SyncOptions::new`].
#[derive(Debug, Clone)]
pub struct SyncOptions {
    endpoint: String,
    application: String,
    credentials: Credentials,
    scopes: Vec<CasdoorScope>,
    dry_run: bool,
    prune: bool,
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
    /// One entry per scope of the application before or after.
    pub changes: Vec<ScopeChange>,
    /// What was done.
    pub outcome: SyncOutcome,
    /// Things the operator should know (e.g. OIDC scopes that Casdoor will now refuse).
    pub warnings: Vec<String>,
}

impl SyncReport {
    /// Whether the application differs (or differed) from the manifest.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(ScopeChange::is_change)
    }
}

impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.changes.iter().filter(|c| c.is_change()).count();
        writeln!(f, "Casdoor application {}: scopes", self.application)?;
        for change in &self.changes {
            writeln!(f, "{change}")?;
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

/// Reads the application, plans the new `scopes`, and writes the whole object back when it changed
/// (not on a dry run). See the module docs.
pub async fn sync(options: &SyncOptions) -> Result<SyncReport, SyncError> {
    let endpoint = checked_endpoint(&options.endpoint)?;
    let id = options.application.as_str();
    match id.split_once('/') {
        Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {}
        _ => return Err(SyncError::InvalidApplication(id.to_owned())),
    }
    if !options.credentials.is_complete() {
        return Err(SyncError::MissingCredentials);
    }
    check_casdoor_scopes(
        options
            .scopes
            .iter()
            .map(|s| (s.name.as_str(), s.description.as_str())),
    )?;

    let client = AdminClient::new(&endpoint, &options.credentials, options.timeout)?;
    let reply = client.get_application(id).await?;
    let data = envelope(&reply, SyncStep::Read, id)?
        .data
        .filter(|d| d.get() != "null")
        .ok_or_else(|| SyncError::NotFound(id.to_owned()))?;
    let malformed = |e: application::NotAnApplication| SyncError::Malformed {
        action: SyncStep::Read,
        reason: e.0,
    };
    let app = Application::parse(data.get()).map_err(malformed)?;
    let existing = app.scope_entries().map_err(malformed)?;
    let plan = plan::plan(&existing, &options.scopes, options.prune);
    if !existing.is_empty() && plan.is_empty() {
        return Err(SyncError::WouldEmptyScopes(id.to_owned()));
    }

    let missing_oidc: Vec<&str> = STANDARD_OIDC_SCOPES
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| !plan.resulting_names.contains(*name))
        .collect();
    let mut warnings = Vec::new();
    if !plan.resulting_names.is_empty() && !missing_oidc.is_empty() {
        warnings.push(format!(
            "the application will not list {}: Casdoor refuses a requested scope missing from a non-empty list, so clients asking for these will fail (add them with --oidc-scopes)",
            missing_oidc.join(", ")
        ));
    }

    let outcome = if !plan.has_changes() {
        SyncOutcome::UpToDate
    } else if options.dry_run {
        SyncOutcome::DryRun
    } else {
        let body = app.with_scopes(&plan.scopes_json);
        let reply = client.update_application(id, body).await?;
        let result = envelope(&reply, SyncStep::Update, id)?;
        match result.data.map(serde_json::value::RawValue::get) {
            Some("\"Affected\"") => SyncOutcome::Written,
            Some("\"Unaffected\"") => return Err(SyncError::Unaffected(id.to_owned())),
            other => {
                return Err(SyncError::Malformed {
                    action: SyncStep::Update,
                    reason: format!(
                        "`data` is {}, not \"Affected\" or \"Unaffected\"",
                        other.unwrap_or("absent")
                    ),
                });
            }
        }
    };
    tracing::info!(
        application = id,
        outcome = ?outcome,
        changes = plan.changes.iter().filter(|c| c.is_change()).count(),
        "casdoor scope sync"
    );
    Ok(SyncReport {
        application: id.to_owned(),
        changes: plan.changes,
        outcome,
        warnings,
    })
}

/// The endpoint as an origin (plus an optional path prefix) without a trailing slash.
fn checked_endpoint(endpoint: &str) -> Result<String, SyncError> {
    let invalid = || SyncError::InvalidEndpoint(crate::auth::without_credentials(endpoint));
    let url = reqwest::Url::parse(endpoint).map_err(|_| invalid())?;
    let usable = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !usable {
        return Err(invalid());
    }
    if crate::auth::transport_problem(&url).is_some() {
        return Err(SyncError::InsecureEndpoint(url.as_str().to_owned()));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_origins() {
        assert_eq!(
            checked_endpoint("https://door.example.com/").unwrap(),
            "https://door.example.com"
        );
        assert_eq!(
            checked_endpoint("http://127.0.0.1:8000/casdoor/").unwrap(),
            "http://127.0.0.1:8000/casdoor"
        );
        for bad in [
            "door.example.com",
            "ftp://door.example.com",
            "https://user:pw@door.example.com",
            "https://door.example.com/?x=1",
        ] {
            assert!(checked_endpoint(bad).is_err(), "{bad}");
        }
        assert_eq!(
            checked_endpoint("http://localhost:8000").unwrap(),
            "http://localhost:8000"
        );
        for clear in ["http://door.example.com", "http://10.0.0.7:8000/"] {
            let err = checked_endpoint(clear).unwrap_err();
            assert!(matches!(err, SyncError::InsecureEndpoint(_)), "{clear}");
            assert!(err.to_string().contains("use https"), "{err}");
        }
    }
}
