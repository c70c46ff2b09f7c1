//! Turning a JWK set into verification keys, one JWK at a time.
//!
//! Each key is parsed on its own so one odd entry (a secp256k1 key, an `oct` secret, an unknown `kty`)
//! is skipped with a reason instead of emptying the whole set, and each key remembers its family and
//! curve so a token's `alg` can be checked against the key it names.
//!
//! Each key is also parsed here, once, into aws-lc-rs verifiers (one per algorithm its family
//! allows), so verifying a token does no key parsing: building the verifier again for every token,
//! as `jsonwebtoken`'s `DecodingKey` path does, costs 1.5–2 µs on top of the signature arithmetic.

use std::collections::HashMap;
use std::sync::Arc;

use super::Algorithm;
use aws_lc_rs::signature::{
    self, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents, VerificationAlgorithm,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The key types a token can be verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    P256,
    P384,
    P521,
    Ed25519,
}

impl KeyKind {
    /// Whether a token signed with `alg` can have been made with a key of this kind.
    pub(crate) fn fits(self, alg: Algorithm) -> bool {
        match self {
            Self::Rsa => matches!(
                alg,
                Algorithm::RS256
                    | Algorithm::RS384
                    | Algorithm::RS512
                    | Algorithm::PS256
                    | Algorithm::PS384
                    | Algorithm::PS512
            ),
            Self::P256 => alg == Algorithm::ES256,
            Self::P384 => alg == Algorithm::ES384,
            Self::P521 => alg == Algorithm::ES512,
            Self::Ed25519 => alg == Algorithm::EdDSA,
        }
    }
}

/// One verification key from the JWKS.
pub(crate) struct VerifyingKey {
    pub(crate) kind: KeyKind,
    /// The key parsed for each algorithm its kind fits (six for RSA, one otherwise).
    verifiers: Verifiers,
    /// The key's public parameters, so an unchanged key keeps its identity across refreshes.
    material: String,
}

impl VerifyingKey {
    /// Whether `signature` is this key's signature over `message` with `alg`. False for an `alg`
    /// the key's kind does not fit.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        self.verifiers
            .iter()
            .find(|(a, _)| *a == alg)
            .is_some_and(|(_, key)| key.verify_sig(message, signature).is_ok())
    }
}

/// The RSA algorithms and their aws-lc-rs parameters: PKCS#1 v1.5 and PSS, 2048 to 8192 bits.
const RSA_ALGORITHMS: [(Algorithm, &RsaParameters); 6] = [
    (Algorithm::RS256, &signature::RSA_PKCS1_2048_8192_SHA256),
    (Algorithm::RS384, &signature::RSA_PKCS1_2048_8192_SHA384),
    (Algorithm::RS512, &signature::RSA_PKCS1_2048_8192_SHA512),
    (Algorithm::PS256, &signature::RSA_PSS_2048_8192_SHA256),
    (Algorithm::PS384, &signature::RSA_PSS_2048_8192_SHA384),
    (Algorithm::PS512, &signature::RSA_PSS_2048_8192_SHA512),
];

fn rsa_verifiers(n: &[u8], e: &[u8]) -> Result<Verifiers, String> {
    // A JWK integer has no leading zero bytes (RFC 7518 §6.3.1), but some issuers write one; the key
    // is the same, and aws-lc-rs only takes the minimal encoding.
    let minimal =
        |bytes: &'_ [u8]| -> Vec<u8> { bytes.iter().copied().skip_while(|b| *b == 0).collect() };
    let components = RsaPublicKeyComponents {
        n: minimal(n),
        e: minimal(e),
    };
    RSA_ALGORITHMS
        .iter()
        .map(|&(alg, params)| {
            components
                .to_parsed_public_key(params)
                .map(|key| (alg, key))
                .map_err(|e| format!("not a valid RSA public key ({e})"))
        })
        .collect()
}

fn single_verifier(
    alg: Algorithm,
    verification: &'static dyn VerificationAlgorithm,
    public_key: &[u8],
) -> Result<Verifiers, String> {
    ParsedPublicKey::new(verification, public_key)
        .map(|key| vec![(alg, key)])
        .map_err(|e| format!("not a valid public key for {alg:?} ({e})"))
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A key parsed for each algorithm it can verify.
type Verifiers = Vec<(Algorithm, ParsedPublicKey)>;

/// The keys by `kid`.
pub(crate) type KeyMap = HashMap<String, Arc<VerifyingKey>>;

/// A JWK that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Skipped {
    pub(crate) kid: String,
    pub(crate) reason: String,
}

