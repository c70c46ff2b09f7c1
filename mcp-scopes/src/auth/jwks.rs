//! The JWKS cache: the authorization server's signing keys, always readable without waiting.
//!
//! Written here rather than taken from a crate: the existing ones hold a mutex per request across the
//! JWKS fetch (jwt-authorizer), refetch an unknown `kid` only after minutes or never
//! (jwt-authorizer, tower-oauth2-resource-server), reject the whole set for one odd key
//! (tower-oauth2-resource-server), support RSA only (axum-jwks) or need OpenSSL and drop keys on a
//! failed refresh (jwtk). What this module guarantees instead:
//!
//! - Reads never take a lock and never wait on the network: the key map is immutable and swapped
//!   whole through an `ArcSwap` when a refresh succeeds.
//! - A background task refreshes on an interval (the reply's `Cache-Control: max-age`, clamped into
//!   configured bounds), retries failures with exponential backoff and jitter, and keeps the last good
//!   keys until they are older than the maximum staleness.
//! - A token naming an unknown `kid` triggers at most one refetch at a time and at most one per
//!   cooldown, because kids are chosen by whoever sends the token.
//! - Until the first successful load the cache is "not ready", which callers turn into 503, not 401.
//! - A discovered `jwks_uri` is discovered again after a few refreshes in a row fail, so keys that
//!   moved (a new `jwks_uri` in the issuer's metadata) are found before the old ones go stale.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;

use super::config::{KeySource, RefreshPolicy};
use super::fetch::{self, FetchError};
use super::keys::{self, KeyMap, Skipped, VerifyingKey};

/// One loaded key set.
pub(crate) struct KeySet {
    pub(crate) keys: KeyMap,
    /// When it was fetched; `None` for a static set, which never goes stale.
    loaded_at: Option<Instant>,
}

/// What a key lookup found.
pub(crate) enum Lookup {
    Found(Arc<VerifyingKey>),
    Unknown,
    NotReady,
}

enum Remote {
    Static,
    Uri(String),
    Discover {
        issuer: String,
        found: ArcSwapOption<String>,
    },
}

const NEVER: u64 = u64::MAX;

/// After this many failed refreshes in a row, a discovered `jwks_uri` is looked up again.
const REDISCOVER_AFTER_FAILURES: u32 = 3;

/// The cache shared by a validator and its refresh task.
pub(crate) struct JwksCache {
    current: ArcSwapOption<KeySet>,
    remote: Remote,
    client: reqwest::Client,
    policy: RefreshPolicy,
    /// Serialises fetches: one in flight at a time, whoever started it.
    fetch_lock: tokio::sync::Mutex<()>,
    /// Milliseconds since `epoch` of the last refetch caused by an unknown kid, or `NEVER`.
    last_kid_refetch: AtomicU64,
    epoch: Instant,
    logged_skips: Mutex<HashSet<Skipped>>,
    /// Whether the first fetch has finished, loaded or failed (a static set starts finished).
    first_fetch_done: tokio::sync::watch::Sender<bool>,
}

impl JwksCache {
    /// A cache for `source`. A static set is parsed now, so errors in it surface at start-up.
    pub(crate) fn new(
        source: &KeySource,
        issuer: &str,
        client: reqwest::Client,
        policy: RefreshPolicy,
    ) -> Result<Self, keys::JwksError> {
        let (remote, current) = match source {
            KeySource::Static(jwks) => {
                let (keys, skipped) = keys::parse_jwks(jwks, None)?;
                let set = KeySet {
                    keys,
                    loaded_at: None,
                };
                (Remote::Static, Some((set, skipped)))
            }
            KeySource::Uri(uri) => (Remote::Uri(uri.clone()), None),
            KeySource::Discover => (
                Remote::Discover {
                    issuer: issuer.to_owned(),
                    found: ArcSwapOption::empty(),
                },
                None,
            ),
        };
        let cache = Self {
            current: ArcSwapOption::empty(),
            remote,
            client,
            policy,
            fetch_lock: tokio::sync::Mutex::new(()),
            last_kid_refetch: AtomicU64::new(NEVER),
            epoch: Instant::now(),
            logged_skips: Mutex::new(HashSet::new()),
            first_fetch_done: tokio::sync::watch::Sender::new(current.is_some()),
        };
        if let Some((set, skipped)) = current {
            cache.log_skipped(&skipped);
            cache.current.store(Some(Arc::new(set)));
        }
        Ok(cache)
    }

