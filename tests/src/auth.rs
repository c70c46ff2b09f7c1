//! Keys of every supported family that can sign arbitrary (also hostile) headers and payloads, claims
//! that pass every check, and validators that trust the published keys.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
    ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair,
    RsaPublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcp_scopes::auth::{Validator, ValidatorConfig};
use serde_json::{Value, json};

/// The issuer every test token and validator here uses.
pub const ISSUER: &str = "https://auth.example.test";
/// The protected resource (audience) every test token and validator here uses.
pub const RESOURCE: &str = "https://mcp.example.test/mcp";

/// Base64url without padding, as JWTs use.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// Claims that pass every check of a validator configured with [`ISSUER`] and [`RESOURCE`].
pub fn good_claims() -> Value {
    let now = now();
    json!({
        "iss": ISSUER, "sub": "user-1", "aud": [RESOURCE], "azp": "client-1",
        "iat": now, "nbf": now, "exp": now + 600, "jti": "jti-1", "scope": "db:query",
    })
}

/// [`good_claims`] with these claims replaced (or added).
pub fn good_claims_with(overrides: &Value) -> Value {
    let mut claims = good_claims();
    for (k, v) in overrides.as_object().expect("object") {
        claims[k] = v.clone();
    }
    claims
}

/// [`good_claims`] without this claim.
pub fn good_claims_without(claim: &str) -> Value {
    let mut claims = good_claims();
    claims.as_object_mut().expect("object").remove(claim);
    claims
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

/// A signing key of one family, known by its `kid`.
pub struct TestKey {
    /// The key id it is published under.
    pub kid: String,
    pair: Pair,
    jwk: Value,
}

impl TestKey {
    /// A fresh RSA 2048 key.
    pub fn rsa(kid: &str) -> Self {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key");
        let parts = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let jwk = json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(&parts.n), "e": b64(&parts.e)});
        Self {
            kid: kid.into(),
            pair: Pair::Rsa(pair),
            jwk,
        }
    }

    /// A fresh P-256 key.
    pub fn p256(kid: &str) -> Self {
        Self::ec(kid, &ECDSA_P256_SHA256_FIXED_SIGNING, "P-256", 32)
    }

    /// A fresh P-384 key.
    pub fn p384(kid: &str) -> Self {
        Self::ec(kid, &ECDSA_P384_SHA384_FIXED_SIGNING, "P-384", 48)
    }

    /// A fresh P-521 key.
    pub fn p521(kid: &str) -> Self {
        Self::ec(kid, &ECDSA_P521_SHA512_FIXED_SIGNING, "P-521", 66)
    }

    fn ec(
        kid: &str,
        alg: &'static signature::EcdsaSigningAlgorithm,
        crv: &str,
        len: usize,
    ) -> Self {
        let pair = EcdsaKeyPair::generate(alg).expect("EC key");
        let point = pair.public_key().as_ref().to_vec();
        let jwk = json!({"kty": "EC", "kid": kid, "crv": crv, "x": b64(&point[1..=len]), "y": b64(&point[1 + len..])});
        Self {
            kid: kid.into(),
            pair: Pair::Ec(pair),
            jwk,
        }
    }

    /// A fresh Ed25519 key.
    pub fn ed25519(kid: &str) -> Self {
        let pair = Ed25519KeyPair::generate().expect("Ed25519 key");
        let jwk = json!({"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(pair.public_key().as_ref())});
        Self {
            kid: kid.into(),
            pair: Pair::Ed(pair),
            jwk,
        }
    }

    /// The same key published under another kid.
    pub fn jwk_as(&self, kid: &str) -> Value {
        let mut jwk = self.jwk.clone();
        jwk["kid"] = kid.into();
        jwk
    }

    /// The public JWK.
    pub fn jwk(&self) -> Value {
        self.jwk.clone()
    }

    /// The RSA public key's modulus bytes (for the "HS256 keyed with the public key" attack).
    pub fn public_bytes(&self) -> Vec<u8> {
        match &self.pair {
            Pair::Rsa(p) => p.public_key().as_ref().to_vec(),
            Pair::Ec(p) => p.public_key().as_ref().to_vec(),
            Pair::Ed(p) => p.public_key().as_ref().to_vec(),
        }
    }

    /// Signs `input` as `alg` says when it fits this key, else with the key's own algorithm.
    pub fn sign(&self, alg: &str, input: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Rsa(pair) => {
                let encoding: &'static dyn signature::RsaEncoding = match alg {
                    "RS384" => &signature::RSA_PKCS1_SHA384,
                    "RS512" => &signature::RSA_PKCS1_SHA512,
                    "PS256" => &signature::RSA_PSS_SHA256,
                    "PS384" => &signature::RSA_PSS_SHA384,
                    "PS512" => &signature::RSA_PSS_SHA512,
                    _ => &signature::RSA_PKCS1_SHA256,
                };
                let mut sig = vec![0; pair.public_modulus_len()];
                pair.sign(encoding, &rng, input, &mut sig)
                    .expect("RSA signing");
                sig
            }
            Pair::Ec(pair) => pair
                .sign(&rng, input)
                .expect("EC signing")
                .as_ref()
                .to_vec(),
            Pair::Ed(pair) => pair.sign(input).as_ref().to_vec(),
        }
    }

    /// A token with this header (kid added unless present) and raw payload bytes.
    pub fn token_raw(&self, mut header: Value, payload: &[u8]) -> String {
        if header.get("kid").is_none() {
            header["kid"] = self.kid.clone().into();
        }
        let alg = header["alg"].as_str().unwrap_or("").to_owned();
        let input = format!("{}.{}", b64(header.to_string()), b64(payload));
        let sig = self.sign(&alg, input.as_bytes());
        format!("{input}.{}", b64(sig))
    }

    /// A token signed with `alg` carrying `claims`.
    pub fn token(&self, alg: &str, claims: &Value) -> String {
        self.token_raw(
            json!({"alg": alg, "typ": "JWT"}),
            claims.to_string().as_bytes(),
        )
    }

    /// A good token with the key's natural algorithm and `claims` merged over [`good_claims`].
    pub fn good_token(&self, overrides: &Value) -> String {
        let mut claims = good_claims();
        if let (Some(base), Some(extra)) = (claims.as_object_mut(), overrides.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        self.token(self.natural_alg(), &claims)
    }

    /// The algorithm this key signs with by default.
    pub fn natural_alg(&self) -> &'static str {
        match (&self.pair, self.jwk["crv"].as_str()) {
            (Pair::Rsa(_), _) => "RS256",
            (Pair::Ec(_), Some("P-384")) => "ES384",
            (Pair::Ec(_), Some("P-521")) => "ES512",
            (Pair::Ec(_), _) => "ES256",
            (Pair::Ed(_), _) => "EdDSA",
        }
    }
}

