//! Who a sync acts as: the client id and secret of a Casdoor application, kept out of every `Debug`
//! output, and where they are read from the environment.

use std::fmt;

/// Environment variable read by [`Credentials::from_env`] for the client id.
pub const CLIENT_ID_ENV: &str = "CASDOOR_CLIENT_ID";
/// Environment variable read by [`Credentials::from_env`] for the client secret.
pub const CLIENT_SECRET_ENV: &str = "CASDOOR_CLIENT_SECRET";

/// The client id and secret of a Casdoor application, sent as HTTP Basic credentials to the admin API.
///
/// Such credentials administer the whole Casdoor organisation: keep them in the deployment pipeline,
/// never in the running MCP server. `Debug` shows the client id only.
#[derive(Clone)]
pub struct Credentials {
    pub(super) client_id: String,
    pub(super) client_secret: String,
}

impl Credentials {
    /// Credentials from a client id and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// Credentials from [`CLIENT_ID_ENV`] and [`CLIENT_SECRET_ENV`], when both are set and not empty.
    pub fn from_env() -> Option<Self> {
        let id = std::env::var(CLIENT_ID_ENV)
            .ok()
            .filter(|s| !s.is_empty())?;
        let secret = std::env::var(CLIENT_SECRET_ENV)
            .ok()
            .filter(|s| !s.is_empty())?;
        Some(Self::new(id, secret))
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(crate) fn is_complete(&self) -> bool {
        !self.client_id.is_empty() && !self.client_secret.is_empty()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}