    /// Whether keys come from the network (and so need a refresh task).
    pub(crate) fn is_remote(&self) -> bool {
        !matches!(self.remote, Remote::Static)
    }

    /// Runs `f` on the current key set if it may be used: loaded and not older than the maximum
    /// staleness. Borrows through an `arc_swap` guard: no lock, no reference-count traffic.
    fn with_usable<R>(&self, f: impl FnOnce(&KeySet) -> R) -> Option<R> {
        let guard = self.current.load();
        let set = guard.as_deref()?;
        match set.loaded_at {
            Some(at) if at.elapsed() > self.policy.max_staleness => None,
            _ => Some(f(set)),
        }
    }

    /// Completes once the first fetch has finished, loaded or failed (at once for a static set).
    pub(crate) async fn first_fetch(&self) {
        let mut done = self.first_fetch_done.subscribe();
        // The sender lives as long as `self`, so this only ends when the flag is set.
        let _ = done.wait_for(|done| *done).await;
    }

    /// Whether a usable key set is loaded.
    pub(crate) fn is_usable(&self) -> bool {
        self.with_usable(|_| ()).is_some()
    }

    /// Lock-free lookup of `kid` in the current set.
    pub(crate) fn lookup(&self, kid: &str) -> Lookup {
        self.with_usable(|set| {
            set.keys
                .get(kid)
                .map_or(Lookup::Unknown, |k| Lookup::Found(Arc::clone(k)))
        })
        .unwrap_or(Lookup::NotReady)
    }

    /// Whether `key` is still the key published under `kid` (used to drop cached tokens whose key left).
    pub(crate) fn still_current(&self, kid: &str, key: &Arc<VerifyingKey>) -> bool {
        self.with_usable(|set| set.keys.get(kid).is_some_and(|k| Arc::ptr_eq(k, key)))
            .unwrap_or(false)
    }

    /// Looks `kid` up; if it is unknown, refetches once when the cooldown allows (or waits for a
    /// refetch already in flight) and looks again.
    pub(crate) async fn key_for(&self, kid: &str) -> Lookup {
        match self.lookup(kid) {
            Lookup::Unknown if self.is_remote() => {}
            other => return other,
        }
        let now = self.now_ms();
        let last = self.last_kid_refetch.load(Ordering::Acquire);
        let cooldown = u64::try_from(self.policy.unknown_kid_cooldown.as_millis()).unwrap_or(NEVER);
        let may_fetch = last == NEVER || now.saturating_sub(last) >= cooldown;
        let won = may_fetch
            && self
                .last_kid_refetch
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
        let bound = self.policy.request_timeout + self.policy.connect_timeout;
        if won {
            tracing::debug!(target: "mcp_scopes::jwks", "unknown kid: refetching the JWKS");
            if let Ok(Err(e)) = tokio::time::timeout(bound, self.refresh()).await {
                tracing::warn!(target: "mcp_scopes::jwks", error = %e, "JWKS refetch for an unknown kid failed");
            }
        } else if self.fetch_lock.try_lock().is_err() {
            // A fetch is in flight (maybe the one that will bring this kid): wait for it, bounded.
            let _ = tokio::time::timeout(bound, self.fetch_lock.lock()).await;
        } else {
            return Lookup::Unknown;
        }
        self.lookup(kid)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(NEVER - 1)
    }

    /// Fetches the JWKS once and swaps it in; returns the reply's `max-age`.
    pub(crate) async fn refresh(&self) -> Result<Option<Duration>, FetchError> {
        let _guard = self.fetch_lock.lock().await;
        let uri = self.jwks_uri().await?;
        let (doc, max_age) = fetch::get_json(&self.client, &uri, &self.policy).await?;
        let previous = self.current.load_full();
        let (keys, skipped) =
            keys::parse_jwks(&doc, previous.as_ref().map(|p| &p.keys)).map_err(|e| {
                FetchError::BadKeySet {
                    url: uri.clone(),
                    reason: e.to_string(),
                }
            })?;
        self.log_skipped(&skipped);
        let changed = previous.as_ref().is_none_or(|p| {
            p.keys.len() != keys.len()
                || keys
                    .iter()
                    .any(|(kid, k)| p.keys.get(kid).is_none_or(|old| !Arc::ptr_eq(old, k)))
        });
        if changed {
            let mut kids: Vec<&str> = keys.keys().map(String::as_str).collect();
            kids.sort_unstable();
            tracing::info!(target: "mcp_scopes::jwks", jwks_uri = %uri, kids = ?kids, "loaded signing keys");
        }
        self.current.store(Some(Arc::new(KeySet {
            keys,
            loaded_at: Some(Instant::now()),
        })));
        Ok(max_age)
    }

