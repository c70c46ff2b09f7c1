//! The linked declarations (`linkme` slices) and the [`Registry`] built from them: a checked set
//! of tools, resources, prompts and scopes, with the scope implications resolved, answering what a
//! token's scopes grant.

use std::collections::{BTreeMap, BTreeSet};

use super::checks;
use super::error::{self, RegistryError};
use crate::prompt::PromptDef;
use crate::resource::{ResourceDef, ResourceUri, UriTemplate};
use crate::scope::{ScopeDef, ScopeSet};
use crate::tool::{MissingState, StateMap, ToolDef};

/// Every tool declared with `#[tool]` in the linked binary.
#[linkme::distributed_slice]
pub static TOOLS: [ToolDef];

/// Every resource and resource template declared with `#[resource]` in the linked binary.
#[linkme::distributed_slice]
pub static RESOURCES: [ResourceDef];

/// Every prompt declared with `#[prompt]` in the linked binary.
#[linkme::distributed_slice]
pub static PROMPTS: [PromptDef];

/// Every scope declared with `#[scope]` in the linked binary.
#[linkme::distributed_slice]
pub static SCOPES: [ScopeDef];

/// A checked set of tools, resources, prompts and the scopes they use, in a deterministic order
/// (tools and prompts by name, resources by URI, templates by template, scopes by name).
#[derive(Debug, Clone)]
pub struct Registry {
    pub(super) tools: Vec<&'static ToolDef>,
    pub(super) resources: Vec<&'static ResourceDef>,
    pub(super) templates: Vec<(&'static ResourceDef, UriTemplate)>,
    pub(super) prompts: Vec<&'static PromptDef>,
    scopes: Vec<&'static ScopeDef>,
    /// For each declared scope, every scope it grants (itself included), transitively.
    closure: BTreeMap<&'static str, BTreeSet<&'static str>>,
}

impl Registry {
    /// Everything linked into the binary: all `#[tool]`s, `#[resource]`s, `#[prompt]`s and
    /// `#[scope]`s.
    pub fn collected() -> Result<Self, RegistryError> {
        let declared = Declared {
            tools: TOOLS.iter().collect(),
            resources: RESOURCES.iter().collect(),
            prompts: PROMPTS.iter().collect(),
        };
        Self::build(declared, SCOPES.iter().collect())
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
        Self::from_declarations(tools, &[], &[])
    }

    /// Only the listed tools, resources and prompts (see the `tools!`, `resources!` and
    /// `prompts!` macros), with the scopes they use as in [`Registry::from_tools`].
    pub fn from_declarations(
        tools: &[&'static ToolDef],
        resources: &[&'static ResourceDef],
        prompts: &[&'static PromptDef],
    ) -> Result<Self, RegistryError> {
        let declared = Declared {
            tools: tools.to_vec(),
            resources: resources.to_vec(),
            prompts: prompts.to_vec(),
        };
        let all_scopes: BTreeMap<&str, &'static ScopeDef> =
            SCOPES.iter().map(|s| (s.name, s)).collect();
        let mut wanted: Vec<&'static str> = declared.required_scopes().collect();
        let mut seen = BTreeSet::new();
        let mut scopes = Vec::new();
        loop {
            // Down: the scopes the declarations use and everything those imply.
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
        Self::build(declared, scopes)
    }

    /// Exactly these tools and scopes (e.g. `tools![…]` and `&[DbQuery::DEF, …]`), for servers
    /// that must not see scopes declared elsewhere in the binary.
    pub fn from_parts(
        tools: &[&'static ToolDef],
        scopes: &[&'static ScopeDef],
    ) -> Result<Self, RegistryError> {
        let declared = Declared {
            tools: tools.to_vec(),
            resources: Vec::new(),
            prompts: Vec::new(),
        };
        Self::build(declared, scopes.to_vec())
    }

    fn build(
        declared: Declared,
        mut scopes: Vec<&'static ScopeDef>,
    ) -> Result<Self, RegistryError> {
        let Declared {
            mut tools,
            resources,
            mut prompts,
        } = declared;
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
            checks::tool_schemas(tool)?;
        }
        let (resources, templates) = checks::resources(resources)?;
        checks::prompts(&mut prompts)?;
        let by_name: BTreeMap<&'static str, &'static ScopeDef> =
            scopes.iter().map(|s| (s.name, *s)).collect();
        for tool in &tools {
            for scope in tool.scopes {
                if !by_name.contains_key(scope) {
                    return Err(RegistryError::UndeclaredScope {
                        tool: tool.name,
                        location: tool.location,
                        scope,
                        suggestion: error::closest_name(scope, by_name.keys().copied()),
                    });
                }
            }
        }
        let others = resources
            .iter()
            .chain(templates.iter().map(|(def, _)| def))
            .map(|r| ("resource", r.name, r.location, r.scopes))
            .chain(
                prompts
                    .iter()
                    .map(|p| ("prompt", p.name, p.location, p.scopes)),
            );
        for (kind, name, location, required) in others {
            if let Some(scope) = required.iter().find(|s| !by_name.contains_key(*s)) {
                return Err(RegistryError::UndeclaredScopeFor {
                    kind,
                    name,
                    location,
                    scope,
                    suggestion: error::closest_name(scope, by_name.keys().copied()),
                });
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
            resources,
            templates,
            prompts,
            scopes,
            closure,
        })
    }

    /// Checks that `state` holds the shared state every tool's, resource's, prompt's and
    /// completer's arguments need (run when a server is built).
    pub fn check_state(&self, state: &StateMap) -> Result<(), MissingState> {
        self.tools
            .iter()
            .try_for_each(|tool| tool.check_state(state))?;
        self.resources
            .iter()
            .chain(self.templates.iter().map(|(def, _)| def))
            .try_for_each(|resource| resource.check_state(state))?;
        self.prompts
            .iter()
            .try_for_each(|prompt| prompt.check_state(state))
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
        self.missing_scopes_of(tool.scopes, granted)
    }

    /// The scopes of `required` (a tool's, resource's or prompt's `scopes`) that `granted` (with
    /// implications) does not give; empty when the request is allowed.
    pub fn missing_scopes_of(
        &self,
        required: &'static [&'static str],
        granted: &ScopeSet,
    ) -> Vec<&'static str> {
        let effective = self.effective_scopes(granted);
        required
            .iter()
            .copied()
            .filter(|s| !effective.contains(s))
            .collect()
    }
}

/// The declarations a registry is built from, before checking.
struct Declared {
    tools: Vec<&'static ToolDef>,
    resources: Vec<&'static ResourceDef>,
    prompts: Vec<&'static PromptDef>,
}

impl Declared {
    fn required_scopes(&self) -> impl Iterator<Item = &'static str> + '_ {
        let tools = self.tools.iter().flat_map(|t| t.scopes.iter().copied());
        let resources = self.resources.iter().flat_map(|r| r.scopes.iter().copied());
        let prompts = self.prompts.iter().flat_map(|p| p.scopes.iter().copied());
        tools.chain(resources).chain(prompts)
    }
}

/// A fixed resource's URI (the list of fixed resources holds no template).
pub(super) fn fixed_uri(def: &ResourceDef) -> &'static str {
    match def.uri {
        ResourceUri::Fixed(uri) | ResourceUri::Template(uri) => uri,
    }
}
