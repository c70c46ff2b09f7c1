//! Which MCP revision a request speaks, and the header rules that come with it.
//!
//! The server is "dual-era": legacy revisions (2025-06-18, 2025-11-25) open with `initialize` and
//! send `MCP-Protocol-Version` afterwards; the modern revision (2026-07-28) puts the version in every
//! request's `params._meta` and mirrors the method and tool name into `Mcp-Method` / `Mcp-Name`,
//! which the server must cross-check so that intermediaries routing on headers cannot be fooled.

use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

mod headers;

use self::headers::{
    HEADER_PROTOCOL_VERSION, check_mirrored_headers, header, mismatch, repeated, repeated_header,
};
use super::jsonrpc::{INVALID_PARAMS, RpcError, UNSUPPORTED_PROTOCOL_VERSION};

/// The `_meta` key of the per-request protocol version (2026-07-28).
pub(crate) const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// The `_meta` key of the client's per-request capabilities (2026-07-28, required).
pub(crate) const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// The `_meta` key of the per-request log level (2026-07-28).
pub(crate) const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
/// The result `_meta` key carrying the server's name and version (2026-07-28).
pub(crate) const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// An MCP protocol revision this server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtocolVersion {
    /// Assumed for a legacy request without `MCP-Protocol-Version`, as the transport allows.
    V2025_03_26,
    /// Legacy, `initialize` handshake.
    V2025_06_18,
    /// Legacy, `initialize` handshake.
    V2025_11_25,
    /// Modern: stateless, per-request `_meta`, `server/discover`.
    V2026_07_28,
}

impl ProtocolVersion {
    /// The versions advertised to clients (`server/discover`, `-32022`), newest first.
    pub const SUPPORTED: [Self; 3] = [Self::V2026_07_28, Self::V2025_11_25, Self::V2025_06_18];

    /// The newest legacy version: the answer to an `initialize` asking for one we do not know.
    pub const LATEST_LEGACY: Self = Self::V2025_11_25;

    /// The version string, e.g. `2025-11-25`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
        }
    }

    /// Parses a version string this server accepts on a request.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::V2025_03_26,
            Self::V2025_06_18,
            Self::V2025_11_25,
            Self::V2026_07_28,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Whether this revision is stateless with per-request `_meta` (2026-07-28 and later).
    pub fn is_modern(self) -> bool {
        self >= Self::V2026_07_28
    }

    /// The version strings of [`Self::SUPPORTED`].
    pub(crate) fn supported_strings() -> Vec<&'static str> {
        Self::SUPPORTED.iter().map(|v| v.as_str()).collect()
    }
}

impl std::fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn unsupported(requested: &str) -> RpcError {
    RpcError::new(
        StatusCode::BAD_REQUEST,
        UNSUPPORTED_PROTOCOL_VERSION,
        format!("unsupported protocol version `{requested}`"),
    )
    .with_data(json!({
        "supported": ProtocolVersion::supported_strings(),
        "requested": requested,
    }))
}

/// A 2026-07-28 request missing a required `_meta` field is malformed: -32602 with HTTP 400.
fn malformed_meta(message: impl Into<String>) -> RpcError {
    RpcError::new(StatusCode::BAD_REQUEST, INVALID_PARAMS, message)
}

/// The version of a notification: only the header is consulted (2026-07-28 defines no header rules
/// for notifications), and an unsupported one is refused.
pub(crate) fn notification_version(headers: &HeaderMap) -> Result<ProtocolVersion, RpcError> {
    if let Some(name) = repeated_header(headers) {
        return Err(repeated(name, false));
    }
    match header(headers, HEADER_PROTOCOL_VERSION)? {
        None => Ok(ProtocolVersion::V2025_03_26),
        Some(h) => ProtocolVersion::parse(h).ok_or_else(|| unsupported(h)),
    }
}

