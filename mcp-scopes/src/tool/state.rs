//! Shared state: the values given to the server builder's `.state(…)`, one per type, that
//! handlers read through [`State<T>`](super::State). Its own file because the call, the argument extractors and the builder all hold a [`StateMap`], while it needs none of them.

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// What can be shared state: a value every call gets its own clone of, from any thread. Implemented
/// for every `Clone + Send + Sync + 'static` type; for anything else (a database handle, a `Mutex`),
/// wrap it in `Arc` and take `State<Arc<T>>`.
///
/// ```compile_fail,E0277
/// struct Db; // not Clone
/// let builder = mcp_scopes::server::McpServer::builder().state(Db);
/// ```
// The hint is in `message` too: when the blanket impl's bounds fail, rustc shows the message but
// drops the label and the note (tests/ui/fail/state-not-clone.stderr).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be shared state: it must be `Clone + Send + Sync + 'static`; wrap it in `Arc` (with a `Mutex` inside for changes)",
    label = "not usable as shared state",
    note = "wrap it in `Arc` (`.state(Arc::new(value))`, with a `Mutex` inside for changes) and take `State<Arc<…>>` in the tool"
)]
pub trait StateValue: Clone + Send + Sync + 'static {}

impl<T: Clone + Send + Sync + 'static> StateValue for T {}

/// Shared state given to the server builder, one value per type. Handlers read it with
/// [`State<T>`](super::State). Cheap to clone (the values are shared).
#[derive(Clone, Default)]
pub struct StateMap {
    values: Arc<HashMap<TypeId, StateEntry>>,
}

#[derive(Clone)]
struct StateEntry {
    type_name: &'static str,
    value: Arc<dyn Any + Send + Sync>,
}

impl StateMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value`, replacing any earlier value of the same type.
    pub fn insert<T: StateValue>(&mut self, value: T) {
        Arc::make_mut(&mut self.values).insert(
            TypeId::of::<T>(),
            StateEntry {
                type_name: type_name::<T>(),
                value: Arc::new(value),
            },
        );
    }

    /// Adds `value` (builder style).
    #[must_use]
    pub fn with<T: StateValue>(mut self, value: T) -> Self {
        self.insert(value);
        self
    }

    /// The value of type `T`, when one was given.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|entry| entry.value.downcast_ref())
    }

    /// Whether a value of type `T` was given.
    pub fn contains<T: 'static>(&self) -> bool {
        self.values.contains_key(&TypeId::of::<T>())
    }

    /// The names of the types given, sorted.
    pub(super) fn type_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&str> = self.values.values().map(|e| e.type_name).collect();
        names.sort_unstable();
        names
    }
}

impl fmt::Debug for StateMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.type_names()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Pool(u8);

    #[test]
    fn state_map_holds_one_value_per_type() {
        let state = StateMap::new().with(Pool(1)).with(Pool(2)).with(7_u32);
        assert_eq!(state.get::<Pool>(), Some(&Pool(2)));
        assert_eq!(state.get::<u32>(), Some(&7));
        assert!(!state.contains::<String>());
        assert_eq!(
            format!("{state:?}"),
            format!("{{{:?}, \"u32\"}}", type_name::<Pool>())
        );
    }
}
