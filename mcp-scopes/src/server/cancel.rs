//! Cancellation of legacy tool calls by `notifications/cancelled`.
//!
//! Under 2025-06-18 and 2025-11-25 a disconnect is not a cancellation: a client cancels by POSTing a
//! `notifications/cancelled` naming the request id. The server keeps no sessions, so a running call
//! is found by the caller's token (its `jti`, else issuer, subject and client) and the request id;
//! a notification from another token cannot cancel it. The table lives in one process: behind a
//! load balancer the notification reaches the call only when it lands on the same instance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use tokio::task::{AbortHandle, Id, JoinHandle};

use crate::auth::Principal;
use crate::tool::{CallToolResult, ToolCallError, ToolFuture};

/// Identifies a running call: (caller, request id as JSON text).
pub(crate) type CallKey = (String, String);

/// The key of the request `id` sent with `principal`'s token.
pub(crate) fn call_key(principal: &Principal, id: &serde_json::Value) -> CallKey {
    let caller = match &principal.jti {
        Some(jti) => format!("jti:{jti}"),
        None => format!(
            "sub:{}|{}|{}",
            principal.issuer,
            principal.subject.as_deref().unwrap_or(""),
            principal.client_id.as_deref().unwrap_or("")
        ),
    };
    (caller, id.to_string())
}

/// The legacy calls running now.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    calls: Mutex<HashMap<CallKey, AbortHandle>>,
}

/// Removes a call's entry when its task ends (finished, panicked or aborted).
struct Untrack {
    inflight: Arc<InFlight>,
    key: CallKey,
    id: Arc<OnceLock<Id>>,
}

impl Drop for Untrack {
    fn drop(&mut self) {
        let mut calls = self.inflight.lock();
        if calls
            .get(&self.key)
            .is_some_and(|h| self.id.get() == Some(&h.id()))
        {
            calls.remove(&self.key);
        }
    }
}

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, HashMap<CallKey, AbortHandle>> {
        // The map stays consistent whatever panicked while holding it: entries are independent.
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `future` as a task that `notifications/cancelled` for `key` can abort.
    pub(crate) fn spawn(
        self: &Arc<Self>,
        key: CallKey,
        future: ToolFuture,
    ) -> JoinHandle<Result<CallToolResult, ToolCallError>> {
        let own_id = Arc::new(OnceLock::new());
        let untrack = Untrack {
            inflight: Arc::clone(self),
            key: key.clone(),
            id: Arc::clone(&own_id),
        };
        let task = tokio::spawn(async move {
            let _untrack = untrack;
            future.await
        });
        let _ = own_id.set(task.id());
        let mut calls = self.lock();
        // A task that ended before its id was recorded could not remove its entry; drop such
        // leftovers here so the table never grows past the calls actually running.
        calls.retain(|_, handle| !handle.is_finished());
        if !task.is_finished() {
            calls.insert(key, task.abort_handle());
        }
        task
    }

    /// Aborts the call `key`, if it is running; returns whether one was.
    pub(crate) fn cancel(&self, key: &CallKey) -> bool {
        match self.lock().remove(key) {
            Some(handle) => {
                handle.abort();
                true
            }
            None => false,
        }
    }

    /// How many calls are tracked.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn principal(jti: Option<&str>) -> Principal {
        Principal {
            subject: Some("alice".into()),
            client_id: Some("c".into()),
            issuer: "https://issuer".into(),
            expires_at: 0,
            jti: jti.map(str::to_owned),
            scopes: crate::scope::ScopeSet::new(),
            claims: serde_json::Map::new(),
        }
    }

    #[test]
    fn keys_tell_tokens_and_id_types_apart() {
        let a = principal(Some("a"));
        assert_ne!(call_key(&a, &json!(1)), call_key(&a, &json!("1")));
        assert_ne!(
            call_key(&a, &json!(1)),
            call_key(&principal(Some("b")), &json!(1))
        );
        assert_eq!(
            call_key(&principal(None), &json!(1)).0,
            "sub:https://issuer|alice|c"
        );
    }

    #[tokio::test]
    async fn cancel_aborts_the_call_and_finished_calls_leave_the_table() {
        let inflight = Arc::new(InFlight::default());
        let key = call_key(&principal(Some("a")), &json!(1));
        let pending: ToolFuture = Box::pin(std::future::pending());
        let task = inflight.spawn(key.clone(), pending);
        assert_eq!(inflight.len(), 1);
        assert!(!inflight.cancel(&call_key(&principal(Some("b")), &json!(1))));
        assert!(inflight.cancel(&key));
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(inflight.len(), 0);

        let quick: ToolFuture = Box::pin(async { Ok(CallToolResult::default()) });
        inflight.spawn(key.clone(), quick).await.unwrap().unwrap();
        assert_eq!(inflight.len(), 0);
        assert!(!inflight.cancel(&key));
    }
}
