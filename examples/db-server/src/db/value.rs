//! Values crossing between JSON (what a tool receives and returns) and SQLite.
//!
//! Parameters: `null`, booleans (bound as 0/1), integers, floats, strings, and
//! `{"base64": "…"}` for a blob. Results: integers and reals as JSON numbers, text as strings,
//! NULL as `null`, blobs as `{"base64": "…"}` so they are never mistaken for text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::{Map, Value, json};

use super::DbError;

/// Converts the JSON parameter at 1-based `index` into a SQLite value.
pub(crate) fn to_sql(index: usize, value: &Value) -> Result<SqlValue, DbError> {
    let bad = |reason: &str| DbError::BadParameter {
        index,
        reason: reason.to_owned(),
    };
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                SqlValue::Integer(i)
            } else if n.is_u64() {
                return Err(bad("integer is larger than SQLite's 64-bit signed range"));
            } else {
                match n.as_f64() {
                    Some(f) => SqlValue::Real(f),
                    None => return Err(bad("number cannot be represented")),
                }
            }
        }
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Object(map) => blob_from_object(map).map_err(|reason| bad(&reason))?,
        Value::Array(_) => {
            return Err(bad(
                "arrays cannot be bound; pass one value per `?`, or JSON text as a string",
            ));
        }
    })
}

fn blob_from_object(map: &Map<String, Value>) -> Result<SqlValue, String> {
    match (map.len(), map.get("base64")) {
        (1, Some(Value::String(data))) => STANDARD
            .decode(data)
            .map(SqlValue::Blob)
            .map_err(|e| format!("`base64` is not valid base64: {e}")),
        _ => Err(
            "objects cannot be bound, except `{\"base64\": \"…\"}` for a blob; pass JSON text as a string"
                .to_owned(),
        ),
    }
}

/// Converts a SQLite value from a result row into JSON.
pub(crate) fn to_json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => json!(i),
        // SQLite can hold ±Inf (never NaN); JSON cannot, so those become strings.
        ValueRef::Real(f) if f.is_finite() => json!(f),
        ValueRef::Real(f) => json!(if f > 0.0 { "Infinity" } else { "-Infinity" }),
        ValueRef::Text(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        ValueRef::Blob(bytes) => json!({ "base64": STANDARD.encode(bytes) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_map_to_sqlite_types() {
        assert_eq!(to_sql(1, &json!(null)), Ok(SqlValue::Null));
        assert_eq!(to_sql(1, &json!(true)), Ok(SqlValue::Integer(1)));
        assert_eq!(to_sql(1, &json!(-7)), Ok(SqlValue::Integer(-7)));
        assert_eq!(to_sql(1, &json!(2.5)), Ok(SqlValue::Real(2.5)));
        assert_eq!(to_sql(1, &json!("hi")), Ok(SqlValue::Text("hi".into())));
        assert_eq!(
            to_sql(1, &json!({"base64": "AAH/"})),
            Ok(SqlValue::Blob(vec![0, 1, 255]))
        );
    }

    #[test]
    fn unbindable_parameters_name_their_position() {
        for bad in [
            json!([1, 2]),
            json!({"a": 1}),
            json!({"base64": "***"}),
            json!(u64::MAX),
        ] {
            match to_sql(3, &bad) {
                Err(DbError::BadParameter { index: 3, .. }) => {}
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn results_are_typed_json() {
        assert_eq!(to_json(ValueRef::Null), json!(null));
        assert_eq!(to_json(ValueRef::Integer(i64::MAX)), json!(i64::MAX));
        assert_eq!(to_json(ValueRef::Real(0.5)), json!(0.5));
        assert_eq!(
            to_json(ValueRef::Real(f64::NEG_INFINITY)),
            json!("-Infinity")
        );
        assert_eq!(to_json(ValueRef::Text(b"x")), json!("x"));
        assert_eq!(
            to_json(ValueRef::Blob(&[0, 1, 255])),
            json!({"base64": "AAH/"})
        );
    }
}
