//! A fixture MCP server for the MCP conformance suite (`@modelcontextprotocol/conformance`, server
//! scenarios), built with mcp-scopes like any real server: tokens are validated and every tool, resource and prompt
//! sits behind a scope, so the suite tests the framework's own transport, not a special path. Used only
//! by the interop harness (`tests/interop/run.sh`).

pub mod context;
pub mod tools;

use mcp_scopes::registry::{Registry, RegistryError};

/// Every fixture tool, resource and prompt, checked.
pub fn registry() -> Result<Registry, RegistryError> {
    Registry::from_declarations(
        mcp_scopes::tools![
            tools::test_simple_text,
            tools::test_image_content,
            tools::test_audio_content,
            tools::test_embedded_resource,
            tools::test_multiple_content_types,
            tools::test_error_handling,
            tools::test_tool_with_logging,
            tools::test_tool_with_progress,
            tools::json_schema_2020_12_tool,
        ],
        mcp_scopes::resources![
            context::static_text,
            context::static_binary,
            context::template_data
        ],
        mcp_scopes::prompts![
            context::test_simple_prompt,
            context::test_prompt_with_arguments,
            context::test_prompt_with_embedded_resource,
            context::test_prompt_with_image
        ],
    )
}
