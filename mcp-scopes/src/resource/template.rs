//! URI templates (RFC 6570, level 1 only: `{name}` variables in literal text), as resource
//! templates declare them. A template is matched against the URI a client reads; each variable
//! takes a non-empty run of the characters a level-1 expansion writes (unreserved characters and
//! percent-encoded bytes), percent-decoded. `#[resource]` checks the same grammar at compile time
//! (see `mcp-scopes-macros/src/uri.rs`); this check runs again when a registry is built.

use std::collections::BTreeMap;

/// The longest URI matched against templates; longer ones match none (matching backtracks, so
/// its cost is bounded by the length).
pub const MAX_URI_LENGTH: usize = 2048;

/// A parsed level-1 URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Variable(String),
}

/// Why a string is not a level-1 URI template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriTemplateError {
    /// A `{` without its `}`, or a `}` without its `{`.
    #[error("URI template `{template}` has an unmatched `{brace}`")]
    Unmatched {
        /// The template.
        template: String,
        /// The brace.
        brace: char,
    },
    /// A variable whose name is empty or holds something other than letters, digits and `_`
    /// (operators such as `{+path}` belong to higher levels).
    #[error(
        "URI template `{template}` has variable `{{{name}}}`; only level-1 variables of letters, digits and `_` are supported"
    )]
    BadVariable {
        /// The template.
        template: String,
        /// What is between the braces.
        name: String,
    },
    /// Two variables with nothing between them cannot be told apart in a URI.
    #[error("URI template `{template}` has two variables with no text between them")]
    AdjacentVariables {
        /// The template.
        template: String,
    },
    /// A variable named twice.
    #[error("URI template `{template}` names variable `{name}` twice")]
    DuplicateVariable {
        /// The template.
        template: String,
        /// The variable.
        name: String,
    },
    /// No variable at all: a fixed URI, to be declared as one.
    #[error("URI template `{template}` has no variable; declare it with `uri = …`")]
    NoVariable {
        /// The template.
        template: String,
    },
    /// Whitespace, which no URI holds.
    #[error("URI template `{template}` holds whitespace")]
    Whitespace {
        /// The template.
        template: String,
    },
}

impl UriTemplate {
    /// Parses a level-1 template such as `db://tables/{table}`.
    pub fn parse(template: &str) -> Result<Self, UriTemplateError> {
        let owned = || template.to_owned();
        if template.chars().any(char::is_whitespace) {
            return Err(UriTemplateError::Whitespace { template: owned() });
        }
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            let Some(open) = rest.find(['{', '}']) else {
                parts.push(Part::Literal(rest.to_owned()));
                break;
            };
            if rest[open..].starts_with('}') {
                let brace = '}';
                return Err(UriTemplateError::Unmatched {
                    template: owned(),
                    brace,
                });
            }
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let Some(close) = after
                .find(['{', '}'])
                .filter(|&i| after[i..].starts_with('}'))
            else {
                let brace = '{';
                return Err(UriTemplateError::Unmatched {
                    template: owned(),
                    brace,
                });
            };
            let name = &after[..close];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                let name = name.to_owned();
                return Err(UriTemplateError::BadVariable {
                    template: owned(),
                    name,
                });
            }
            if matches!(parts.last(), Some(Part::Variable(_))) {
                return Err(UriTemplateError::AdjacentVariables { template: owned() });
            }
            if parts
                .iter()
                .any(|p| matches!(p, Part::Variable(v) if v == name))
            {
                let name = name.to_owned();
                return Err(UriTemplateError::DuplicateVariable {
                    template: owned(),
                    name,
                });
            }
            parts.push(Part::Variable(name.to_owned()));
            rest = &after[close + 1..];
        }
        if !parts.iter().any(|p| matches!(p, Part::Variable(_))) {
            return Err(UriTemplateError::NoVariable { template: owned() });
        }
        Ok(Self {
            source: template.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The variable names, in order.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Variable(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The variables' decoded values when `uri` is an expansion of this template.
    pub fn matches(&self, uri: &str) -> Option<BTreeMap<String, String>> {
        if uri.len() > MAX_URI_LENGTH {
            return None;
        }
        let mut values = BTreeMap::new();
        match_parts(&self.parts, uri, &mut values).then_some(values)
    }
}

fn match_parts(parts: &[Part], uri: &str, values: &mut BTreeMap<String, String>) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return uri.is_empty();
    };
    match first {
        Part::Literal(literal) => uri
            .strip_prefix(literal.as_str())
            .is_some_and(|tail| match_parts(rest, tail, values)),
        Part::Variable(name) => {
            // The longest run a level-1 expansion could have written, then shorter ones.
            let run = expansion_len(uri);
            for end in (1..=run).rev() {
                if !uri.is_char_boundary(end) {
                    continue;
                }
                if let Some(value) = percent_decode(&uri[..end])
                    && match_parts(rest, &uri[end..], values)
                {
                    values.insert(name.clone(), value);
                    return true;
                }
            }
            false
        }
    }
}

/// How many leading bytes of `uri` are unreserved characters or `%XX` escapes.
fn expansion_len(uri: &str) -> usize {
    let bytes = uri.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            i += 1;
        } else if b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            i += 3;
        } else {
            break;
        }
    }
    i
}

/// Decodes `%XX` escapes; `None` when a run is cut mid-escape or the bytes are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn matches_and_decodes_variables() {
        let table = UriTemplate::parse("db://tables/{table}").unwrap();
        assert_eq!(table.variables().collect::<Vec<_>>(), ["table"]);
        assert_eq!(
            table.matches("db://tables/users"),
            Some(vars(&[("table", "users")]))
        );
        assert_eq!(
            table.matches("db://tables/caf%C3%A9"),
            Some(vars(&[("table", "café")]))
        );
        // A level-1 expansion percent-encodes `/`, so a raw one is not part of the value.
        assert_eq!(table.matches("db://tables/a/b"), None);
        assert_eq!(table.matches("db://tables/"), None);
        assert_eq!(table.matches("db://other/users"), None);
        assert_eq!(table.matches("db://tables/%FF"), None);
        assert_eq!(table.matches("db://tables/%4"), None);
    }

    #[test]
    fn a_literal_after_a_variable_may_repeat_inside_the_value() {
        let file = UriTemplate::parse("files://{dir}/{name}.csv").unwrap();
        assert_eq!(
            file.matches("files://logs/app.2026.csv"),
            Some(vars(&[("dir", "logs"), ("name", "app.2026")]))
        );
        assert_eq!(file.matches("files://logs/app.json"), None);
    }

    #[test]
    fn long_uris_match_nothing() {
        let table = UriTemplate::parse("db://tables/{table}").unwrap();
        let long = format!("db://tables/{}", "a".repeat(MAX_URI_LENGTH));
        assert_eq!(table.matches(&long), None);
    }

    #[test]
    fn refuses_what_level_1_does_not_have() {
        let cases = [
            ("db://{table", "unmatched `{`"),
            ("db://table}", "unmatched `}`"),
            ("db://{}", "variable `{}`"),
            ("db://{+path}", "variable `{+path}`"),
            ("db://{a}{b}", "no text between"),
            ("db://{a}/{a}", "twice"),
            ("db://schema", "no variable"),
            ("db://{a} x", "whitespace"),
        ];
        for (template, expected) in cases {
            let error = UriTemplate::parse(template).unwrap_err().to_string();
            assert!(error.contains(expected), "{template}: {error}");
        }
    }
}
