//! The two manifest formats: their names on the command line, the documents they produce (Casdoor's
//! `scopes` array and the generic document), and how each is built, checked, from a [`Registry`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::checks::check_casdoor_scopes;
use super::error::ManifestError;
use crate::registry::Registry;
use crate::resource::ResourceUri;

/// The standard OpenID Connect scopes (`name`, `displayName`, `description`) added by
/// [`ManifestOptions::oidc_scopes`](super::ManifestOptions::oidc_scopes). Casdoor refuses any
/// requested scope missing from a non-empty `scopes` list, so an application that lists this
/// server's scopes must list these too if its clients ask for them.
pub const STANDARD_OIDC_SCOPES: [(&str, &str, &str); 4] = [
    (
        "openid",
        "OpenID",
        "Sign you in and tell the application who you are.",
    ),
    (
        "profile",
        "Profile",
        "Read your name, picture and other basic profile information.",
    ),
    ("email", "Email", "Read your email address."),
    (
        "offline_access",
        "Offline access",
        "Stay signed in and refresh access without asking you again.",
    ),
];

/// Which manifest to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ManifestFormat {
    /// A Casdoor application's `scopes` array (`casdoor`).
    #[default]
    Casdoor,
    /// The generic document with baseline flags and implications (`json`).
    Json,
}

impl ManifestFormat {
    /// The name used on the command line: `casdoor` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Casdoor => "casdoor",
            Self::Json => "json",
        }
    }
}

impl fmt::Display for ManifestFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ManifestFormat {
    type Err = ManifestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "casdoor" => Ok(Self::Casdoor),
            "json" => Ok(Self::Json),
            other => Err(ManifestError::UnknownFormat(other.to_owned())),
        }
    }
}

/// One entry of a Casdoor application's `scopes` field (Casdoor's `ScopeItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CasdoorScope {
    /// The scope token.
    pub name: String,
    /// The short name on the consent screen.
    pub display_name: String,
    /// What the scope allows.
    pub description: String,
    /// The tools that declare this scope, sorted by name.
    pub tools: Vec<String>,
}

/// One scope of the generic manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestScope {
    /// The scope token.
    pub name: String,
    /// The short human name.
    pub display_name: String,
    /// What the scope allows.
    pub description: String,
    /// Whether a client should ask for it first (the 401 `scope=` hint).
    pub baseline: bool,
    /// The scopes it implies directly, as declared.
    pub implies: Vec<String>,
    /// The tools that declare this scope, sorted by name.
    pub tools: Vec<String>,
    /// The resources (URIs) and resource templates that declare this scope, sorted; left out
    /// when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// The prompts that declare this scope, sorted by name; left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<String>,
}

/// The generic manifest: every scope with its tools, resources, prompts, baseline flag and
/// implications, plus what any authenticated caller may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenericManifest {
    /// The scopes, sorted by name (OIDC scopes, when asked for, last).
    pub scopes: Vec<ManifestScope>,
    /// Tools that need no scope, sorted by name.
    pub public_tools: Vec<String>,
    /// Resources and resource templates that need no scope, sorted; left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_resources: Vec<String>,
    /// Prompts that need no scope, sorted by name; left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_prompts: Vec<String>,
}

/// The generic manifest of `registry`, checked.
pub fn generic(registry: &Registry, oidc_scopes: bool) -> Result<GenericManifest, ManifestError> {
    let mut scopes = declared_scopes(registry);
    if oidc_scopes {
        for (name, display, description) in STANDARD_OIDC_SCOPES {
            if !scopes.iter().any(|s| s.name == name) {
                scopes.push(ManifestScope {
                    name: name.to_owned(),
                    display_name: display.to_owned(),
                    description: description.to_owned(),
                    baseline: false,
                    implies: Vec::new(),
                    tools: Vec::new(),
                    resources: Vec::new(),
                    prompts: Vec::new(),
                });
            }
        }
    }
    check_casdoor_scopes(
        scopes
            .iter()
            .map(|s| (s.name.as_str(), s.description.as_str())),
    )?;
    let public_tools = registry
        .tools()
        .iter()
        .filter(|t| t.scopes.is_empty())
        .map(|t| t.name.to_owned())
        .collect();
    Ok(GenericManifest {
        scopes,
        public_tools,
        public_resources: resources_declaring(registry, None),
        public_prompts: prompts_declaring(registry, None),
    })
}

