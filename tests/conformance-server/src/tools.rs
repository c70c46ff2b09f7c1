//! The conformance suite's tool fixtures, named and shaped as its server scenarios expect them
//! (`tools-call-*`, `json-schema-2020-12`). Each is an ordinary `#[tool]` behind one scope, so the
//! suite exercises the same gate, schema and streaming code as any mcp-scopes server.

use std::time::Duration;

use mcp_scopes::tool::{Args, CallToolResult, Content, LogLevel, Notifier};
use mcp_scopes::{scope, tool};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

/// A 1×1 red PNG.
pub(crate) const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/// Eight samples of silence, 8 kHz mono 8-bit PCM in a WAV container.
const WAV_BASE64: &str = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";

/// The pause between notifications: the suite checks that several arrive while the tool runs.
const STEP: Duration = Duration::from_millis(50);

/// Call the conformance suite's fixture tools.
#[scope(
    name = "conformance:tools",
    display_name = "Call the conformance fixtures",
    baseline
)]
pub struct ConformanceTools;

/// Returns a fixed text (scenario `tools-call-simple-text`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn test_simple_text() -> &'static str {
    "This is a simple text response for testing."
}

/// Returns a 1x1 PNG image (scenario `tools-call-image`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn test_image_content() -> Content {
    Content::image(PNG_BASE64, "image/png")
}

/// Returns a tiny WAV file (scenario `tools-call-audio`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn test_audio_content() -> Content {
    Content::audio(WAV_BASE64, "audio/wav")
}

/// Returns an embedded text resource (scenario `tools-call-embedded-resource`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn test_embedded_resource() -> Content {
    Content::embedded_text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    )
}

/// Returns text, an image and an embedded resource together (scenario `tools-call-mixed-content`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn test_multiple_content_types() -> Vec<Content> {
    vec![
        Content::text("Multiple content types test:"),
        Content::image(PNG_BASE64, "image/png"),
        Content::embedded_text(
            "test://mixed-content-resource",
            "application/json",
            json!({ "test": "data", "value": 123 }).to_string(),
        ),
    ]
}

/// Always fails with a message the model can read (scenario `tools-call-error`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn test_error_handling() -> CallToolResult {
    CallToolResult::error("This tool intentionally returns an error for testing")
}

/// Sends three log messages at info level while it runs (scenario `tools-call-with-logging`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn test_tool_with_logging(notifier: Notifier) -> &'static str {
    notifier.log(LogLevel::Info, None, json!("Tool execution started"));
    tokio::time::sleep(STEP).await;
    notifier.log(LogLevel::Info, None, json!("Tool processing data"));
    tokio::time::sleep(STEP).await;
    notifier.log(LogLevel::Info, None, json!("Tool execution completed"));
    "Tool with logging executed successfully"
}

/// Reports progress 0, 50 and 100 of 100 while it runs (scenario `tools-call-with-progress`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn test_tool_with_progress(notifier: Notifier) -> &'static str {
    notifier.progress(0.0, Some(100.0), None);
    tokio::time::sleep(STEP).await;
    notifier.progress(50.0, Some(100.0), None);
    tokio::time::sleep(STEP).await;
    notifier.progress(100.0, Some(100.0), None);
    "Tool with progress executed successfully"
}

/// Input of `json_schema_2020_12_tool`: a `$defs` entry named `address`, no extra properties.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaFeatures {
    /// A name.
    pub name: Option<String>,
    /// An address, defined once under `$defs`.
    pub address: Option<Address>,
}

/// A postal address.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "address")]
pub struct Address {
    /// Street and number.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
}

/// Tool with JSON Schema 2020-12 features (scenario `json-schema-2020-12`).
#[tool(scope = ConformanceTools, read_only)]
pub async fn json_schema_2020_12_tool(Args(input): Args<SchemaFeatures>) -> String {
    let city = input
        .address
        .and_then(|a| a.city)
        .unwrap_or_else(|| "nowhere".to_owned());
    format!(
        "Received {} from {city}",
        input.name.as_deref().unwrap_or("nobody")
    )
}
