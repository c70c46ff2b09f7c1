//! A Casdoor application object kept as the exact text Casdoor sent, with only the values of the
//! fields a sync manages (`scopes`, `customScopes`) replaced.
//!
//! `update-application` rewrites every column from the body, so the body must be the object as read.
//! Parsing it into a `serde_json::Value` and printing it again would reorder keys (unless
//! `serde_json/preserve_order` were switched on for the whole build, changing every other user of
//! `serde_json::Map`), re-escape strings (Go escapes `<`, `>` and `&` as `\u003c`…) and reformat
//! numbers. Instead the object is read with borrowed [`RawValue`]s, which give the exact byte span of
//! each managed value, and only those spans are replaced: every other byte is sent back as it came.
//! Comparing two reads of the application field by field (what changed besides the managed fields)
//! is here too.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// Casdoor's reply envelope: `{"status":"ok"|"error","msg":"…","data":…}`.
#[derive(serde::Deserialize)]
pub(crate) struct Envelope<'a> {
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) msg: Option<String>,
    #[serde(borrow, default)]
    pub(crate) data: Option<&'a RawValue>,
}

/// A field that may be absent; unlike `Option<&RawValue>` it keeps a JSON `null` as raw text, so the
/// span of `"scopes": null` can be found and replaced.
#[derive(Default)]
enum RawField<'a> {
    #[default]
    Absent,
    Present(&'a RawValue),
}

impl<'de: 'a, 'a> Deserialize<'de> for RawField<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'a RawValue>::deserialize(deserializer).map(RawField::Present)
    }
}

/// The fields of an application this module reads; everything else is skipped (and kept verbatim).
#[derive(serde::Deserialize)]
struct Fields<'a> {
    #[serde(borrow, default)]
    scopes: RawField<'a>,
    #[serde(borrow, default, rename = "customScopes")]
    custom_scopes: RawField<'a>,
}

/// A field of the application that a sync writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Managed {
    /// `scopes`: what Casdoor grants (and, with `tools`, what its own MCP server maps).
    Scopes,
    /// `customScopes`: what Casdoor's consent screen shows.
    CustomScopes,
}

impl Managed {
    pub(crate) const ALL: [Self; 2] = [Self::Scopes, Self::CustomScopes];

    /// The JSON key.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Scopes => "scopes",
            Self::CustomScopes => "customScopes",
        }
    }
}

/// An application object as Casdoor sent it.
#[derive(Debug)]
pub(crate) struct Application<'a> {
    text: &'a str,
    /// The byte range of the `scopes` value in `text`, if the key is present.
    scopes: Option<Range<usize>>,
    /// The byte range of the `customScopes` value, if the key is present.
    custom_scopes: Option<Range<usize>>,
}

/// Why an application object cannot be used.
#[derive(Debug)]
pub(crate) struct NotAnApplication(pub(crate) String);

impl<'a> Application<'a> {
    /// Reads the raw `data` of a `get-application` reply.
    pub(crate) fn parse(text: &'a str) -> Result<Self, NotAnApplication> {
        if !text.starts_with('{') {
            return Err(NotAnApplication("`data` is not a JSON object".into()));
        }
        let fields: Fields<'a> = serde_json::from_str(text)
            .map_err(|e| NotAnApplication(format!("the application object cannot be read: {e}")))?;
        let locate = |field: RawField<'a>, key: &str| match field {
            RawField::Absent => Ok(None),
            RawField::Present(raw) => span_of(text, raw.get())
                .map(Some)
                .ok_or_else(|| NotAnApplication(format!("the `{key}` value could not be located"))),
        };
        Ok(Self {
            text,
            scopes: locate(fields.scopes, "scopes")?,
            custom_scopes: locate(fields.custom_scopes, "customScopes")?,
        })
    }

    fn span(&self, field: Managed) -> Option<Range<usize>> {
        match field {
            Managed::Scopes => self.scopes.clone(),
            Managed::CustomScopes => self.custom_scopes.clone(),
        }
    }

    /// The entries of a managed field, each as sent (`null` or absent: none).
    pub(crate) fn entries(&self, field: Managed) -> Result<Vec<&'a RawValue>, NotAnApplication> {
        let Some(span) = self.span(field) else {
            return Ok(Vec::new());
        };
        let raw = &self.text[span];
        if raw == "null" {
            return Ok(Vec::new());
        }
        serde_json::from_str::<Vec<&'a RawValue>>(raw).map_err(|_| {
            NotAnApplication(format!(
                "the application's `{}` is not an array of objects",
                field.key()
            ))
        })
    }

    /// The object with each given field set to its JSON text, every other byte unchanged (a key that
    /// was absent is added at the end).
    pub(crate) fn with_values(&self, values: &[(Managed, &str)]) -> String {
        let mut present: Vec<(Range<usize>, &str)> = Vec::new();
        let mut absent: Vec<(&str, &str)> = Vec::new();
        for &(field, json) in values {
            match self.span(field) {
                Some(span) => present.push((span, json)),
                None => absent.push((field.key(), json)),
            }
        }
        present.sort_by_key(|(span, _)| span.start);
        let mut out = String::with_capacity(self.text.len());
        let mut at = 0;
        for (span, json) in present {
            out.push_str(&self.text[at..span.start]);
            out.push_str(json);
            at = span.end;
        }
        // `parse` checked the text is an object, so it ends with `}`.
        let close = self.text.rfind('}').unwrap_or(self.text.len()).max(at);
        out.push_str(&self.text[at..close]);
        let mut inner_empty = self.text[1..close].trim().is_empty();
        for (key, json) in absent {
            if !inner_empty {
                out.push(',');
            }
            out.push('"');
            out.push_str(key);
            out.push_str("\":");
            out.push_str(json);
            inner_empty = false;
        }
        out.push_str(&self.text[close..]);
        out
    }

    /// The names of the fields, other than the managed ones, whose values differ between this read
    /// and `later` (compared as JSON values, so formatting and key order do not count).
    pub(crate) fn other_changes(
        &self,
        later: &Application<'_>,
    ) -> Result<Vec<String>, NotAnApplication> {
        let read = |text: &str| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).map_err(|e| {
                NotAnApplication(format!("the application object cannot be read: {e}"))
            })
        };
        let (before, after) = (read(self.text)?, read(later.text)?);
        let managed: Vec<&str> = Managed::ALL.iter().map(|m| m.key()).collect();
        let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        Ok(keys
            .into_iter()
            .filter(|key| !managed.contains(&key.as_str()) && before.get(*key) != after.get(*key))
            .cloned()
            .collect())
    }
}

