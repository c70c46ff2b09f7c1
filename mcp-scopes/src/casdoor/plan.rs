//! What a sync changes in an application's `scopes` (and `customScopes`): which entries are added,
//! replaced, kept or removed, and the new array.
//!
//! Both lists hold one entry per scope: `scopes` as `{name, displayName, description, tools}`,
//! `customScopes` (what Casdoor's consent screen shows) as `{scope, displayName, description}`. The
//! same planning serves both; only reading and writing an entry differ.
//!
//! An entry is *managed* when its name is in this server's manifest. Managed entries are replaced in
//! place (so an admin's ordering survives), new ones are appended in manifest order, and entries the
//! server does not declare are kept verbatim unless pruning was asked for. Unchanged and kept entries
//! are written back as the exact text Casdoor sent.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::value::RawValue;

use super::application::Managed;
use crate::manifest::CasdoorScope;

/// One difference between an application's `scopes` and the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeChange {
    /// A scope of the manifest the application did not list.
    Added(CasdoorScope),
    /// A scope the application listed with other values.
    Changed {
        /// As the application listed it.
        before: CasdoorScope,
        /// As the manifest has it.
        after: CasdoorScope,
    },
    /// An entry removed: not declared by this server and `prune` was set, or a second entry with a
    /// managed name.
    Removed {
        /// Its name (empty when the entry had none).
        name: String,
        /// Whether it was a duplicate of a managed entry (otherwise: pruned).
        duplicate: bool,
    },
    /// An entry this server does not declare, kept because `prune` was not set.
    Kept {
        /// Its name (empty when the entry had none).
        name: String,
    },
    /// A managed entry already as the manifest has it.
    Unchanged {
        /// Its name.
        name: String,
    },
}

impl ScopeChange {
    /// Whether this entry makes the application change.
    pub fn is_change(&self) -> bool {
        matches!(
            self,
            Self::Added(_) | Self::Changed { .. } | Self::Removed { .. }
        )
    }
}

impl fmt::Display for ScopeChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Added(s) => {
                write!(f, "+ {}", s.name)?;
                write!(f, "\n    displayName: {:?}", s.display_name)?;
                write!(f, "\n    description: {:?}", s.description)?;
                // `customScopes` entries have no tools; neither do the OIDC scopes.
                if s.tools.is_empty() {
                    return Ok(());
                }
                write!(f, "\n    tools: {}", list(&s.tools))
            }
            Self::Changed { before, after } => {
                write!(f, "~ {}", after.name)?;
                if before.display_name != after.display_name {
                    write!(
                        f,
                        "\n    displayName: {:?} -> {:?}",
                        before.display_name, after.display_name
                    )?;
                }
                if before.description != after.description {
                    write!(
                        f,
                        "\n    description: {:?} -> {:?}",
                        before.description, after.description
                    )?;
                }
                if before.tools != after.tools {
                    write!(
                        f,
                        "\n    tools: {} -> {}",
                        list(&before.tools),
                        list(&after.tools)
                    )?;
                }
                Ok(())
            }
            Self::Removed { name, duplicate } => write!(
                f,
                "- {} ({})",
                shown(name),
                if *duplicate {
                    "a second entry with this name"
                } else {
                    "not declared by this server; removed by --prune"
                }
            ),
            Self::Kept { name } => write!(
                f,
                "  {} (not declared by this server; kept, --prune would remove it)",
                shown(name)
            ),
            Self::Unchanged { name } => write!(f, "  {name} (unchanged)"),
        }
    }
}

fn shown(name: &str) -> &str {
    if name.is_empty() {
        "<entry without a name>"
    } else {
        name
    }
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// An entry of `scopes` as Casdoor may send it: missing fields and `"tools": null` read as empty.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Existing {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tools: Option<Vec<String>>,
}

/// An entry of `customScopes` as Casdoor may send it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExistingCustom {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
}

/// An entry of `customScopes` as written.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct CustomEntry<'a> {
    scope: &'a str,
    display_name: &'a str,
    description: &'a str,
}

