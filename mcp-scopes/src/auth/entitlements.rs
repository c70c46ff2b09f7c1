//! User entitlements beside scopes: a scope says what the *client* was granted, an entitlement what
//! the *user* may do. With some authorization servers the two differ: Casdoor grants whatever scope
//! a client asks for when its application lists none, and lets a refresh token widen its scopes, so
//! a scope in its token is no proof that the user may use it. An [`Entitlements`] hook runs after
//! the scope gate and before the handler, with the caller and the tool, resource or prompt; a denial is HTTP 403 that
//! does not invite a step-up (a token with more scopes would not help).
//!
//! [`ScopeRoles`] is the ready rule for Casdoor's tokens: a scope is honoured only when the user
//! holds one of the roles or permissions configured for it, read from the `roles` and `permissions`
//! claims that Casdoor's default `JWT` token format carries. Tokens without those claims (the other
//! formats) hold no role, so such scopes are refused: the rule fails closed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use super::Principal;
use crate::registry::Registry;
use crate::scope::ScopeSet;

/// A decision about one call (a tool, a resource or a prompt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entitlement {
    /// The call may run.
    Allow,
    /// The call is refused; `reason` is shown to the client (keep secrets and token values out).
    Deny {
        /// Why, for the client and the audit log.
        reason: String,
    },
}

/// Decides whether the user behind a token may use a tool, resource or prompt its scopes already
/// allow. See the module
/// docs; install one with `McpServerBuilder::entitlements`.
pub trait Entitlements: Send + Sync + 'static {
    /// The decision for `call`.
    fn check(&self, call: &GatedCall<'_>) -> Entitlement;

    /// What the operator should know at start (logged once when the server is built), e.g. which
    /// token claims the rule reads.
    fn startup_note(&self) -> Option<String> {
        None
    }
}

/// One call that passed the scope gate, as an [`Entitlements`] hook sees it: a `tools/call`, a
/// `resources/read`, a `prompts/get`, or a `completion/complete` (which needs the scopes of what it
/// completes). The hook is asked about every one of them, so a rule guards a scope wherever it opens
/// something.
#[derive(Debug, Clone, Copy)]
pub struct GatedCall<'a> {
    principal: &'a Principal,
    kind: &'static str,
    name: &'a str,
    scopes: &'static [&'static str],
    registry: &'a Registry,
}

impl<'a> GatedCall<'a> {
    pub(crate) fn new(
        principal: &'a Principal,
        kind: &'static str,
        name: &'a str,
        scopes: &'static [&'static str],
        registry: &'a Registry,
    ) -> Self {
        Self {
            principal,
            kind,
            name,
            scopes,
            registry,
        }
    }

    /// The caller.
    pub fn principal(&self) -> &'a Principal {
        self.principal
    }

    /// What is called: `tool`, `resource` or `prompt` (a completion is checked as what it
    /// completes).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The tool or prompt name, or the resource URI as the client sent it.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The scopes the call needs (all of them).
    pub fn required_scopes(&self) -> &'static [&'static str] {
        self.scopes
    }

    /// Whether `scopes` would be enough for this call, implications counted.
    pub fn allowed_with(&self, scopes: &ScopeSet) -> bool {
        self.registry
            .missing_scopes_of(self.scopes, scopes)
            .is_empty()
    }
}

/// A scope honoured only for users holding one of the roles or permissions configured for it
/// (Casdoor's `roles` / `permissions` claims). Scopes without a rule are honoured as granted.
///
/// ```
/// use mcp_scopes::auth::ScopeRoles;
/// let rules = ScopeRoles::new().require("db:admin", "dba").require("db:admin", "built-in/ops");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeRoles {
    /// Scope → the role or permission names that unlock it (any one).
    rules: BTreeMap<String, BTreeSet<String>>,
}

/// A `--scope-role` value that is not `SCOPE=ROLE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not SCOPE=ROLE, e.g. db:admin=dba (a role or permission name, or owner/name)")]
pub struct ScopeRoleSyntax(pub String);

