//! The compile-time registry: every tool and scope declared with `#[tool]` / `#[scope]` and linked
//! into the binary, or an explicit list for tests and for several servers in one binary.
//!
//! Entries are collected with `linkme` distributed slices: no code runs before `main`, and it works
//! across crates. A [`Registry`] is checked once, when a server is built, so a duplicate tool name or
//! a scope used but never declared stops the server at start with both locations named.

use std::collections::{BTreeMap, BTreeSet};

use crate::scope::{ScopeDef, ScopeSet};
use crate::tool::{MissingState, StateMap, ToolDef};

/// An explicit list of tools, as `&[&'static ToolDef]`, for [`Registry::from_tools`]: each
/// argument is the path of a `#[tool]` function (which also names the hidden type holding its
/// definition, `run_query::TOOL`, that `#[tool]` writes next to it).
///
/// ```ignore
/// let registry = Registry::from_tools(mcp_scopes::tools![run_query, admin::drop_table])?;
/// ```
#[macro_export]
macro_rules! tools {
    ($($($segment:ident)::+),* $(,)?) => {
        &[$($($segment)::+::TOOL),*] as &[&'static $crate::tool::ToolDef]
    };
}

/// Every tool declared with `#[tool]` in the linked binary.
#[linkme::distributed_slice]
pub static TOOLS: [ToolDef];

/// Every scope declared with `#[scope]` in the linked binary.
#[linkme::distributed_slice]
pub static SCOPES: [ScopeDef];

/// Why a set of tools and scopes cannot make a server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two tools share a name.
    #[error(
        "two tools are named `{name}`: one at {first}, one at {second}; give one a `name = \"…\"`"
    )]
    DuplicateTool {
        /// The shared name.
        name: String,
        /// Where the first is declared.
        first: &'static str,
        /// Where the second is declared.
        second: &'static str,
    },
    /// Two scope declarations share a name.
    #[error("scope `{name}` is declared twice: at {first} and at {second}")]
    DuplicateScope {
        /// The shared name.
        name: String,
        /// Where the first is declared.
        first: &'static str,
        /// Where the second is declared.
        second: &'static str,
    },
    /// A tool needs a scope (given as a string) that no `#[scope]` declares.
    #[error(
        "tool `{tool}` at {location} needs scope `{scope}`, which is never declared; {}",
        undeclared_scope_fix(.scope, *.suggestion)
    )]
    UndeclaredScope {
        /// The tool.
        tool: &'static str,
        /// Where the tool is declared.
        location: &'static str,
        /// The unknown scope.
        scope: &'static str,
        /// The declared scope whose name is closest to it, when one is close enough to be a typo.
        suggestion: Option<&'static str>,
    },
    /// A scope implies a scope that is never declared.
    #[error("scope `{scope}` at {location} implies `{implied}`, which is never declared")]
    UndeclaredImplied {
        /// The implying scope.
        scope: &'static str,
        /// Where it is declared.
        location: &'static str,
        /// The unknown implied scope.
        implied: &'static str,
    },
    /// A tool takes two arguments that both claim to be the input.
    #[error(
        "tool `{tool}` at {location} takes two inputs (`{first}` and `{second}`); merge them into one `Args<T>`"
    )]
    TwoInputs {
        /// The tool.
        tool: &'static str,
        /// Where the tool is declared.
        location: &'static str,
        /// The first input argument's type.
        first: &'static str,
        /// The second input argument's type.
        second: &'static str,
    },
    /// A tool's input or output schema does not describe an object, as MCP requires.
    #[error(
        "the {which} schema of tool `{tool}` at {location} is not an object schema; use a struct with named fields"
    )]
    NotAnObjectSchema {
        /// The tool.
        tool: &'static str,
        /// Where the tool is declared.
        location: &'static str,
        /// `input` or `output`.
        which: &'static str,
    },
}

fn undeclared_scope_fix(scope: &str, suggestion: Option<&str>) -> String {
    let declare = format!("declare it with `#[scope(name = \"{scope}\")]` or fix the spelling");
    match suggestion {
        Some(close) => format!("did you mean `{close}`? If not, {declare}"),
        None => declare,
    }
}

/// The name closest to `typo` by edit distance (a swap of two neighbours counts as one edit), if it
/// is within two edits, or a quarter of the name for long names.
fn closest_name<'a>(typo: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (typo.chars().count() / 4).max(2);
    names
        .map(|name| (strsim::osa_distance(typo, name), name))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, name)| name)
}

