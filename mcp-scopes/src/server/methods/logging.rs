//! Log levels: `logging/setLevel` (legacy) and the per-request level in `_meta` (2026-07-28), read
//! by one parser so both accept and refuse the same values.

use serde_json::{Map, Value, json};

use crate::server::jsonrpc::RpcError;
use crate::server::version::META_LOG_LEVEL;
use crate::tool::LogLevel;

fn parse_level(level: &Value) -> Result<LogLevel, RpcError> {
    serde_json::from_value(level.clone())
        .map_err(|_| RpcError::invalid_params(format!("invalid log level {level}")))
}

/// The per-request log level of a 2026-07-28 request; `None` means "send no log messages".
pub(crate) fn requested_level(params: &Map<String, Value>) -> Result<Option<LogLevel>, RpcError> {
    params
        .get("_meta")
        .and_then(|m| m.get(META_LOG_LEVEL))
        .map(parse_level)
        .transpose()
}

/// `logging/setLevel`. Stateless: there is no session to remember a level in, so the level is
/// checked and acknowledged; 2026-07-28 clients choose a level per request instead.
pub(super) fn set_level(params: &Map<String, Value>) -> Result<Value, RpcError> {
    let level = params
        .get("level")
        .ok_or_else(|| RpcError::invalid_params("missing `level`"))?;
    parse_level(level).map(|_| json!({}))
}
