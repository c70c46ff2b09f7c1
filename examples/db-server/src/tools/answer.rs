//! The result of the tools that return rows: structured content always, and its text copy only
//! while it is small.
//!
//! The MCP specification (2025-06-18, 2025-11-25 and 2026-07-28 alike) says a tool that returns
//! structured content SHOULD also return the serialized JSON in a text content item, for clients
//! that read only `content`, and MUST return structured content matching its `outputSchema`. The
//! text copy is the same JSON escaped once more, so for a large result it would more than double
//! the answer (text of control characters grows from 6 to 13 bytes per character across the two).
//! So the copy is kept up to [`TEXT_COPY_MAX`] bytes, the size a model can read anyway, and a larger
//! result gets a one-line summary saying where the rows are and how to get them as text.

use std::io;

use mcp_scopes::tool::{CallToolResult, Content, IntoToolResult, Structured, ToolCallError};
use schemars::JsonSchema;
use serde::Serialize;

use crate::db::{ExecuteOutput, QueryOutput};

/// The largest structured result also copied into the text content, in bytes of JSON.
pub const TEXT_COPY_MAX: usize = 64 * 1024;

/// Structured output whose text copy is replaced by a summary when it is large.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows<T>(pub T);

/// What a large result says in its text content instead of the copy.
pub trait Summary {
    /// One line on what the result holds.
    fn summary(&self) -> String;
}

impl Summary for QueryOutput {
    fn summary(&self) -> String {
        format!(
            "{} row(s) of {} column(s){}",
            self.row_count,
            self.columns.len(),
            if self.truncated {
                " (truncated: the query has more)"
            } else {
                ""
            }
        )
    }
}

impl Summary for ExecuteOutput {
    fn summary(&self) -> String {
        format!(
            "{} row(s) changed; {} RETURNING row(s)",
            self.rows_affected,
            self.returning_rows.len()
        )
    }
}

impl<T: Serialize + JsonSchema + Summary> IntoToolResult for Rows<T> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        let summary = self.0.summary();
        let value = serde_json::to_value(&self.0).map_err(|e| {
            ToolCallError::Internal(format!("cannot serialize the structured result: {e}"))
        })?;
        // The rows are in `value` now; do not hold them twice.
        drop(self);
        let mut copy = Capped::default();
        let text = if serde_json::to_writer(&mut copy, &value).is_ok() {
            String::from_utf8_lossy(&copy.bytes).into_owned()
        } else {
            format!(
                "{summary}. The result is over {} KiB of JSON, so it is only in structuredContent; \
                 to get it as text too, ask for fewer rows (max_rows, WHERE, LIMIT) or fewer \
                 columns.",
                TEXT_COPY_MAX / 1024
            )
        };
        Ok(CallToolResult {
            structured_content: Some(value),
            ..CallToolResult::success(vec![Content::text(text)])
        })
    }

    fn output_schema() -> Option<serde_json::Value> {
        <Structured<T> as IntoToolResult>::output_schema()
    }
}

/// A buffer that refuses to grow past [`TEXT_COPY_MAX`], so serializing a large result for the
/// copy stops early instead of building it.
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
}

impl io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > TEXT_COPY_MAX {
            return Err(io::Error::other("over the text copy limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