/// A checked set of tools and the scopes they use, in a deterministic order (tools by name, scopes
/// by name).
#[derive(Debug, Clone)]
pub struct Registry {
    tools: Vec<&'static ToolDef>,
    scopes: Vec<&'static ScopeDef>,
    /// For each declared scope, every scope it grants (itself included), transitively.
    closure: BTreeMap<&'static str, BTreeSet<&'static str>>,
}

impl Registry {
    /// Everything linked into the binary: all `#[tool]`s and all `#[scope]`s.
    pub fn collected() -> Result<Self, RegistryError> {
        Self::build(TOOLS.iter().collect(), SCOPES.iter().collect())
    }

    /// Checks [`Registry::collected`] and panics with the problem's message: the one-line test that
    /// catches in `cargo test` what would otherwise stop the server at start (two tools with one
    /// name, a string scope never declared, with a "did you mean" for typos, an implied scope never
    /// declared, a schema that is not an object). Put it in the crate that declares the tools (for
    /// a binary crate, in `src/main.rs`), so its test binary links them:
    ///
    /// ```ignore
    /// #[test]
    /// fn tools_and_scopes_are_consistent() {
    ///     mcp_scopes::registry::Registry::assert_collected_is_valid();
    /// }
    /// ```
    ///
    /// Missing shared state (`State<T>`) is checked when the server is built, with the state given.
    ///
    /// # Panics
    ///
    /// When [`Registry::collected`] returns an error; the message is the error's.
    #[track_caller]
    pub fn assert_collected_is_valid() {
        if let Err(e) = Self::collected() {
            panic!("the tools and scopes linked into this binary cannot make a server: {e}");
        }
    }

    /// Only the listed tools (see the `tools!` macro), with the declared scopes they use, the
    /// scopes those imply, and the declared scopes that imply them (so a broader token still
    /// reaches the tools).
    pub fn from_tools(tools: &[&'static ToolDef]) -> Result<Self, RegistryError> {
        let all_scopes: BTreeMap<&str, &'static ScopeDef> =
            SCOPES.iter().map(|s| (s.name, s)).collect();
        let mut wanted: Vec<&'static str> = tools
            .iter()
            .flat_map(|t| t.scopes.iter().copied())
            .collect();
        let mut seen = BTreeSet::new();
        let mut scopes = Vec::new();
        loop {
            // Down: the scopes the tools use and everything those imply.
            while let Some(name) = wanted.pop() {
                if !seen.insert(name) {
                    continue;
                }
                if let Some(def) = all_scopes.get(name) {
                    scopes.push(*def);
                    wanted.extend(def.implies.iter().copied());
                }
            }
            // Up: a scope that implies one in use grants these tools too (a `db:admin` token may
            // call a `db:modify` tool even when no listed tool needs `db:admin`), so it must be known.
            wanted.extend(
                all_scopes
                    .values()
                    .filter(|def| !seen.contains(def.name))
                    .filter(|def| def.implies.iter().any(|i| seen.contains(i)))
                    .map(|def| def.name),
            );
            if wanted.is_empty() {
                break;
            }
        }
        Self::build(tools.to_vec(), scopes)
    }

    /// Exactly these tools and scopes (e.g. `tools![…]` and `&[DbQuery::DEF, …]`), for servers
    /// that must not see scopes declared elsewhere in the binary.
    pub fn from_parts(
        tools: &[&'static ToolDef],
        scopes: &[&'static ScopeDef],
    ) -> Result<Self, RegistryError> {
        Self::build(tools.to_vec(), scopes.to_vec())
    }

    fn build(
        mut tools: Vec<&'static ToolDef>,
        mut scopes: Vec<&'static ScopeDef>,
    ) -> Result<Self, RegistryError> {
        tools.sort_by(|a, b| a.name.cmp(b.name).then(a.location.cmp(b.location)));
        for pair in tools.windows(2) {
            if pair[0].name == pair[1].name {
                return Err(RegistryError::DuplicateTool {
                    name: pair[0].name.to_owned(),
                    first: pair[0].location,
                    second: pair[1].location,
                });
            }
        }
        scopes.sort_by(|a, b| a.name.cmp(b.name).then(a.location.cmp(b.location)));
        for pair in scopes.windows(2) {
            if pair[0].name == pair[1].name {
                return Err(RegistryError::DuplicateScope {
                    name: pair[0].name.to_owned(),
                    first: pair[0].location,
                    second: pair[1].location,
                });
            }
        }
        for tool in &tools {
            check_schemas(tool)?;
        }
        let by_name: BTreeMap<&'static str, &'static ScopeDef> =
            scopes.iter().map(|s| (s.name, *s)).collect();
        for tool in &tools {
            for scope in tool.scopes {
                if !by_name.contains_key(scope) {
                    return Err(RegistryError::UndeclaredScope {
                        tool: tool.name,
                        location: tool.location,
                        scope,
                        suggestion: closest_name(scope, by_name.keys().copied()),
                    });
                }
            }
        }
        let mut closure = BTreeMap::new();
        for def in &scopes {
            let mut granted = BTreeSet::new();
            let mut todo = vec![def.name];
            while let Some(name) = todo.pop() {
                if !granted.insert(name) {
                    continue;
                }
                let Some(implied_def) = by_name.get(name) else {
                    return Err(RegistryError::UndeclaredImplied {
                        scope: def.name,
                        location: def.location,
                        implied: name,
                    });
                };
                todo.extend(implied_def.implies.iter().copied());
            }
            closure.insert(def.name, granted);
        }
        Ok(Self {
            tools,
            scopes,
            closure,
        })
    }

    /// Checks that `state` holds the shared state every tool's arguments need (run when a server
    /// is built).
    pub fn check_state(&self, state: &StateMap) -> Result<(), MissingState> {
        self.tools
            .iter()
            .try_for_each(|tool| tool.check_state(state))
    }

    /// The tools, sorted by name.
    pub fn tools(&self) -> &[&'static ToolDef] {
        &self.tools
    }

    /// A tool by name.
    pub fn tool(&self, name: &str) -> Option<&'static ToolDef> {
        self.tools
            .binary_search_by(|t| t.name.cmp(name))
            .ok()
            .map(|i| self.tools[i])
    }

    /// The declared scopes this registry uses, sorted by name.
    pub fn scopes(&self) -> &[&'static ScopeDef] {
        &self.scopes
    }

    /// The scopes marked `baseline`, sorted by name.
    pub fn baseline_scopes(&self) -> Vec<&'static str> {
        self.scopes
            .iter()
            .filter(|s| s.baseline)
            .map(|s| s.name)
            .collect()
    }

    /// Every scope `granted` gives, with implications applied (undeclared scopes are kept as they
    /// are: they grant only themselves).
    pub fn effective_scopes(&self, granted: &ScopeSet) -> ScopeSet {
        let mut out = ScopeSet::new();
        for scope in granted {
            match self.closure.get(scope) {
                Some(implied) => {
                    for s in implied {
                        out.insert(*s);
                    }
                }
                None => {
                    out.insert(scope);
                }
            }
        }
        out
    }

    /// The scopes of `tool` that `granted` (with implications) does not give; empty when the call is
    /// allowed.
    pub fn missing_scopes(&self, tool: &ToolDef, granted: &ScopeSet) -> Vec<&'static str> {
        let effective = self.effective_scopes(granted);
        tool.scopes
            .iter()
            .copied()
            .filter(|s| !effective.contains(s))
            .collect()
    }
}

