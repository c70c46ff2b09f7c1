//! How long `Validator::validate` takes, for ES256 (the development key) and RS256 (what most
//! authorization servers, Casdoor included, sign with), with the validated-token cache hit and missed.
//!
//! A plain program rather than a criterion bench (`harness = false`), so the workspace carries no
//! benchmark framework. Each case runs a warm-up batch and then [`BATCHES`] timed batches on a
//! current-thread tokio runtime and prints the median batch as operations per second and µs per
//! operation. Run with `cargo bench -p mcp-scopes --bench validate`; under `cargo test --benches` (no
//! `--bench` argument) each case runs once, as a check that it still validates.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256,
    UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mcp_scopes::auth::{DevSigner, TokenClaims, Validator, ValidatorConfig};
use serde_json::{Map, Value, json};
use tokio::runtime::Runtime;

const ISSUER: &str = "https://issuer.bench";
const RESOURCE: &str = "https://mcp.bench/mcp";
const RSA_KID: &str = "bench-rsa";
/// Timed batches per case; the median is reported.
const BATCHES: usize = 9;
/// Roughly how long one batch should run.
const BATCH_TARGET: Duration = Duration::from_millis(150);
/// Distinct tokens minted for the "miss, cache on" case: each batch validates every one once, through a
/// fresh validator, so every call verifies a signature and inserts into the cache.
const DISTINCT_TOKENS: u32 = 1_000;

/// Mints tokens with one key and gives the JWK set that verifies them.
trait Issuer {
    fn name(&self) -> &'static str;
    fn jwks(&self) -> Value;
    fn mint(&self) -> String;
    /// The public key, parsed once, for timing the signature check alone.
    fn parsed_key(&self) -> ParsedPublicKey;
}

struct Es256(DevSigner);

impl Issuer for Es256 {
    fn name(&self) -> &'static str {
        "ES256"
    }

    fn jwks(&self) -> Value {
        self.0.jwks()
    }

    fn parsed_key(&self) -> ParsedPublicKey {
        let jwk = &self.0.jwks()["keys"][0];
        let mut point = vec![4];
        for coordinate in ["x", "y"] {
            let b64 = jwk[coordinate].as_str().expect("an EC JWK");
            point.extend(URL_SAFE_NO_PAD.decode(b64).expect("base64url"));
        }
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
            .parse()
            .expect("a P-256 point")
    }

    fn mint(&self) -> String {
        self.0
            .mint(&claims())
            .expect("a one-hour development token")
    }
}

struct Rs256 {
    encoding: EncodingKey,
    /// Writes the claims of RS256 tokens too.
    claims: DevSigner,
    n: String,
    e: String,
    /// PKCS#1 `RSAPublicKey` DER.
    public_der: Vec<u8>,
}

impl Rs256 {
    fn generate() -> Self {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("generating an RSA-2048 key");
        let pkcs8 = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
            .expect("serialising the RSA key");
        let public = pair.public_key();
        Self {
            encoding: EncodingKey::from_rsa_der(pkcs1_from_pkcs8(pkcs8.as_ref())),
            claims: DevSigner::generate(),
            n: URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            e: URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
            public_der: public.as_ref().to_vec(),
        }
    }
}

impl Issuer for Rs256 {
    fn name(&self) -> &'static str {
        "RS256"
    }

    fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA", "n": self.n, "e": self.e, "kid": RSA_KID, "alg": "RS256", "use": "sig",
        }]})
    }

    fn parsed_key(&self) -> ParsedPublicKey {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.public_der)
            .parse()
            .expect("an RSA public key")
    }

    fn mint(&self) -> String {
        // The claims DevSigner writes (with a fresh `jti`), re-signed: both algorithms validate the
        // same payload.
        let es256 = self
            .claims
            .mint(&claims())
            .expect("a one-hour development token");
        let payload = es256.split('.').nth(1).expect("a JWT has a payload");
        let body: Map<String, Value> =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url"))
                .expect("a JSON object");
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(RSA_KID.into());
        jsonwebtoken::encode(&header, &body, &self.encoding).expect("RS256 signing")
    }
}

/// The claims of every benchmark token: what a Casdoor access token for an MCP client carries, minus
/// Casdoor's user record.
fn claims() -> TokenClaims {
    TokenClaims::new(ISSUER, RESOURCE)
        .subject("built-in/alice")
        .scopes(["db:query", "db:modify", "notes:read"])
        .claim("azp", "mcp-inspector")
        .claim("tokenType", "access-token")
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (RFC 5208: a SEQUENCE of version,
/// algorithm identifier and an OCTET STRING holding the key), which is the form
/// `EncodingKey::from_rsa_der` signs with; aws-lc-rs serialises generated keys only as PKCS#8.
fn pkcs1_from_pkcs8(pkcs8: &[u8]) -> &[u8] {
    let (info, _) = der_element(pkcs8, 0x30);
    let (_version, rest) = der_element(info, 0x02);
    let (_algorithm, rest) = der_element(rest, 0x30);
    der_element(rest, 0x04).0
}

/// Splits one DER element with tag `tag` off the front of `input`: (its contents, what follows).
fn der_element(input: &[u8], tag: u8) -> (&[u8], &[u8]) {
    assert_eq!(input.first(), Some(&tag), "unexpected DER tag");
    let first = usize::from(input[1]);
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        let len = input[2..2 + count]
            .iter()
            .fold(0, |len, byte| (len << 8) | usize::from(*byte));
        (len, 2 + count)
    };
    input[header..].split_at(len)
}

fn validator(issuer: &dyn Issuer, cache_capacity: usize) -> Validator {
    Validator::new(
        ValidatorConfig::new(ISSUER, RESOURCE)
            .static_jwks(issuer.jwks())
            .token_cache(cache_capacity, Duration::from_mins(2)),
    )
    .expect("a valid benchmark configuration")
}

async fn validate_ok(validator: &Validator, token: &str) {
    // What the server's auth layer calls: the caller shared with the cache, never copied.
    let principal = validator
        .validate_shared(black_box(token))
        .await
        .expect("a benchmark token validates");
    black_box(principal);
}

/// One case: `run(iterations)` performs that many validations and returns the time they took.
struct Case<'a> {
    name: String,
    run: Box<dyn FnMut(u32) -> Duration + 'a>,
    /// A case whose unit of work is fixed (the distinct-token pool) rather than calibrated.
    fixed: Option<u32>,
}

