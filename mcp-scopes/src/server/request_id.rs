//! JSON-RPC request ids, kept as the exact JSON text the client sent.
//!
//! JSON-RPC requires the response's id to equal the request's. Read into a `serde_json::Value`,
//! an integer beyond 64 bits, a fraction or an exponent form becomes an `f64` and comes back
//! changed (`12345678901234567890123` as `1.2345678901234568e22`, `1E2` as `100.0`). The id is
//! therefore never read as a number: its bytes are kept as they came (a
//! [`RawValue`]) and written back unchanged, and cancellation compares those bytes too. Only its
//! kind (a string or a number: MCP forbids `null`) and its length are checked.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// The longest id accepted, in bytes of JSON text. Ids are echoed in every reply and kept in the
/// cancellation table while a call runs, so a client cannot make either hold megabytes.
pub const MAX_REQUEST_ID_BYTES: usize = 256;

/// A request id (a JSON string or number), as the exact JSON text the client sent.
#[derive(Debug, Clone)]
pub(crate) struct RequestId(Box<RawValue>);

/// Why an id is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdRefusal {
    /// `null`, an object, an array or a boolean.
    NotStringOrNumber,
    /// Longer than [`MAX_REQUEST_ID_BYTES`].
    TooLong(usize),
    /// A string that is not valid JSON text once decoded (a lone surrogate escape).
    BadString,
}

impl IdRefusal {
    /// The message the client is sent.
    pub(crate) fn message(self) -> String {
        match self {
            Self::NotStringOrNumber => "`id` must be a string or a number".to_owned(),
            Self::TooLong(len) => format!(
                "`id` is {len} bytes long; at most {MAX_REQUEST_ID_BYTES} bytes are accepted"
            ),
            Self::BadString => "`id` is not a valid JSON string (a lone surrogate?)".to_owned(),
        }
    }
}

impl RequestId {
    /// Checks `raw` (one JSON value, as the parser cut it out of the body) and keeps its bytes.
    pub(crate) fn from_raw(raw: &RawValue) -> Result<Self, IdRefusal> {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"') => {
                // The parser skipped over the string without decoding it: decode it once so
                // that an id the rest of the server could not read (a lone surrogate) is refused.
                serde_json::from_str::<String>(text).map_err(|_| IdRefusal::BadString)?;
            }
            Some(b'-' | b'0'..=b'9') => {}
            _ => return Err(IdRefusal::NotStringOrNumber),
        }
        if text.len() > MAX_REQUEST_ID_BYTES {
            return Err(IdRefusal::TooLong(text.len()));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The id's JSON text, exactly as the client sent it (`1` and `"1"` differ, so do `1` and `1.0`).
    pub(crate) fn json_text(&self) -> &str {
        self.0.get()
    }

    /// Parses `text` as an id (tests).
    #[cfg(test)]
    pub(crate) fn parse(text: &str) -> Self {
        let raw: Box<RawValue> = serde_json::from_str(text).expect("one JSON value");
        Self::from_raw(&raw).expect("a valid id")
    }
}

impl PartialEq for RequestId {
    fn eq(&self, other: &Self) -> bool {
        self.json_text() == other.json_text()
    }
}

impl Eq for RequestId {}

impl std::hash::Hash for RequestId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.json_text().hash(state);
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.json_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<RequestId, IdRefusal> {
        let raw: Box<RawValue> = serde_json::from_str(text).expect("one JSON value");
        RequestId::from_raw(&raw)
    }

    #[test]
    fn numbers_and_strings_are_kept_byte_for_byte() {
        for text in [
            "12345678901234567890123",
            "-18446744073709551617",
            "1.50",
            "1E2",
            "-0",
            r#""a\u0041""#,
        ] {
            let id = check(text).unwrap();
            assert_eq!(id.json_text(), text);
            assert_eq!(serde_json::to_string(&id).unwrap(), text);
        }
    }

    #[test]
    fn other_kinds_and_long_ids_are_refused() {
        for text in ["null", "true", "{}", "[1]"] {
            assert_eq!(check(text).unwrap_err(), IdRefusal::NotStringOrNumber);
        }
        assert_eq!(check(r#""\ud800""#).unwrap_err(), IdRefusal::BadString);
        let long = format!("\"{}\"", "x".repeat(MAX_REQUEST_ID_BYTES - 1));
        assert_eq!(
            check(&long).unwrap_err(),
            IdRefusal::TooLong(MAX_REQUEST_ID_BYTES + 1)
        );
        let longest = format!("\"{}\"", "x".repeat(MAX_REQUEST_ID_BYTES - 2));
        assert!(check(&longest).is_ok());
    }
}
