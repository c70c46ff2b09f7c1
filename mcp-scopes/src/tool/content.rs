//! The result of a tool call as MCP sends it: content items, optional structured content, and the
//! `isError` flag.

use serde::Serialize;
use serde_json::Value;

/// One content item of a tool result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Content {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// An image, base64 encoded.
    Image {
        /// Base64 data.
        data: String,
        /// e.g. `image/png`.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// Audio, base64 encoded.
    Audio {
        /// Base64 data.
        data: String,
        /// e.g. `audio/wav`.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// A resource embedded in the result; see [`Content::embedded_text`] and
    /// [`Content::embedded_blob`].
    Resource {
        /// The resource.
        resource: EmbeddedResource,
    },
    /// A link to a resource the client can fetch itself (`resource_link`, MCP 2025-06-18 and
    /// later); see [`Content::resource_link`].
    #[serde(rename = "resource_link")]
    ResourceLink(ResourceLink),
}

impl Content {
    /// A text item.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into() }
    }

    /// An image item from base64 data.
    pub fn image(base64_data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Self::Image {
            data: base64_data.into(),
            mime_type: mime_type.into(),
        }
    }

    /// An audio item from base64 data.
    pub fn audio(base64_data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Self::Audio {
            data: base64_data.into(),
            mime_type: mime_type.into(),
        }
    }

    /// An embedded resource with text contents, e.g.
    /// `Content::embedded_text("notes://42", "text/markdown", "# Groceries")`.
    pub fn embedded_text(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self::Resource {
            resource: EmbeddedResource {
                uri: uri.into(),
                mime_type: Some(mime_type.into()),
                text: Some(text.into()),
                blob: None,
            },
        }
    }

    /// An embedded resource with binary contents, given base64 encoded.
    pub fn embedded_blob(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        base64_data: impl Into<String>,
    ) -> Self {
        Self::Resource {
            resource: EmbeddedResource {
                uri: uri.into(),
                mime_type: Some(mime_type.into()),
                text: None,
                blob: Some(base64_data.into()),
            },
        }
    }

    /// A link to the resource at `uri`, shown to the user as `name`. For a description or MIME
    /// type, build a [`ResourceLink`] and convert it: `ResourceLink::new(uri, name)
    /// .description("…").into()`.
    pub fn resource_link(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Self::ResourceLink(ResourceLink::new(uri, name))
    }
}

impl From<ResourceLink> for Content {
    fn from(link: ResourceLink) -> Self {
        Self::ResourceLink(link)
    }
}

/// A link to a resource: its URI and a name, with optional details the client may show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourceLink {
    /// The resource URI.
    pub uri: String,
    /// A short name, e.g. a file name.
    pub name: String,
    /// A human-readable title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the resource is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its MIME type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Its size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

impl ResourceLink {
    /// A link with only a URI and a name.
    pub fn new(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            name: name.into(),
            title: None,
            description: None,
            mime_type: None,
            size: None,
        }
    }

    /// A human-readable title.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// What the resource is.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Its MIME type.
    #[must_use]
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// Its size in bytes.
    #[must_use]
    pub fn size(mut self, bytes: u64) -> Self {
        self.size = Some(bytes);
        self
    }
}

/// An embedded resource: text or base64 blob contents with a URI.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedResource {
    /// The resource URI.
    pub uri: String,
    /// Its MIME type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Text contents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Base64 contents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
}

/// A `tools/call` result.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    /// The content items.
    pub content: Vec<Content>,
    /// Structured content matching the tool's `outputSchema`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the tool failed (the model reads the content to see why).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_error: bool,
}

impl CallToolResult {
    /// A successful result with these items.
    pub fn success(content: Vec<Content>) -> Self {
        Self {
            content,
            ..Self::default()
        }
    }

    /// A failed result with one text item the model can read.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            content: vec![Content::text(message)],
            structured_content: None,
            is_error: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resource_items_serialize_as_mcp_says() {
        let items = [
            Content::embedded_text("notes://1", "text/markdown", "# Hi"),
            Content::embedded_blob("notes://2", "image/png", "iVBORw0KGgo="),
            Content::resource_link("notes://3", "three.md"),
            ResourceLink::new("notes://4", "four.md")
                .title("Four")
                .description("The fourth note")
                .mime_type("text/markdown")
                .size(42)
                .into(),
        ];
        assert_eq!(
            serde_json::to_value(items).expect("serializes"),
            json!([
                {"type": "resource", "resource": {"uri": "notes://1", "mimeType": "text/markdown", "text": "# Hi"}},
                {"type": "resource", "resource": {"uri": "notes://2", "mimeType": "image/png", "blob": "iVBORw0KGgo="}},
                {"type": "resource_link", "uri": "notes://3", "name": "three.md"},
                {"type": "resource_link", "uri": "notes://4", "name": "four.md", "title": "Four",
                 "description": "The fourth note", "mimeType": "text/markdown", "size": 42},
            ])
        );
    }
}
