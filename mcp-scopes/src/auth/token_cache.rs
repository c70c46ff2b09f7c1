//! A small cache of tokens that already passed validation.
//!
//! A hit costs a hash of the token, a map lookup and a comparison of the token's bytes (a fraction
//! of a microsecond) where a verification costs 15–50 µs, and clients send the same token on every
//! request. Only successes are stored. An entry is found by a keyed 64-bit hash of the whole token
//! (foldhash, seeded at random per process, so which tokens share a slot cannot be chosen), and
//! served only when the stored token equals the presented one byte for byte, compared in constant
//! time: a token with edited claims, or one that happens to share the hash, is never served another
//! token's validation. (An earlier version keyed entries on the SHA-256 of the token, which was most
//! of a hit's cost.) An entry lives at most until the token's `exp` and at most the configured TTL,
//! and is ignored once its signing key is no longer the one published under its `kid`. Each entry
//! keeps its token, so an entry takes about the token's size plus its `Principal`.

use std::collections::HashMap;
use std::hash::BuildHasher as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Principal;
use super::keys::VerifyingKey;

const SHARDS: usize = 16;

/// The keyed hash an entry is filed under.
type Slot = u64;

struct Entry {
    /// The token itself, compared with the presented one on every hit.
    token: Box<str>,
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
    shards: Vec<Mutex<HashMap<Slot, Entry>>>,
    hasher: foldhash::quality::RandomState,
    per_shard: usize,
    ttl: Duration,
}

impl TokenCache {
    /// A cache of about `capacity` entries (0 = off), each kept at most `ttl`.
    pub(crate) fn new(capacity: usize, ttl: Duration) -> Self {
        let per_shard = capacity.div_ceil(SHARDS);
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: foldhash::quality::RandomState::default(),
            per_shard,
            ttl,
        }
    }

    /// Where `token` is filed.
    pub(crate) fn slot(&self, token: &str) -> Slot {
        self.hasher.hash_one(token.as_bytes())
    }

    fn shard(&self, slot: Slot) -> &Mutex<HashMap<Slot, Entry>> {
        // The remainder is below SHARDS, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let index = (slot % SHARDS as u64) as usize;
        &self.shards[index]
    }

    /// The cached validation of `token` (filed under `slot`), if there is one and it is fresh.
    pub(crate) fn get(&self, slot: Slot, token: &str) -> Option<Hit> {
        if self.per_shard == 0 {
            return None;
        }
        let mut shard = self.shard(slot).lock().ok()?;
        let entry = shard.get(&slot)?;
        if !same_token(&entry.token, token) {
            return None;
        }
        if entry.expires <= Instant::now() {
            shard.remove(&slot);
            return None;
        }
        Some(Hit {
            principal: Arc::clone(&entry.principal),
            kid: Arc::clone(&entry.kid),
            key: Arc::clone(&entry.key),
        })
    }

    /// Forgets `token` (its key left the set).
    pub(crate) fn remove(&self, slot: Slot, token: &str) {
        if let Ok(mut shard) = self.shard(slot).lock()
            && shard
                .get(&slot)
                .is_some_and(|e| same_token(&e.token, token))
        {
            shard.remove(&slot);
        }
    }

    /// Stores a successful validation of `token` that stays valid for `remaining` (time to `exp`).
    /// A token filed under the same slot as another is stored in its place.
    pub(crate) fn insert(
        &self,
        slot: Slot,
        token: &str,
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
        let Ok(mut shard) = self.shard(slot).lock() else {
            return;
        };
        if shard.len() >= self.per_shard && !shard.contains_key(&slot) {
            shard.retain(|_, e| e.expires > now);
            if shard.len() >= self.per_shard {
                // Full of live entries: evict the one closest to expiry.
                if let Some(victim) = shard.iter().min_by_key(|(_, e)| e.expires).map(|(k, _)| *k) {
                    shard.remove(&victim);
                }
            }
        }
        shard.insert(
            slot,
            Entry {
                token: token.into(),
                principal,
                kid: Arc::from(kid),
                key: Arc::clone(key),
                expires: now + life,
            },
        );
    }
}

/// Whether two tokens are the same, in time that depends only on their lengths.
fn same_token(stored: &str, presented: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(stored.as_bytes(), presented.as_bytes())
        .is_ok()
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
                cache.slot(&token),
                &token,
                principal(n),
                "k",
                &key,
                Duration::from_mins(1),
            );
        }
        assert!(entries(&cache) <= 32, "{} entries", entries(&cache));
        let last = cache
            .get(cache.slot("token-999"), "token-999")
            .expect("newest kept");
        assert_eq!(last.principal.subject.as_deref(), Some("user-999"));
    }

    #[test]
    fn entries_live_no_longer_than_the_token_or_the_ttl() {
        let key = key();
        let (short, long) = ("short-lived token", "long-lived token");
        let put = |cache: &TokenCache, token: &str, n: usize, life: Duration| {
            cache.insert(cache.slot(token), token, principal(n), "k", &key, life);
        };
        let found = |cache: &TokenCache, token: &str| cache.get(cache.slot(token), token).is_some();
        // A TTL far longer than the test: only the token's own expiry can end an entry.
        let cache = TokenCache::new(100, Duration::from_mins(5));
        put(&cache, short, 1, Duration::from_millis(1));
        put(&cache, long, 2, Duration::from_hours(1));
        // A sleep lasts at least as long as asked, so the short token is past its expiry.
        std::thread::sleep(Duration::from_millis(5));
        assert!(!found(&cache, short), "outlived its exp");
        assert!(found(&cache, long));
        // A short TTL ends an entry whose token lives on.
        let cache = TokenCache::new(100, Duration::from_millis(50));
        put(&cache, long, 2, Duration::from_hours(1));
        std::thread::sleep(Duration::from_millis(60));
        assert!(!found(&cache, long), "outlived the TTL");
        let off = TokenCache::new(0, Duration::from_mins(1));
        put(&off, long, 3, Duration::from_mins(1));
        assert!(!found(&off, long), "a zero capacity turns the cache off");
    }

    #[test]
    fn only_the_same_token_is_served_from_its_slot() {
        let cache = TokenCache::new(100, Duration::from_mins(5));
        let token = "header.payload.signature";
        let slot = cache.slot(token);
        cache.insert(
            slot,
            token,
            principal(1),
            "k",
            &key(),
            Duration::from_mins(1),
        );
        // Another token looked up under the same slot, as if the hashes had collided.
        for other in ["header.payload.signaturf", "header.payload.signature.", ""] {
            assert!(cache.get(slot, other).is_none(), "{other:?}");
        }
        cache.remove(slot, "header.edited.signature");
        assert!(cache.get(slot, token).is_some(), "removed by another token");
        cache.remove(slot, token);
        assert!(cache.get(slot, token).is_none());
    }
}
