//! The headers a request mirrors from its body (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`)
//! and how they are read: as text, decoded from the `=?base64?…?=` form, refused when repeated,
//! cross-checked against the body. Its own file because these are HTTP header rules, while the
//! parent decides which revision a request speaks.

use base64::Engine as _;
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use crate::server::jsonrpc::{HEADER_MISMATCH, INVALID_REQUEST, RpcError};

pub(super) const HEADER_PROTOCOL_VERSION: &str = "mcp-protocol-version";
pub(super) const HEADER_METHOD: &str = "mcp-method";
pub(super) const HEADER_NAME: &str = "mcp-name";

pub(super) fn mismatch(message: impl Into<String>) -> RpcError {
    RpcError::new(StatusCode::BAD_REQUEST, HEADER_MISMATCH, message)
}

/// A header as text; a value that is not visible ASCII counts as malformed.
pub(super) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, RpcError> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(Some)
            .map_err(|_| mismatch(format!("header `{name}` holds characters a header may not"))),
    }
}

/// Decodes the `=?base64?…?=` sentinel form a client uses for a value that is not header-safe.
pub(super) fn decode_header_value(value: &str) -> Option<String> {
    match value
        .strip_prefix("=?base64?")
        .and_then(|v| v.strip_suffix("?="))
    {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok()),
        None => Some(value.to_owned()),
    }
}

/// The first of the revision headers that the request repeats. Readers disagree on which copy of a
/// repeated header counts (this server would read the first, many proxies the last), so a request
/// repeating any of them is refused rather than read one way here and another way elsewhere.
pub(super) fn repeated_header(headers: &HeaderMap) -> Option<&'static str> {
    [HEADER_PROTOCOL_VERSION, HEADER_METHOD, HEADER_NAME]
        .into_iter()
        .find(|name| headers.get_all(*name).iter().nth(1).is_some())
}

/// The refusal of a repeated revision header: 400, with the 2026-07-28 header error code when the
/// body says it speaks that revision, else Invalid Request.
pub(super) fn repeated(name: &str, modern: bool) -> RpcError {
    RpcError::new(
        StatusCode::BAD_REQUEST,
        if modern {
            HEADER_MISMATCH
        } else {
            INVALID_REQUEST
        },
        format!("header `{name}` is sent more than once; send it once"),
    )
}

pub(super) fn check_mirrored_headers(
    headers: &HeaderMap,
    method: &str,
    params: &Map<String, Value>,
) -> Result<(), RpcError> {
    match header(headers, HEADER_METHOD)? {
        None => return Err(mismatch("missing the required `Mcp-Method` header")),
        Some(h) if h != method => {
            return Err(mismatch(format!(
                "header `Mcp-Method: {h}` does not match body method `{method}`"
            )));
        }
        Some(_) => {}
    }
    // The name a 2026-07-28 request mirrors into `Mcp-Name`: the tool or prompt name, or the URI
    // of the resource read.
    let named_by = match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        _ => None,
    };
    if let Some(field) = named_by {
        let body_name = params.get(field).and_then(Value::as_str);
        match header(headers, HEADER_NAME)? {
            None => return Err(mismatch("missing the required `Mcp-Name` header")),
            Some(raw) => {
                let decoded = decode_header_value(raw)
                    .ok_or_else(|| mismatch("header `Mcp-Name` holds invalid base64"))?;
                if Some(decoded.as_str()) != body_name {
                    return Err(mismatch(format!(
                        "header `Mcp-Name: {raw}` does not match body name `{}`",
                        body_name.unwrap_or("")
                    )));
                }
            }
        }
    }
    Ok(())
}
