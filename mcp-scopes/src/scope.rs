//! OAuth scopes: the grammar a scope name must follow, the set of scopes a token grants, and the
//! declaration of a scope in code.
//!
//! A scope is declared once (with [`macro@crate::scope`]) and referenced by every tool that needs it, so the
//! scope gate, `tools/list`, `scopes_supported`, the 401 `scope=` hint and the Casdoor manifest all come
//! from the same place.

use std::collections::BTreeSet;
use std::fmt;

/// Why a string is not a valid scope name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeNameError {
    /// The name is empty.
    #[error("a scope name cannot be empty")]
    Empty,
    /// The name holds a character outside RFC 6749 §3.3 `scope-token` (printable ASCII except space,
    /// `"` and `\`).
    #[error("scope `{name}` holds {found:?}, which RFC 6749 does not allow in a scope token")]
    NotAScopeToken {
        /// The offending name.
        name: String,
        /// The first character that is not allowed.
        found: char,
    },
    /// A `resource:action` segment holds a character outside `[A-Za-z0-9_-]`, or is empty.
    ///
    /// This is stricter than RFC 6749 on purpose: Casdoor treats a requested scope holding a regex
    /// metacharacter (`.*+?^${}()|[]\`) as a pattern, so such names would match more than themselves.
    #[error(
        "scope `{name}` must be `resource:action` segments of letters, digits, `_` and `-` (found {found:?})"
    )]
    BadSegment {
        /// The offending name.
        name: String,
        /// The first character that is not allowed, or `:` for an empty segment.
        found: char,
    },
}

/// Checks that `name` is a scope name this framework accepts: one or more `:`-separated segments of
/// `[A-Za-z0-9_-]`, which is a subset of RFC 6749 scope tokens and free of regex metacharacters.
pub fn validate_scope_name(name: &str) -> Result<(), ScopeNameError> {
    if name.is_empty() {
        return Err(ScopeNameError::Empty);
    }
    if let Some(found) = name
        .chars()
        .find(|&c| !(c.is_ascii_graphic() && c != '"' && c != '\\'))
    {
        return Err(ScopeNameError::NotAScopeToken {
            name: name.to_owned(),
            found,
        });
    }
    for segment in name.split(':') {
        if segment.is_empty() {
            return Err(ScopeNameError::BadSegment {
                name: name.to_owned(),
                found: ':',
            });
        }
        if let Some(found) = segment
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(ScopeNameError::BadSegment {
                name: name.to_owned(),
                found,
            });
        }
    }
    Ok(())
}

/// The scopes granted to a caller: an ordered set of scope tokens.
///
/// Built from a token's `scope` claim (space separated) and/or `scp` claim (array). Tokens from an
/// authorization server are kept as they are (any RFC 6749 scope token), so a set may hold scopes
/// this server never declared; they simply grant nothing here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet {
    scopes: BTreeSet<String>,
}

impl ScopeSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a space-separated `scope` string (RFC 6749 §3.3). Runs of spaces are tolerated.
    pub fn from_space_separated(scope: &str) -> Self {
        scope.split(' ').filter(|s| !s.is_empty()).collect()
    }

    /// Adds a scope; returns whether it was new.
    pub fn insert(&mut self, scope: impl Into<String>) -> bool {
        self.scopes.insert(scope.into())
    }

    /// Whether the set holds exactly this scope (no implications; see
    /// [`crate::registry::Registry::effective_scopes`] for those).
    pub fn contains(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// Iterates in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().map(String::as_str)
    }

    /// The number of scopes.
    pub fn len(&self) -> usize {
        self.scopes.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// The scopes of `required` that this set does not hold, in sorted order.
    pub fn missing<'a>(&self, required: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        required.into_iter().filter(|s| !self.contains(s)).collect()
    }
}

impl fmt::Display for ScopeSet {
    /// Space separated, as in an OAuth `scope` parameter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in &self.scopes {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(scope)?;
            first = false;
        }
        Ok(())
    }
}

impl<S: Into<String>> FromIterator<S> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self {
            scopes: iter.into_iter().map(Into::into).collect(),
        }
    }
}

impl<'a> IntoIterator for &'a ScopeSet {
    type Item = &'a str;
    type IntoIter =
        std::iter::Map<std::collections::btree_set::Iter<'a, String>, fn(&String) -> &str>;

    fn into_iter(self) -> Self::IntoIter {
        self.scopes.iter().map(String::as_str)
    }
}

/// A scope declared in code, as the registry holds it. Written by [`macro@crate::scope`]; read by the
/// scope gate, the metadata endpoint and the manifest writers.
#[derive(Debug)]
pub struct ScopeDef {
    /// The scope token, e.g. `db:query`.
    pub name: &'static str,
    /// A short human name, shown on consent screens (`displayName` in Casdoor).
    pub display_name: &'static str,
    /// What the scope allows, from the declaration's doc comment.
    pub description: &'static str,
    /// Whether a client should ask for this scope first (the 401 `scope=` hint).
    pub baseline: bool,
    /// Scopes this one implies: a token granting this scope may call tools needing those.
    pub implies: &'static [&'static str],
    /// Where the declaration is, for error messages (`file:line`).
    pub location: &'static str,
}

/// Implemented by the marker type that [`macro@crate::scope`] declares, so tools can name a scope by
/// path (a typo is then a compile error).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a scope declared with `#[scope]`",
    label = "not a declared scope",
    note = "declare it with `#[scope(name = \"…\")]` on the struct, or name the scope as a string"
)]
pub trait DeclaredScope {
    /// The scope token.
    const NAME: &'static str;
    /// The full declaration.
    const DEF: &'static ScopeDef;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_resource_action_names() {
        for ok in ["db:query", "db", "files:read:all", "a_b-c:D9"] {
            assert_eq!(validate_scope_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_names_with_the_culprit() {
        assert_eq!(validate_scope_name(""), Err(ScopeNameError::Empty));
        assert!(matches!(
            validate_scope_name("db query"),
            Err(ScopeNameError::NotAScopeToken { found: ' ', .. })
        ));
        assert!(matches!(
            validate_scope_name("db:*"),
            Err(ScopeNameError::BadSegment { found: '*', .. })
        ));
        assert!(matches!(
            validate_scope_name("db::query"),
            Err(ScopeNameError::BadSegment { found: ':', .. })
        ));
        assert!(matches!(
            validate_scope_name("db.query"),
            Err(ScopeNameError::BadSegment { found: '.', .. })
        ));
    }

    #[test]
    fn scope_set_parses_and_prints_space_separated() {
        let set = ScopeSet::from_space_separated("  db:query  openid db:query ");
        assert_eq!(set.len(), 2);
        assert_eq!(set.to_string(), "db:query openid");
        assert_eq!(set.missing(["db:query", "db:modify"]), vec!["db:modify"]);
    }
}
