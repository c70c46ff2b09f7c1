//! How much unauthenticated traffic may write to the audit log (see the parent module's
//! "Volume"): a per-peer budget of refusal lines per window, and a count of requests without a
//! token summarized once per window. Its own file because it is state with its own rules and
//! tests, apart from the events themselves.
//!
//! The counts are taken out at the end of each window by the server's summary task (and once more
//! when the server is dropped), not only when the next request arrives: a burst followed by silence
//! is reported too.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Whether a summary task runs for these limits (one is enough however many routers share them).
    summarized: AtomicBool,
}

/// The counts of a window that ended: what a summary reports.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Requests without a token since the last summary, and the seconds that covers.
    pub(crate) unauthenticated: Option<(u64, u64)>,
    /// Per peer whose window ended: the refusals left out of the log since its last logged one.
    pub(crate) suppressed: Vec<(Option<IpAddr>, u64)>,
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
            summarized: AtomicBool::new(false),
        }
    }

    /// How long a window lasts.
    pub(crate) fn window(&self) -> Duration {
        self.window
    }

    /// True the first time only: whoever gets it starts the summary task.
    pub(crate) fn claim_summaries(&self) -> bool {
        !self.summarized.swap(true, Ordering::AcqRel)
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

    /// Takes out what is due at the end of a window: the count of requests without a token (if any
    /// arrived), and the suppressed refusals of every peer whose window ended (whose entry is
    /// dropped: its next refusal starts a fresh window anyway). With `everything`, as when the
    /// server stops, every peer's suppressed count, ended or not.
    pub(crate) fn take_summary(&self, everything: bool) -> Summary {
        let now = Instant::now();
        let unauthenticated = {
            let mut state = lock(&self.unauthenticated);
            (state.count > 0).then(|| {
                let count = std::mem::take(&mut state.count);
                let seconds = now.duration_since(state.since).as_secs();
                state.since = now;
                (count, seconds)
            })
        };
        let mut suppressed = Vec::new();
        lock(&self.peers).retain(|peer, window| {
            if !everything && now.duration_since(window.started) < self.window {
                return true;
            }
            if window.suppressed > 0 {
                suppressed.push((*peer, window.suppressed));
            }
            false
        });
        Summary {
            unauthenticated,
            suppressed,
        }
    }

    /// Counts a request without a token; returns the count and the seconds it covers when a
    /// summary is due (when no summary task runs, the next request after a window reports it).
    pub(super) fn count_unauthenticated(&self) -> Option<(u64, u64)> {
        let now = Instant::now();
        let mut state = lock(&self.unauthenticated);
        state.count += 1;
        let elapsed = now.duration_since(state.since);
        if elapsed < self.window || self.summarized.load(Ordering::Acquire) {
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
    fn a_summary_takes_the_count_and_the_suppressed_refusals_of_ended_windows() {
        let limits = AuditLimits::new(1, Duration::from_millis(100));
        // A summary task runs: it alone reports, the requests no longer do.
        assert!(limits.claim_summaries());
        assert!(!limits.claim_summaries(), "one task per server");
        let (a, b) = (
            Some(IpAddr::from([10, 0, 0, 1])),
            Some(IpAddr::from([10, 0, 0, 2])),
        );
        for _ in 0..5 {
            limits.count_unauthenticated();
            limits.admit(a);
        }
        // The count is taken whenever a summary is made; a peer's refusals once its window ended.
        let summary = limits.take_summary(false);
        assert_eq!(summary.unauthenticated.map(|(n, _)| n), Some(5));
        assert_eq!(summary.suppressed, [], "the window is on");
        std::thread::sleep(Duration::from_millis(120));
        limits.admit(b);
        limits.admit(b);
        limits.count_unauthenticated();
        let summary = limits.take_summary(false);
        assert_eq!(summary.unauthenticated.map(|(n, _)| n), Some(1));
        assert_eq!(summary.suppressed, [(a, 4)]);
        // Taken out: nothing twice. `b`'s window is still on until the server stops.
        assert_eq!(limits.take_summary(false), Summary::default());
        assert_eq!(limits.take_summary(true).suppressed, [(b, 1)]);
        assert_eq!(limits.admit(a), Some(0), "a fresh window");
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