/// Decides the revision of a request from its `MCP-Protocol-Version` header and `_meta`, and
/// enforces the 2026-07-28 header rules (`Mcp-Method`, `Mcp-Name`).
pub(crate) fn request_version(
    headers: &HeaderMap,
    method: &str,
    params: &Map<String, Value>,
) -> Result<ProtocolVersion, RpcError> {
    let from_meta_value = params
        .get("_meta")
        .and_then(|m| m.get(META_PROTOCOL_VERSION));
    if let Some(name) = repeated_header(headers) {
        let modern = from_meta_value
            .and_then(Value::as_str)
            .and_then(ProtocolVersion::parse)
            .is_some_and(ProtocolVersion::is_modern);
        return Err(repeated(name, modern));
    }
    let from_header = header(headers, HEADER_PROTOCOL_VERSION)?;
    let from_meta = match from_meta_value {
        None => None,
        Some(Value::String(v)) => Some(v.as_str()),
        Some(_) => {
            return Err(malformed_meta(format!(
                "`_meta.{META_PROTOCOL_VERSION}` must be a string"
            )));
        }
    };
    let version = match (from_header, from_meta) {
        (None, None) => return Ok(ProtocolVersion::V2025_03_26),
        (Some(h), None) => {
            let version = ProtocolVersion::parse(h).ok_or_else(|| unsupported(h))?;
            if version.is_modern() {
                return Err(mismatch(format!(
                    "`MCP-Protocol-Version: {h}` requires `params._meta.{META_PROTOCOL_VERSION}`"
                )));
            }
            return Ok(version);
        }
        (None, Some(_)) => {
            return Err(mismatch(
                "missing the `MCP-Protocol-Version` header required with `_meta` protocol versions",
            ));
        }
        (Some(h), Some(m)) if h != m => {
            return Err(mismatch(format!(
                "header `MCP-Protocol-Version: {h}` does not match body version `{m}`"
            )));
        }
        (Some(_), Some(m)) => ProtocolVersion::parse(m).ok_or_else(|| unsupported(m))?,
    };
    if version.is_modern() {
        check_mirrored_headers(headers, method, params)?;
        // Capabilities are declared per request and never remembered, so the field is required.
        if !params
            .get("_meta")
            .and_then(|m| m.get(META_CLIENT_CAPABILITIES))
            .is_some_and(Value::is_object)
        {
            return Err(malformed_meta(format!(
                "`params._meta.{META_CLIENT_CAPABILITIES}` is required and must be an object \
                 (`{{}}` declares no optional capabilities)"
            )));
        }
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;
    use crate::server::jsonrpc::HEADER_MISMATCH;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    fn modern_params(name: Option<&str>) -> Map<String, Value> {
        let mut params = json!({ "_meta": {
            META_PROTOCOL_VERSION: "2026-07-28",
            META_CLIENT_CAPABILITIES: {},
        } });
        if let Some(name) = name {
            params["name"] = json!(name);
        }
        params.as_object().unwrap().clone()
    }

    #[test]
    fn legacy_versions_come_from_the_header_or_default_to_2025_03_26() {
        let none = Map::new();
        assert_eq!(
            request_version(&headers(&[]), "tools/list", &none),
            Ok(ProtocolVersion::V2025_03_26)
        );
        assert_eq!(
            request_version(
                &headers(&[("mcp-protocol-version", "2025-06-18")]),
                "ping",
                &none
            ),
            Ok(ProtocolVersion::V2025_06_18)
        );
        let err = request_version(
            &headers(&[("mcp-protocol-version", "1999-01-01")]),
            "ping",
            &none,
        )
        .unwrap_err();
        assert_eq!(
            (err.status, err.code),
            (StatusCode::BAD_REQUEST, UNSUPPORTED_PROTOCOL_VERSION)
        );
        assert_eq!(
            err.data.unwrap()["supported"],
            json!(["2026-07-28", "2025-11-25", "2025-06-18"])
        );
    }

    #[test]
    fn modern_requests_need_matching_version_method_and_name_headers() {
        let ok = headers(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "query"),
        ]);
        assert_eq!(
            request_version(&ok, "tools/call", &modern_params(Some("query"))),
            Ok(ProtocolVersion::V2026_07_28)
        );
        let cases = [
            headers(&[("mcp-method", "tools/call"), ("mcp-name", "query")]),
            headers(&[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-name", "query"),
            ]),
            headers(&[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
            ]),
            headers(&[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/list"),
                ("mcp-name", "query"),
            ]),
            headers(&[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "drop_table"),
            ]),
            headers(&[
                ("mcp-protocol-version", "2025-11-25"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "query"),
            ]),
        ];
        for case in cases {
            let err =
                request_version(&case, "tools/call", &modern_params(Some("query"))).unwrap_err();
            assert_eq!(
                (err.status, err.code),
                (StatusCode::BAD_REQUEST, HEADER_MISMATCH),
                "{case:?}"
            );
        }
        // The modern header without the body field is a mismatch too.
        let err = request_version(
            &headers(&[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/list"),
            ]),
            "tools/list",
            &Map::new(),
        )
        .unwrap_err();
        assert_eq!(err.code, HEADER_MISMATCH);
    }

    #[test]
    fn base64_names_are_decoded_before_comparing() {
        let name = "résumé";
        let encoded = format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(name)
        );
        let h = headers(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", &encoded),
        ]);
        assert_eq!(
            request_version(&h, "tools/call", &modern_params(Some(name))),
            Ok(ProtocolVersion::V2026_07_28)
        );
    }

    #[test]
    fn unknown_modern_versions_list_what_is_supported() {
        let mut params = modern_params(None);
        params["_meta"][META_PROTOCOL_VERSION] = json!("2099-01-01");
        let h = headers(&[
            ("mcp-protocol-version", "2099-01-01"),
            ("mcp-method", "tools/list"),
        ]);
        let err = request_version(&h, "tools/list", &params).unwrap_err();
        assert_eq!(err.code, UNSUPPORTED_PROTOCOL_VERSION);
        assert_eq!(err.data.unwrap()["requested"], "2099-01-01");
        params["_meta"][META_PROTOCOL_VERSION] = json!(5);
        assert_eq!(
            request_version(&h, "tools/list", &params).unwrap_err().code,
            INVALID_PARAMS
        );
    }
}
