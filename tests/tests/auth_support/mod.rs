//! Test support for the auth suites: keys of every supported family that can sign arbitrary (also
//! hostile) headers and payloads, and a loopback JWKS server whose keys and behaviour a test controls.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
    ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair,
    RsaPublicKeyComponents,
};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

pub const ISSUER: &str = "https://auth.example.test";
pub const RESOURCE: &str = "https://mcp.example.test/mcp";

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

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
    pub kid: String,
    pair: Pair,
    jwk: Value,
}

impl TestKey {
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

    pub fn p256(kid: &str) -> Self {
        Self::ec(kid, &ECDSA_P256_SHA256_FIXED_SIGNING, "P-256", 32)
    }

    pub fn p384(kid: &str) -> Self {
        Self::ec(kid, &ECDSA_P384_SHA384_FIXED_SIGNING, "P-384", 48)
    }

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
    pub rsa: TestKey,
    pub p256: TestKey,
    pub p384: TestKey,
    pub p521: TestKey,
    pub ed: TestKey,
    /// Not published: an attacker's key.
    pub stranger: TestKey,
}

impl KeyRing {
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

/// How the JWKS server answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Up,
    Down,
    Slow(Duration),
}

struct ServerState {
    jwks: Mutex<Value>,
    mode: Mutex<Mode>,
    cache_control: Mutex<Option<String>>,
    documents: Mutex<HashMap<String, Value>>,
    requested_documents: Mutex<Vec<String>>,
    jwks_fetches: AtomicUsize,
}

/// A JWKS (and metadata) server on 127.0.0.1 with a random port.
pub struct JwksServer {
    pub base: String,
    state: Arc<ServerState>,
    task: tokio::task::JoinHandle<()>,
}

async fn serve_jwks(State(state): State<Arc<ServerState>>) -> Response {
    state.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let mode = *state.mode.lock().expect("lock");
    match mode {
        Mode::Down => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Mode::Slow(delay) => tokio::time::sleep(delay).await,
        Mode::Up => {}
    }
    let body = state.jwks.lock().expect("lock").clone();
    let mut headers = HeaderMap::new();
    if let Some(cc) = state.cache_control.lock().expect("lock").clone() {
        headers.insert("cache-control", HeaderValue::from_str(&cc).expect("header"));
    }
    (headers, axum::Json(body)).into_response()
}

async fn serve_document(
    State(state): State<Arc<ServerState>>,
    Path(path): Path<String>,
) -> Response {
    let doc = state
        .documents
        .lock()
        .expect("lock")
        .get(&format!("/{path}"))
        .cloned();
    match doc {
        Some(doc) => axum::Json(doc).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl JwksServer {
    pub async fn start(jwks: Value) -> Self {
        let state = Arc::new(ServerState {
            jwks: Mutex::new(jwks),
            mode: Mutex::new(Mode::Up),
            cache_control: Mutex::new(None),
            documents: Mutex::new(HashMap::new()),
            requested_documents: Mutex::new(Vec::new()),
            jwks_fetches: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/jwks", get(serve_jwks))
            .route("/{*path}", get(serve_document))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self { base, state, task }
    }

    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.base)
    }

    pub fn set_keys(&self, jwks: Value) {
        *self.state.jwks.lock().expect("lock") = jwks;
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().expect("lock") = mode;
    }

    pub fn set_cache_control(&self, value: &str) {
        *self.state.cache_control.lock().expect("lock") = Some(value.to_owned());
    }

    /// Serves `doc` at `path` (which starts with `/`).
    pub fn set_document(&self, path: &str, doc: Value) {
        self.state
            .documents
            .lock()
            .expect("lock")
            .insert(path.to_owned(), doc);
    }

    /// The paths requested other than `/jwks`, in order.
    pub fn requested_documents(&self) -> Vec<String> {
        self.state.requested_documents.lock().expect("lock").clone()
    }

    pub fn fetches(&self) -> usize {
        self.state.jwks_fetches.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Polls `check` every 10 ms until it holds, failing after `limit`.
pub async fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
