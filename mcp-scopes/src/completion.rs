//! Completion (`completion/complete`): suggestions for a prompt argument or a resource template
//! variable, declared next to it (`#[prompt(complete(sql = sql_snippets))]`). A completer is a
//! plain async function taking the [`Completing`] request and then any tool extractors
//! (`Principal`, `State<T>`, …), so it needs no macro of its own: [`Completer`] is implemented for
//! such functions, and the declaration stores a [`CompletionDef`] calling it.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use crate::handler::HandlerError;
use crate::tool::{StateMap, ToolArgument, ToolCall};

/// The most values one completion result holds (the MCP limit); more are cut, and the result
/// says there are more.
pub const MAX_COMPLETION_VALUES: usize = 100;

/// What a `completion/complete` request's `ref` names: a prompt (`ref/prompt`, by name) or a
/// resource template (`ref/resource`, by its template as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionRef<'a> {
    /// `{"type": "ref/prompt", "name": …}`.
    Prompt(&'a str),
    /// `{"type": "ref/resource", "uri": …}`.
    ResourceTemplate(&'a str),
}

/// What is being completed: the argument (or template variable), what the user typed so far,
/// and the values of the other arguments already given (`context.arguments`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completing {
    /// The argument or variable name.
    pub argument: String,
    /// Its partial value.
    pub value: String,
    /// The other arguments' values.
    pub context: BTreeMap<String, String>,
}

/// Suggested values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// The values, at most [`MAX_COMPLETION_VALUES`] when sent.
    pub values: Vec<String>,
    /// How many values there are in all, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Whether there are more values than sent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub has_more: bool,
}

/// A `completion/complete` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CompleteResult {
    /// The suggestions.
    pub completion: Completion,
}

impl From<Completion> for CompleteResult {
    /// Cuts the values to [`MAX_COMPLETION_VALUES`], keeping the count of all in `total`.
    fn from(mut completion: Completion) -> Self {
        if completion.values.len() > MAX_COMPLETION_VALUES {
            let all = completion.values.len() as u64;
            completion.values.truncate(MAX_COMPLETION_VALUES);
            completion.total = Some(completion.total.map_or(all, |total| total.max(all)));
            completion.has_more = true;
        }
        Self { completion }
    }
}

/// A type a completer can return: `Vec<String>`, `Vec<&'static str>`, [`Completion`], or
/// `Result<T, E>` of those with `E: Display` (an `Err` is [`HandlerError::Failed`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a completer",
    label = "not a completion",
    note = "completers return `Vec<String>`, `Vec<&'static str>`, `Completion`, or `Result<T, E>` of those with `E: Display`"
)]
pub trait IntoCompletion {
    /// The suggestions.
    fn into_completion(self) -> Result<Completion, HandlerError>;
}

impl IntoCompletion for Completion {
    fn into_completion(self) -> Result<Completion, HandlerError> {
        Ok(self)
    }
}

impl IntoCompletion for Vec<String> {
    fn into_completion(self) -> Result<Completion, HandlerError> {
        Ok(Completion {
            values: self,
            ..Completion::default()
        })
    }
}

impl IntoCompletion for Vec<&'static str> {
    fn into_completion(self) -> Result<Completion, HandlerError> {
        self.into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .into_completion()
    }
}

impl<T: IntoCompletion, E: Display> IntoCompletion for Result<T, E> {
    fn into_completion(self) -> Result<Completion, HandlerError> {
        self.map_err(|error| HandlerError::Failed(error.to_string()))?
            .into_completion()
    }
}

/// The future a completer returns, boxed.
pub type CompletionFuture =
    Pin<Box<dyn Future<Output = Result<CompleteResult, HandlerError>> + Send>>;

/// A completer declared for one prompt argument or template variable.
#[derive(Debug)]
pub struct CompletionDef {
    /// The argument or variable it completes.
    pub argument: &'static str,
    /// Runs the completer.
    pub handler: fn(Completing, ToolCall) -> CompletionFuture,
    /// Checks, when the server is built, that the state its extractors need was given.
    pub check_state: fn(&StateMap) -> Result<(), String>,
}