/// `{"keys": [...]}` of these keys.
pub fn jwks(keys: &[&TestKey]) -> Value {
    json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()})
}

/// One published key of each family, and one stranger's key that is not published.
pub struct KeyRing {
    /// RSA, kid `rsa-1`.
    pub rsa: TestKey,
    /// P-256, kid `p256-1`.
    pub p256: TestKey,
    /// P-384, kid `p384-1`.
    pub p384: TestKey,
    /// P-521, kid `p521-1`.
    pub p521: TestKey,
    /// Ed25519, kid `ed-1`.
    pub ed: TestKey,
    /// Not published: an attacker's key.
    pub stranger: TestKey,
}

impl KeyRing {
    /// Generates every key.
    pub fn new() -> Self {
        Self {
            rsa: TestKey::rsa("rsa-1"),
            p256: TestKey::p256("p256-1"),
            p384: TestKey::p384("p384-1"),
            p521: TestKey::p521("p521-1"),
            ed: TestKey::ed25519("ed-1"),
            stranger: TestKey::p256("stranger"),
        }
    }

    /// The JWK set of every key but the stranger's.
    pub fn published(&self) -> Value {
        jwks(&[&self.rsa, &self.p256, &self.p384, &self.p521, &self.ed])
    }
}

impl Default for KeyRing {
    fn default() -> Self {
        Self::new()
    }
}

/// The key ring of this test binary, made on first use.
pub static KEYS: LazyLock<KeyRing> = LazyLock::new(KeyRing::new);

/// A validator built from `config` that trusts [`KEYS`]' published keys.
pub fn validator(config: ValidatorConfig) -> Validator {
    Validator::new(config.static_jwks(KEYS.published())).expect("valid config")
}

/// [`validator`] for [`ISSUER`] and [`RESOURCE`] with every other setting at its default.
pub fn default_validator() -> Validator {
    validator(ValidatorConfig::new(ISSUER, RESOURCE))
}
