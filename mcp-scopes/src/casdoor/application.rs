//! A Casdoor application object kept as the exact text Casdoor sent, with only its `scopes` value
//! replaced.
//!
//! `update-application` rewrites every column from the body, so the body must be the object as read.
//! Parsing it into a `serde_json::Value` and printing it again would reorder keys (unless
//! `serde_json/preserve_order` were switched on for the whole build, changing every other user of
//! `serde_json::Map`), re-escape strings (Go escapes `<`, `>` and `&` as `\u003c`…) and reformat
//! numbers. Instead the object is read with borrowed [`RawValue`]s, which give the exact byte span of
//! the `scopes` value, and only that span is replaced: every other byte is sent back as it came.

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
}

/// An application object as Casdoor sent it.
#[derive(Debug)]
pub(crate) struct Application<'a> {
    text: &'a str,
    /// The byte range of the `scopes` value in `text`, if the key is present.
    scopes: Option<Range<usize>>,
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
        let scopes = match fields.scopes {
            RawField::Absent => None,
            RawField::Present(raw) => Some(span_of(text, raw.get()).ok_or_else(|| {
                NotAnApplication("the `scopes` value could not be located".into())
            })?),
        };
        Ok(Self { text, scopes })
    }

    /// The entries of `scopes`, each as sent (`null` or absent: none).
    pub(crate) fn scope_entries(&self) -> Result<Vec<&'a RawValue>, NotAnApplication> {
        let Some(span) = self.scopes.clone() else {
            return Ok(Vec::new());
        };
        let raw = &self.text[span];
        if raw == "null" {
            return Ok(Vec::new());
        }
        serde_json::from_str::<Vec<&'a RawValue>>(raw).map_err(|_| {
            NotAnApplication("the application's `scopes` is not an array of objects".into())
        })
    }

    /// The object with `scopes` set to `scopes_json`, every other byte unchanged (the key is added at
    /// the end when it was absent).
    pub(crate) fn with_scopes(&self, scopes_json: &str) -> String {
        if let Some(span) = self.scopes.clone() {
            let mut out = String::with_capacity(self.text.len() + scopes_json.len());
            out.push_str(&self.text[..span.start]);
            out.push_str(scopes_json);
            out.push_str(&self.text[span.end..]);
            return out;
        }
        // `parse` checked the text is an object, so it ends with `}`.
        let close = self.text.rfind('}').unwrap_or(self.text.len());
        let inner_empty = self.text[1..close].trim().is_empty();
        format!(
            "{}{}\"scopes\":{}{}",
            &self.text[..close],
            if inner_empty { "" } else { "," },
            scopes_json,
            &self.text[close..]
        )
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
        assert_eq!(app.scope_entries().unwrap().len(), 1);
        assert_eq!(
            app.with_scopes("[]"),
            r#"{"owner":"admin","name":"app","html":"\u003cb\u003e","ratio":1.50,"scopes":[],"tail":[1, 2]}"#
        );
    }

    #[test]
    fn null_and_absent_scopes_are_empty_and_replaceable() {
        let app = Application::parse(r#"{"name":"a","scopes":null}"#).unwrap();
        assert!(app.scope_entries().unwrap().is_empty());
        assert_eq!(app.with_scopes("[1]"), r#"{"name":"a","scopes":[1]}"#);

        let app = Application::parse("{\n  \"name\": \"a\"\n}").unwrap();
        assert!(app.scope_entries().unwrap().is_empty());
        assert_eq!(
            app.with_scopes("[1]"),
            "{\n  \"name\": \"a\"\n,\"scopes\":[1]}"
        );
        assert_eq!(
            Application::parse("{ }").unwrap().with_scopes("[]"),
            r#"{ "scopes":[]}"#
        );
    }

    #[test]
    fn refuses_what_is_not_an_application() {
        for bad in [
            "[]",
            "\"x\"",
            "{\"scopes\":",
            r#"{"scopes":[],"scopes":[]}"#,
        ] {
            assert!(Application::parse(bad).is_err(), "{bad}");
        }
        let app = Application::parse(r#"{"scopes":"db:query"}"#).unwrap();
        assert!(app.scope_entries().is_err());
    }
}