/// Why a JWK set as a whole cannot be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JwksError {
    #[error("the JWK set is not a JSON object with a `keys` array")]
    NotAKeySet,
    #[error("the JWK set holds no usable key (skipped: {0})")]
    NoUsableKeys(String),
}

/// Parses a JWK set. Keys whose parameters equal a key of `previous` under the same `kid` keep the
/// previous `Arc`, so caches tied to a key survive a refresh that did not change it.
pub(crate) fn parse_jwks(
    jwks: &Value,
    previous: Option<&KeyMap>,
) -> Result<(KeyMap, Vec<Skipped>), JwksError> {
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(JwksError::NotAKeySet)?;
    let mut map = KeyMap::new();
    let mut skipped = Vec::new();
    for jwk in keys {
        let kid = jwk
            .get("kid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        match parse_jwk(jwk) {
            Ok(_) if kid.is_empty() => skipped.push(Skipped {
                kid,
                reason: "no `kid`: a token could never name it".into(),
            }),
            Ok(_) if map.contains_key(&kid) => skipped.push(Skipped {
                kid,
                reason: "duplicate `kid`; the first key with it is used".into(),
            }),
            Ok(key) => {
                let reused = previous
                    .and_then(|p| p.get(&kid))
                    .filter(|old| old.material == key.material)
                    .cloned();
                map.insert(kid, reused.unwrap_or_else(|| Arc::new(key)));
            }
            Err(reason) => skipped.push(Skipped { kid, reason }),
        }
    }
    if map.is_empty() {
        let reasons: Vec<String> = skipped
            .iter()
            .map(|s| format!("{:?}: {}", s.kid, s.reason))
            .collect();
        let summary = if reasons.is_empty() {
            "the set is empty".to_owned()
        } else {
            reasons.join("; ")
        };
        return Err(JwksError::NoUsableKeys(summary));
    }
    Ok((map, skipped))
}

fn str_field<'a>(jwk: &'a Value, name: &str) -> Result<&'a str, String> {
    jwk.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing or non-string `{name}`"))
}

fn b64_field(jwk: &Value, name: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(str_field(jwk, name)?)
        .map_err(|_| format!("`{name}` is not base64url"))
}

fn parse_jwk(jwk: &Value) -> Result<VerifyingKey, String> {
    if !jwk.is_object() {
        return Err("not a JSON object".into());
    }
    if let Some(usage) = jwk.get("use")
        && usage.as_str() != Some("sig")
    {
        return Err("`use` is not `sig`".into());
    }
    let kty = str_field(jwk, "kty")?;
    let (kind, verifiers, material) = match kty {
        "RSA" => {
            let n = b64_field(jwk, "n")?;
            let e = b64_field(jwk, "e")?;
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            if bits < 2048 {
                return Err(format!(
                    "RSA modulus of about {bits} bits; at least 2048 needed"
                ));
            }
            if e.iter().all(|b| *b == 0) {
                return Err("empty RSA exponent".into());
            }
            let material = format!(
                "RSA {} {}",
                URL_SAFE_NO_PAD.encode(&n),
                URL_SAFE_NO_PAD.encode(&e)
            );
            (KeyKind::Rsa, rsa_verifiers(&n, &e)?, material)
        }
        "EC" => ec_key(jwk)?,
        "OKP" => {
            let crv = str_field(jwk, "crv")?;
            if crv != "Ed25519" {
                return Err(format!("unsupported OKP curve {crv:?} (Ed25519 only)"));
            }
            let x = b64_field(jwk, "x")?;
            if x.len() != 32 {
                return Err("Ed25519 key is not 32 bytes".into());
            }
            let material = format!("OKP {}", URL_SAFE_NO_PAD.encode(&x));
            (
                KeyKind::Ed25519,
                single_verifier(Algorithm::EdDSA, &signature::ED25519, &x)?,
                material,
            )
        }
        "oct" => return Err("symmetric (`oct`) keys are never used".into()),
        other => return Err(format!("unsupported key type {other:?}")),
    };
    if let Some(alg) = jwk.get("alg") {
        // The JWK's `alg` may differ from the token's (Casdoor signs RS512 with a key labelled RS256);
        // only a label from another family marks the key as unusable.
        let fits = alg
            .as_str()
            .and_then(|a| a.parse::<Algorithm>().ok())
            .is_some_and(|a| family_of(a) == family_of_kind(kind));
        if !fits {
            return Err(format!("`alg` {alg} does not fit a {kty} key"));
        }
    }
    Ok(VerifyingKey {
        kind,
        verifiers,
        material,
    })
}

