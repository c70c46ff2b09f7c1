//! Notifications from the client. They get no answer (the transport sends 202 whatever happens);
//! the only one acted on is `notifications/cancelled`, which aborts a running legacy call.

use crate::auth::Principal;
use crate::server::cancel::call_key;
use crate::server::request_id::RequestId;
use crate::server::state::ServerState;

/// Handles the notification `method` sent with `principal`'s token; `request_id` is the raw
/// `params.requestId` of a `notifications/cancelled` (see `incoming`).
pub(crate) fn notify(
    server: &ServerState,
    principal: &Principal,
    method: &str,
    request_id: Option<&RequestId>,
) {
    if method == "notifications/cancelled"
        && let Some(id) = request_id
    {
        let cancelled = server.inflight.cancel(&call_key(principal, id));
        tracing::debug!(request_id = %id, cancelled, "notifications/cancelled");
    }
}
