//! An in-process copy of rarely changing rule data (published benchmarks,
//! rule profiles, the holiday calendar) that requests read without a
//! database round trip. Writes through this instance drop it at once;
//! another instance sees a change within the refresh interval. When it is
//! stale, one request reloads it while the others keep using the old copy.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
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
