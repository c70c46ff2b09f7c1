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
//! and is ignored once its signing key is no longer the one published under its `kid`.
//!
//! Each entry keeps its token and its `Principal` (every claim of the token), so an entry's size is
//! the client's choice up to the token size limit (64 KiB with the Casdoor preset, whose tokens
//! embed the user record). The cache is bounded twice: in entries, and in bytes, each entry weighed
//! as its token's length plus an estimate of its claims' memory (every string's length, the size of
//! every JSON value and map slot, a B-tree node per map, an array's spare capacity) plus a fixed
//! overhead. Measured against the process's resident memory (3000 entries of 1 KiB tokens with
//! 1 KiB of claims, of 8 + 8 KiB and of 2 + 30 KiB) the estimate was 5 % below what the small
//! ones used (11.1 against 11.6 MiB) and 30 % and 100 % above for the larger ones, so the real
//! use stays within about the budget. When either bound would be passed,
//! expired entries go first, then those closest to expiry.

use std::collections::HashMap;
use std::hash::BuildHasher as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::Principal;
use super::keys::VerifyingKey;

const SHARDS: usize = 16;

/// What every entry costs besides its strings: the entry and its `Principal`, the map slot, the
/// reference counts and the `kid`.
const ENTRY_OVERHEAD: usize =
    size_of::<Entry>() + size_of::<Principal>() + size_of::<(Slot, Entry)>() + 64;

/// What a JSON value costs besides its strings.
const VALUE_OVERHEAD: usize = size_of::<Value>();

/// What a map slot costs besides its key and value (the key's `String`, the tree's share).
const MAP_SLOT_OVERHEAD: usize = size_of::<String>() + 16;

/// What a map costs however few its entries: a B-tree node is allocated for eleven.
const MAP_NODE: usize = 11 * (size_of::<String>() + size_of::<Value>()) + 32;

/// The keyed hash an entry is filed under.
type Slot = u64;

struct Entry {
    /// The token itself, compared with the presented one on every hit.
    token: Box<str>,
    principal: Arc<Principal>,
    kid: Arc<str>,
    key: Arc<VerifyingKey>,
    expires: Instant,
    /// What this entry counts against the byte budget ([`weight`]).
    weight: usize,
}

/// One shard's entries and what they weigh together.
#[derive(Default)]
struct Shard {
    entries: HashMap<Slot, Entry>,
    bytes: usize,
}

impl Shard {
    fn remove(&mut self, slot: Slot) {
        if let Some(entry) = self.entries.remove(&slot) {
            self.bytes -= entry.weight;
        }
    }

    /// Makes room for an entry of `weight` within `max_entries` and `max_bytes`: expired entries
    /// first, then those closest to expiry.
    fn make_room(&mut self, weight: usize, max_entries: usize, max_bytes: usize, now: Instant) {
        let full = |s: &Self| s.entries.len() >= max_entries || s.bytes + weight > max_bytes;
        if !full(self) {
            return;
        }
        let mut freed = 0;
        self.entries.retain(|_, e| {
            let live = e.expires > now;
            if !live {
                freed += e.weight;
            }
            live
        });
        self.bytes -= freed;
        while full(self) {
            let Some(victim) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.expires)
                .map(|(k, _)| *k)
            else {
                break;
            };
            self.remove(victim);
        }
    }
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
    shards: Vec<Mutex<Shard>>,
    hasher: foldhash::quality::RandomState,
    per_shard: usize,
    bytes_per_shard: usize,
    ttl: Duration,
}

