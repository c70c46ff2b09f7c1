//! Casdoor-shaped access tokens and a loopback Casdoor serving its JWKS and discovery documents
//! (object/token_jwt.go, object/token_standard_jwt.go, object/wellknown_oidc_discovery.go).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{self, KeySize};
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
    ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair as _,
};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use mcp_scopes::auth::{Validator, ValidatorConfig};
use serde_json::{Map, Value, json};

/// This MCP server's resource URI: what a client sends as `resource`, and so the `aud` Casdoor writes.
pub const RESOURCE: &str = "https://mcp.example.com/mcp";
/// The Casdoor application's client id.
pub const CLIENT_ID: &str = "0ba528121ea87b3eb54d";

/// One Casdoor cert: its name is the `kid`.
pub struct Cert {
    pub name: &'static str,
    key: SigningKey,
    pub jwk: Value,
}

enum SigningKey {
    Rsa(rsa::KeyPair),
    Ec(EcdsaKeyPair),
}

/// A made-up certificate chain entry: Casdoor publishes `x5c`, which a resource server must not need.
fn x5c() -> Value {
    json!([STANDARD.encode(b"not a real certificate: the validator must not read x5c")])
}

pub fn rsa_cert(name: &'static str, jwk_alg: &str) -> Cert {
    let pair = rsa::KeyPair::generate(KeySize::Rsa2048).expect("RSA key");
    let public = pair.public_key();
    let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
    let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
    // Field order as Casdoor's JWKS (go-jose) writes it.
    let jwk = json!({"use": "sig", "kty": "RSA", "kid": name, "alg": jwk_alg, "n": n, "e": e,
                     "x5c": x5c(), "x5t": "bm90LWEtdGh1bWJwcmludA"});
    Cert {
        name,
        key: SigningKey::Rsa(pair),
        jwk,
    }
}

pub fn ec_cert(
    name: &'static str,
    alg: &'static EcdsaSigningAlgorithm,
    crv: &str,
    jwk_alg: &str,
) -> Cert {
    let pair = EcdsaKeyPair::generate(alg).expect("EC key");
    let point = pair.public_key().as_ref().to_vec();
    let len = (point.len() - 1) / 2;
    let jwk = json!({"use": "sig", "kty": "EC", "kid": name, "crv": crv, "alg": jwk_alg,
                     "x": URL_SAFE_NO_PAD.encode(&point[1..=len]),
                     "y": URL_SAFE_NO_PAD.encode(&point[1 + len..]), "x5c": x5c()});
    Cert {
        name,
        key: SigningKey::Ec(pair),
        jwk,
    }
}

/// Casdoor's certs: the built-in RSA one, an RSA cert used by an RS512 application (its JWK still
/// says RS256, as Casdoor takes the JWK `alg` from the cert), P-256, P-384, and a P-521 (ES512) cert
/// that `jsonwebtoken` cannot verify.
pub struct Certs {
    pub all: Vec<Cert>,
}

impl Certs {
    pub fn new() -> Self {
        Self {
            all: vec![
                rsa_cert("cert-built-in", "RS256"),
                rsa_cert("cert-rs512-app", "RS256"),
                ec_cert(
                    "cert-es256",
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    "P-256",
                    "ES256",
                ),
                ec_cert(
                    "cert-es384",
                    &ECDSA_P384_SHA384_FIXED_SIGNING,
                    "P-384",
                    "ES384",
                ),
                ec_cert(
                    "cert-es512",
                    &ECDSA_P521_SHA512_FIXED_SIGNING,
                    "P-521",
                    "ES512",
                ),
            ],
        }
    }

    pub fn get(&self, name: &str) -> &Cert {
        self.all
            .iter()
            .find(|c| c.name == name)
            .expect("known cert")
    }

    pub fn jwks(&self) -> Value {
        json!({"keys": self.all.iter().map(|c| c.jwk.clone()).collect::<Vec<_>>()})
    }
}