/// At most one argument is the input, and the input and output schemas describe objects.
fn check_schemas(tool: &'static ToolDef) -> Result<(), RegistryError> {
    let mut inputs = tool
        .args
        .iter()
        .filter_map(|arg| (arg.input_schema)().map(|schema| (arg.type_name, schema)));
    if let Some((first, input)) = inputs.next() {
        if let Some((second, _)) = inputs.next() {
            return Err(RegistryError::TwoInputs {
                tool: tool.name,
                location: tool.location,
                first,
                second,
            });
        }
        if !is_object_schema(&input) {
            return Err(RegistryError::NotAnObjectSchema {
                tool: tool.name,
                location: tool.location,
                which: "input",
            });
        }
    }
    if let Some(output) = (tool.output_schema)()
        && !is_object_schema(&output)
    {
        return Err(RegistryError::NotAnObjectSchema {
            tool: tool.name,
            location: tool.location,
            which: "output",
        });
    }
    Ok(())
}

fn is_object_schema(schema: &serde_json::Value) -> bool {
    schema.get("type").and_then(serde_json::Value::as_str) == Some("object")
}

#[cfg(test)]
mod tests {
    use super::closest_name;

    #[test]
    fn a_typo_suggests_the_closest_declared_name_and_a_stranger_nothing() {
        let declared = ["notes:read", "notes:write", "admin"];
        let closest = |typo| closest_name(typo, declared.iter().copied());
        assert_eq!(closest("notes:wirte"), Some("notes:write"));
        assert_eq!(closest("notes:raed"), Some("notes:read"));
        assert_eq!(closest("note:write"), Some("notes:write"));
        assert_eq!(closest("admn"), Some("admin"));
        assert_eq!(closest("billing:write"), None);
        assert_eq!(closest("db"), None);
    }
}