impl TokenCache {
    /// A cache of about `capacity` entries weighing about `max_bytes` at most (either 0 = off),
    /// each kept at most `ttl`.
    pub(crate) fn new(capacity: usize, max_bytes: usize, ttl: Duration) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: foldhash::quality::RandomState::default(),
            per_shard: capacity.div_ceil(SHARDS),
            bytes_per_shard: max_bytes / SHARDS,
            ttl,
        }
    }

    /// Where `token` is filed.
    pub(crate) fn slot(&self, token: &str) -> Slot {
        self.hasher.hash_one(token.as_bytes())
    }

    fn shard(&self, slot: Slot) -> &Mutex<Shard> {
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
        let entry = shard.entries.get(&slot)?;
        if !same_token(&entry.token, token) {
            return None;
        }
        if entry.expires <= Instant::now() {
            shard.remove(slot);
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
                .entries
                .get(&slot)
                .is_some_and(|e| same_token(&e.token, token))
        {
            shard.remove(slot);
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
        let weight = weight(token, &principal);
        if weight > self.bytes_per_shard {
            return;
        }
        let now = Instant::now();
        let Ok(mut shard) = self.shard(slot).lock() else {
            return;
        };
        // A token filed under the same slot is replaced: its weight is freed first.
        shard.remove(slot);
        shard.make_room(weight, self.per_shard, self.bytes_per_shard, now);
        shard.entries.insert(
            slot,
            Entry {
                token: token.into(),
                principal,
                kid: Arc::from(kid),
                key: Arc::clone(key),
                expires: now + life,
                weight,
            },
        );
        shard.bytes += weight;
    }
}

/// What an entry for `token` and `principal` counts against the byte budget: the token, an
/// estimate of the principal's memory (its strings, scopes and claims) and a fixed overhead.
fn weight(token: &str, principal: &Principal) -> usize {
    let strings = [&principal.subject, &principal.client_id, &principal.jti]
        .into_iter()
        .flatten()
        .map(String::len)
        .sum::<usize>()
        + principal.issuer.len();
    let scopes: usize = principal
        .scopes
        .iter()
        .map(|s| s.len() + MAP_SLOT_OVERHEAD)
        .sum();
    ENTRY_OVERHEAD + token.len() + strings + scopes + map_weight(&principal.claims)
}

fn map_weight(map: &Map<String, Value>) -> usize {
    MAP_NODE
        + map
            .iter()
            .map(|(key, value)| key.len() + MAP_SLOT_OVERHEAD + value_weight(value))
            .sum::<usize>()
}

fn value_weight(value: &Value) -> usize {
    VALUE_OVERHEAD
        + match value {
            Value::String(s) => s.len(),
            // A parsed array may hold up to twice its length (the vector grew by doubling).
            Value::Array(items) => {
                items.len() * VALUE_OVERHEAD + items.iter().map(value_weight).sum::<usize>()
            }
            Value::Object(map) => map_weight(map),
            Value::Null | Value::Bool(_) | Value::Number(_) => 0,
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
            .map(|s| s.lock().expect("not poisoned").entries.len())
            .sum()
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = TokenCache::new(32, usize::MAX, Duration::from_mins(1));
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

    fn bytes(cache: &TokenCache) -> usize {
        cache
            .shards
            .iter()
            .map(|s| s.lock().expect("not poisoned").bytes)
            .sum()
    }

    /// A principal carrying `claim_bytes` of claims, as a Casdoor token embedding a user record does.
    fn heavy_principal(n: usize, claim_bytes: usize) -> Arc<Principal> {
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(format!("user-{n}")));
        claims.insert(
            "roles".into(),
            json!(
                (0..claim_bytes / 100)
                    .map(|i| format!("{i:0>100}"))
                    .collect::<Vec<_>>()
            ),
        );
        Arc::new(Principal {
            claims,
            ..(*principal(n)).clone()
        })
    }

    #[test]
    fn the_cache_stays_within_its_byte_budget_whatever_the_tokens_weigh() {
        const BUDGET: usize = 1 << 20;
        let cache = TokenCache::new(10_000, BUDGET, Duration::from_mins(1));
        let key = key();
        // 8 KiB tokens with 8 KiB of claims each: 500 of them weigh far more than the budget.
        for n in 0..500 {
            let token = format!("{n:0>8192}");
            cache.insert(
                cache.slot(&token),
                &token,
                heavy_principal(n, 8 * 1024),
                "k",
                &key,
                Duration::from_mins(1),
            );
            assert!(bytes(&cache) <= BUDGET, "{} bytes after {n}", bytes(&cache));
        }
        let weighed = weight(&format!("{:0>8192}", 0), &heavy_principal(0, 8 * 1024));
        assert!(weighed > 16 * 1024, "claims are weighed too: {weighed}");
        let kept = entries(&cache);
        assert!(kept >= 1 && kept <= BUDGET / weighed, "{kept} entries");
        // The weights kept add up: removing every entry brings the count back to zero.
        let newest = format!("{:0>8192}", 499);
        assert!(
            cache.get(cache.slot(&newest), &newest).is_some(),
            "newest kept"
        );
        cache.remove(cache.slot(&newest), &newest);
        assert!(bytes(&cache) <= BUDGET - weighed);
        // An entry heavier than a shard's share of the budget is not stored at all.
        let tiny = TokenCache::new(10_000, 16 * 1024, Duration::from_mins(1));
        let token = "x".repeat(4096);
        tiny.insert(
            tiny.slot(&token),
            &token,
            principal(1),
            "k",
            &key,
            Duration::from_mins(1),
        );
        assert_eq!((entries(&tiny), bytes(&tiny)), (0, 0));
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
        let cache = TokenCache::new(100, usize::MAX, Duration::from_mins(5));
        put(&cache, short, 1, Duration::from_millis(1));
        put(&cache, long, 2, Duration::from_hours(1));
        // A sleep lasts at least as long as asked, so the short token is past its expiry.
        std::thread::sleep(Duration::from_millis(5));
        assert!(!found(&cache, short), "outlived its exp");
        assert!(found(&cache, long));
        // A short TTL ends an entry whose token lives on.
        let cache = TokenCache::new(100, usize::MAX, Duration::from_millis(50));
        put(&cache, long, 2, Duration::from_hours(1));
        std::thread::sleep(Duration::from_millis(60));
        assert!(!found(&cache, long), "outlived the TTL");
        let off = TokenCache::new(0, usize::MAX, Duration::from_mins(1));
        put(&off, long, 3, Duration::from_mins(1));
        assert!(!found(&off, long), "a zero capacity turns the cache off");
    }

    #[test]
    fn only_the_same_token_is_served_from_its_slot() {
        let cache = TokenCache::new(100, usize::MAX, Duration::from_mins(5));
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
