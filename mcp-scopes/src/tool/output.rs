//! What a tool handler can return: each return type says how it becomes a `tools/call` result and
//! whether it has an `outputSchema`. The macro asks the type through [`IntoToolResult`]; it never
//! looks at type names.

use std::fmt::Display;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::call::ToolCallError;
use super::content::{CallToolResult, Content};

/// Structured output: serialized to `structuredContent` (plus a text item holding the same JSON,
/// for clients that read only `content`); `T`'s JSON Schema becomes the tool's `outputSchema`, so
/// it must describe an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Structured<T>(pub T);

/// A type a `#[tool]` function can return.
///
/// Implemented for text (`String`, `&'static str`), `()`, [`Content`], `Vec<Content>`,
/// [`CallToolResult`], [`Structured<T>`], and `Result<T, E>` where `T` is one of these and `E`
/// displays: an `Err` becomes a result with `isError: true` and the error's message, which the
/// model reads.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a `#[tool]` function",
    label = "not a tool result",
    note = "tools return `String`, `&'static str`, `()`, `Content`, `Vec<Content>`, `CallToolResult`, `Structured<T>`, or `Result<T, E>` of those with `E: Display`"
)]
pub trait IntoToolResult {
    /// Turns the value into a result. `Err` is for faults the model should not see as a tool
    /// result (e.g. a value that cannot be serialized).
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError>;

    /// The JSON Schema of `structuredContent`, when the type has one.
    fn output_schema() -> Option<Value> {
        None
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        Ok(self)
    }
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        Ok(CallToolResult::success(vec![Content::text(self)]))
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        Ok(CallToolResult::success(vec![Content::text(self)]))
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        Ok(CallToolResult::success(Vec::new()))
    }
}

impl IntoToolResult for Content {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        Ok(CallToolResult::success(vec![self]))
    }
}

impl IntoToolResult for Vec<Content> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        Ok(CallToolResult::success(self))
    }
}

impl<T: Serialize + JsonSchema> IntoToolResult for Structured<T> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        let value = serde_json::to_value(&self.0).map_err(|e| {
            ToolCallError::Internal(format!("cannot serialize the structured result: {e}"))
        })?;
        let text = value.to_string();
        Ok(CallToolResult {
            content: vec![Content::text(text)],
            structured_content: Some(value),
            is_error: false,
        })
    }

    fn output_schema() -> Option<Value> {
        // The schema of what serde *writes*: a field with `skip_serializing_if` may be absent, so it
        // must not be `required` (the default, deserialize contract, says it is, and clients that
        // check `structuredContent` against `outputSchema` then refuse the result).
        let schema = schemars::generate::SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator()
            .into_root_schema_for::<T>();
        Some(schema.to_value())
    }
}

impl<T: IntoToolResult, E: Display> IntoToolResult for Result<T, E> {
    fn into_tool_result(self) -> Result<CallToolResult, ToolCallError> {
        match self {
            Ok(value) => value.into_tool_result(),
            Err(error) => Ok(CallToolResult::error(error.to_string())),
        }
    }

    fn output_schema() -> Option<Value> {
        T::output_schema()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Serialize, JsonSchema)]
    struct Count {
        rows: u32,
    }

    fn result_json<T: IntoToolResult>(value: T) -> Value {
        serde_json::to_value(value.into_tool_result().unwrap()).unwrap()
    }

    #[test]
    fn text_and_content_become_content_items() {
        let text = json!({ "content": [{ "type": "text", "text": "hi" }] });
        assert_eq!(result_json("hi"), text);
        assert_eq!(result_json(String::from("hi")), text);
        assert_eq!(result_json(Content::text("hi")), text);
        assert_eq!(result_json(vec![Content::text("hi")]), text);
        assert_eq!(result_json(()), json!({ "content": [] }));
        assert_eq!(<String as IntoToolResult>::output_schema(), None);
    }

    #[test]
    fn structured_sets_structured_content_text_and_schema() {
        assert_eq!(
            result_json(Structured(Count { rows: 3 })),
            json!({
                "content": [{ "type": "text", "text": "{\"rows\":3}" }],
                "structuredContent": { "rows": 3 },
            })
        );
        let schema =
            <Result<Structured<Count>, String> as IntoToolResult>::output_schema().unwrap();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["properties"]["rows"]["type"], "integer");
    }

    #[derive(Serialize, JsonSchema)]
    struct Sparse {
        rows: u32,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        returned: Vec<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    }

    #[test]
    fn fields_serde_may_skip_are_not_required_in_the_output_schema() {
        let schema = <Structured<Sparse> as IntoToolResult>::output_schema().unwrap();
        assert_eq!(schema["required"], json!(["rows"]));
        // What the tool actually sends fits that schema: only `rows` is there.
        let sent = result_json(Structured(Sparse {
            rows: 1,
            returned: vec![],
            note: None,
        }));
        assert_eq!(sent["structuredContent"], json!({ "rows": 1 }));
    }

    #[test]
    fn an_error_becomes_an_is_error_result_with_its_message() {
        let failed: Result<String, String> = Err("table `x` does not exist".into());
        assert_eq!(
            result_json(failed),
            json!({
                "content": [{ "type": "text", "text": "table `x` does not exist" }],
                "isError": true,
            })
        );
    }
}
