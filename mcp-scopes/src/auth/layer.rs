//! The tower layer that guards protected routes, and the `Principal` extractor for handlers.
//!
//! The layer turns the `Authorization` header into a [`Principal`] (or the matching 400/401/503
//! answer) before the inner service runs, so no handler can forget to authenticate. It writes one
//! audit event per decision ([`crate::audit`]), never the token.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Request, StatusCode};
use tower::{Layer, Service};

use super::{Challenge, Principal, Validator};
use crate::audit::{self, AuditLimits};

/// Authenticates every request with a bearer token: `router.layer(BearerAuthLayer::new(validator,
/// challenge))`. On success the [`Principal`] is in the request extensions as an `Arc<Principal>` (shared
/// with the token cache, so a cached token costs no copy; a `Principal` handler argument extracts a
/// copy), and so is an `Arc<Challenge>`, so a handler can answer a 403 step-up with the same parameters.
#[derive(Debug, Clone)]
pub struct BearerAuthLayer {
    validator: Validator,
    challenge: Arc<Challenge>,
    limits: Arc<AuditLimits>,
}

impl BearerAuthLayer {
    /// A layer validating with `validator` and answering failures with `challenge`.
    pub fn new(validator: Validator, challenge: Challenge) -> Self {
        Self {
            validator,
            challenge: Arc::new(challenge),
            limits: Arc::default(),
        }
    }

    /// Shares `limits` (the server's budget of refusal log lines) with the `Origin` guard.
    pub(crate) fn with_audit_limits(mut self, limits: Arc<AuditLimits>) -> Self {
        self.limits = limits;
        self
    }
}

impl<S> Layer<S> for BearerAuthLayer {
    type Service = BearerAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerAuth {
            inner,
            validator: self.validator.clone(),
            challenge: Arc::clone(&self.challenge),
            limits: Arc::clone(&self.limits),
        }
    }
}

/// The service made by [`BearerAuthLayer`].
#[derive(Debug, Clone)]
pub struct BearerAuth<S> {
    inner: S,
    validator: Validator,
    challenge: Arc<Challenge>,
    limits: Arc<AuditLimits>,
}

/// What the `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Credentials<'a> {
    /// No header, or another scheme: answer with a plain challenge.
    None,
    /// A syntactically fine bearer token.
    Bearer(&'a str),
    /// A header that cannot be read; the description says why.
    Malformed(&'static str),
}

/// Reads the bearer token (RFC 6750 §2.1: `Bearer` case-insensitively, then a token68).
/// The bytes of RFC 7235's `token68` (before its trailing `=`), as a table: every request checks
/// each byte of its token, and a lookup is cheaper than the comparisons.
const TOKEN68: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        // `b` < 256, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let c = b as u8;
        table[b] =
            c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        b += 1;
    }
    table
};

pub(crate) fn bearer_token(headers: &HeaderMap) -> Credentials<'_> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Credentials::None;
    };
    if values.next().is_some() {
        return Credentials::Malformed("more than one Authorization header");
    }
    let Ok(value) = value.to_str() else {
        return Credentials::Malformed("the Authorization header is not ASCII");
    };
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credentials::None;
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty() {
        return Credentials::Malformed("the bearer token is empty");
    }
    let body = token.trim_end_matches('=');
    let token68 = !body.is_empty() && body.bytes().all(|b| TOKEN68[usize::from(b)]);
    if !token68 {
        return Credentials::Malformed("the bearer token holds characters a token cannot hold");
    }
    Credentials::Bearer(token)
}

impl<S> Service<Request<Body>> for BearerAuth<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // The clone that was polled ready is the one that must be called.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let validator = self.validator.clone();
        let challenge = Arc::clone(&self.challenge);
        let limits = Arc::clone(&self.limits);
        Box::pin(async move {
            // What a refusal logs about the request is worked out where it is logged, and an
            // accepted token's event works it out only when DEBUG is on.
            let token = match bearer_token(request.headers()) {
                Credentials::Bearer(token) => token.to_owned(),
                Credentials::None => {
                    audit::without_credentials(&limits, &audit::Seen::of(&request));
                    return Ok(challenge.no_credentials());
                }
                Credentials::Malformed(why) => {
                    let reason = audit::reason::MALFORMED_AUTHORIZATION;
                    let message = "unreadable Authorization header";
                    audit::refused(&limits, &audit::Seen::of(&request), message, reason, why);
                    return Ok(challenge.invalid_request(why));
                }
            };
            match validator.validate_shared(&token).await {
                Ok(principal) => {
                    audit::token_accepted(&principal, &request);
                    request.extensions_mut().insert(principal);
                    request.extensions_mut().insert(challenge);
                    inner.call(request).await
                }
                Err(error) => {
                    let (reason, detail) = (error.reason(), error.to_string());
                    audit::refused(
                        &limits,
                        &audit::Seen::of(&request),
                        "bearer token refused",
                        reason,
                        &detail,
                    );
                    Ok(challenge.for_error(&error))
                }
            }
        })
    }
}

/// A handler argument for the authenticated caller. Without a [`BearerAuthLayer`] in front (no
/// principal in the request), the rejection is a 401 challenge.
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Arc<Principal>>() {
            return Ok(Principal::clone(principal));
        }
        Err(parts.extensions.get::<Arc<Challenge>>().map_or_else(
            || {
                let mut response = StatusCode::UNAUTHORIZED.into_response();
                response
                    .headers_mut()
                    .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                response
            },
            |challenge| challenge.no_credentials(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the header parses to: `none`, `bearer:<token>` or `malformed`.
    fn parse(values: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(
                AUTHORIZATION,
                HeaderValue::from_str(v).expect("valid header"),
            );
        }
        match bearer_token(&headers) {
            Credentials::None => "none".to_owned(),
            Credentials::Bearer(token) => format!("bearer:{token}"),
            Credentials::Malformed(_) => "malformed".to_owned(),
        }
    }

    #[test]
    fn bearer_header_grammar() {
        assert_eq!(parse(&[]), "none");
        assert_eq!(parse(&["Basic dXNlcjpwYXNz"]), "none");
        assert_eq!(parse(&["bearer abc.def-_~+/=="]), "bearer:abc.def-_~+/==");
        assert_eq!(parse(&["Bearer  abc"]), "bearer:abc");
        for bad in [
            "Bearer",
            "Bearer ",
            "Bearer a b",
            "Bearer a\"b",
            "Bearer ===",
        ] {
            assert_eq!(parse(&[bad]), "malformed", "{bad:?}");
        }
        assert_eq!(parse(&["Bearer a", "Bearer b"]), "malformed");
    }
}
