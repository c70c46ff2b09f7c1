//! Who a caller is (issuer, subject and client of the token), and how many tool calls each caller
//! may have running at once.
//!
//! One token could otherwise start calls as fast as it can send requests, each holding a task,
//! memory and, for blocking tools, a thread, until the server has nothing left for anyone else.
//! The limit counts a call from the moment it passes the scope gate until its handler ends
//! (finished, failed, timed out or cancelled), so calls whose client went away still count until
//! they stop. A call beyond the limit is refused at once with HTTP 429 and `Retry-After`, before
//! its handler runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::auth::Principal;

/// How many tool calls one caller may have running at once, unless configured.
pub const DEFAULT_MAX_CALLS_PER_CALLER: usize = 16;

/// A caller: the token's issuer, subject and client. Every token one user gets through one client
/// is the same caller, whatever its `jti`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Caller {
    issuer: String,
    subject: Option<String>,
    client: Option<String>,
}

impl Caller {
    /// The caller `principal`'s token speaks for.
    pub(crate) fn of(principal: &Principal) -> Self {
        Self {
            issuer: principal.issuer.clone(),
            subject: principal.subject.clone(),
            client: principal.client_id.clone(),
        }
    }
}

/// The number of calls running per caller, and the most each may have.
#[derive(Debug)]
pub(crate) struct CallerLimits {
    max_per_caller: Option<usize>,
    running: Mutex<HashMap<Caller, usize>>,
}

/// One running call of a caller; dropping it (when the handler's task ends) frees the place.
#[derive(Debug)]
pub(crate) struct CallPermit {
    limits: Arc<CallerLimits>,
    caller: Caller,
}

impl CallerLimits {
    /// At most `max_per_caller` running calls per caller; `None` for no limit.
    pub(crate) fn new(max_per_caller: Option<usize>) -> Self {
        Self {
            max_per_caller,
            running: Mutex::new(HashMap::new()),
        }
    }

    /// The configured limit.
    pub(crate) fn max_per_caller(&self) -> Option<usize> {
        self.max_per_caller
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Caller, usize>> {
        // Counts stay meaningful whatever panicked while holding the lock: each update is one step.
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A place for one more call of `principal`'s caller, or `None` when it has the most it may.
    pub(crate) fn try_acquire(self: &Arc<Self>, principal: &Principal) -> Option<CallPermit> {
        let caller = Caller::of(principal);
        let mut running = self.lock();
        let count = running.entry(caller.clone()).or_insert(0);
        if self.max_per_caller.is_some_and(|max| *count >= max) {
            return None;
        }
        *count += 1;
        Some(CallPermit {
            limits: Arc::clone(self),
            caller,
        })
    }

    /// How many callers have calls running.
    #[cfg(test)]
    fn callers(&self) -> usize {
        self.lock().len()
    }
}

impl Drop for CallPermit {
    fn drop(&mut self) {
        let mut running = self.limits.lock();
        if let Some(count) = running.get_mut(&self.caller) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                running.remove(&self.caller);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(subject: &str, client: &str, jti: &str) -> Principal {
        Principal {
            subject: Some(subject.into()),
            client_id: Some(client.into()),
            issuer: "https://issuer".into(),
            expires_at: 0,
            jti: Some(jti.into()),
            scopes: crate::scope::ScopeSet::new(),
            claims: serde_json::Map::new(),
        }
    }

    #[test]
    fn each_caller_has_its_own_places_whatever_the_token() {
        let limits = Arc::new(CallerLimits::new(Some(2)));
        let first = limits.try_acquire(&principal("alice", "c", "1"));
        // Another token of the same user and client is the same caller.
        let second = limits.try_acquire(&principal("alice", "c", "2"));
        assert!(first.is_some() && second.is_some());
        assert!(limits.try_acquire(&principal("alice", "c", "3")).is_none());
        // Another user, or the same user through another client, is not.
        assert!(limits.try_acquire(&principal("bob", "c", "1")).is_some());
        assert!(limits.try_acquire(&principal("alice", "d", "1")).is_some());
        drop(first);
        let third = limits.try_acquire(&principal("alice", "c", "3"));
        assert!(third.is_some(), "a finished call frees its place");
        drop((second, third));
        assert_eq!(limits.callers(), 0, "callers without calls are forgotten");
    }

    #[test]
    fn no_limit_counts_but_never_refuses() {
        let limits = Arc::new(CallerLimits::new(None));
        let permits: Vec<_> = (0..100)
            .map(|_| limits.try_acquire(&principal("alice", "c", "1")))
            .collect();
        assert!(permits.iter().all(Option::is_some));
    }
}
