//! A development signing key: lets the example server, its `token` command and the tests mint access
//! tokens that go through exactly the same validation as tokens from a real authorization server
//! (the validator gets the key's JWK set through [`super::ValidatorConfig::static_jwks`]).
//!
//! ES256 (P-256) because it is small, fast to generate and verified by every client library.

use std::fs::{self, OpenOptions};
use std::io::{self, Read as _, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

mod claims;

pub use claims::{MAX_DEV_TOKEN_TTL, MintError, TokenClaims};

const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";

/// An ES256 key pair for minting development tokens.
pub struct DevSigner {
    pkcs8: Vec<u8>,
    encoding: EncodingKey,
    x: String,
    y: String,
    kid: String,
}

impl std::fmt::Debug for DevSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A key file is a few hundred bytes; anything much larger is not one.
const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

/// Opens `path` for reading without following a symbolic link at its last name (`O_NOFOLLOW`, in
/// one step, so a link swapped in after a check is never read through), and without waiting on a
/// FIFO (`O_NONBLOCK`; the caller checks that the file opened is a regular one).
#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => Ok(fs::File::from(fd)),
        Err(rustix::io::Errno::LOOP) => Err(symbolic_link(path)),
        Err(errno) => Err(errno.into()),
    }
}

/// Elsewhere a check of the path before opening it (no `O_NOFOLLOW` in std).
#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(symbolic_link(path));
    }
    fs::File::open(path)
}

fn symbolic_link(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a symbolic link; the development key is never read through a link: put the key file itself there, or remove the link to create a new key",
            path.display()
        ),
    )
}

fn invalid(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{} is not a development signing key ({what}); move it away to create a new one",
            path.display()
        ),
    )
}

impl DevSigner {
    /// A fresh key, kept only in memory.
    ///
    /// # Panics
    /// If the system cannot generate a P-256 key (no randomness): nothing can be signed then.
    pub fn generate() -> Self {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("generating a P-256 key");
        Self::from_pkcs8(pkcs8.as_ref()).expect("a freshly generated key parses")
    }