impl Managed {
    /// An entry as a scope, `None` when it is not an object of the expected shape.
    fn read(self, raw: &RawValue) -> Option<CasdoorScope> {
        match self {
            Self::Scopes => serde_json::from_str::<Existing>(raw.get())
                .ok()
                .map(Into::into),
            Self::CustomScopes => serde_json::from_str::<ExistingCustom>(raw.get())
                .ok()
                .map(|e| CasdoorScope {
                    name: e.scope,
                    display_name: e.display_name,
                    description: e.description,
                    tools: Vec::new(),
                }),
        }
    }

    /// What of a manifest scope this list holds.
    fn project(self, scope: &CasdoorScope) -> CasdoorScope {
        match self {
            Self::Scopes => scope.clone(),
            Self::CustomScopes => CasdoorScope {
                tools: Vec::new(),
                ..scope.clone()
            },
        }
    }

    /// A new entry as JSON text (a struct of strings always serializes).
    fn write(self, scope: &CasdoorScope) -> String {
        match self {
            Self::Scopes => serde_json::to_string(scope),
            Self::CustomScopes => serde_json::to_string(&CustomEntry {
                scope: &scope.name,
                display_name: &scope.display_name,
                description: &scope.description,
            }),
        }
        .unwrap_or_default()
    }
}

impl From<Existing> for CasdoorScope {
    fn from(e: Existing) -> Self {
        Self {
            name: e.name,
            display_name: e.display_name,
            description: e.description,
            tools: e.tools.unwrap_or_default(),
        }
    }
}

/// The outcome of planning: every entry's fate and the new `scopes` array as JSON text.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) changes: Vec<ScopeChange>,
    pub(crate) scopes_json: String,
    pub(crate) resulting_names: BTreeSet<String>,
}

impl Plan {
    pub(crate) fn has_changes(&self) -> bool {
        self.changes.iter().any(ScopeChange::is_change)
    }

    /// Whether the new `scopes` array has no entry at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.scopes_json == "[]"
    }
}

enum Entry<'a> {
    Verbatim(&'a RawValue),
    New(&'a CasdoorScope),
}

/// Plans the new value of `list` from the application's entries and the manifest.
pub(crate) fn plan(
    list: Managed,
    existing: &[&RawValue],
    manifest: &[CasdoorScope],
    prune: bool,
) -> Plan {
    let manifest: Vec<CasdoorScope> = manifest.iter().map(|s| list.project(s)).collect();
    let manifest = manifest.as_slice();
    let ours: BTreeMap<&str, &CasdoorScope> =
        manifest.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut placed = BTreeSet::new();
    let mut entries = Vec::new();
    let mut changes = Vec::new();
    for raw in existing {
        // An entry that is not an object of the expected shape is not ours: keep or prune it as is.
        let found = list.read(raw);
        let name = found.as_ref().map(|s| s.name.clone()).unwrap_or_default();
        match (found, ours.get(name.as_str())) {
            (Some(before), Some(after)) => {
                if !placed.insert(name.clone()) {
                    changes.push(ScopeChange::Removed {
                        name,
                        duplicate: true,
                    });
                } else if before == **after {
                    entries.push(Entry::Verbatim(raw));
                    changes.push(ScopeChange::Unchanged { name });
                } else {
                    entries.push(Entry::New(after));
                    changes.push(ScopeChange::Changed {
                        before,
                        after: (*after).clone(),
                    });
                }
            }
            _ if prune => changes.push(ScopeChange::Removed {
                name,
                duplicate: false,
            }),
            _ => {
                entries.push(Entry::Verbatim(raw));
                changes.push(ScopeChange::Kept { name });
            }
        }
    }
    for scope in manifest {
        if !placed.contains(&scope.name) {
            entries.push(Entry::New(scope));
            changes.push(ScopeChange::Added(scope.clone()));
        }
    }
    let mut resulting_names = BTreeSet::new();
    let mut scopes_json = String::from("[");
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            scopes_json.push(',');
        }
        match entry {
            Entry::Verbatim(raw) => {
                scopes_json.push_str(raw.get());
                if let Some(e) = list.read(raw) {
                    resulting_names.insert(e.name);
                }
            }
            Entry::New(scope) => {
                scopes_json.push_str(&list.write(scope));
                resulting_names.insert(scope.name.clone());
            }
        }
    }
    scopes_json.push(']');
    Plan {
        changes,
        scopes_json,
        resulting_names,
    }
}