    async fn jwks_uri(&self) -> Result<String, FetchError> {
        match &self.remote {
            Remote::Static => Err(FetchError::Discovery("static key set".into())),
            Remote::Uri(uri) => Ok(uri.clone()),
            Remote::Discover { issuer, found } => {
                if let Some(uri) = found.load_full() {
                    return Ok(uri.as_ref().clone());
                }
                let uri = fetch::discover_jwks_uri(&self.client, issuer, &self.policy).await?;
                tracing::info!(target: "mcp_scopes::jwks", issuer = %issuer, jwks_uri = %uri, "discovered the JWKS URI");
                found.store(Some(Arc::new(uri.clone())));
                Ok(uri)
            }
        }
    }

    /// Forgets a discovered `jwks_uri`, so the next refresh reads the issuer's metadata again.
    fn forget_discovered_uri(&self) {
        if let Remote::Discover { issuer, found } = &self.remote
            && found.swap(None).is_some()
        {
            tracing::info!(target: "mcp_scopes::jwks", issuer = %issuer, "JWKS refreshes keep failing: discovering the JWKS URI again");
        }
    }

    fn log_skipped(&self, skipped: &[Skipped]) {
        let Ok(mut logged) = self.logged_skips.lock() else {
            return;
        };
        for skip in skipped {
            if logged.insert(skip.clone()) {
                tracing::warn!(target: "mcp_scopes::jwks", kid = %skip.kid, reason = %skip.reason, "skipping a JWK this server cannot use");
            }
        }
    }

    /// The delay before the next refresh after a success with `max_age`.
    fn next_refresh(&self, max_age: Option<Duration>) -> Duration {
        max_age
            .unwrap_or(self.policy.max_refresh)
            .clamp(self.policy.min_refresh, self.policy.max_refresh)
    }

    /// The delay before retrying after `failures` consecutive failures: doubling from the initial
    /// backoff up to the maximum, with up to half of it taken off at random so many servers that lost
    /// the same authorization server do not retry in step.
    fn backoff(&self, failures: u32) -> Duration {
        let base = self
            .policy
            .backoff_initial
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
            .min(self.policy.backoff_max);
        base.mul_f64(1.0 - rand::random::<f64>() / 2.0)
    }
}

/// The refresh loop, run by the validator's background task until the validator is dropped.
///
/// A failure is logged at `WARN` when it starts and whenever it changes (another error, or the last
/// keys going stale), its repeats at `DEBUG`, and the recovery once at `INFO`: an outage is a few
/// lines, not one per retry.
pub(crate) async fn refresh_loop(cache: Arc<JwksCache>) {
    let mut failures = 0u32;
    // The error text and `serving_keys` of the last warning, while refreshes keep failing.
    let mut warned: Option<(String, bool)> = None;
    loop {
        let refreshed = cache.refresh().await;
        cache
            .first_fetch_done
            .send_if_modified(|done| !std::mem::replace(done, true));
        let delay = match refreshed {
            Ok(max_age) => {
                if failures > 0 {
                    tracing::info!(target: "mcp_scopes::jwks", failures, "JWKS refresh succeeded again");
                }
                failures = 0;
                warned = None;
                cache.next_refresh(max_age)
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                if failures.is_multiple_of(REDISCOVER_AFTER_FAILURES) {
                    cache.forget_discovered_uri();
                }
                let delay = cache.backoff(failures);
                let serving_keys = cache.is_usable();
                let state = (e.to_string(), serving_keys);
                if warned.as_ref() == Some(&state) {
                    tracing::debug!(target: "mcp_scopes::jwks", error = %e, retry_in = ?delay, serving_keys, failures, "JWKS refresh failed");
                } else {
                    tracing::warn!(target: "mcp_scopes::jwks", error = %e, retry_in = ?delay, serving_keys, failures, "JWKS refresh failed (repeats are logged at debug)");
                    warned = Some(state);
                }
                delay
            }
        };
        tokio::time::sleep(delay).await;
    }
}
