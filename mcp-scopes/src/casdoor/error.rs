//! Why a sync failed ([`SyncError`]) and which admin call it was in ([`SyncStep`]).

use std::fmt;

use super::credentials::{CLIENT_ID_ENV, CLIENT_SECRET_ENV};
use crate::manifest::ManifestError;

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

/// Which admin call failed: reading the application or writing it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStep {
    /// `GET /api/get-application`.
    Read,
    /// `POST /api/update-application`.
    Update,
}

impl fmt::Display for SyncStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Update => "update",
        })
    }
}
