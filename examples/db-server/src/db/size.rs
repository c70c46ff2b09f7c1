//! What a result value costs, counted before it is converted, so the result budget bounds what
//! the server actually holds and sends.
//!
//! A value is sent as JSON, where text can grow sixfold (a control character becomes `\u0001`),
//! and held as a `serde_json::Value`, where a small value takes far more than its text (32 bytes
//! for a `0`). Each value is charged the larger of the two, so a result within the budget is
//! within it both as memory and on the wire.

use rusqlite::types::ValueRef;
use serde_json::Value;

/// What one JSON value takes in memory before its own heap data.
const VALUE_BYTES: usize = std::mem::size_of::<Value>();

/// The map allocation of a `{"base64": …}` object (one B-tree leaf), beyond the base64 text.
const BLOB_OBJECT_BYTES: usize = 640;

/// What a row's own array costs beyond its values: the `Vec` header in memory, more than `[`, `]`
/// and a separating comma on the wire.
pub(crate) const ROW_BYTES: usize = std::mem::size_of::<Vec<Value>>();

/// What `value` costs in a result: the larger of its JSON text (with a separating comma) and the
/// memory it takes once converted.
pub(crate) fn charge(value: ValueRef<'_>) -> usize {
    (json_len(value) + 1).max(memory(value))
}

/// The length of `value`'s JSON text as sent (an upper bound for reals and for text that is not
/// UTF-8).
fn json_len(value: ValueRef<'_>) -> usize {
    match value {
        ValueRef::Null => 4,
        ValueRef::Integer(i) => integer_digits(i),
        // The longest shortest-round-trip form, e.g. `-2.2250738585072014e-308`.
        ValueRef::Real(_) => 24,
        ValueRef::Text(bytes) => text_json_len(bytes),
        // `{"base64":"…"}`
        ValueRef::Blob(bytes) => base64_len(bytes) + 13,
    }
}

/// The memory `value` takes as a `serde_json::Value`.
fn memory(value: ValueRef<'_>) -> usize {
    VALUE_BYTES
        + match value {
            ValueRef::Null | ValueRef::Integer(_) | ValueRef::Real(_) => 0,
            ValueRef::Text(bytes) => bytes.len(),
            ValueRef::Blob(bytes) => base64_len(bytes) + BLOB_OBJECT_BYTES,
        }
}

fn base64_len(bytes: &[u8]) -> usize {
    bytes.len().div_ceil(3) * 4
}

/// The JSON length of a string: its name or column name as sent.
pub(crate) fn name_charge(name: &str) -> usize {
    text_json_len(name.as_bytes()) + 1
}

fn integer_digits(i: i64) -> usize {
    let sign = usize::from(i < 0);
    let mut rest = i.unsigned_abs();
    let mut digits = 1;
    while rest >= 10 {
        rest /= 10;
        digits += 1;
    }
    sign + digits
}

/// The length of `bytes` as a JSON string with its quotes, as `serde_json` escapes it. Text that
/// is not UTF-8 is sent with U+FFFD for each bad sequence, counted as 3 bytes per byte at most.
fn text_json_len(bytes: &[u8]) -> usize {
    let valid = std::str::from_utf8(bytes).is_ok();
    2 + bytes
        .iter()
        .map(|&b| match b {
            b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 2,
            0x00..=0x1f => 6,
            0x80..=0xff if !valid => 3,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::value::to_json;

    /// The counted JSON length is exactly what is sent, or more for text that is not UTF-8.
    #[test]
    fn the_json_part_matches_what_serde_json_writes() {
        let long = "x".repeat(100);
        let texts: [&[u8]; 7] = [
            b"",
            b"plain",
            b"\x01\x1f\n\t\"\\/",
            "é€😀".as_bytes(),
            long.as_bytes(),
            b"\x7f",
            b"\x00\x00",
        ];
        for text in texts {
            let sent = serde_json::to_string(&to_json(ValueRef::Text(text))).expect("json");
            assert_eq!(text_json_len(text), sent.len(), "{text:?}");
        }
        let bad = b"a\xff\xfeb";
        let sent = serde_json::to_string(&to_json(ValueRef::Text(bad))).expect("json");
        assert!(text_json_len(bad) >= sent.len());
        let others = [
            ValueRef::Null,
            ValueRef::Integer(0),
            ValueRef::Integer(-10),
            ValueRef::Integer(i64::MIN),
            ValueRef::Integer(i64::MAX),
            ValueRef::Blob(b""),
            ValueRef::Blob(b"a"),
            ValueRef::Blob(b"abc"),
            ValueRef::Blob(b"abcd"),
        ];
        for value in others {
            let sent = serde_json::to_string(&to_json(value)).expect("json");
            assert_eq!(json_len(value), sent.len(), "{value:?}");
        }
        for real in [
            f64::MIN_POSITIVE,
            -f64::MAX,
            0.1,
            -2.225_073_858_507_201_4e-308,
            f64::NEG_INFINITY,
        ] {
            let sent = serde_json::to_string(&to_json(ValueRef::Real(real))).expect("json");
            assert!(sent.len() <= json_len(ValueRef::Real(real)), "{sent}");
        }
    }

    #[test]
    fn small_values_cost_what_they_take_in_memory_and_escaped_text_what_it_takes_to_send() {
        assert_eq!(charge(ValueRef::Integer(0)), VALUE_BYTES);
        assert_eq!(charge(ValueRef::Null), VALUE_BYTES);
        // 1000 control characters: `\u0001` each on the wire.
        let controls = [1_u8; 1000];
        assert_eq!(charge(ValueRef::Text(&controls)), 6002 + 1);
        assert_eq!(charge(ValueRef::Text(&[b'a'; 1000])), VALUE_BYTES + 1000);
    }
}