impl CompletionDef {
    /// Runs the completer for `completing`, extracting its other arguments from `call`.
    pub fn complete(&self, completing: Completing, call: ToolCall) -> CompletionFuture {
        (self.handler)(completing, call)
    }
}

/// An async function that completes: `async fn(Completing, A1, …) -> impl IntoCompletion`, where
/// each `A` is a tool extractor (up to four).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot complete an argument",
    label = "not a completer",
    note = "a completer is an `async fn` taking `Completing` and then up to four extractors (`Principal`, `State<T>`, …), returning `Vec<String>`, `Completion`, or a `Result` of those"
)]
pub trait Completer<Extractors>: Copy + Send + Sync + 'static {
    /// Runs the function.
    fn complete(self, completing: Completing, call: ToolCall) -> CompletionFuture;

    /// Checks the state its extractors need.
    fn check_state(state: &StateMap) -> Result<(), String>;
}

/// [`Completer::check_state`] for the completer `completer` (whose type cannot be named: it is a
/// function item).
pub fn check_completer_state<E, F: Completer<E>>(
    completer: F,
    state: &StateMap,
) -> Result<(), String> {
    let _ = completer;
    F::check_state(state)
}

macro_rules! completer {
    ($($extractor:ident),*) => {
        impl<F, Fut, R, $($extractor),*> Completer<($($extractor,)*)> for F
        where
            F: Fn(Completing $(, $extractor)*) -> Fut + Copy + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoCompletion,
            $($extractor: ToolArgument + 'static,)*
        {
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn complete(self, completing: Completing, mut call: ToolCall) -> CompletionFuture {
                Box::pin(async move {
                    $(let $extractor = $extractor::from_tool_call(&mut call)?;)*
                    let completion = self(completing $(, $extractor)*).await.into_completion()?;
                    Ok(CompleteResult::from(completion))
                })
            }

            fn check_state(state: &StateMap) -> Result<(), String> {
                let _ = state;
                $($extractor::check_state(state)?;)*
                Ok(())
            }
        }
    };
}

completer!();
completer!(A1);
completer!(A1, A2);
completer!(A1, A2, A3);
completer!(A1, A2, A3, A4);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::auth::Principal;
    use crate::tool::{Notifier, State};

    async fn colours(completing: Completing, State(all): State<Vec<&'static str>>) -> Vec<String> {
        all.into_iter()
            .filter(|c| c.starts_with(&completing.value))
            .map(str::to_owned)
            .collect()
    }

    fn call(state: StateMap) -> ToolCall {
        ToolCall {
            name: "paint".into(),
            arguments: None,
            principal: Principal {
                subject: None,
                client_id: None,
                issuer: "https://issuer.example".into(),
                expires_at: 0,
                jti: None,
                scopes: crate::scope::ScopeSet::new(),
                claims: serde_json::Map::new(),
            },
            state,
            notifier: Notifier::disconnected(),
        }
    }

    #[tokio::test]
    async fn a_completer_gets_the_partial_value_and_its_extractors() {
        let def = CompletionDef {
            argument: "colour",
            handler: |completing, call| Completer::complete(colours, completing, call),
            check_state: |state| check_completer_state(colours, state),
        };
        let state = StateMap::new().with(vec!["red", "green", "grey"]);
        assert_eq!((def.check_state)(&state), Ok(()));
        assert!((def.check_state)(&StateMap::new()).is_err());
        let completing = Completing {
            argument: "colour".into(),
            value: "gr".into(),
            context: BTreeMap::new(),
        };
        let result = def.complete(completing, call(state)).await.unwrap();
        assert_eq!(
            serde_json::to_value(result).unwrap(),
            json!({ "completion": { "values": ["green", "grey"] } })
        );
    }

    #[test]
    fn more_than_the_limit_is_cut_and_counted() {
        let values: Vec<String> = (0..150).map(|i| i.to_string()).collect();
        let result = CompleteResult::from(values.into_completion().unwrap());
        assert_eq!(result.completion.values.len(), MAX_COMPLETION_VALUES);
        assert_eq!(result.completion.total, Some(150));
        assert!(result.completion.has_more);
    }
}
