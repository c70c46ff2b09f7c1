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
    kid: String,
    key: Arc<VerifyingKey>,
    expires: Instant,
}

/// A cached validation, before its key has been checked against the current key set.
pub(crate) struct Hit {
    pub(crate) principal: Arc<Principal>,
    pub(crate) kid: String,
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
            kid: entry.kid.clone(),
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
                kid: kid.to_owned(),
                key: Arc::clone(key),
                expires: now + life,
            },
        );
    }
}
