//! Target `scope_grammar`: scope names (`validate_scope_name`), granted-scope sets
//! (`ScopeSet::from_space_separated`) and `--scope-role` rules (`ScopeRoles::parse_rule`).
//!
//! The input is split at the first NUL into two strings `a` and `b`. Invariants: a name is accepted
//! exactly when it is `:`-separated non-empty segments of `[A-Za-z0-9_-]` (an independent
//! statement of the grammar, so a regex metacharacter can never slip into a scope Casdoor would
//! treat as a pattern); a set parsed from `a` holds exactly its non-empty space-separated parts,
//! prints back to itself, and reports as missing exactly the parts of `b` it does not hold; a rule
//! is accepted only as `SCOPE=ROLE` with both sides non-blank.

use mcp_scopes::auth::ScopeRoles;
use mcp_scopes::scope::{ScopeNameError, ScopeSet, validate_scope_name};

use crate::support::split_at_byte;

/// Runs one input.
pub fn check(data: &[u8]) {
    let (a, b) = split_at_byte(data, 0);
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    names(&a);
    sets(&a, &b);
    rules(&a);
}

fn is_scope_name(name: &str) -> bool {
    !name.is_empty()
        && name.split(':').all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

fn names(name: &str) {
    match validate_scope_name(name) {
        Ok(()) => assert!(is_scope_name(name), "accepted {name:?}"),
        Err(error) => {
            assert!(!is_scope_name(name), "refused {name:?}: {error}");
            assert_eq!(matches!(error, ScopeNameError::Empty), name.is_empty());
            assert!(!error.to_string().is_empty());
        }
    }
}

fn sets(a: &str, b: &str) {
    let set = ScopeSet::from_space_separated(a);
    let parts: Vec<&str> = a.split(' ').filter(|s| !s.is_empty()).collect();
    for scope in set.iter() {
        assert!(
            !scope.is_empty() && !scope.contains(' '),
            "member {scope:?}"
        );
        assert!(parts.contains(&scope), "{scope:?} is not in {a:?}");
    }
    for part in &parts {
        assert!(set.contains(part), "{part:?} of {a:?} is missing");
    }
    assert_eq!(ScopeSet::from_space_separated(&set.to_string()), set);
    let required: Vec<&str> = b.split(' ').filter(|s| !s.is_empty()).collect();
    let missing = set.missing(required.iter().copied());
    let expected: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| !parts.contains(r))
        .collect();
    assert_eq!(missing, expected);
}

fn rules(spec: &str) {
    let accepted = ScopeRoles::new().parse_rule(spec);
    let well_formed = spec.split_once('=').is_some_and(|(scope, role)| {
        !scope.trim().is_empty() && !role.trim().is_empty() && !role.contains('=')
    });
    match accepted {
        Ok(roles) => {
            assert!(well_formed, "accepted the rule {spec:?}");
            let scopes: Vec<&str> = roles.scopes().collect();
            assert_eq!(scopes.len(), 1);
            assert!(spec.starts_with(scopes[0].trim_start()) || spec.contains(scopes[0]));
        }
        Err(error) => {
            assert!(!well_formed, "refused the rule {spec:?}");
            assert!(error.to_string().contains("SCOPE=ROLE"));
        }
    }
}
