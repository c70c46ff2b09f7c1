//! Target `token`: the [`Validator`] with a fixed key set (a static JWKS, no network).
//!
//! The first byte picks a mode:
//! - 0, raw: the rest is the token. Random bytes cannot carry a valid ES256 signature of our key,
//!   so anything accepted must be the one token this process minted.
//! - 1, edited: byte edits (position, value) applied to a valid token. An edited token that differs
//!   from the original must be refused (the signature covers header and claims; base64url decoding
//!   refuses non-canonical trailing bits).
//! - 2, claims: the rest is a JSON object of claims, signed with our key. An accepted token must
//!   satisfy every rule (issuer, audience, expiry, not-before, allowed client and organization, at
//!   most the scopes its claims name); claims the validator never reads must not change the verdict.

use std::collections::BTreeSet;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcp_scopes::auth::{DevSigner, Principal, TokenClaims, Validator, ValidatorConfig};
use serde_json::{Map, Value};

use crate::support::RUNTIME;

const ISSUER: &str = "https://issuer.fuzz";
const RESOURCE: &str = "https://mcp.fuzz/mcp";
const CLIENT: &str = "client-1";
const ORGANIZATION: &str = "org-1";
const LEEWAY: Duration = Duration::from_mins(1);

/// Claims the validator reads; any other claim must leave a good token good.
const CLAIMS_READ: [&str; 12] = [
    "exp",
    "iat",
    "nbf",
    "iss",
    "aud",
    "azp",
    "client_id",
    "owner",
    "scope",
    "scp",
    "sub",
    "jti",
];

struct Fixture {
    signer: DevSigner,
    validator: Validator,
    /// A valid token, minted once.
    reference: String,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let signer = DevSigner::generate();
    let validator = Validator::new(
        ValidatorConfig::new(ISSUER, RESOURCE)
            .static_jwks(signer.jwks())
            .allowed_clients([CLIENT])
            .allowed_organizations([ORGANIZATION])
            .max_token_lifetime(Duration::from_hours(2))
            .leeway(LEEWAY),
    )
    .expect("a validator with a static key set");
    let reference = signer.mint(&base_claims()).expect("a token");
    RUNTIME
        .block_on(validator.validate(&reference))
        .expect("the reference token is valid");
    Fixture {
        signer,
        validator,
        reference,
    }
});

fn base_claims() -> TokenClaims {
    TokenClaims::new(ISSUER, RESOURCE)
        .subject("fuzz")
        .scopes(["db:query", "db:modify"])
        .claim("azp", CLIENT)
        .claim("owner", ORGANIZATION)
}

/// Runs one input.
pub fn check(data: &[u8]) {
    let fixture = &*FIXTURE;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => raw(fixture, rest),
        1 => edited(fixture, rest),
        _ => claims(fixture, rest),
    }
}

fn validate(fixture: &Fixture, token: &str) -> Option<Principal> {
    RUNTIME.block_on(fixture.validator.validate(token)).ok()
}

fn raw(fixture: &Fixture, rest: &[u8]) {
    let token = String::from_utf8_lossy(rest);
    if validate(fixture, &token).is_some() {
        assert_eq!(
            token, fixture.reference,
            "a token this process never minted was accepted"
        );
    }
}

fn edited(fixture: &Fixture, rest: &[u8]) {
    let mut token = fixture.reference.clone().into_bytes();
    for edit in rest.chunks_exact(3) {
        let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % (token.len() + 1);
        match edit[2] {
            // Bytes above ASCII delete the byte at `at`; the rest replace or append it.
            0x80..=0xff if at < token.len() => {
                token.remove(at);
            }
            0x80..=0xff => {}
            byte if at < token.len() => token[at] = byte,
            byte => token.push(byte),
        }
    }
    let token = String::from_utf8_lossy(&token).into_owned();
    if token != fixture.reference {
        assert!(
            validate(fixture, &token).is_none(),
            "an edited token was accepted: {token}"
        );
    }
}

fn claims(fixture: &Fixture, rest: &[u8]) {
    let Ok(Value::Object(overrides)) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let mut claims = base_claims();
    for (name, value) in &overrides {
        claims = claims.claim(name.clone(), value.clone());
    }
    let token = fixture.signer.mint(&claims).expect("a token");
    let verdict = validate(fixture, &token);
    let reads_nothing_checked = overrides.keys().all(|k| !CLAIMS_READ.contains(&k.as_str()));
    match verdict {
        Some(principal) => accepted_follows_the_rules(&principal),
        None => assert!(
            !reads_nothing_checked,
            "claims the validator does not read turned a good token bad: {overrides:?}"
        ),
    }
}

fn accepted_follows_the_rules(principal: &Principal) {
    let claims = &principal.claims;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64();
    let leeway = LEEWAY.as_secs_f64();
    assert_eq!(claims.get("iss").and_then(Value::as_str), Some(ISSUER));
    assert_eq!(principal.issuer, ISSUER);
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == RESOURCE,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(RESOURCE)),
        _ => false,
    };
    assert!(audience_ok, "accepted with aud {:?}", claims.get("aud"));
    let exp = number(claims, "exp").expect("an accepted token has a numeric exp");
    assert!(exp + leeway > now, "accepted an expired token (exp {exp})");
    if let Some(nbf) = number(claims, "nbf") {
        assert!(nbf <= now + leeway, "accepted before nbf {nbf}");
    }
    // `null` counts as absent, as for every optional claim.
    let client = claims
        .get("azp")
        .filter(|v| !v.is_null())
        .or_else(|| claims.get("client_id"))
        .and_then(Value::as_str);
    assert_eq!(client, Some(CLIENT), "accepted another client");
    assert_eq!(principal.client_id.as_deref(), Some(CLIENT));
    assert_eq!(
        claims.get("owner").and_then(Value::as_str),
        Some(ORGANIZATION)
    );
    let mut named: BTreeSet<&str> = BTreeSet::new();
    if let Some(scope) = claims.get("scope").and_then(Value::as_str) {
        named.extend(scope.split(' '));
    }
    match claims.get("scp") {
        Some(Value::Array(scp)) => named.extend(scp.iter().filter_map(Value::as_str)),
        Some(Value::String(scp)) => named.extend(scp.split(' ')),
        _ => {}
    }
    for scope in principal.scopes.iter() {
        assert!(
            named.contains(scope),
            "scope {scope:?} granted but not in the token"
        );
    }
}

fn number(claims: &Map<String, Value>, name: &str) -> Option<f64> {
    claims.get(name).and_then(Value::as_f64)
}
