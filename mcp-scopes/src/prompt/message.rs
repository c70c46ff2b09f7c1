//! What a prompt handler can return: each return type says how it becomes a `prompts/get`
//! result, a list of messages whose content is text, an image, audio, an embedded resource or a
//! resource link (the tool [`Content`] items).

use std::fmt::Display;

use serde::Serialize;

use crate::handler::HandlerError;
use crate::tool::Content;

/// Who a prompt message is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The user.
    User,
    /// The assistant.
    Assistant,
}

/// One message of a prompt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromptMessage {
    /// Who it is from.
    pub role: Role,
    /// What it says or shows.
    pub content: Content,
}

impl PromptMessage {
    /// A message with any content, e.g. `PromptMessage::new(Role::User, Content::image(…))`.
    pub fn new(role: Role, content: Content) -> Self {
        Self { role, content }
    }

    /// A text message from the user.
    pub fn user(text: impl Into<String>) -> Self {
        Self::new(Role::User, Content::text(text))
    }

    /// A text message from the assistant.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::new(Role::Assistant, Content::text(text))
    }
}

/// A `prompts/get` result.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GetPromptResult {
    /// A description of this rendering of the prompt, when it differs from the declared one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The messages.
    pub messages: Vec<PromptMessage>,
}

/// A type a `#[prompt]` function can return.
///
/// Implemented for text (`String`, `&'static str`: one user message), [`PromptMessage`],
/// `Vec<PromptMessage>`, [`GetPromptResult`], and `Result<T, E>` of those where `E` displays: an
/// `Err` becomes a JSON-RPC error with the error's message ([`HandlerError::Failed`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a `#[prompt]` function",
    label = "not a prompt result",
    note = "prompts return `String`, `&'static str`, `PromptMessage`, `Vec<PromptMessage>`, `GetPromptResult`, or `Result<T, E>` of those with `E: Display`"
)]
pub trait IntoPromptResult {
    /// The result.
    fn into_prompt_result(self) -> Result<GetPromptResult, HandlerError>;
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> Result<GetPromptResult, HandlerError> {
        Ok(self)
    }
}

impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> Result<GetPromptResult, HandlerError> {
        Ok(GetPromptResult {
            description: None,
            messages: self,
        })
    }
}

impl IntoPromptResult for PromptMessage {
    fn into_prompt_result(self) -> Result<GetPromptResult, HandlerError> {
        vec![self].into_prompt_result()
    }
}

impl IntoPromptResult for String {
    fn into_prompt_result(self) -> Result<GetPromptResult, HandlerError> {
        PromptMessage::user(self).into_prompt_result()
    }
}

impl IntoPromptResult for &'static str {
    fn into_prompt_result(self) -> Result<GetPromptResult, HandlerError> {
        PromptMessage::user(self).into_prompt_result()
    }
}

impl<T: IntoPromptResult, E: Display> IntoPromptResult for Result<T, E> {
    fn into_prompt_result(self) -> Result<GetPromptResult, HandlerError> {
        self.map_err(|error| HandlerError::Failed(error.to_string()))?
            .into_prompt_result()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn messages_carry_role_and_content() {
        let result = vec![
            PromptMessage::user("Explain this plan"),
            PromptMessage::new(Role::User, Content::image("iVBORw0KGgo=", "image/png")),
            PromptMessage::new(
                Role::Assistant,
                Content::embedded_text("db://schema", "text/plain", "CREATE TABLE t (id)"),
            ),
        ]
        .into_prompt_result()
        .unwrap();
        assert_eq!(
            serde_json::to_value(result).unwrap(),
            json!({ "messages": [
                { "role": "user", "content": { "type": "text", "text": "Explain this plan" } },
                { "role": "user", "content": {
                    "type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png" } },
                { "role": "assistant", "content": { "type": "resource", "resource": {
                    "uri": "db://schema", "mimeType": "text/plain", "text": "CREATE TABLE t (id)"
                } } },
            ] })
        );
    }

    #[test]
    fn an_error_becomes_a_failed_handler_error() {
        let failed: Result<String, &str> = Err("no such table");
        assert_eq!(
            failed.into_prompt_result(),
            Err(HandlerError::Failed("no such table".into()))
        );
    }
}
