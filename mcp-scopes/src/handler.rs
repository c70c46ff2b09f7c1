//! What the handlers of resources, prompts and completions share: the error they end with. Unlike
//! a tool, whose failure is a result the model reads (`isError`), these have no error result in
//! MCP, so a failure is a JSON-RPC error, and this type says which one.

use crate::tool::ToolCallError;

/// Why a resource read, prompt get or completion did not produce a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandlerError {
    /// The request's arguments did not fit (a template variable that does not parse, a prompt
    /// argument of the wrong type, a missing required argument): JSON-RPC `-32602`, with this
    /// message.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    /// The handler returned `Err`: JSON-RPC `-32603`, with the error's message, which its author
    /// wrote for the client (as a tool's `isError` text is).
    #[error("{0}")]
    Failed(String),
    /// A server-side fault (e.g. missing state, a result that cannot be serialized): JSON-RPC
    /// `-32603`. The message is for the log; send the client a generic one.
    #[error("internal error: {0}")]
    Internal(String),
}

impl HandlerError {
    /// The JSON-RPC error code to answer with.
    pub fn code(&self) -> i64 {
        match self {
            Self::InvalidArguments(_) => -32602,
            Self::Failed(_) | Self::Internal(_) => -32603,
        }
    }

    /// The message to send the client (an internal fault's details stay in the log).
    pub fn client_message(&self) -> String {
        match self {
            Self::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        }
    }
}

impl From<ToolCallError> for HandlerError {
    fn from(error: ToolCallError) -> Self {
        match error {
            ToolCallError::InvalidArguments(message) => Self::InvalidArguments(message),
            ToolCallError::Internal(message) => Self::Internal(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_client_messages() {
        let invalid = HandlerError::InvalidArguments("`id` is not a number".into());
        assert_eq!(invalid.code(), -32602);
        assert_eq!(
            invalid.client_message(),
            "invalid arguments: `id` is not a number"
        );
        let failed = HandlerError::Failed("no table `x`".into());
        assert_eq!(
            (failed.code(), failed.client_message().as_str()),
            (-32603, "no table `x`")
        );
        let internal = HandlerError::from(ToolCallError::Internal("secret path".into()));
        assert_eq!(internal.code(), -32603);
        assert_eq!(internal.client_message(), "internal error");
    }
}
