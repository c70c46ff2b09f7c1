//! What a sync is asked to do: [`SyncOptions`], built once and read by the `sync` function.

use std::time::Duration;

use super::credentials::Credentials;
use crate::manifest::CasdoorScope;

/// What to sync where. Build with [`SyncOptions::new`].
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub(super) endpoint: String,
    pub(super) application: String,
    pub(super) credentials: Credentials,
    pub(super) scopes: Vec<CasdoorScope>,
    pub(super) dry_run: bool,
    pub(super) prune: bool,
    pub(super) custom_scopes: bool,
    pub(super) timeout: Duration,
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
