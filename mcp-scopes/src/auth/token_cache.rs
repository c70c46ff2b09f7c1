//! A small cache of tokens that already passed validation.
//!
//! A hit costs a SHA-256 and a map lookup (well under a microsecond) where a verification costs
//! 15–50 µs, and clients send the same token on every request. Only successes are stored; the key is
//! the SHA-256 of the whole token (never the signature alone, which would let a token with edited
//! claims ride on a cached signature); an entry lives at most until the token's `exp` and at most the
//! configured TTL, and is ignored once its signing key is no longer the one published under its `kid`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::Principal;
use super::keys::VerifyingKey;

const SHARDS: usize = 16;

type Fingerprint = [u8; 32];

struct Entry {
    principal: Arc<Principal>,
    kid: Arc<str>,
    key: Arc<VerifyingKey>,
    expires: Instant,
}

/// A cached validation, before its key has been checked against the current key set.
pub(crate) struct Hit {
    pub(crate) principal: Arc<Principal>,
    pub(crate) kid: Arc<str>,
    pub(crate) key: Arc<VerifyingKey>,
}

/// Sharded so concurrent requests rarely contend on one mutex; each critical section is a map
/// operation, never I/O.
pub(crate) struct TokenCache {
    shards: Vec<Mutex<HashMap<Fingerprint, Entry>>>,
    per_shard: usize,
    ttl: Duration,
}

impl TokenCache {
    /// A cache of about `capacity` entries (0 = off), each kept at most `ttl`.
    pub(crate) fn new(capacity: usize, ttl: Duration) -> Self {
        let per_shard = capacity.div_ceil(SHARDS);
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard,
            ttl,
        }
    }

    pub(crate) fn fingerprint(token: &str) -> Fingerprint {
        Sha256::digest(token.as_bytes()).into()
    }

    fn shard(&self, fp: &Fingerprint) -> &Mutex<HashMap<Fingerprint, Entry>> {
        &self.shards[usize::from(fp[0]) % SHARDS]
    }

    /// The cached validation of the token with this fingerprint, if fresh.
    pub(crate) fn get(&self, fp: &Fingerprint) -> Option<Hit> {
        if self.per_shard == 0 {
            return None;
        }
        let mut shard = self.shard(fp).lock().ok()?;
        let entry = shard.get(fp)?;
        if entry.expires <= Instant::now() {
            shard.remove(fp);
            return None;
        }
        Some(Hit {
            principal: Arc::clone(&entry.principal),
            kid: Arc::clone(&entry.kid),
            key: Arc::clone(&entry.key),
        })
    }

    /// Forgets one token (its key left the set).
    pub(crate) fn remove(&self, fp: &Fingerprint) {
        if let Ok(mut shard) = self.shard(fp).lock() {
            shard.remove(fp);
        }
    }

    /// Stores a successful validation that stays valid for `remaining` (time to `exp`).
    pub(crate) fn insert(
        &self,
        fp: Fingerprint,
        principal: Arc<Principal>,
        kid: &str,
        key: &Arc<VerifyingKey>,
        remaining: Duration,
    ) {
        let life = remaining.min(self.ttl);
        if self.per_shard == 0 || life.is_zero() {
            return;
        }
        let now = Instant::now();
        let Ok(mut shard) = self.shard(&fp).lock() else {
            return;
        };
        if shard.len() >= self.per_shard && !shard.contains_key(&fp) {
            shard.retain(|_, e| e.expires > now);
            if shard.len() >= self.per_shard {
                // Full of live entries: evict the one closest to expiry.
                if let Some(victim) = shard.iter().min_by_key(|(_, e)| e.expires).map(|(k, _)| *k) {
                    shard.remove(&victim);
                }
            }
        }
        shard.insert(
            fp,
            Entry {
                principal,
                kid: Arc::from(kid),
                key: Arc::clone(key),
                expires: now + life,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::parse_jwks;
    use crate::scope::ScopeSet;
    use serde_json::{Map, json};

    fn key() -> Arc<VerifyingKey> {
        let set = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "B3-3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7c"}]});
        let (map, _) = parse_jwks(&set, None).expect("a key");
        Arc::clone(&map["k"])
    }

    fn principal(n: usize) -> Arc<Principal> {
        Arc::new(Principal {
            subject: Some(format!("user-{n}")),
            client_id: None,
            issuer: "https://issuer.test".into(),
            expires_at: 0,
            jti: None,
            scopes: ScopeSet::new(),
            claims: Map::new(),
        })
    }

    fn entries(cache: &TokenCache) -> usize {
        cache
            .shards
            .iter()
            .map(|s| s.lock().expect("not poisoned").len())
            .sum()
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = TokenCache::new(32, Duration::from_mins(1));
        let key = key();
        for n in 0..1000 {
            let token = format!("token-{n}");
            cache.insert(
                TokenCache::fingerprint(&token),
                principal(n),
                "k",
                &key,
                Duration::from_mins(1),
            );
        }
        assert!(entries(&cache) <= 32, "{} entries", entries(&cache));
        let last = cache
            .get(&TokenCache::fingerprint("token-999"))
            .expect("newest kept");
        assert_eq!(last.principal.subject.as_deref(), Some("user-999"));
    }

    #[test]
    fn entries_live_no_longer_than_the_token_or_the_ttl() {
        let key = key();
        let short = TokenCache::fingerprint("short-lived token");
        let long = TokenCache::fingerprint("long-lived token");
        // A TTL far longer than the test: only the token's own expiry can end an entry.
        let cache = TokenCache::new(100, Duration::from_mins(5));
        cache.insert(short, principal(1), "k", &key, Duration::from_millis(1));
        cache.insert(long, principal(2), "k", &key, Duration::from_hours(1));
        // A sleep lasts at least as long as asked, so the short token is past its expiry.
        std::thread::sleep(Duration::from_millis(5));
        assert!(cache.get(&short).is_none(), "outlived its exp");
        assert!(cache.get(&long).is_some());
        // A short TTL ends an entry whose token lives on.
        let cache = TokenCache::new(100, Duration::from_millis(50));
        cache.insert(long, principal(2), "k", &key, Duration::from_hours(1));
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(&long).is_none(), "outlived the TTL");
        let off = TokenCache::new(0, Duration::from_mins(1));
        off.insert(long, principal(3), "k", &key, Duration::from_mins(1));
        assert!(
            off.get(&long).is_none(),
            "a zero capacity turns the cache off"
        );
    }
}
