//! Form and query parameters, as RFC 6749 §3.1 wants them read: each parameter at most once
//! (a repeated one is an error, not a silent first-or-last pick), values capped in length.

use std::collections::HashMap;

/// The longest value of any parameter (redirect URIs, states, codes, scope lists).
pub(super) const MAX_VALUE_CHARS: usize = 2048;

/// The parameters of a query string or `application/x-www-form-urlencoded` body.
#[derive(Debug, Default)]
pub(super) struct Params {
    values: HashMap<String, String>,
    /// Repeated names kept apart (the consent form's checkboxes are one name, many values).
    many: HashMap<String, Vec<String>>,
}

/// Why parameters cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum ParamError {
    #[error("the parameter `{0}` is given more than once")]
    Repeated(String),
    #[error("the parameter `{0}` is longer than {MAX_VALUE_CHARS} characters")]
    TooLong(String),
}

impl Params {
    /// Parses `input`; names in `multi` may repeat, every other name may not.
    pub(super) fn parse(input: &[u8], multi: &[&str]) -> Result<Self, ParamError> {
        let mut params = Self::default();
        for (name, value) in form_urlencoded::parse(input) {
            let name = name.into_owned();
            if value.chars().count() > MAX_VALUE_CHARS {
                return Err(ParamError::TooLong(clip(&name)));
            }
            if multi.contains(&name.as_str()) {
                params
                    .many
                    .entry(name)
                    .or_default()
                    .push(value.into_owned());
            } else {
                match params.values.entry(name) {
                    std::collections::hash_map::Entry::Occupied(taken) => {
                        return Err(ParamError::Repeated(clip(taken.key())));
                    }
                    std::collections::hash_map::Entry::Vacant(free) => {
                        free.insert(value.into_owned());
                    }
                }
            }
        }
        Ok(params)
    }

    /// The value of `name`; an empty value counts as absent (RFC 6749 §3.1).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Every value of a repeatable `name`.
    pub(super) fn all(&self, name: &str) -> &[String] {
        self.many.get(name).map_or(&[], Vec::as_slice)
    }
}

/// A parameter name as echoed in an error: short, whatever the client sent.
fn clip(name: &str) -> String {
    name.chars().take(40).collect()
}

/// The space-separated scope list of `value`, without duplicates, in the order given.
pub(super) fn scope_list(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for scope in value.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|s| s == scope) {
            out.push(scope.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused_unless_allowed() {
        let err = Params::parse(b"state=a&state=b", &[]).expect_err("repeated");
        assert_eq!(err, ParamError::Repeated("state".into()));
        let params = Params::parse(b"scope=a&scope=b&state=", &["scope"]).expect("parses");
        assert_eq!(params.all("scope"), ["a", "b"]);
        assert_eq!(params.get("state"), None, "empty is absent");
        let long = format!("state={}", "x".repeat(MAX_VALUE_CHARS + 1));
        assert!(matches!(
            Params::parse(long.as_bytes(), &[]),
            Err(ParamError::TooLong(_))
        ));
        assert_eq!(scope_list(" a  b a "), ["a", "b"]);
    }
}
