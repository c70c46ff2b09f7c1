//! The conformance suite's resource, prompt and completion fixtures, named and shaped as its server
//! scenarios expect them (`resources-*`, `prompts-get-*`, `completion-complete`). Each sits behind
//! the same scope as the tools, so the suite goes through the scope gate here too.

use mcp_scopes::completion::Completing;
use mcp_scopes::prompt::{PromptMessage, Role};
use mcp_scopes::resource::Blob;
use mcp_scopes::tool::{Args, Content};
use mcp_scopes::{prompt, resource};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::tools::ConformanceTools;

/// A fixed text (scenario `resources-read-text`).
#[resource(uri = "test://static-text", scope = ConformanceTools, mime_type = "text/plain")]
pub async fn static_text() -> &'static str {
    "This is the content of the static text resource."
}

/// A fixed binary: a 1×1 PNG (scenario `resources-read-binary`).
#[resource(uri = "test://static-binary", scope = ConformanceTools, mime_type = "image/png")]
pub async fn static_binary() -> Blob {
    // The PNG signature and header start: the scenario checks only that a blob comes back.
    Blob(vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a])
}

/// Data for an id (scenario `resources-templates-read`).
#[resource(uri_template = "test://template/{id}/data", scope = ConformanceTools,
           mime_type = "application/json")]
pub async fn template_data(id: String) -> String {
    serde_json::json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") })
        .to_string()
}

/// A prompt without arguments (scenario `prompts-get-simple`).
#[prompt(scope = ConformanceTools)]
pub async fn test_simple_prompt() -> &'static str {
    "This is a simple prompt for testing."
}

/// Arguments of `test_prompt_with_arguments`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TwoArguments {
    /// First test argument.
    pub arg1: String,
    /// Second test argument.
    pub arg2: String,
}

/// A prompt that repeats its arguments (scenarios `prompts-get-with-args`, `completion-complete`).
#[prompt(scope = ConformanceTools, complete(arg1 = complete_arg1))]
pub async fn test_prompt_with_arguments(Args(args): Args<TwoArguments>) -> String {
    format!(
        "Prompt with arguments: arg1='{}', arg2='{}'",
        args.arg1, args.arg2
    )
}

/// Suggestions for `arg1`: the fixed values starting with what was typed.
async fn complete_arg1(partial: Completing) -> Vec<&'static str> {
    let mut values = vec!["testValue1", "testValue2", "other"];
    values.retain(|v| v.starts_with(&partial.value));
    values
}

/// Arguments of `test_prompt_with_embedded_resource`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ResourceArgument {
    /// URI of the resource to embed.
    #[serde(rename = "resourceUri")]
    pub resource_uri: String,
}

/// A prompt embedding a resource (scenario `prompts-get-embedded-resource`).
#[prompt(scope = ConformanceTools)]
pub async fn test_prompt_with_embedded_resource(
    Args(args): Args<ResourceArgument>,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::new(
            Role::User,
            Content::embedded_text(
                args.resource_uri,
                "text/plain",
                "Embedded resource content for testing.",
            ),
        ),
        PromptMessage::user("Please process the embedded resource above."),
    ]
}

/// A prompt with an image (scenario `prompts-get-with-image`).
#[prompt(scope = ConformanceTools)]
pub async fn test_prompt_with_image() -> Vec<PromptMessage> {
    vec![
        PromptMessage::new(
            Role::User,
            Content::image(crate::tools::PNG_BASE64, "image/png"),
        ),
        PromptMessage::user("Please analyze the image above."),
    ]
}
