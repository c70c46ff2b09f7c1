//! The summaries of what the audit limits left out (see the parent module's "Volume"): a task that
//! logs them at the end of every window, and a last one when the server is dropped. Apart from the
//! limits because it is the one piece that runs on its own, on a timer, rather than per request.

use std::sync::Arc;

use super::limits::{AuditLimits, Summary};
use super::vocabulary::{TARGET, reason};

/// Starts the task that logs the summaries of `limits` at the end of every window (see the
/// module's "Volume"), once per `limits` and only inside a Tokio runtime. The task holds no strong
/// reference: it ends at the first window after the server is dropped.
pub(crate) fn start_summaries(limits: &Arc<AuditLimits>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    if !limits.claim_summaries() {
        return;
    }
    let window = limits.window();
    let limits = Arc::downgrade(limits);
    runtime.spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + window, window);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(limits) = limits.upgrade() else {
                break;
            };
            summarize(&limits.take_summary(false));
        }
    });
}

/// The last summary, when the server's limits go (the server was dropped, as after a graceful
/// shutdown): every count not logged yet.
impl Drop for AuditLimits {
    fn drop(&mut self) {
        summarize(&self.take_summary(true));
    }
}

fn summarize(summary: &Summary) {
    if let Some((count, seconds)) = summary.unauthenticated {
        unauthenticated(count, seconds);
    }
    for (peer, suppressed) in &summary.suppressed {
        tracing::warn!(
            target: TARGET,
            decision = "deny",
            reason = reason::REFUSALS_SUPPRESSED,
            peer = peer.map(|p| p.to_string()).unwrap_or_default().as_str(),
            suppressed,
            "refusals before authentication left out of the log for this peer"
        );
    }
}

/// The INFO line counting the requests without a token of the last `seconds`.
pub(super) fn unauthenticated(count: u64, seconds: u64) {
    tracing::info!(
        target: TARGET,
        decision = "deny",
        reason = reason::NO_CREDENTIALS,
        count,
        seconds,
        "requests without a bearer token (each is logged at DEBUG)"
    );
}
