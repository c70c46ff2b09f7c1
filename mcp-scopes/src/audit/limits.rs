//! How much unauthenticated traffic may write to the audit log (see the parent module's
//! "Volume"): a per-peer budget of refusal lines per window, and a count of requests without a
//! token summarized once per window. Its own file because it is state with its own rules and
//! tests, apart from the events themselves.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How many refusals before authentication are logged per peer address and minute, unless the
/// server is built with another limit.
pub const DEFAULT_REFUSALS_PER_PEER: u32 = 20;

/// How many peers the refusal limiter remembers; past that, unknown peers share one budget.
const MAX_PEERS: usize = 4096;

#[derive(Debug)]
struct Window {
    started: Instant,
    logged: u32,
    suppressed: u64,
}

#[derive(Debug)]
struct Unauthenticated {
    since: Instant,
    count: u64,
}

/// Bounds what unauthenticated traffic writes to the log (see the module docs). One per server,
/// shared by the `Origin` guard and the auth layer.
#[derive(Debug)]
pub(crate) struct AuditLimits {
    per_peer: u32,
    window: Duration,
    peers: Mutex<HashMap<Option<IpAddr>, Window>>,
    unauthenticated: Mutex<Unauthenticated>,
}

impl Default for AuditLimits {
    fn default() -> Self {
        Self::per_minute(DEFAULT_REFUSALS_PER_PEER)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Counters only: whatever panicked while holding one left numbers, not broken invariants.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AuditLimits {
    /// `per_peer` refusal lines per peer and minute.
    pub(crate) fn per_minute(per_peer: u32) -> Self {
        Self::new(per_peer, Duration::from_mins(1))
    }

    /// `per_peer` refusal lines per peer and `window`.
    pub(crate) fn new(per_peer: u32, window: Duration) -> Self {
        Self {
            per_peer,
            window,
            peers: Mutex::new(HashMap::new()),
            unauthenticated: Mutex::new(Unauthenticated {
                since: Instant::now(),
                count: 0,
            }),
        }
    }

    /// Whether a refusal from `peer` may be logged now: `Some(n)` with the number of refusals from
    /// it left out since the last logged one, `None` to leave this one out.
    pub(super) fn admit(&self, peer: Option<IpAddr>) -> Option<u64> {
        let now = Instant::now();
        let mut peers = lock(&self.peers);
        if peers.len() >= MAX_PEERS && !peers.contains_key(&peer) {
            peers.retain(|_, w| now.duration_since(w.started) < self.window);
        }
        let key = if peers.len() >= MAX_PEERS && !peers.contains_key(&peer) {
            None
        } else {
            peer
        };
        let window = peers.entry(key).or_insert(Window {
            started: now,
            logged: 0,
            suppressed: 0,
        });
        if now.duration_since(window.started) >= self.window {
            window.started = now;
            window.logged = 0;
        }
        if window.logged < self.per_peer {
            window.logged += 1;
            Some(std::mem::take(&mut window.suppressed))
        } else {
            window.suppressed += 1;
            None
        }
    }

    /// Counts a request without a token; returns the count and the seconds it covers when a
    /// summary is due.
    pub(super) fn count_unauthenticated(&self) -> Option<(u64, u64)> {
        let now = Instant::now();
        let mut state = lock(&self.unauthenticated);
        state.count += 1;
        let elapsed = now.duration_since(state.since);
        if elapsed < self.window {
            return None;
        }
        let count = std::mem::take(&mut state.count);
        state.since = now;
        Some((count, elapsed.as_secs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_limited_per_peer_and_the_next_line_counts_the_rest() {
        let limits = AuditLimits::new(2, Duration::from_millis(200));
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        assert_eq!(limits.admit(a), Some(0));
        assert_eq!(limits.admit(a), Some(0));
        assert_eq!(limits.admit(a), None);
        assert_eq!(limits.admit(a), None);
        // Another peer has its own budget.
        assert_eq!(limits.admit(b), Some(0));
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(limits.admit(a), Some(2));
        assert_eq!(limits.admit(a), Some(0));
    }

    #[test]
    fn requests_without_a_token_are_summarized_once_per_window() {
        let limits = AuditLimits::new(2, Duration::from_millis(200));
        for _ in 0..50 {
            assert_eq!(limits.count_unauthenticated(), None);
        }
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(limits.count_unauthenticated().map(|(n, _)| n), Some(51));
        assert_eq!(limits.count_unauthenticated(), None);
    }
}
