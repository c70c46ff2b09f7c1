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
    let page = page(server, ctx, params, visible, key)?;
    let mut result = Map::new();
    result.insert(
        field.to_owned(),
        Value::Array(page.items.iter().map(&entry).collect()),
    );
    if let Some(cursor) = page.next_cursor {
        result.insert("nextCursor".to_owned(), json!(cursor));
    }
    if let Some(cache) = page.cache {
        result.insert("ttlMs".to_owned(), json!(cache.ttl_ms));
        result.insert("cacheScope".to_owned(), json!(cache.scope));
    }
    Ok(Value::Object(result))
}

/// A page of a list, before it is written.
pub(super) struct Page<'v, T> {
    /// The items on this page.
    pub(super) items: &'v [T],
    /// The cursor of the next page, when there is one.
    pub(super) next_cursor: Option<String>,
    /// The caching fields, under 2026-07-28 only.
    pub(super) cache: Option<CacheFields>,
}

/// `ttlMs` and `cacheScope` of a 2026-07-28 list.
#[derive(Debug, Clone, Copy)]
pub(super) struct CacheFields {
    pub(super) ttl_ms: u64,
    pub(super) scope: &'static str,
}

/// The page of `visible` after the item the request's cursor names (see [`paginated`]).
pub(super) fn page<'v, T>(
    server: &ServerState,
    ctx: RequestContext<'_>,
    params: &Map<String, Value>,
    visible: &'v [T],
    key: impl Fn(&T) -> &str,
) -> Result<Page<'v, T>, RpcError> {
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
    let items = &rest[..rest.len().min(server.options.page_size.max(1))];
    let next_cursor = items
        .last()
        .filter(|_| items.len() < rest.len())
        .map(|last| CURSOR.encode(key(last)));
    let cache = ctx.version.is_modern().then_some(CacheFields {
        ttl_ms: server.options.ttl_ms,
        scope: if server.options.filter_tools_by_scope {
            "private"
        } else {
            "public"
        },
    });
    Ok(Page {
        items,
        next_cursor,
        cache,
    })
}
