//! Casdoor's signing certs and how it signs: RSA and EC keys whose name is the `kid`, the JWKS it
//! publishes (x5c included), and compact JWTs signed with a `{"alg","kid","typ":"JWT"}` header
//! (object/token_jwt.go). The claims that go into them are in `tokens.rs`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{self, KeySize};
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
    ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair as _,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

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
/// says RS256, as Casdoor takes the JWK `alg` from the cert), P-256, P-384 and P-521 (ES512).
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

/// The (cert, alg) pairs Casdoor can sign with: every one of them is verified.
pub const SIGNERS: [(&str, &str); 5] = [
    ("cert-built-in", "RS256"),
    ("cert-rs512-app", "RS512"),
    ("cert-es256", "ES256"),
    ("cert-es384", "ES384"),
    ("cert-es512", "ES512"),
];
