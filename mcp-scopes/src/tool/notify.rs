//! Progress and log notifications a tool sends while it runs. When a handler uses them, the server
//! answers that request with an SSE stream (the notifications, then the response) instead of JSON.

use serde_json::{Value, json};
use tokio::sync::mpsc;

/// RFC 5424 severities, as MCP's `notifications/message` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
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
    sender: Option<mpsc::UnboundedSender<Value>>,
    progress_token: Option<Value>,
    min_level: Option<LogLevel>,
}

impl Notifier {
    /// A notifier that forwards JSON-RPC notification messages to `sender`. `progress_token` is the
    /// request's `_meta.progressToken`; `min_level` drops log messages below it.
    pub fn new(
        sender: mpsc::UnboundedSender<Value>,
        progress_token: Option<Value>,
        min_level: Option<LogLevel>,
    ) -> Self {
        Self {
            sender: Some(sender),
            progress_token,
            min_level,
        }
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
        if self.min_level.is_some_and(|min| level < min) {
            return;
        }
        let mut params = json!({ "level": level, "data": data });
        if let Some(logger) = logger {
            params["logger"] = json!(logger);
        }
        self.send("notifications/message", params);
    }

    fn send(&self, method: &str, params: Value) {
        if let Some(sender) = &self.sender {
            // The receiver is gone only when the client went away; nothing is left to tell.
            let _ = sender.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
        }
    }
}
