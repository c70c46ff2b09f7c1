//! Pagination of every `*/list` method: an opaque cursor naming the last item of the previous
//! page, so pages stay stable however many items there are, plus the caching fields 2026-07-28
//! asks of a list (`ttlMs`, and `cacheScope: "private"` when the list depends on the caller).

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::server::jsonrpc::RpcError;
use crate::server::reply::RequestContext;
use crate::server::state::ServerState;

const CURSOR: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// One page of `visible` (the items the caller may see, in listing order) under `field`, after
/// the item the request's cursor names. `key` names an item (a tool or prompt name, a resource
/// URI or template); `entry` is how it is listed.
pub(super) fn paginated<T>(
    server: &ServerState,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
    field: &str,
    visible: &[T],
    key: impl Fn(&T) -> &str,
    entry: impl Fn(&T) -> Value,
) -> Result<Value, RpcError> {
    let after = match params.get("cursor") {
        None | Some(Value::Null) => None,
        Some(Value::String(cursor)) => Some(
            CURSOR
                .decode(cursor)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| RpcError::invalid_params("invalid cursor"))?,
        ),
        Some(_) => return Err(RpcError::invalid_params("`cursor` must be a string")),
    };
    // Any name but a visible item's is refused rather than read as a position, so a crafted
    // cursor cannot probe for hidden names.
    let start = match after {
        None => 0,
        Some(after) => {
            visible
                .iter()
                .position(|item| key(item) == after)
                .ok_or_else(|| RpcError::invalid_params("invalid cursor"))?
                + 1
        }
    };
    let rest = &visible[start..];
    let page = &rest[..rest.len().min(server.options.page_size.max(1))];
    let mut result = Map::new();
    result.insert(
        field.to_owned(),
        Value::Array(page.iter().map(&entry).collect()),
    );
    if page.len() < rest.len()
        && let Some(last) = page.last()
    {
        result.insert("nextCursor".to_owned(), json!(CURSOR.encode(key(last))));
    }
    if ctx.version.is_modern() {
        result.insert("ttlMs".to_owned(), json!(server.options.ttl_ms));
        let scope = if server.options.filter_tools_by_scope {
            "private"
        } else {
            "public"
        };
        result.insert("cacheScope".to_owned(), json!(scope));
    }
    Ok(Value::Object(result))
}