fn cases<'a>(runtime: &'a Runtime, issuer: &'a dyn Issuer) -> Vec<Case<'a>> {
    let alg = issuer.name();
    let token = issuer.mint();

    let cached = validator(issuer, 10_000);
    let hit_token = token.clone();
    let hit = Case {
        name: format!("{alg} cache hit (same token)"),
        run: Box::new(move |n| {
            runtime.block_on(async {
                validate_ok(&cached, &hit_token).await; // the first call fills the cache
                let start = Instant::now();
                for _ in 0..n {
                    validate_ok(&cached, &hit_token).await;
                }
                start.elapsed()
            })
        }),
        fixed: None,
    };

    let uncached = validator(issuer, 0);
    let off = Case {
        name: format!("{alg} miss, cache off (capacity 0)"),
        run: Box::new(move |n| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..n {
                    validate_ok(&uncached, &token).await;
                }
                start.elapsed()
            })
        }),
        fixed: None,
    };

    let pool: Vec<String> = (0..DISTINCT_TOKENS).map(|_| issuer.mint()).collect();
    let distinct = Case {
        name: format!("{alg} miss, cache on ({DISTINCT_TOKENS} distinct tokens)"),
        run: Box::new(move |n| {
            let fresh = validator(issuer, 10_000);
            runtime.block_on(async {
                let start = Instant::now();
                for token in pool.iter().cycle().take(n as usize) {
                    validate_ok(&fresh, token).await;
                }
                start.elapsed()
            })
        }),
        fixed: Some(DISTINCT_TOKENS),
    };

    let key = issuer.parsed_key();
    let (signed, signature) = signature_parts(&issuer.mint());
    let floor = Case {
        name: format!("{alg} signature check alone (aws-lc-rs)"),
        run: Box::new(move |n| {
            let start = Instant::now();
            for _ in 0..n {
                key.verify_sig(black_box(&signed), black_box(&signature))
                    .expect("a good signature");
            }
            start.elapsed()
        }),
        fixed: None,
    };

    vec![hit, off, distinct, floor]
}

/// A token's signed part (`header.payload`) and its decoded signature.
fn signature_parts(token: &str) -> (Vec<u8>, Vec<u8>) {
    let (signed, signature) = token.rsplit_once('.').expect("a JWT");
    let signature = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
    (signed.as_bytes().to_vec(), signature)
}

/// Iterations that make one batch last about [`BATCH_TARGET`].
fn calibrate(run: &mut dyn FnMut(u32) -> Duration) -> u32 {
    let mut n = 16u32;
    loop {
        let took = run(n);
        if took >= BATCH_TARGET / 4 || n >= 1 << 24 {
            let per_op = took.as_secs_f64() / f64::from(n);
            let wanted = (BATCH_TARGET.as_secs_f64() / per_op).clamp(1.0, f64::from(u32::MAX));
            // Truncation is fine: the value is a positive whole number of iterations in range.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            return wanted as u32;
        }
        n *= 4;
    }
}

fn measure(case: &mut Case<'_>) {
    let n = case.fixed.unwrap_or_else(|| calibrate(&mut case.run));
    (case.run)(n); // warm-up
    let mut per_op: Vec<f64> = (0..BATCHES)
        .map(|_| (case.run)(n).as_secs_f64() / f64::from(n))
        .collect();
    per_op.sort_by(f64::total_cmp);
    let median = per_op[BATCHES / 2];
    let (low, high) = (per_op[0], per_op[BATCHES - 1]);
    println!(
        "{:<48} {:>12.0} ops/s {:>9.2} µs/op   (batches of {n}, min {:.2}, max {:.2} µs)",
        case.name,
        1.0 / median,
        median * 1e6,
        low * 1e6,
        high * 1e6,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then one pass is enough.
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread tokio runtime");
    let es256 = Es256(DevSigner::generate());
    let rs256 = Rs256::generate();
    let issuers: [&dyn Issuer; 2] = [&es256, &rs256];
    if benchmarking {
        for issuer in issuers {
            println!("{}: token of {} bytes", issuer.name(), issuer.mint().len());
        }
        println!(
            "median of {BATCHES} batches of about {} ms, wall clock, one current-thread runtime",
            BATCH_TARGET.as_millis()
        );
    }
    for issuer in issuers {
        for mut case in cases(&runtime, issuer) {
            if benchmarking {
                measure(&mut case);
            } else {
                (case.run)(1);
            }
        }
    }
}
