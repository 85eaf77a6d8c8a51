//! An in-process copy of rarely changing rule data (published benchmarks,
//! rule profiles, the holiday calendar) that requests read without a
//! database round trip. Writes through this instance drop it at once;
//! another instance sees a change within the refresh interval. When it is
//! stale, one request reloads it while the others keep using the old copy.
//! `Expiring` is the per-key kind (callers' accounts, case files).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::db::{Db, DbConn};
use crate::error::AppResult;

pub struct Refreshing<T> {
    current: RwLock<Option<(Instant, Arc<T>)>>,
    refreshing: AtomicBool,
    every: Duration,
    load: fn(&mut DbConn) -> AppResult<T>,
}

impl<T: Send + Sync + 'static> Refreshing<T> {
    pub fn new(every: Duration, load: fn(&mut DbConn) -> AppResult<T>) -> Self {
        Refreshing {
            current: RwLock::new(None),
            refreshing: AtomicBool::new(false),
            every,
            load,
        }
    }

    pub async fn get(&self, db: &Db) -> AppResult<Arc<T>> {
        let stale = match &*self.current.read().unwrap_or_else(|p| p.into_inner()) {
            Some((at, v)) if at.elapsed() < self.every => return Ok(v.clone()),
            Some((_, v)) => Some(v.clone()),
            None => None,
        };
        let leader = self
            .refreshing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if let (Some(v), false) = (&stale, leader) {
            return Ok(v.clone());
        }
        let load = self.load;
        let loaded = db.run(load).await;
        if leader {
            self.refreshing.store(false, Ordering::Release);
        }
        let v = Arc::new(loaded?);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), v.clone()));
        Ok(v)
    }

    /// Drop the copy after a change: the next request loads the new data.
    pub fn invalidate(&self) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Per-key copies that expire `ttl` after they were put, at most `capacity`
/// of them (when full, the expired go first, then all).
pub struct Expiring<V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> Expiring<V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Expiring {
            ttl,
            capacity,
            entries: Mutex::default(),
        }
    }

    pub fn get(&self, key: &str) -> Option<V> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: String, value: V) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.capacity {
            map.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if map.len() >= self.capacity {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), value));
    }

    /// Drop a key after a change this instance made.
    pub fn forget(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_stay_bounded() {
        let cache = Expiring::new(Duration::from_millis(50), 2);
        cache.put("a".into(), 1);
        assert_eq!(cache.get("a"), Some(1));
        cache.put("b".into(), 2);
        cache.put("c".into(), 3);
        assert_eq!(
            cache.entries.lock().unwrap().len(),
            1,
            "full of fresh entries: cleared"
        );
        assert_eq!(cache.get("c"), Some(3));
        cache.forget("c");
        assert_eq!(cache.get("c"), None);
        cache.put("d".into(), 4);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("d"), None);
    }
}
