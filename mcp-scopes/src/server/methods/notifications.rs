//! Notifications from the client. They get no answer (the transport sends 202 whatever happens);
//! the only one acted on is `notifications/cancelled`, which aborts a running legacy call.

use serde_json::{Map, Value};

use crate::auth::Principal;
use crate::server::cancel::call_key;
use crate::server::state::ServerState;

/// Handles the notification `method` sent with `principal`'s token.
pub(crate) fn notify(
    server: &ServerState,
    principal: &Principal,
    method: &str,
    params: &Map<String, Value>,
) {
    if method == "notifications/cancelled"
        && let Some(id) = params.get("requestId")
    {
        let cancelled = server.inflight.cancel(&call_key(principal, id));
        tracing::debug!(request_id = %id, cancelled, "notifications/cancelled");
    }
}
