//! What Casdoor needs of a manifest's scopes, checked before any manifest is rendered or pushed: the
//! rules are explained in the module docs of [`crate::manifest`].

use super::error::ManifestError;
use crate::scope::validate_scope_name;

/// The length of Casdoor's column that stores a token's requested scope string: every scope of the
/// manifest, joined by single spaces, must fit in it so a client may ask for all of them at once.
pub const CASDOOR_SCOPE_COLUMN: usize = 300;

/// Checks `(name, description)` pairs against what Casdoor needs; see the module docs.
pub fn check_casdoor_scopes<'a>(
    scopes: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), ManifestError> {
    let mut count = 0;
    let mut length = 0;
    for (name, description) in scopes {
        validate_scope_name(name).map_err(|source| ManifestError::InvalidName {
            name: name.to_owned(),
            source,
        })?;
        if description.trim().is_empty() {
            return Err(ManifestError::EmptyDescription {
                name: name.to_owned(),
            });
        }
        length += name.len() + usize::from(count > 0);
        count += 1;
    }
    if length > CASDOOR_SCOPE_COLUMN {
        return Err(ManifestError::TooLong {
            count,
            length,
            limit: CASDOOR_SCOPE_COLUMN,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_what_casdoor_cannot_take() {
        assert!(check_casdoor_scopes([("db:query", "Run read-only queries")]).is_ok());
        assert!(matches!(
            check_casdoor_scopes([("db:.*", "everything")]),
            Err(ManifestError::InvalidName { .. })
        ));
        assert!(matches!(
            check_casdoor_scopes([("db:query", "  \n")]),
            Err(ManifestError::EmptyDescription { name }) if name == "db:query"
        ));
        let long: Vec<String> = (0..30).map(|i| format!("scope{i:03}:abcd")).collect();
        // 30 names of 13 characters plus 29 spaces = 419.
        let err = check_casdoor_scopes(long.iter().map(|n| (n.as_str(), "d"))).unwrap_err();
        assert!(
            matches!(
                err,
                ManifestError::TooLong {
                    count: 30,
                    length: 419,
                    limit: 300
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn joined_length_exactly_at_the_limit_is_accepted() {
        // 20 names of 14 characters + 19 spaces = 299; one more character makes 300, still fine.
        let mut names: Vec<String> = (0..20).map(|i| format!("scope{i:03}:abcde")).collect();
        names[0].push('x');
        assert!(check_casdoor_scopes(names.iter().map(|n| (n.as_str(), "d"))).is_ok());
        names[0].push('y');
        let err = check_casdoor_scopes(names.iter().map(|n| (n.as_str(), "d")))
            .expect_err("301 characters");
        assert!(
            matches!(
                err,
                ManifestError::TooLong {
                    count: 20,
                    length: 301,
                    limit: 300
                }
            ),
            "{err}"
        );
    }
}