/// Each scope `registry` declares with what it opens, unchecked (the development authorization
/// server's consent page shows them whatever Casdoor would accept).
pub(crate) fn declared_scopes(registry: &Registry) -> Vec<ManifestScope> {
    registry
        .scopes()
        .iter()
        .map(|def| ManifestScope {
            name: def.name.to_owned(),
            display_name: display_name(def.name, def.display_name),
            description: def.description.trim().to_owned(),
            baseline: def.baseline,
            implies: def.implies.iter().map(|s| (*s).to_owned()).collect(),
            tools: tools_declaring(registry, def.name),
            resources: resources_declaring(registry, Some(def.name)),
            prompts: prompts_declaring(registry, Some(def.name)),
        })
        .collect()
}

/// The Casdoor `scopes` array of `registry`, checked.
pub fn casdoor_scopes(
    registry: &Registry,
    oidc_scopes: bool,
) -> Result<Vec<CasdoorScope>, ManifestError> {
    Ok(generic(registry, oidc_scopes)?
        .scopes
        .into_iter()
        .map(|s| CasdoorScope {
            description: casdoor_description(&s),
            name: s.name,
            display_name: s.display_name,
            tools: s.tools,
        })
        .collect())
}

/// A declared display name, or the scope name when none was given (Casdoor shows the display name on
/// its consent screen; an empty one would show nothing).
fn display_name(name: &str, declared: &str) -> String {
    let declared = declared.trim();
    if declared.is_empty() {
        name.to_owned()
    } else {
        declared.to_owned()
    }
}

/// A scope's description for Casdoor, whose `tools` field holds tool names only: what else the
/// scope opens (resources, prompts) is said in words after the declared description.
fn casdoor_description(scope: &ManifestScope) -> String {
    let mut description = scope.description.clone();
    for (what, names) in [("resources", &scope.resources), ("prompts", &scope.prompts)] {
        if !names.is_empty() {
            // A description written without a final stop (as Casdoor's guide writes them) gets
            // one, so the sentence added after it reads as a sentence.
            if !description.is_empty() && !description.ends_with(['.', '!', '?']) {
                description.push('.');
            }
            description.push_str(" Also opens ");
            description.push_str(what);
            description.push_str(": ");
            description.push_str(&names.join(", "));
            description.push('.');
        }
    }
    description
}

/// The resources and templates (by URI or template) that declare `scope`, or need no scope when
/// `scope` is `None`, sorted.
fn resources_declaring(registry: &Registry, scope: Option<&str>) -> Vec<String> {
    let mut uris: Vec<String> = registry
        .resources()
        .iter()
        .copied()
        .chain(registry.resource_templates())
        .filter(|r| opens(r.scopes, scope))
        .map(|r| match r.uri {
            ResourceUri::Fixed(uri) | ResourceUri::Template(uri) => uri.to_owned(),
        })
        .collect();
    uris.sort();
    uris
}

/// The prompts that declare `scope`, or need no scope when `scope` is `None`, sorted by name.
fn prompts_declaring(registry: &Registry, scope: Option<&str>) -> Vec<String> {
    registry
        .prompts()
        .iter()
        .filter(|p| opens(p.scopes, scope))
        .map(|p| p.name.to_owned())
        .collect()
}

/// Whether something needing `scopes` is listed under `scope` (`None`: the public ones).
fn opens(scopes: &[&str], scope: Option<&str>) -> bool {
    match scope {
        Some(scope) => scopes.contains(&scope),
        None => scopes.is_empty(),
    }
}

/// The tools that declare `scope`, sorted by name (the registry keeps tools sorted).
fn tools_declaring(registry: &Registry, scope: &str) -> Vec<String> {
    registry
        .tools()
        .iter()
        .filter(|t| t.scopes.contains(&scope))
        .map(|t| t.name.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in [ManifestFormat::Casdoor, ManifestFormat::Json] {
            assert_eq!(f.as_str().parse::<ManifestFormat>().unwrap(), f);
        }
        assert!(matches!(
            "yaml".parse::<ManifestFormat>(),
            Err(ManifestError::UnknownFormat(f)) if f == "yaml"
        ));
    }
}
