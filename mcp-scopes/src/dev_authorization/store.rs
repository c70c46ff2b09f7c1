//! What the development authorization server remembers, in memory and capped: registered clients,
//! authorization requests waiting for consent, codes and refresh tokens. Expired entries are
//! dropped whenever something is added; a full table refuses new entries rather than evicting,
//! so a flood of requests cannot push out a client the developer is using.

use std::collections::HashMap;
use std::time::Instant;

/// At most this many registered clients.
pub(super) const MAX_CLIENTS: usize = 256;
/// At most this many authorization requests waiting for consent.
pub(super) const MAX_PENDING: usize = 256;
/// At most this many codes (redeemed ones are kept until they expire, to detect reuse).
pub(super) const MAX_CODES: usize = 1024;
/// At most this many live refresh tokens.
pub(super) const MAX_REFRESH_TOKENS: usize = 4096;

/// A registered public client.
#[derive(Debug, Clone)]
pub(super) struct Client {
    pub(super) name: Option<String>,
    pub(super) redirect_uris: Vec<String>,
    pub(super) refresh_allowed: bool,
}

/// An authorization request shown on a consent page, waiting for the user's answer.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    /// Whether the request named `redirect_uri` (then the token request must repeat it).
    pub(super) redirect_uri_given: bool,
    pub(super) requested: Vec<String>,
    /// Whether `offline_access` was asked for (a refresh token).
    pub(super) offline: bool,
    pub(super) state: Option<String>,
    pub(super) code_challenge: String,
    pub(super) resource: String,
    /// The form's anti-CSRF token, also set as a cookie.
    pub(super) csrf: String,
    pub(super) expires: Instant,
}

/// An issued authorization code.
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_field_names,
    reason = "`code_challenge` is the OAuth name"
)]
pub(super) struct Code {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) redirect_uri_given: bool,
    pub(super) granted: Vec<String>,
    pub(super) offline: bool,
    pub(super) code_challenge: String,
    pub(super) resource: String,
    pub(super) expires: Instant,
    pub(super) redeemed: bool,
    /// Shared by the refresh tokens descending from this code, to revoke them on reuse.
    pub(super) family: String,
}

/// A live refresh token.
#[derive(Debug, Clone)]
pub(super) struct Refresh {
    pub(super) client_id: String,
    pub(super) granted: Vec<String>,
    pub(super) resource: String,
    pub(super) expires: Instant,
    pub(super) family: String,
}

/// A table is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Full;

/// Everything kept.
#[derive(Debug, Default)]
pub(super) struct Store {
    clients: HashMap<String, Client>,
    pending: HashMap<String, Pending>,
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
}

impl Store {
    pub(super) fn add_client(&mut self, id: String, client: Client) -> Result<(), Full> {
        if self.clients.len() >= MAX_CLIENTS {
            return Err(Full);
        }
        self.clients.insert(id, client);
        Ok(())
    }

    pub(super) fn client(&self, id: &str) -> Option<&Client> {
        self.clients.get(id)
    }

    pub(super) fn add_pending(&mut self, id: String, pending: Pending) -> Result<(), Full> {
        let now = Instant::now();
        self.pending.retain(|_, p| p.expires > now);
        if self.pending.len() >= MAX_PENDING {
            return Err(Full);
        }
        self.pending.insert(id, pending);
        Ok(())
    }

    /// The pending request `id`, removed: a consent form is answered once.
    pub(super) fn take_pending(&mut self, id: &str) -> Option<Pending> {
        let pending = self.pending.remove(id)?;
        (pending.expires > Instant::now()).then_some(pending)
    }

    /// Puts back a request whose form was refused before it was decided (a wrong CSRF token must
    /// not let a forger cancel the developer's pending consent).
    pub(super) fn restore_pending(&mut self, id: String, pending: Pending) {
        self.pending.insert(id, pending);
    }

    pub(super) fn add_code(&mut self, code: String, issued: Code) -> Result<(), Full> {
        let now = Instant::now();
        self.codes.retain(|_, c| c.expires > now);
        if self.codes.len() >= MAX_CODES {
            return Err(Full);
        }
        self.codes.insert(code, issued);
        Ok(())
    }

    /// Redeems `code`: its grant the first time; `Err(Reused)` after (having revoked every refresh
    /// token descending from it); `Err(Unknown)` for an unknown or expired code.
    pub(super) fn redeem_code(&mut self, code: &str) -> Result<Code, Redeem> {
        let entry = self.codes.get_mut(code).ok_or(Redeem::Unknown)?;
        if entry.expires <= Instant::now() {
            return Err(Redeem::Unknown);
        }
        if entry.redeemed {
            let family = entry.family.clone();
            self.refresh.retain(|_, r| r.family != family);
            return Err(Redeem::Reused);
        }
        entry.redeemed = true;
        Ok(entry.clone())
    }

    pub(super) fn add_refresh(&mut self, token: String, refresh: Refresh) -> Result<(), Full> {
        let now = Instant::now();
        self.refresh.retain(|_, r| r.expires > now);
        if self.refresh.len() >= MAX_REFRESH_TOKENS {
            return Err(Full);
        }
        self.refresh.insert(token, refresh);
        Ok(())
    }

    /// The refresh token's grant, removed (tokens are rotated: each is used once).
    pub(super) fn take_refresh(&mut self, token: &str) -> Option<Refresh> {
        let refresh = self.refresh.remove(token)?;
        (refresh.expires > Instant::now()).then_some(refresh)
    }
}

/// Why a code cannot be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Redeem {
    Unknown,
    Reused,
}