/// The byte range of `part` inside `whole`, when `part` is a slice of it (borrowed `RawValue`s are).
fn span_of(whole: &str, part: &str) -> Option<Range<usize>> {
    let start = part.as_ptr().addr().checked_sub(whole.as_ptr().addr())?;
    let end = start.checked_add(part.len())?;
    let found = whole.get(start..end)?;
    std::ptr::eq(found.as_ptr(), part.as_ptr()).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_scopes_value() {
        let text = r#"{"owner":"admin","name":"app","html":"\u003cb\u003e","ratio":1.50,"scopes":[{"name":"x"}],"tail":[1, 2]}"#;
        let app = Application::parse(text).unwrap();
        assert_eq!(app.entries(Managed::Scopes).unwrap().len(), 1);
        assert_eq!(
            app.with_values(&[(Managed::Scopes, "[]")]),
            r#"{"owner":"admin","name":"app","html":"\u003cb\u003e","ratio":1.50,"scopes":[],"tail":[1, 2]}"#
        );
    }

    #[test]
    fn null_and_absent_scopes_are_empty_and_replaceable() {
        let app = Application::parse(r#"{"name":"a","scopes":null}"#).unwrap();
        assert!(app.entries(Managed::Scopes).unwrap().is_empty());
        assert_eq!(
            app.with_values(&[(Managed::Scopes, "[1]")]),
            r#"{"name":"a","scopes":[1]}"#
        );

        let app = Application::parse("{\n  \"name\": \"a\"\n}").unwrap();
        assert!(app.entries(Managed::Scopes).unwrap().is_empty());
        assert_eq!(
            app.with_values(&[(Managed::Scopes, "[1]")]),
            "{\n  \"name\": \"a\"\n,\"scopes\":[1]}"
        );
        assert_eq!(
            Application::parse("{ }")
                .unwrap()
                .with_values(&[(Managed::Scopes, "[]"), (Managed::CustomScopes, "[2]")]),
            r#"{ "scopes":[],"customScopes":[2]}"#
        );
    }

    #[test]
    fn both_managed_values_are_replaced_in_any_order() {
        let app =
            Application::parse(r#"{"customScopes":[{"scope":"a"}],"x":1,"scopes":[]}"#).unwrap();
        assert_eq!(app.entries(Managed::CustomScopes).unwrap().len(), 1);
        assert_eq!(
            app.with_values(&[(Managed::Scopes, "[3]"), (Managed::CustomScopes, "[]")]),
            r#"{"customScopes":[],"x":1,"scopes":[3]}"#
        );
    }

    #[test]
    fn other_changes_name_the_fields_besides_the_managed_ones() {
        let first =
            Application::parse(r#"{"a":1,"b":{"x":[1]},"scopes":[],"customScopes":[]}"#).unwrap();
        let later = Application::parse(r#"{"b":{"x":[1]},"a":2,"scopes":[1],"c":null}"#).unwrap();
        assert_eq!(first.other_changes(&later).unwrap(), ["a", "c"]);
        assert!(first.other_changes(&first).unwrap().is_empty());
    }

    #[test]
    fn refuses_what_is_not_an_application() {
        for (bad, says) in [
            ("[]", "`data` is not a JSON object"),
            ("\"x\"", "`data` is not a JSON object"),
            ("{\"scopes\":", "the application object cannot be read: EOF"),
            (
                r#"{"scopes":[],"scopes":[]}"#,
                "the application object cannot be read: duplicate field `scopes`",
            ),
        ] {
            let Err(NotAnApplication(message)) = Application::parse(bad) else {
                panic!("{bad} was taken for an application");
            };
            assert!(message.starts_with(says), "{bad}: {message}");
        }
        let app = Application::parse(r#"{"scopes":"db:query"}"#).unwrap();
        let Err(NotAnApplication(message)) = app.entries(Managed::Scopes) else {
            panic!("a string was taken for the scopes array");
        };
        assert_eq!(
            message,
            "the application's `scopes` is not an array of objects"
        );
    }
}
