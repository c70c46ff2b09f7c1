//! What a test's slow tool reports about its runs (started steps, finished, dropped before the
//! end), so a test can tell a call still running from one that was stopped without sleeping on
//! hope. The tools themselves stay in the test binaries (see the crate docs).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Shared between a slow tool (as its state) and the test.
#[derive(Clone, Default)]
pub struct Gate {
    /// The test notifies it to let a run finish.
    pub release: Arc<Notify>,
    /// Steps taken, across runs: it keeps growing while a run is alive.
    pub steps: Arc<AtomicUsize>,
    /// Runs that finished.
    pub finished: Arc<AtomicUsize>,
    /// Runs dropped before they finished (their call was stopped).
    pub abandoned: Arc<AtomicUsize>,
}

/// Held by a run: counts it as abandoned when dropped before [`Abandoned::finish`].
pub struct Abandoned(Option<Gate>);

impl Abandoned {
    /// Starts watching a run.
    pub fn watch(gate: &Gate) -> Self {
        Self(Some(gate.clone()))
    }

    /// The run finished: counted as finished, not abandoned.
    pub fn finish(mut self) {
        if let Some(gate) = self.0.take() {
            gate.finished.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Abandoned {
    fn drop(&mut self) {
        if let Some(gate) = self.0.take() {
            gate.abandoned.fetch_add(1, Ordering::SeqCst);
        }
    }
}
