//! Handler arguments, as extractors: each argument type of a `#[tool]` function says how it is
//! taken from the call ([`ToolArgument::from_tool_call`]) and what it adds to the tool's definition
//! (the input schema, the shared state it needs). The macro never looks at type names; it asks the
//! types through this trait, so user-defined extractors work the same way.

use std::any::type_name;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::call::{ToolCall, ToolCallError};
use super::notify::Notifier;
use super::state::{StateMap, StateValue};
use crate::auth::Principal;

/// The tool's input, deserialized from the call's `arguments` (missing arguments read as `{}`).
/// `T`'s JSON Schema (2020-12, from `schemars`) becomes the tool's `inputSchema`, so it must
/// describe an object: a struct with named fields, or a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Args<T>(pub T);

/// Shared state of type `T`, as given to the server builder. A tool taking `State<T>` stops the
/// server at build time when no `T` was given, naming the tool and the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct State<T>(pub T);

/// A type a `#[tool]`, `#[resource]` or `#[prompt]` function (or a completer) can take as an
/// argument (an extractor).
///
/// Implemented for [`Args<T>`], [`Principal`], [`State<T>`] and [`Notifier`]. Implement it for
/// your own types to extract something else from the call.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a `#[tool]`, `#[resource]` or `#[prompt]` function",
    label = "not an extractor",
    note = "arguments are `Args<T>` (the input), `Principal`, `State<T>` and `Notifier`; a resource template's `{{variable}}` is the parameter of the same name"
)]
pub trait ToolArgument: Sized + Send {
    /// Takes this argument from the call. Arguments are extracted in order.
    fn from_tool_call(call: &mut ToolCall) -> Result<Self, ToolCallError>;

    /// The JSON Schema of the tool's input, when this argument is the input. At most one argument
    /// of a tool may return `Some`.
    fn input_schema() -> Option<Value> {
        None
    }

    /// Checks, when the server is built, that what this argument needs was given; the error names
    /// what is missing.
    fn check_state(state: &StateMap) -> Result<(), String> {
        let _ = state;
        Ok(())
    }
}

impl<T: DeserializeOwned + JsonSchema + Send> ToolArgument for Args<T> {
    fn from_tool_call(call: &mut ToolCall) -> Result<Self, ToolCallError> {
        let arguments = call.arguments.take().unwrap_or_default();
        serde_json::from_value(Value::Object(arguments))
            .map(Args)
            .map_err(|e| ToolCallError::InvalidArguments(e.to_string()))
    }

    fn input_schema() -> Option<Value> {
        Some(schemars::schema_for!(T).to_value())
    }
}

impl ToolArgument for Principal {
    fn from_tool_call(call: &mut ToolCall) -> Result<Self, ToolCallError> {
        Ok(call.principal.clone())
    }
}

impl ToolArgument for Notifier {
    fn from_tool_call(call: &mut ToolCall) -> Result<Self, ToolCallError> {
        Ok(call.notifier.clone())
    }
}

impl<T: StateValue> ToolArgument for State<T> {
    fn from_tool_call(call: &mut ToolCall) -> Result<Self, ToolCallError> {
        call.state.get::<T>().cloned().map(State).ok_or_else(|| {
            ToolCallError::Internal(format!(
                "tool `{}` needs state of type `{}`, which the server was not given",
                call.name,
                type_name::<T>()
            ))
        })
    }

    fn check_state(state: &StateMap) -> Result<(), String> {
        if state.contains::<T>() {
            Ok(())
        } else {
            let given = state.type_names();
            let given = if given.is_empty() {
                "no state was given at all".to_owned()
            } else {
                format!("the state given has the types `{}`", given.join("`, `"))
            };
            Err(format!(
                "no state of type `{}` was given to the server builder ({given}; the type must be exactly the same, `Arc` included)",
                type_name::<T>()
            ))
        }
    }
}

/// What one handler argument contributes to the tool's definition, read through [`ToolArgument`].
#[derive(Debug, Clone, Copy)]
pub struct ArgSpec {
    /// The argument's type name, for error messages.
    pub type_name: &'static str,
    /// The JSON Schema of the tool's input if this argument is the input ([`Args`]).
    pub input_schema: fn() -> Option<serde_json::Value>,
    /// Checks at server build time that the shared state this argument needs was provided.
    pub check_state: fn(&StateMap) -> Result<(), String>,
}

/// A tool, resource or prompt whose arguments need shared state the server was not given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} `{name}` at {location} takes `{argument}`: {reason}")]
pub struct MissingState {
    /// `tool`, `resource` or `prompt`.
    pub kind: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Where it is declared.
    pub location: &'static str,
    /// The argument type that needs the state (for a completer: the argument it completes).
    pub argument: &'static str,
    /// What is missing, from [`ToolArgument::check_state`].
    pub reason: String,
}

impl MissingState {
    /// Checks the state needed by a declaration's handler arguments and by its completers (given
    /// as the argument each completes and its check).
    pub fn check(
        kind: &'static str,
        name: &'static str,
        location: &'static str,
        args: &[ArgSpec],
        completers: impl IntoIterator<Item = (&'static str, fn(&StateMap) -> Result<(), String>)>,
        state: &StateMap,
    ) -> Result<(), MissingState> {
        let missing = |argument, reason| MissingState {
            kind,
            name,
            location,
            argument,
            reason,
        };
        for arg in args {
            (arg.check_state)(state).map_err(|reason| missing(arg.type_name, reason))?;
        }
        for (argument, check) in completers {
            check(state).map_err(|reason| missing(argument, format!("its completer: {reason}")))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Pool(u8);

    #[test]
    fn state_check_names_the_missing_type() {
        let err = <State<Pool> as ToolArgument>::check_state(&StateMap::new()).unwrap_err();
        assert!(err.contains("Pool"), "{err}");
        assert_eq!(
            <State<Pool> as ToolArgument>::check_state(&StateMap::new().with(Pool(0))),
            Ok(())
        );
    }
}
