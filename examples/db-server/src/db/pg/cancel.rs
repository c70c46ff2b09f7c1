//! Stopping a `query` whose caller went away (the client disconnected or cancelled the call, so the
//! future was dropped): PostgreSQL would otherwise run it on until the statement timeout, holding a
//! reader connection. As on SQLite, the running statement is interrupted.
//!
//! The connection is taken out of the pool before the cancel request is sent, so a cancel that
//! arrives late can never stop another caller's statement on a reused connection.

use deadpool_postgres::Object;
use tokio_postgres::CancelToken;
use tokio_postgres_rustls::MakeRustlsConnect;

/// A pooled connection that, if dropped before [`Checkout::finished`], is closed instead of going
/// back to the pool and has its running statement cancelled.
pub(super) struct Checkout {
    conn: Option<Object>,
    cancel: Option<(CancelToken, MakeRustlsConnect)>,
}

impl Checkout {
    pub(super) fn new(conn: Object, tls: MakeRustlsConnect) -> Self {
        let token = conn.cancel_token();
        Self {
            conn: Some(conn),
            cancel: Some((token, tls)),
        }
    }

    /// The connection (present until the checkout is dropped).
    pub(super) fn conn(&mut self) -> Option<&mut Object> {
        self.conn.as_mut()
    }

    /// The call ran to its end: the connection goes back to the pool as usual.
    pub(super) fn finished(mut self) {
        self.cancel = None;
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let Some((token, tls)) = self.cancel.take() else {
            return;
        };
        if let Some(conn) = self.conn.take() {
            // Detached from the pool; dropping it closes the connection.
            drop(Object::take(conn));
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = token.cancel_query(tls).await {
                    tracing::debug!(error = %e, "could not cancel an abandoned query");
                }
            });
        }
    }
}
