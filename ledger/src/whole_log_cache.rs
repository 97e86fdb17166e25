//! A small cache of the answers that read the whole log (verification, reports), keyed by the
//! head of the log they were computed at: asked again at the same head with the same
//! arguments, the answer costs nothing.
//!
//! An entry also expires after [`LIFETIME`], so that rows edited behind the service's back
//! (which move no head) are seen by the next verification at most that late.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many answers of one kind are kept.
pub const CAPACITY: usize = 16;
/// How long an answer is served from the cache.
pub const LIFETIME: Duration = Duration::from_secs(60);

/// The head of the log an answer was computed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeadKey {
    /// Its position.
    pub position: u64,
    /// Its hash.
    pub hash: [u8; 32],
}

/// The last [`CAPACITY`] answers, by key; the oldest goes first.
pub struct WholeLogCache<K, V> {
    entries: Mutex<VecDeque<(K, Instant, V)>>,
}

impl<K: PartialEq, V: Clone> Default for WholeLogCache<K, V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(VecDeque::with_capacity(CAPACITY)),
        }
    }
}

impl<K: PartialEq, V: Clone> WholeLogCache<K, V> {
    /// The answer kept for `key`, if it is still fresh.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(_, at, _)| at.elapsed() < LIFETIME);
        entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| v.clone())
    }

    /// Keeps an answer, dropping the oldest beyond [`CAPACITY`].
    pub fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(k, _, _)| k != &key);
        if entries.len() >= CAPACITY {
            entries.pop_front();
        }
        entries.push_back((key, Instant::now(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_the_last_answers_only() {
        let cache = WholeLogCache::<u64, String>::default();
        for i in 0..(CAPACITY as u64 + 4) {
            cache.put(i, format!("answer {i}"));
        }
        assert_eq!(cache.get(&0), None, "the oldest answers went first");
        assert_eq!(
            cache.get(&(CAPACITY as u64 + 3)),
            Some(format!("answer {}", CAPACITY + 3))
        );
        cache.put(5, "again".into());
        assert_eq!(cache.get(&5), Some("again".into()));
    }
}
