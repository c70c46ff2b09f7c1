//! Progress and log notifications a tool sends while it runs. When a handler uses them, the server
//! answers that request with an SSE stream (the notifications, then the response) instead of JSON.
//!
//! The channel to the stream is bounded ([`NOTIFICATION_BUFFER`]): a tool that reports faster
//! than its client reads loses the notifications that do not fit, rather than piling them up in
//! memory. Progress is the usual case, where a later report supersedes the lost ones; the
//! response itself never travels this channel and is never lost.

use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

/// How many notifications may wait for a slow client before further ones are dropped.
pub const NOTIFICATION_BUFFER: usize = 64;

/// RFC 5424 severities, as MCP's `notifications/message` names them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Detailed debugging.
    Debug,
    /// Informational.
    Info,
    /// Normal but significant.
    Notice,
    /// Warning.
    Warning,
    /// Error.
    Error,
    /// Critical.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// System is unusable.
    Emergency,
}

/// Sends notifications related to the current request. Cheap to clone. A notifier with no channel
/// (e.g. in unit tests) drops what it is given.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    sender: Option<mpsc::Sender<Value>>,
    progress_token: Option<Value>,
    min_level: Option<LogLevel>,
    logs_off: bool,
}

impl Notifier {
    /// A notifier that forwards JSON-RPC notification messages to `sender`, dropping those that do
    /// not fit while it is full. `progress_token` is the request's `_meta.progressToken`;
    /// `min_level` drops log messages below it.
    pub fn new(
        sender: mpsc::Sender<Value>,
        progress_token: Option<Value>,
        min_level: Option<LogLevel>,
    ) -> Self {
        Self {
            sender: Some(sender),
            progress_token,
            min_level,
            logs_off: false,
        }
    }

    /// The same notifier, dropping log messages below `level`.
    #[must_use]
    pub fn with_min_level(mut self, level: LogLevel) -> Self {
        self.min_level = Some(level);
        self.logs_off = false;
        self
    }

    /// The same notifier, dropping every log message (progress still goes through). Under MCP
    /// 2026-07-28 a request that names no log level must receive none.
    #[must_use]
    pub fn without_logs(mut self) -> Self {
        self.logs_off = true;
        self
    }

    /// A notifier that drops everything.
    pub fn disconnected() -> Self {
        Self::default()
    }

    /// Reports progress (`notifications/progress`). Does nothing when the client sent no progress
    /// token.
    pub fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let Some(token) = &self.progress_token else {
            return;
        };
        let mut params = json!({ "progressToken": token, "progress": progress });
        if let Some(total) = total {
            params["total"] = json!(total);
        }
        if let Some(message) = message {
            params["message"] = json!(message);
        }
        self.send("notifications/progress", params);
    }

    /// Sends a log message (`notifications/message`) unless it is below the requested level.
    pub fn log(&self, level: LogLevel, logger: Option<&str>, data: Value) {
        if self.logs_off || self.min_level.is_some_and(|min| level < min) {
            return;
        }
        let mut params = Map::new();
        params.insert("level".to_owned(), json!(level));
        if let Some(logger) = logger {
            params.insert("logger".to_owned(), json!(logger));
        }
        params.insert("data".to_owned(), data);
        self.send("notifications/message", Value::Object(params));
    }

    fn send(&self, method: &str, params: Value) {
        if let Some(sender) = &self.sender {
            let mut message = Map::new();
            message.insert("jsonrpc".to_owned(), json!("2.0"));
            message.insert("method".to_owned(), json!(method));
            message.insert("params".to_owned(), params);
            // A closed channel means the client went away: nothing is left to tell.
            if let Err(TrySendError::Full(_)) = sender.try_send(Value::Object(message)) {
                tracing::debug!(method, "notification dropped: the client reads too slowly");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(rx: &mut mpsc::Receiver<Value>) -> Vec<Value> {
        std::iter::from_fn(|| rx.try_recv().ok()).collect()
    }

    #[test]
    fn progress_needs_a_token_and_carries_it() {
        let (tx, mut rx) = mpsc::channel(NOTIFICATION_BUFFER);
        Notifier::new(tx.clone(), None, None).progress(1.0, None, None);
        assert!(drain(&mut rx).is_empty());
        Notifier::new(tx, Some(json!(7)), None).progress(1.0, Some(4.0), Some("a quarter"));
        assert_eq!(
            drain(&mut rx),
            [json!({"jsonrpc":"2.0","method":"notifications/progress",
                "params":{"progressToken":7,"progress":1.0,"total":4.0,"message":"a quarter"}})]
        );
    }

    #[test]
    fn logs_respect_the_level_and_can_be_switched_off() {
        let (tx, mut rx) = mpsc::channel(NOTIFICATION_BUFFER);
        let notifier = Notifier::new(tx, Some(json!("t")), None);
        notifier.log(
            LogLevel::Debug,
            Some("db"),
            json!("all levels pass by default"),
        );
        let warning_up = notifier.clone().with_min_level(LogLevel::Warning);
        warning_up.log(LogLevel::Info, None, json!("dropped"));
        warning_up.log(LogLevel::Error, None, json!("kept"));
        let off = notifier.without_logs();
        off.log(LogLevel::Emergency, None, json!("dropped"));
        off.progress(1.0, None, None);
        let sent = drain(&mut rx);
        assert_eq!(sent.len(), 3, "{sent:?}");
        assert_eq!(
            sent[0]["params"],
            json!({"level":"debug","logger":"db","data":"all levels pass by default"})
        );
        assert_eq!(sent[1]["params"]["data"], "kept");
        assert_eq!(sent[2]["method"], "notifications/progress");
    }

    #[test]
    fn notifications_beyond_the_buffer_are_dropped_not_queued() {
        let (tx, mut rx) = mpsc::channel(NOTIFICATION_BUFFER);
        let notifier = Notifier::new(tx, Some(json!("t")), None);
        for step in 0..1000 {
            notifier.progress(f64::from(step), None, None);
        }
        let sent = drain(&mut rx);
        assert_eq!(sent.len(), NOTIFICATION_BUFFER);
        assert_eq!(sent[0]["params"]["progress"], 0.0);
        // Room again once the client has read.
        notifier.progress(1000.0, None, None);
        assert_eq!(drain(&mut rx)[0]["params"]["progress"], 1000.0);
    }

    #[test]
    fn a_disconnected_notifier_drops_everything() {
        // What a handler gets when the client takes no SSE: raising the level or cloning must not
        // give it a channel, or a JSON-only client would be answered with a stream.
        let notifier = Notifier::disconnected()
            .with_min_level(LogLevel::Debug)
            .clone();
        assert!(notifier.sender.is_none(), "{notifier:?}");
        assert!(notifier.progress_token.is_none(), "{notifier:?}");
        notifier.progress(1.0, None, None);
        notifier.log(LogLevel::Error, None, json!("nowhere"));
        // A connected one with the same calls does send, so the calls above had something to drop.
        let (tx, mut rx) = mpsc::channel(NOTIFICATION_BUFFER);
        let connected = Notifier::new(tx, Some(json!(1)), None);
        connected.progress(1.0, None, None);
        connected.log(LogLevel::Error, None, json!("somewhere"));
        assert_eq!(drain(&mut rx).len(), 2);
    }
}
