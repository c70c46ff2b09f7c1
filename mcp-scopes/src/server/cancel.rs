//! Cancellation of legacy tool calls by `notifications/cancelled`.
//!
//! Under 2025-06-18 and 2025-11-25 a client cancels by POSTing a `notifications/cancelled` naming
//! the request id (a call whose client goes away is stopped as well: see `running`). The server
//! keeps no sessions, so a running call is found by the caller (issuer, subject and client), the
//! token's `jti` and the request id: a notification from another caller cannot cancel it, even
//! with a token that carries the same `jti`. When the same caller runs two calls under one id at
//! once (ids are only unique within a session, and two sessions may share a token), the
//! notification cancels both: nothing tells them apart. The table lives in one process: behind a
//! load balancer the notification reaches the call only when it lands on the same instance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use tokio::task::{AbortHandle, Id, JoinHandle};

use super::callers::Caller;
use super::request_id::RequestId;
use crate::auth::Principal;
use crate::tool::{CallToolResult, ToolCallError, ToolFuture};

/// Identifies a running call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CallKey {
    caller: Caller,
    jti: Option<String>,
    /// The request id as the exact JSON text sent, so `1`, `"1"` and `1.0` differ.
    id: RequestId,
}

/// The key of the request `id` sent with `principal`'s token.
pub(crate) fn call_key(principal: &Principal, id: &RequestId) -> CallKey {
    CallKey {
        caller: Caller::of(principal),
        jti: principal.jti.clone(),
        id: id.clone(),
    }
}

/// The legacy calls running now.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    calls: Mutex<HashMap<CallKey, Vec<AbortHandle>>>,
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
        if let Some(handles) = calls.get_mut(&self.key) {
            handles.retain(|h| self.id.get() != Some(&h.id()));
            if handles.is_empty() {
                calls.remove(&self.key);
            }
        }
    }
}

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, HashMap<CallKey, Vec<AbortHandle>>> {
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
        calls.retain(|_, handles| {
            handles.retain(|h| !h.is_finished());
            !handles.is_empty()
        });
        if !task.is_finished() {
            calls.entry(key).or_default().push(task.abort_handle());
        }
        task
    }

    /// Aborts the calls running under `key`; returns whether there was one.
    pub(crate) fn cancel(&self, key: &CallKey) -> bool {
        match self.lock().remove(key) {
            Some(handles) => {
                for handle in &handles {
                    handle.abort();
                }
                !handles.is_empty()
            }
            None => false,
        }
    }

    /// How many calls are tracked.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(jti: Option<&str>) -> Principal {
        principal_of("alice", jti)
    }

    fn principal_of(subject: &str, jti: Option<&str>) -> Principal {
        Principal {
            subject: Some(subject.into()),
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
        assert_ne!(
            call_key(&a, &RequestId::parse("1")),
            call_key(&a, &RequestId::parse(r#""1""#))
        );
        assert_ne!(
            call_key(&a, &RequestId::parse("1")),
            call_key(&principal(Some("b")), &RequestId::parse("1"))
        );
        // The same `jti` from another subject is another caller.
        assert_ne!(
            call_key(&principal(Some("a")), &RequestId::parse("1")),
            call_key(&principal_of("mallory", Some("a")), &RequestId::parse("1"))
        );
        assert_ne!(
            call_key(&principal(None), &RequestId::parse("1")),
            call_key(&principal_of("mallory", None), &RequestId::parse("1"))
        );
    }

    #[tokio::test]
    async fn cancel_aborts_the_call_and_finished_calls_leave_the_table() {
        let inflight = Arc::new(InFlight::default());
        let key = call_key(&principal(Some("a")), &RequestId::parse("1"));
        let pending: ToolFuture = Box::pin(std::future::pending());
        let task = inflight.spawn(key.clone(), pending);
        assert_eq!(inflight.len(), 1);
        assert!(!inflight.cancel(&call_key(&principal(Some("b")), &RequestId::parse("1"))));
        assert!(inflight.cancel(&key));
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(inflight.len(), 0);

        let quick: ToolFuture = Box::pin(async { Ok(CallToolResult::default()) });
        inflight.spawn(key.clone(), quick).await.unwrap().unwrap();
        assert_eq!(inflight.len(), 0);
        assert!(!inflight.cancel(&key));
    }

    #[tokio::test]
    async fn a_reused_id_still_cancels_the_call_that_is_running() {
        let inflight = Arc::new(InFlight::default());
        let key = call_key(&principal(Some("a")), &RequestId::parse("7"));
        let pending: ToolFuture = Box::pin(std::future::pending());
        let running = inflight.spawn(key.clone(), pending);
        let quick: ToolFuture = Box::pin(async { Ok(CallToolResult::default()) });
        inflight.spawn(key.clone(), quick).await.unwrap().unwrap();
        assert!(inflight.cancel(&key));
        assert!(running.await.unwrap_err().is_cancelled());
        assert_eq!(inflight.len(), 0);
    }
}