/// Signs `claims` as Casdoor does: header `{"alg","kid","typ":"JWT"}`.
pub fn sign(cert: &Cert, alg: &str, claims: &Value) -> String {
    let header = json!({"alg": alg, "kid": cert.name, "typ": "JWT"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = match (&cert.key, alg) {
        (SigningKey::Rsa(pair), "RS256" | "RS512") => {
            let padding: &'static dyn signature::RsaEncoding = if alg == "RS256" {
                &signature::RSA_PKCS1_SHA256
            } else {
                &signature::RSA_PKCS1_SHA512
            };
            let mut sig = vec![0; pair.public_modulus_len()];
            pair.sign(padding, &SystemRandom::new(), input.as_bytes(), &mut sig)
                .expect("RSA signature");
            sig
        }
        (SigningKey::Ec(pair), _) => pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .expect("ECDSA signature")
            .as_ref()
            .to_vec(),
        _ => panic!("{alg} does not fit {}", cert.name),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Casdoor's application token formats.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Jwt,
    JwtEmpty,
    JwtCustom,
    JwtStandard,
}

pub const FORMATS: [Format; 4] = [
    Format::Jwt,
    Format::JwtEmpty,
    Format::JwtCustom,
    Format::JwtStandard,
];

/// The registered and Casdoor claims every format carries (object/token_jwt.go).
pub fn registered(issuer: &str, aud: &str, scope: &str) -> Map<String, Value> {
    let t = now();
    let mut claims = Map::new();
    for (k, v) in [
        ("iss", json!(issuer)),
        ("sub", json!("2f3c1a0e-6b1d-4c55-9a7e-1f1e5f0b8c2d")),
        ("aud", json!([aud])),
        ("exp", json!(t + 168 * 3600)),
        ("nbf", json!(t)),
        ("iat", json!(t)),
        ("jti", json!("admin/5d0c2b4e-8f1a-4f0e-b1f4-0f7a9c3e2d11")),
        ("tokenType", json!("access-token")),
        ("nonce", json!("")),
        ("tag", json!("")),
        ("scope", json!(scope)),
        ("azp", json!(CLIENT_ID)),
    ] {
        claims.insert(k.into(), v);
    }
    claims
}

/// Nearly the whole user record, as the default `JWT` format embeds it (secrets included).
// One literal user record: splitting it would only scatter the fields.
#[allow(clippy::too_many_lines)]
pub fn full_user() -> Map<String, Value> {
    let mut user = Map::new();
    let strings = [
        ("owner", "built-in"),
        ("name", "alice"),
        ("createdTime", "2026-11-01T10:00:00Z"),
        ("updatedTime", "2026-11-20T09:14:03Z"),
        ("deletedTime", ""),
        ("id", "2f3c1a0e-6b1d-4c55-9a7e-1f1e5f0b8c2d"),
        ("externalId", ""),
        ("type", "normal-user"),
        ("password", ""),
        ("passwordSalt", ""),
        ("passwordType", "plain"),
        ("displayName", "Alice Example"),
        ("firstName", ""),
        ("lastName", ""),
        ("avatar", "https://cdn.casbin.org/img/casbin.svg"),
        ("avatarType", ""),
        ("permanentAvatar", ""),
        ("email", "alice@example.com"),
        ("phone", "5551234567"),
        ("countryCode", "US"),
        ("region", ""),
        ("location", ""),
        ("affiliation", "Example Inc."),
        ("title", ""),
        ("idCardType", ""),
        ("idCard", ""),
        ("homepage", ""),
        ("bio", ""),
        ("language", "en"),
        ("gender", ""),
        ("birthday", ""),
        ("education", ""),
        ("signupApplication", "db-server"),
        ("hash", ""),
        ("preHash", ""),
        ("accessKey", ""),
        ("accessSecret", ""),
        ("createdIp", "10.0.0.7"),
        ("lastSigninTime", "2026-11-26T05:59:00Z"),
        ("lastSigninIp", "10.0.0.7"),
        ("ldap", ""),
        ("preferredMfaType", ""),
        ("totpSecret", ""),
        ("invitation", ""),
        ("invitationCode", ""),
        ("lastChangePasswordTime", ""),
        ("provider", ""),
        ("signinMethod", "Password"),
    ];
    for (k, v) in strings {
        user.insert(k.into(), json!(v));
    }
    // Third-party provider ids: one empty string each.
    for provider in [
        "github",
        "google",
        "qq",
        "wechat",
        "facebook",
        "dingtalk",
        "weibo",
        "gitee",
        "linkedin",
        "wecom",
        "lark",
        "gitlab",
        "adfs",
        "baidu",
        "alipay",
        "casdoor",
        "infoflow",
        "apple",
        "azuread",
        "azureadb2c",
        "slack",
        "steam",
        "bilibili",
        "okta",
        "douyin",
        "line",
        "amazon",
        "auth0",
        "battlenet",
        "bitbucket",
        "box",
        "cloudfoundry",
        "dailymotion",
        "deezer",
        "digitalocean",
        "discord",
        "dropbox",
        "eveonline",
        "fitbit",
        "gitea",
        "heroku",
        "influxcloud",
        "instagram",
        "intercom",
        "kakao",
        "lastfm",
        "mailru",
        "meetup",
        "microsoftonline",
        "naver",
        "nextcloud",
        "onedrive",
        "oura",
        "patreon",
        "paypal",
        "salesforce",
        "shopify",
        "soundcloud",
        "spotify",
        "strava",
        "stripe",
        "tiktok",
        "tumblr",
        "twitch",
        "twitter",
        "typetalk",
        "uber",
        "vk",
        "wepay",
        "xero",
        "yahoo",
        "yammer",
        "yandex",
        "zoom",
        "metamask",
        "web3onboard",
        "custom",
    ] {
        user.insert(provider.into(), json!(""));
    }
    for (k, v) in [
        ("emailVerified", json!(true)),
        ("address", json!([])),
        ("score", json!(2000)),
        ("karma", json!(0)),
        ("ranking", json!(3)),
        ("balance", json!(0)),
        ("currency", json!("USD")),
        ("isDefaultAvatar", json!(false)),
        ("isOnline", json!(false)),
        ("isAdmin", json!(false)),
        ("isForbidden", json!(false)),
        ("isDeleted", json!(false)),
        ("properties", json!({"team": "data-platform"})),
        ("groups", json!(["built-in/engineering"])),
        ("recoveryCodes", Value::Null),
        ("mfaPhoneEnabled", json!(false)),
        ("mfaEmailEnabled", json!(false)),
        ("webauthnCredentials", Value::Null),
        ("faceIds", Value::Null),
        ("managedAccounts", Value::Null),
        ("mfaAccounts", Value::Null),
        ("needUpdatePassword", json!(false)),
        ("ipWhitelist", json!("")),
        (
            "roles",
            json!([{"owner": "built-in", "name": "db-readers", "createdTime": "2026-11-01T10:00:00Z",
                     "displayName": "Database readers", "description": "Can query the analytics database",
                     "users": ["built-in/alice", "built-in/bob"], "groups": [], "roles": [],
                     "domains": [], "isEnabled": true}]),
        ),
        (
            "permissions",
            json!([{"owner": "built-in", "name": "db-query", "createdTime": "2026-11-01T10:00:00Z",
                     "displayName": "Query", "description": "Read-only access to the analytics database",
                     "users": ["built-in/alice"], "groups": [], "roles": ["built-in/db-readers"],
                     "domains": [], "model": "rbac", "adapter": "", "resourceType": "Application",
                     "resources": ["db-server"], "actions": ["Read"], "effect": "Allow",
                     "isEnabled": true, "submitter": "admin", "approver": "admin",
                     "approveTime": "2026-11-01T10:05:00Z", "state": "Approved"}]),
        ),
    ] {
        user.insert(k.into(), v);
    }
    user
}

/// The claims of an access token in `format` (object/token_jwt.go, object/token_standard_jwt.go).
pub fn claims(format: Format, issuer: &str, aud: &str, scope: &str) -> Map<String, Value> {
    let mut claims = registered(issuer, aud, scope);
    match format {
        Format::Jwt => {
            claims.extend(full_user());
        }
        Format::JwtEmpty => {
            for (k, v) in [
                ("owner", "built-in"),
                ("name", "alice"),
                ("id", "2f3c1a0e-6b1d-4c55-9a7e-1f1e5f0b8c2d"),
                ("displayName", "Alice Example"),
                ("avatar", "https://cdn.casbin.org/img/casbin.svg"),
                ("email", "alice@example.com"),
                ("phone", "5551234567"),
            ] {
                claims.insert(k.into(), json!(v));
            }
            claims.insert("provider".into(), json!(""));
            claims.insert("signinMethod".into(), json!("Password"));
        }
        Format::JwtCustom => {
            // Registered claims, tokenType, nonce, scope (even empty), azp, plus admin-chosen fields.
            claims.remove("tag");
            claims.insert("owner".into(), json!("built-in"));
            claims.insert("email".into(), json!("alice@example.com"));
        }
        Format::JwtStandard => {
            for (k, v) in [
                ("owner", json!("built-in")),
                ("preferred_username", json!("alice")),
                ("id", json!("2f3c1a0e-6b1d-4c55-9a7e-1f1e5f0b8c2d")),
                ("name", json!("Alice Example")),
                ("picture", json!("https://cdn.casbin.org/img/casbin.svg")),
                ("email", json!("alice@example.com")),
                ("email_verified", json!(true)),
                (
                    "address",
                    json!({"formatted": "", "street_address": "", "locality": "",
                           "region": "", "postal_code": "", "country": ""}),
                ),
                ("phone_number", json!("5551234567")),
                ("gender", json!("")),
                ("provider", json!("")),
                ("signinMethod", json!("Password")),
            ] {
                claims.insert(k.into(), v);
            }
        }
    }
    claims
}

/// Which metadata documents the fake serves.
#[derive(Clone, Copy, PartialEq)]
pub enum Metadata {
    /// Both, the same document (Casdoor today).
    Both,
    /// Only `/.well-known/openid-configuration`.
    OidcOnly,
}

/// A loopback Casdoor serving its JWKS and discovery documents; returns its origin.
pub async fn start_casdoor(jwks: Value, metadata: Metadata) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let doc = discovery_document(&origin);
    let oidc = doc.clone();
    let router = Router::new()
        .route(
            "/.well-known/jwks",
            get(move || async move { axum::Json(jwks) }),
        )
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { axum::Json(oidc) }),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(move || async move {
                if metadata == Metadata::Both {
                    Ok(axum::Json(doc))
                } else {
                    Err(StatusCode::NOT_FOUND)
                }
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    origin
}

/// Casdoor's discovery document (object/wellknown_oidc_discovery.go): issuer = origin, no trailing
/// slash; the authorize endpoint on the frontend, the others under /api.
pub fn discovery_document(origin: &str) -> Value {
    json!({
        "issuer": origin,
        "authorization_endpoint": format!("{origin}/login/oauth/authorize"),
        "token_endpoint": format!("{origin}/api/login/oauth/access_token"),
        "userinfo_endpoint": format!("{origin}/api/userinfo"),
        "jwks_uri": format!("{origin}/.well-known/jwks"),
        "introspection_endpoint": format!("{origin}/api/login/oauth/introspect"),
        "registration_endpoint": format!("{origin}/api/oauth/register"),
        "response_types_supported": ["code", "token", "id_token", "code token", "code id_token",
                                     "token id_token", "code token id_token", "none"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["password", "authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "RS512", "ES256", "ES384", "ES512"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone", "offline_access"],
        "claims_supported": ["iss", "ver", "sub", "aud", "iat", "exp", "id", "type", "displayName",
                             "avatar", "permanentAvatar", "email", "phone", "location", "affiliation",
                             "title", "homepage", "bio", "tag", "region", "language", "score",
                             "ranking", "isOnline", "isAdmin", "isForbidden", "signupApplication",
                             "ldap"],
        "request_parameter_supported": true,
        "request_object_signing_alg_values_supported": ["HS256", "HS384", "HS512"],
        "end_session_endpoint": format!("{origin}/api/logout"),
        "code_challenge_methods_supported": ["S256"],
    })
}

/// Waits until the validator has loaded the JWKS.
pub async fn ready(config: ValidatorConfig) -> Validator {
    let validator = Validator::new(config).expect("valid config");
    for _ in 0..200 {
        if validator.is_ready() {
            return validator;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the JWKS never loaded");
}

/// The (cert, alg) pairs Casdoor can sign with and `jsonwebtoken` can verify.
pub const SIGNERS: [(&str, &str); 4] = [
    ("cert-built-in", "RS256"),
    ("cert-rs512-app", "RS512"),
    ("cert-es256", "ES256"),
    ("cert-es384", "ES384"),
];