/// An `EC` JWK: the curve named by `crv`, coordinates of exactly that curve's length.
fn ec_key(jwk: &Value) -> Result<(KeyKind, Verifiers, String), String> {
    let (kind, len, alg, verification): (_, _, _, &'static dyn VerificationAlgorithm) =
        match str_field(jwk, "crv")? {
            "P-256" => (
                KeyKind::P256,
                32,
                Algorithm::ES256,
                &signature::ECDSA_P256_SHA256_FIXED,
            ),
            "P-384" => (
                KeyKind::P384,
                48,
                Algorithm::ES384,
                &signature::ECDSA_P384_SHA384_FIXED,
            ),
            // 521 bits: each coordinate is 66 bytes (RFC 7518 §6.2.1.2).
            "P-521" => (
                KeyKind::P521,
                66,
                Algorithm::ES512,
                &signature::ECDSA_P521_SHA512_FIXED,
            ),
            other => {
                return Err(format!(
                    "unsupported EC curve {other:?} (P-256, P-384 and P-521 only)"
                ));
            }
        };
    let x = b64_field(jwk, "x")?;
    let y = b64_field(jwk, "y")?;
    if x.len() != len || y.len() != len {
        return Err("EC coordinates have the wrong length for the curve".into());
    }
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    let material = format!("EC {}", URL_SAFE_NO_PAD.encode(&point));
    Ok((kind, single_verifier(alg, verification, &point)?, material))
}

#[derive(PartialEq)]
enum Family {
    Rsa,
    Ec,
    Ed,
    Other,
}

fn family_of(alg: Algorithm) -> Family {
    match alg {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => Family::Rsa,
        Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => Family::Ec,
        Algorithm::EdDSA => Family::Ed,
        _ => Family::Other,
    }
}

fn family_of_kind(kind: KeyKind) -> Family {
    match kind {
        KeyKind::Rsa => Family::Rsa,
        KeyKind::P256 | KeyKind::P384 | KeyKind::P521 => Family::Ec,
        KeyKind::Ed25519 => Family::Ed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn odd_keys_are_skipped_not_fatal() {
        let set = json!({"keys": [
            {"kty": "EC", "crv": "secp256k1", "kid": "k1", "x": "AA", "y": "AA"},
            {"kty": "EC", "crv": "P-521", "kid": "short-p521", "x": "AA", "y": "AA"},
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
            {"kty": "XYZ", "kid": "weird"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": URL_SAFE_NO_PAD.encode([7u8; 32])},
            {"kty": "OKP", "crv": "Ed25519", "kid": "enc", "use": "enc", "x": URL_SAFE_NO_PAD.encode([7u8; 32])},
        ]});
        let (map, skipped) = parse_jwks(&set, None).expect("one usable key");
        assert_eq!(map.keys().collect::<Vec<_>>(), ["ed"]);
        let kids: Vec<&str> = skipped.iter().map(|s| s.kid.as_str()).collect();
        assert_eq!(kids, ["k1", "short-p521", "secret", "weird", "enc"]);
    }

    #[test]
    fn a_set_without_usable_keys_is_an_error() {
        assert!(matches!(
            parse_jwks(&json!({"keys": []}), None),
            Err(JwksError::NoUsableKeys(_))
        ));
        assert!(matches!(
            parse_jwks(&json!([1, 2]), None),
            Err(JwksError::NotAKeySet)
        ));
    }

    fn rsa_jwk(pair: &aws_lc_rs::rsa::KeyPair, pad_with_zero: bool) -> Value {
        use aws_lc_rs::signature::KeyPair as _;
        let public = pair.public_key();
        let mut n = public.modulus().big_endian_without_leading_zero().to_vec();
        if pad_with_zero {
            n.insert(0, 0);
        }
        let e = public.exponent().big_endian_without_leading_zero();
        json!({"keys": [{"kty": "RSA", "kid": "rsa", "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)}]})
    }

    #[test]
    fn an_rsa_key_verifies_each_signature_only_under_its_own_algorithm() {
        use aws_lc_rs::rsa::{KeyPair, KeySize};
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let sign = |padding: &'static dyn aws_lc_rs::signature::RsaEncoding| {
            let mut sig = vec![0; pair.public_modulus_len()];
            pair.sign(padding, &rng, b"head.body", &mut sig)
                .expect("signs");
            sig
        };
        let rs256 = sign(&signature::RSA_PKCS1_SHA256);
        let ps512 = sign(&signature::RSA_PSS_SHA512);
        // A modulus written with a leading zero byte is the same key.
        for padded in [false, true] {
            let (map, skipped) = parse_jwks(&rsa_jwk(&pair, padded), None).expect("parses");
            assert!(skipped.is_empty(), "{skipped:?}");
            let key = &map["rsa"];
            assert!(key.verify(Algorithm::RS256, b"head.body", &rs256));
            assert!(key.verify(Algorithm::PS512, b"head.body", &ps512));
            assert!(!key.verify(Algorithm::RS256, b"head.bodY", &rs256));
            for other in [
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::ES256,
            ] {
                assert!(!key.verify(other, b"head.body", &rs256), "{other:?}");
            }
            assert!(!key.verify(Algorithm::PS256, b"head.body", &ps512));
        }
    }

    #[test]
    fn a_key_aws_lc_rs_cannot_parse_is_skipped() {
        // (1, 1) is not on P-256: every token naming it would fail, so it is not loaded.
        let mut one = [0u8; 32];
        one[31] = 1;
        let set = json!({"keys": [
            {"kty": "EC", "crv": "P-256", "kid": "off-curve", "x": URL_SAFE_NO_PAD.encode(one), "y": URL_SAFE_NO_PAD.encode(one)},
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": URL_SAFE_NO_PAD.encode([7u8; 32])},
        ]});
        let (map, skipped) = parse_jwks(&set, None).expect("one usable key");
        assert_eq!(map.keys().collect::<Vec<_>>(), ["ed"]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].kid, "off-curve");
        assert!(
            skipped[0].reason.contains("not a valid public key"),
            "{}",
            skipped[0].reason
        );
    }

    fn ec_jwk(pair: &aws_lc_rs::signature::EcdsaKeyPair, crv: &str, kid: &str) -> Value {
        use aws_lc_rs::signature::KeyPair as _;
        let point = pair.public_key().as_ref();
        let len = (point.len() - 1) / 2;
        json!({"kty": "EC", "crv": crv, "kid": kid, "alg": "ES512",
            "x": URL_SAFE_NO_PAD.encode(&point[1..=len]), "y": URL_SAFE_NO_PAD.encode(&point[1 + len..])})
    }

    #[test]
    fn a_p521_key_verifies_es512_and_nothing_else() {
        use aws_lc_rs::signature::{ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair};
        let pair = EcdsaKeyPair::generate(&ECDSA_P521_SHA512_FIXED_SIGNING).expect("a P-521 key");
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let sig = pair.sign(&rng, b"head.body").expect("signs");
        let (map, skipped) =
            parse_jwks(&json!({"keys": [ec_jwk(&pair, "P-521", "p521")]}), None).expect("parses");
        assert!(skipped.is_empty(), "{skipped:?}");
        let key = &map["p521"];
        assert_eq!(key.kind, KeyKind::P521);
        assert!(key.verify(Algorithm::ES512, b"head.body", sig.as_ref()));
        assert!(!key.verify(Algorithm::ES512, b"head.bodY", sig.as_ref()));
        for other in [Algorithm::ES256, Algorithm::ES384, Algorithm::RS512] {
            assert!(!key.kind.fits(other), "{other:?}");
            assert!(!key.verify(other, b"head.body", sig.as_ref()), "{other:?}");
        }
    }

    #[test]
    fn a_p521_point_published_under_another_curve_is_skipped() {
        use aws_lc_rs::signature::{ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair};
        let pair = EcdsaKeyPair::generate(&ECDSA_P521_SHA512_FIXED_SIGNING).expect("a P-521 key");
        let set = json!({"keys": [
            ec_jwk(&pair, "P-384", "claims-p384"),
            ec_jwk(&pair, "P-256", "claims-p256"),
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": URL_SAFE_NO_PAD.encode([7u8; 32])},
        ]});
        let (map, skipped) = parse_jwks(&set, None).expect("one usable key");
        assert_eq!(map.keys().collect::<Vec<_>>(), ["ed"]);
        for s in &skipped {
            assert!(s.reason.contains("wrong length"), "{s:?}");
        }
        assert_eq!(skipped.len(), 2);
    }

    #[test]
    fn unchanged_keys_keep_their_identity() {
        let set = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": URL_SAFE_NO_PAD.encode([7u8; 32])}]});
        let (first, _) = parse_jwks(&set, None).expect("parses");
        let (second, _) = parse_jwks(&set, Some(&first)).expect("parses");
        assert!(Arc::ptr_eq(&first["ed"], &second["ed"]));
    }
}
