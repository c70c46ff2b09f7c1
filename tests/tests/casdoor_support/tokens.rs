//! Casdoor-shaped access-token claims in each of its application token formats
//! (object/token_jwt.go, object/token_standard_jwt.go). Signing them is in `certs.rs`; the loopback
//! Casdoor that publishes the keys is in `discovery.rs`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

/// This MCP server's resource URI: what a client sends as `resource`, and so the `aud` Casdoor writes.
pub const RESOURCE: &str = "https://mcp.example.com/mcp";
/// The Casdoor application's client id.
pub const CLIENT_ID: &str = "0ba528121ea87b3eb54d";

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
