//! Prompts as the registry holds them: the static definition `#[prompt]` writes, the argument
//! list its input type gives, what a handler can return, and the one call that gets a prompt.
//!
//! A prompt's arguments are an [`Args<T>`](crate::tool::Args) like a tool's input: `T`'s JSON
//! Schema (from `schemars`) gives the names, `required`, and the field doc comments as
//! descriptions. MCP sends every argument as a string; [`PromptDef::get`] turns a string into the
//! number or boolean the schema asks for before `T` is deserialized, so `T` may hold typed fields.
//! Serving (`prompts/*` over HTTP, the scope gate) is the server's: it finds a prompt with
//! [`Registry::prompt`](crate::registry::Registry::prompt), checks [`PromptDef::scopes`], and calls
//! [`PromptDef::get`].

mod message;

pub use message::{GetPromptResult, IntoPromptResult, PromptMessage, Role};

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::completion::CompletionDef;
use crate::handler::HandlerError;
use crate::tool::{ArgSpec, MissingState, StateMap, ToolCall};

/// The future a generated prompt handler returns.
pub type PromptFuture = Pin<Box<dyn Future<Output = Result<GetPromptResult, HandlerError>> + Send>>;

/// A prompt, as `#[prompt]` declares it. Read by the scope gate, `prompts/list` and the manifests.
#[derive(Debug)]
pub struct PromptDef {
    /// The prompt name (default: the function's name).
    pub name: &'static str,
    /// The optional human title.
    pub title: Option<&'static str>,
    /// What the prompt is for (default: the doc comment).
    pub description: &'static str,
    /// Every scope the caller must hold (implications count). Empty for a public prompt.
    pub scopes: &'static [&'static str],
    /// One entry per handler argument, in order; an [`Args<T>`](crate::tool::Args) among them
    /// gives the prompt's arguments.
    pub args: &'static [ArgSpec],
    /// Completers for prompt arguments.
    pub completions: &'static [CompletionDef],
    /// The generated entry point.
    pub handler: fn(ToolCall) -> PromptFuture,
    /// Where the prompt is declared (`file:line`), for error messages.
    pub location: &'static str,
}

/// One entry of a prompt's `arguments` in `prompts/list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptArgument {
    /// The argument name.
    pub name: String,
    /// What it is (the field's doc comment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it must be given.
    pub required: bool,
}

impl PromptDef {
    /// The JSON Schema of the arguments, when the handler takes an `Args<T>`.
    pub fn arguments_schema(&self) -> Option<Value> {
        self.args.iter().find_map(|arg| (arg.input_schema)())
    }

    /// The arguments, in the schema's property order.
    pub fn arguments(&self) -> Vec<PromptArgument> {
        let Some(schema) = self.arguments_schema() else {
            return Vec::new();
        };
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(properties) = schema["properties"].as_object() else {
            return Vec::new();
        };
        properties
            .iter()
            .map(|(name, property)| PromptArgument {
                name: name.clone(),
                description: property["description"].as_str().map(str::to_owned),
                required: required.contains(&name.as_str()),
            })
            .collect()
    }

    /// The entry of `prompts/list`.
    pub fn list_entry(&self) -> Value {
        let mut entry = json!({ "name": self.name });
        if let Some(title) = self.title {
            entry["title"] = json!(title);
        }
        entry["description"] = json!(self.description);
        let arguments = self.arguments();
        if !arguments.is_empty() {
            entry["arguments"] = json!(arguments);
        }
        entry
    }

    /// The completer declared for an argument.
    pub fn completion(&self, argument: &str) -> Option<&'static CompletionDef> {
        self.completions.iter().find(|c| c.argument == argument)
    }

    /// Runs the handler with `arguments` (`params.arguments` of `prompts/get`: string values),
    /// the caller, state and notifier coming from `call` (its `arguments` are replaced).
    pub fn get(&self, arguments: Option<Map<String, Value>>, mut call: ToolCall) -> PromptFuture {
        let arguments = arguments.unwrap_or_default();
        if let Some((name, _)) = arguments.iter().find(|(_, value)| !value.is_string()) {
            let message = format!("prompt argument `{name}` must be a string");
            return Box::pin(async move { Err(HandlerError::InvalidArguments(message)) });
        }
        let schema = self.arguments_schema().unwrap_or(Value::Null);
        call.arguments = Some(typed_arguments(arguments, &schema));
        (self.handler)(call)
    }

    /// Checks that `state` holds everything the handler's and completers' arguments need.
    pub fn check_state(&self, state: &StateMap) -> Result<(), MissingState> {
        let completers = self.completions.iter().map(|c| (c.argument, c.check_state));
        MissingState::check(
            "prompt",
            self.name,
            self.location,
            self.args,
            completers,
            state,
        )
    }
}

impl PartialEq for PromptDef {
    /// Definitions are statics: equal when they are the same one.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for PromptDef {}

/// Each string argument as the JSON type its schema property asks for (`integer`, `number`,
/// `boolean`), when it reads as one; anything else stays a string, for `T`'s deserializer to
/// accept or refuse with its own message.
fn typed_arguments(arguments: Map<String, Value>, schema: &Value) -> Map<String, Value> {
    arguments
        .into_iter()
        .map(|(name, value)| {
            let property = &schema["properties"][&name];
            let typed = match (&value, json_types(property).as_slice()) {
                (Value::String(text), types) => types
                    .iter()
                    .find_map(|kind| match *kind {
                        "integer" => text.parse::<i64>().ok().map(Value::from),
                        "number" => text.parse::<f64>().ok().map(Value::from),
                        "boolean" => text.parse::<bool>().ok().map(Value::from),
                        _ => None,
                    })
                    .unwrap_or(value),
                _ => value,
            };
            (name, typed)
        })
        .collect()
}

/// `"type": "integer"` or `"type": ["integer", "null"]`.
fn json_types(property: &Value) -> Vec<&str> {
    match &property["type"] {
        Value::String(kind) => vec![kind.as_str()],
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_become_the_types_the_schema_asks_for() {
        let schema = json!({ "properties": {
            "limit": { "type": "integer" },
            "ratio": { "type": ["number", "null"] },
            "verbose": { "type": "boolean" },
            "sql": { "type": "string" },
        } });
        let given: Map<String, Value> = serde_json::from_value(json!({
            "limit": "10", "ratio": "0.5", "verbose": "true", "sql": "42", "extra": "x",
            "bad": "ten",
        }))
        .unwrap();
        let mut schema_with_bad = schema.clone();
        schema_with_bad["properties"]["bad"] = json!({ "type": "integer" });
        assert_eq!(
            Value::Object(typed_arguments(given, &schema_with_bad)),
            json!({ "limit": 10, "ratio": 0.5, "verbose": true, "sql": "42", "extra": "x",
                    "bad": "ten" })
        );
    }
}
