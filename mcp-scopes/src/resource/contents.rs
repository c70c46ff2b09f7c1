//! What a resource handler can return: each return type says how it becomes the `contents` of a
//! `resources/read` result. Text and binary contents carry the URI that was read and a MIME type
//! (the declaration's `mime_type` unless the handler sets one).

use std::fmt::Display;

use base64::Engine;
use serde::Serialize;

use crate::handler::HandlerError;
use crate::tool::EmbeddedResource;

/// Binary resource contents, sent base64 encoded as `blob`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Blob(pub Vec<u8>);

/// One item of a `resources/read` result: the same shape as a resource embedded in a tool result
/// or a prompt message (`uri`, `mimeType`, and `text` or base64 `blob`), so it is that type.
pub type ResourceContents = EmbeddedResource;

impl EmbeddedResource {
    /// Text contents.
    pub fn text(uri: impl Into<String>, mime_type: Option<&str>, text: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            mime_type: mime_type.map(str::to_owned),
            text: Some(text.into()),
            blob: None,
        }
    }

    /// Binary contents (encoded here).
    pub fn blob(uri: impl Into<String>, mime_type: Option<&str>, bytes: &[u8]) -> Self {
        Self {
            uri: uri.into(),
            mime_type: mime_type.map(str::to_owned),
            text: None,
            blob: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
        }
    }
}

/// A `resources/read` result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadResourceResult {
    /// The contents read.
    pub contents: Vec<ResourceContents>,
}

/// A type a `#[resource]` function can return.
///
/// Implemented for text (`String`, `&'static str`), [`Blob`], [`ResourceContents`],
/// `Vec<ResourceContents>`, and `Result<T, E>` of those where `E` displays: an `Err` becomes a
/// JSON-RPC error with the error's message ([`HandlerError::Failed`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a `#[resource]` function",
    label = "not resource contents",
    note = "resources return `String`, `&'static str`, `Blob`, `ResourceContents`, `Vec<ResourceContents>`, or `Result<T, E>` of those with `E: Display`"
)]
pub trait IntoResourceContents {
    /// The contents, for the resource read at `uri` whose declared MIME type is `mime_type`.
    fn into_resource_contents(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<Vec<ResourceContents>, HandlerError>;
}

impl IntoResourceContents for String {
    fn into_resource_contents(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<Vec<ResourceContents>, HandlerError> {
        Ok(vec![ResourceContents::text(uri, mime_type, self)])
    }
}

impl IntoResourceContents for &'static str {
    fn into_resource_contents(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<Vec<ResourceContents>, HandlerError> {
        Ok(vec![ResourceContents::text(uri, mime_type, self)])
    }
}

impl IntoResourceContents for Blob {
    fn into_resource_contents(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<Vec<ResourceContents>, HandlerError> {
        Ok(vec![ResourceContents::blob(uri, mime_type, &self.0)])
    }
}

impl IntoResourceContents for ResourceContents {
    fn into_resource_contents(
        self,
        _uri: &str,
        _mime_type: Option<&str>,
    ) -> Result<Vec<ResourceContents>, HandlerError> {
        Ok(vec![self])
    }
}

impl IntoResourceContents for Vec<ResourceContents> {
    fn into_resource_contents(
        self,
        _uri: &str,
        _mime_type: Option<&str>,
    ) -> Result<Vec<ResourceContents>, HandlerError> {
        Ok(self)
    }
}

impl<T: IntoResourceContents, E: Display> IntoResourceContents for Result<T, E> {
    fn into_resource_contents(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<Vec<ResourceContents>, HandlerError> {
        match self {
            Ok(value) => value.into_resource_contents(uri, mime_type),
            Err(error) => Err(HandlerError::Failed(error.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn contents<T: IntoResourceContents>(value: T) -> Result<serde_json::Value, HandlerError> {
        let contents = value.into_resource_contents("db://schema", Some("text/plain"))?;
        Ok(serde_json::to_value(ReadResourceResult { contents }).unwrap())
    }

    #[test]
    fn text_and_blob_carry_the_uri_and_mime_type() {
        assert_eq!(
            contents("CREATE TABLE t (id)").unwrap(),
            json!({ "contents": [{
                "uri": "db://schema", "mimeType": "text/plain", "text": "CREATE TABLE t (id)"
            }] })
        );
        assert_eq!(
            contents(Blob(vec![0, 159, 146, 150])).unwrap(),
            json!({ "contents": [{
                "uri": "db://schema", "mimeType": "text/plain", "blob": "AJ+Slg=="
            }] })
        );
        let own = ResourceContents::text("db://schema/v2", None, "x");
        assert_eq!(
            contents(vec![own]).unwrap(),
            json!({ "contents": [{ "uri": "db://schema/v2", "text": "x" }] })
        );
    }

    #[test]
    fn an_error_becomes_a_failed_handler_error_with_its_message() {
        let failed: Result<String, String> = Err("database is locked".into());
        assert_eq!(
            contents(failed),
            Err(HandlerError::Failed("database is locked".into()))
        );
    }
}