impl ScopeRoles {
    /// No rules: every granted scope is honoured.
    pub fn new() -> Self {
        Self::default()
    }

    /// Honour `scope` only for users holding `role_or_permission`: a Casdoor role or permission
    /// name (`dba`), or `owner/name` to name its organization too. Several calls for one scope
    /// mean any one of them is enough.
    #[must_use]
    pub fn require(
        mut self,
        scope: impl Into<String>,
        role_or_permission: impl Into<String>,
    ) -> Self {
        self.rules
            .entry(scope.into())
            .or_default()
            .insert(role_or_permission.into());
        self
    }

    /// Adds a rule written `SCOPE=ROLE` (the `--scope-role` flag).
    pub fn parse_rule(self, spec: &str) -> Result<Self, ScopeRoleSyntax> {
        match spec.split_once('=') {
            Some((scope, name))
                if !scope.trim().is_empty() && !name.trim().is_empty() && !name.contains('=') =>
            {
                Ok(self.require(scope.trim(), name.trim()))
            }
            _ => Err(ScopeRoleSyntax(spec.to_owned())),
        }
    }

    /// Whether no rule is configured.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The scopes that have a rule.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(String::as_str)
    }

    /// The granted scopes of `principal` that are honoured: those without a rule, and those whose
    /// rule names a role or permission the token carries.
    pub fn honoured_scopes(&self, principal: &Principal) -> ScopeSet {
        let held = held_names(principal);
        principal
            .scopes
            .iter()
            .filter(|scope| {
                self.rules
                    .get(*scope)
                    .is_none_or(|names| names.iter().any(|n| held.contains(n.as_str())))
            })
            .collect()
    }
}

impl Entitlements for ScopeRoles {
    fn check(&self, call: &GatedCall<'_>) -> Entitlement {
        if call.allowed_with(&self.honoured_scopes(call.principal())) {
            return Entitlement::Allow;
        }
        let needing: Vec<&str> = call
            .principal()
            .scopes
            .iter()
            .filter(|s| self.rules.contains_key(*s))
            .collect();
        Entitlement::Deny {
            reason: format!(
                "the user may not use {} `{}`: scope {} is honoured here only for users holding a role or permission this server requires, and the token shows none",
                call.kind(),
                call.name(),
                needing.join(" ")
            ),
        }
    }

    fn startup_note(&self) -> Option<String> {
        (!self.is_empty()).then(|| {
            let rules: Vec<String> = self
                .rules
                .iter()
                .map(|(scope, names)| {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    format!("{scope} (needs {})", names.join(" or "))
                })
                .collect();
            format!(
                "scope roles: {} are honoured only for users whose token lists one of those roles or permissions in its `roles`/`permissions` claims. Only Casdoor's default `JWT` token format carries them; with JWT-Empty, JWT-Standard or JWT-Custom tokens these scopes are always refused",
                rules.join(", ")
            )
        })
    }
}

/// The role and permission names a token carries: each entry of `roles` and `permissions` as
/// `name` and `owner/name` (Casdoor's objects), or as itself when it is a string.
fn held_names(principal: &Principal) -> BTreeSet<String> {
    let mut held = BTreeSet::new();
    for claim in ["roles", "permissions"] {
        let Some(Value::Array(entries)) = principal.claim(claim) else {
            continue;
        };
        for entry in entries {
            match entry {
                Value::String(name) => {
                    held.insert(name.clone());
                }
                Value::Object(object) => {
                    // A disabled role or permission grants nothing.
                    if object.get("isEnabled") == Some(&Value::Bool(false)) {
                        continue;
                    }
                    if let Some(name) = object.get("name").and_then(Value::as_str) {
                        held.insert(name.to_owned());
                        if let Some(owner) = object.get("owner").and_then(Value::as_str) {
                            held.insert(format!("{owner}/{name}"));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    held
}

/// An installed hook, debuggable so the server options stay `Debug`.
#[derive(Clone)]
pub(crate) struct EntitlementsHook(pub(crate) std::sync::Arc<dyn Entitlements>);

impl fmt::Debug for EntitlementsHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EntitlementsHook")
    }
}