    /// Reads the key stored at `path`, or creates one there (PEM PKCS#8, mode 0600, written to a
    /// temporary file and linked into place so a crash never leaves half a key). An existing file that
    /// is not such a key is an error, never overwritten. A symbolic link at `path` is an error too,
    /// dangling or not: the key is never read or created through a link, which could point it at
    /// another file or loop.
    pub fn load_or_create(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        match Self::load(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            loaded => return loaded,
        }
        let signer = Self::generate();
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let file_name = path.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the key path has no file name")
        })?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            file_name.to_string_lossy(),
            std::process::id()
        ));
        let written = (|| {
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp)?;
            file.write_all(signer.to_pem().as_bytes())?;
            file.sync_all()?;
            // A hard link fails if `path` appeared meanwhile, where a rename would replace it.
            fs::hard_link(&tmp, path)
        })();
        let _ = fs::remove_file(&tmp);
        match written {
            Ok(()) => Ok(signer),
            // Another process created it first: use theirs (read once; never a retry loop).
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Self::load(path),
            Err(e) => Err(e),
        }
    }

    /// Reads the key stored at `path` (PEM PKCS#8, as [`DevSigner::load_or_create`] writes it),
    /// never creating one: a missing file is an [`io::ErrorKind::NotFound`] error. A symbolic link
    /// is refused, not followed: the file is opened with `O_NOFOLLOW` and checked once open (a
    /// regular file of at most 16 KiB), so a link swapped in after a check is never read through.
    pub fn load(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let file = open_no_follow(path)?;
        // Checked on the file opened, not on the path: the path may have changed since.
        if !file.metadata()?.is_file() {
            return Err(invalid(path, "not a regular file"));
        }
        let mut text = String::new();
        match file.take(MAX_KEY_FILE_BYTES + 1).read_to_string(&mut text) {
            Ok(read) if u64::try_from(read).unwrap_or(u64::MAX) > MAX_KEY_FILE_BYTES => {
                Err(invalid(path, "larger than 16 KiB"))
            }
            Ok(_) => Self::from_pem(&text).ok_or_else(|| invalid(path, "cannot parse it")),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                Err(invalid(path, "not UTF-8 text"))
            }
            Err(e) => Err(e),
        }
    }

    fn from_pkcs8(pkcs8: &[u8]) -> Option<Self> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8).ok()?;
        let point = pair.public_key().as_ref();
        if point.len() != 65 || point[0] != 4 {
            return None;
        }
        let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&point[33..]);
        // RFC 7638 thumbprint: stable across restarts, so tokens minted earlier stay valid.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Some(Self {
            pkcs8: pkcs8.to_vec(),
            encoding: EncodingKey::from_ec_der(pkcs8),
            x,
            y,
            kid,
        })
    }

    fn from_pem(text: &str) -> Option<Self> {
        let body = text.trim().strip_prefix(PEM_BEGIN)?.strip_suffix(PEM_END)?;
        let b64: String = body.split_whitespace().collect();
        Self::from_pkcs8(&STANDARD.decode(b64).ok()?)
    }

    fn to_pem(&self) -> String {
        let b64 = STANDARD.encode(&self.pkcs8);
        let mut pem = String::from(PEM_BEGIN);
        pem.push('\n');
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str(PEM_END);
        pem.push('\n');
        pem
    }

    /// The key id (the JWK thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK set, for [`super::ValidatorConfig::static_jwks`] or a JWKS endpoint.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "EC", "crv": "P-256", "x": self.x, "y": self.y,
            "kid": self.kid, "alg": "ES256", "use": "sig",
        }]})
    }

    /// Signs a token with these claims (plus `iat`, `nbf` = now and a random `jti`).
    ///
    /// A lifetime over [`MAX_DEV_TOKEN_TTL`] is an error rather than a token that never expires.
    ///
    /// # Panics
    /// If signing fails, which cannot happen with a key that parsed.
    pub fn mint(&self, claims: &TokenClaims) -> Result<String, MintError> {
        if claims.ttl > MAX_DEV_TOKEN_TTL {
            return Err(MintError::TtlTooLong {
                requested: claims.ttl,
                max: MAX_DEV_TOKEN_TTL,
            });
        }
        // `token` mints without ever building a validator, which is where the provider is otherwise
        // installed; a build with both `jsonwebtoken` backends would panic in `encode`.
        super::crypto_provider::install_crypto_provider();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut body = Map::new();
        body.insert("iss".into(), claims.issuer.clone().into());
        body.insert("sub".into(), claims.subject.clone().into());
        body.insert("aud".into(), json!([claims.audience]));
        body.insert("iat".into(), now.into());
        body.insert("nbf".into(), now.into());
        body.insert("exp".into(), (now + claims.ttl.as_secs()).into());
        body.insert(
            "jti".into(),
            format!("dev/{:032x}", rand::random::<u128>()).into(),
        );
        if !claims.scopes.is_empty() {
            body.insert("scope".into(), claims.scopes.join(" ").into());
        }
        for (name, value) in &claims.extra {
            body.insert(name.clone(), value.clone());
        }
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, &body, &self.encoding)
            .expect("ES256 signing with a parsed key"))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::auth::{Validator, ValidatorConfig};

    fn scratch_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "mcp-scopes-dev-{name}-{}-{:x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[tokio::test]
    async fn minted_tokens_validate_through_static_jwks() {
        let signer = DevSigner::generate();
        let validator = Validator::new(
            ValidatorConfig::new("https://issuer.test", "https://mcp.test/mcp")
                .static_jwks(signer.jwks()),
        )
        .expect("valid config");
        assert!(validator.is_ready());
        let token = signer
            .mint(
                &TokenClaims::new("https://issuer.test", "https://mcp.test/mcp")
                    .subject("alice")
                    .scopes(["db:query", "db:modify"])
                    .claim("azp", "cli"),
            )
            .expect("minted");
        let principal = validator.validate(&token).await.expect("valid token");
        assert_eq!(principal.subject.as_deref(), Some("alice"));
        assert_eq!(principal.client_id.as_deref(), Some("cli"));
        assert_eq!(principal.scopes.to_string(), "db:modify db:query");
        assert!(principal.jti.is_some_and(|j| j.starts_with("dev/")));
    }

    #[test]
    fn a_lifetime_past_a_year_is_an_error_not_an_overflow() {
        let signer = DevSigner::generate();
        let claims = TokenClaims::new("https://issuer.test", "https://mcp.test/mcp");
        let err = signer
            .mint(&claims.clone().ttl(Duration::from_secs(u64::MAX)))
            .unwrap_err();
        assert!(err.to_string().contains("at most 366 days"), "{err}");
        assert!(signer.mint(&claims.ttl(MAX_DEV_TOKEN_TTL)).is_ok());
    }

    #[test]
    fn load_or_create_persists_the_key_with_owner_only_permissions() {
        let dir = scratch_dir("persist");
        let path = dir.join("keys/dev-key.pem");
        let first = DevSigner::load_or_create(&path).expect("created");
        let second = DevSigner::load_or_create(&path).expect("loaded");
        assert_eq!(first.kid(), second.kid());
        assert_eq!(first.jwks(), second.jwks());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("exists").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = fs::read_dir(path.parent().expect("dir"))
            .expect("readable")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, [std::ffi::OsString::from("dev-key.pem")]);
        fs::remove_dir_all(dir).ok();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_key_path_is_refused_and_left_alone() {
        let dir = scratch_dir("symlink");
        let real = dir.join("real.pem");
        let valid = DevSigner::load_or_create(&real).expect("created");
        let path = dir.join("dev-key.pem");
        for target in [
            dir.join("missing.pem"), // dangling
            path.clone(),            // a loop onto itself
            real.clone(),            // a valid key, still not followed
        ] {
            std::os::unix::fs::symlink(&target, &path).expect("symlink");
            let err = DevSigner::load_or_create(&path).expect_err("refused");
            assert!(err.to_string().contains("is a symbolic link"), "{err}");
            assert_eq!(fs::read_link(&path).expect("still a link"), target);
            fs::remove_file(&path).expect("unlinked");
        }
        assert!(
            !dir.join("missing.pem").exists(),
            "nothing created through the link"
        );
        assert_eq!(
            DevSigner::load_or_create(&real).expect("loaded").kid(),
            valid.kid()
        );
        fs::remove_dir_all(dir).ok();
    }

    /// The key path swapped between the real key and a link to another key (an atomic exchange of
    /// the two names, in a loop) while it is loaded: a check of the path followed by a read through
    /// it now and then read the other key, the link having been swapped in between the two.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_link_swapped_in_after_the_check_is_never_read_through() {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = scratch_dir("swap");
        let path = dir.join("dev-key.pem");
        let real = DevSigner::load_or_create(&path).expect("created");
        let other = dir.join("other.pem");
        DevSigner::load_or_create(&other).expect("created");
        let link = dir.join("link.pem");
        std::os::unix::fs::symlink(&other, &link).expect("a link");
        let stop = Arc::new(AtomicBool::new(false));
        let swapper = {
            let (path, stop) = (path.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    renameat_with(CWD, &path, CWD, &link, RenameFlags::EXCHANGE)
                        .expect("the key and the link exchanged");
                }
            })
        };
        let (mut loaded, mut refused) = (0, 0);
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(2) {
            match DevSigner::load(&path) {
                Ok(signer) => {
                    assert_eq!(signer.kid(), real.kid(), "read the key behind the link");
                    loaded += 1;
                }
                Err(err) => {
                    assert!(err.to_string().contains("is a symbolic link"), "{err}");
                    refused += 1;
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        swapper.join().expect("the swapper ends");
        assert!(
            loaded > 0 && refused > 0,
            "{loaded} loaded, {refused} refused"
        );
        fs::remove_dir_all(dir).ok();
    }

    /// A FIFO at the key path is refused at once: opening it for reading does not wait for a writer.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_fifo_at_the_key_path_is_refused_without_waiting() {
        use rustix::fs::{CWD, FileType, Mode, mknodat};
        let dir = scratch_dir("fifo");
        let path = dir.join("dev-key.pem");
        mknodat(CWD, &path, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0).expect("a FIFO");
        let err = DevSigner::load_or_create(&path).expect_err("refused");
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
        fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_corrupt_key_file_is_an_error_and_left_alone() {
        let dir = scratch_dir("corrupt");
        let path = dir.join("dev-key.pem");
        fs::write(&path, "not a key\n").expect("written");
        let err = DevSigner::load_or_create(&path).expect_err("corrupt");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(
            err.to_string().contains("is not a development signing key"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(&path).expect("still there"),
            "not a key\n"
        );
        fs::remove_dir_all(dir).ok();
    }
}
