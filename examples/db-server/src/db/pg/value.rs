//! Values crossing between JSON and PostgreSQL.
//!
//! Parameters go in PostgreSQL's text format (bytea in binary), so PostgreSQL's own input
//! function converts each to the type it inferred for the placeholder: `5` works for an
//! `integer`, `numeric` or `text` parameter alike, and a bad value gets PostgreSQL's message
//! (`invalid input syntax for type bigint: "x"`).
//!
//! Results arrive in binary and are mapped as the README's "PostgreSQL" section lists: integers
//! and floats as numbers, `numeric` as a number when it has at most 15 significant digits (else its
//! exact text), booleans as JSON booleans, text-like types, enums and `uuid` as strings, `json` and
//! `jsonb` as the JSON they hold, `bytea` as `{"base64": …}`, dates and times as ISO 8601 text. A
//! column of any other type is refused with a hint to cast it (`col::text`).

use std::error::Error as StdError;
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::{BufMut as _, BytesMut};
use serde_json::{Value, json};
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

use super::super::DbError;

type BoxError = Box<dyn StdError + Sync + Send>;

/// One JSON parameter, ready to bind.
#[derive(Debug)]
pub(super) enum Param {
    Null,
    /// Sent as text; PostgreSQL's input function for the placeholder's type reads it.
    Text(String),
    /// `{"base64": …}`: raw bytes, for a `bytea` placeholder.
    Bytes(Vec<u8>),
}

/// The parameters as the driver takes them.
pub(super) fn as_params(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// Converts the JSON parameter at 1-based `index`.
pub(super) fn param(index: usize, value: &Value) -> Result<Param, DbError> {
    let bad = |reason: &str| DbError::BadParameter {
        index,
        reason: reason.to_owned(),
    };
    Ok(match value {
        Value::Null => Param::Null,
        Value::Bool(b) => Param::Text(b.to_string()),
        Value::Number(n) => Param::Text(n.to_string()),
        Value::String(s) => {
            if s.contains('\0') {
                return Err(bad(
                    "text cannot hold a NUL character in PostgreSQL; pass binary \
                                data as {\"base64\": …}",
                ));
            }
            Param::Text(s.clone())
        }
        Value::Object(map) => match (map.len(), map.get("base64")) {
            (1, Some(Value::String(data))) => STANDARD
                .decode(data)
                .map(Param::Bytes)
                .map_err(|e| bad(&format!("`base64` is not valid base64: {e}")))?,
            _ => {
                return Err(bad(
                    "objects cannot be bound, except `{\"base64\": \"…\"}` for binary data; pass \
                     JSON as a string",
                ));
            }
        },
        Value::Array(_) => {
            return Err(bad(
                "arrays cannot be bound; pass one value per placeholder, or JSON text as a string",
            ));
        }
    })
}

impl ToSql for Param {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Self::Null => Ok(IsNull::Yes),
            // For bytea too: its binary form is the bytes, so a string binds as its UTF-8.
            Self::Text(text) => {
                out.put_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            Self::Bytes(bytes) => {
                if *ty != Type::BYTEA {
                    return Err(format!(
                        "binary data ({{\"base64\": …}}) goes only to a bytea placeholder, and \
                         this one is {ty}"
                    )
                    .into());
                }
                out.put_slice(bytes);
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, ty: &Type) -> tokio_postgres::types::Format {
        // bytea's text form would read backslashes as escapes; its binary form is the bytes.
        if *ty == Type::BYTEA {
            tokio_postgres::types::Format::Binary
        } else {
            tokio_postgres::types::Format::Text
        }
    }

    to_sql_checked!();
}

/// A result value, borrowed in PostgreSQL's binary format, with its type.
pub(super) struct Raw<'a>(pub(super) Option<&'a [u8]>);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Self(Some(raw)))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Self(None))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Whether values of `ty` can be converted (checked on the columns before any row is read).
pub(super) fn supported(ty: &Type) -> bool {
    matches!(ty.kind(), Kind::Enum(_))
        || [
            Type::BOOL,
            Type::INT2,
            Type::INT4,
            Type::INT8,
            Type::OID,
            Type::FLOAT4,
            Type::FLOAT8,
            Type::NUMERIC,
            Type::TEXT,
            Type::VARCHAR,
            Type::BPCHAR,
            Type::NAME,
            Type::CHAR,
            Type::UNKNOWN,
            Type::JSON,
            Type::JSONB,
            Type::BYTEA,
            Type::UUID,
            Type::DATE,
            Type::TIMESTAMP,
            Type::TIMESTAMPTZ,
            Type::TIME,
        ]
        .contains(ty)
}

/// Converts one binary result value of type `ty` into JSON.
pub(super) fn to_json(ty: &Type, raw: Option<&[u8]>) -> Result<Value, BoxError> {
    let Some(raw) = raw else {
        return Ok(Value::Null);
    };
    if matches!(ty.kind(), Kind::Enum(_)) {
        return Ok(Value::String(String::from_utf8_lossy(raw).into_owned()));
    }
    Ok(match *ty {
        Type::BOOL => json!(bool::from_sql(ty, raw)?),
        Type::INT2 => json!(i16::from_sql(ty, raw)?),
        Type::INT4 => json!(i32::from_sql(ty, raw)?),
        Type::INT8 => json!(i64::from_sql(ty, raw)?),
        Type::OID => json!(u32::from_sql(ty, raw)?),
        Type::FLOAT4 => float(f64::from(f32::from_sql(ty, raw)?)),
        Type::FLOAT8 => float(f64::from_sql(ty, raw)?),
        Type::NUMERIC => super::binary::numeric(raw)?,
        Type::JSON => serde_json::from_slice(raw)?,
        Type::JSONB => match raw.split_first() {
            Some((1, text)) => serde_json::from_slice(text)?,
            _ => return Err("unknown jsonb version".into()),
        },
        Type::BYTEA => json!({ "base64": STANDARD.encode(raw) }),
        Type::UUID => {
            let hex = raw.iter().fold(String::new(), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            });
            if hex.len() != 32 {
                return Err("a uuid is 16 bytes".into());
            }
            Value::String(format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            ))
        }
        Type::DATE => Value::String(super::binary::date(raw)?),
        Type::TIMESTAMP => Value::String(super::binary::timestamp(raw, false)?),
        Type::TIMESTAMPTZ => Value::String(super::binary::timestamp(raw, true)?),
        Type::TIME => Value::String(super::binary::time(raw)?),
        // Text-like: text, varchar, char(n), name, "char", unknown.
        _ => Value::String(String::from_utf8_lossy(raw).into_owned()),
    })
}

/// A float as a JSON number; NaN and ±Infinity (which JSON lacks) as strings.
fn float(f: f64) -> Value {
    if f.is_finite() {
        json!(f)
    } else if f.is_nan() {
        json!("NaN")
    } else if f > 0.0 {
        json!("Infinity")
    } else {
        json!("-Infinity")
    }
}

/// What a column of an unsupported type says.
pub(super) fn unsupported(column: &str, ty: &Type) -> DbError {
    DbError::Refused(format!(
        "column `{column}` has type {ty}, which this server does not convert to JSON; cast it, \
         e.g. `{column}::text` (or ::bigint, ::float8, ::jsonb)"
    ))
}
