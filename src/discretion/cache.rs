//! An in-process snapshot of what lookups read — published benchmarks,
//! item names and rule profiles — so `POST /discretion/lookup` costs almost
//! nothing beyond HTTP. Writes through this instance drop it at once;
//! another instance sees a change within `TTL`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use super::StoredVersion;
use crate::db::Db;
use crate::error::AppResult;
use crate::items::ItemData;
use crate::profiles::StoredProfile;

pub const TTL: Duration = Duration::from_secs(2);

/// What a lookup needs, read in one go.
pub struct Snapshot {
    pub versions: HashMap<String, Vec<StoredVersion>>,
    /// By code, in code order (the public list walks them in order).
    pub items: BTreeMap<String, ItemData>,
    pub profiles: Vec<StoredProfile>,
}

impl Snapshot {
    /// The published version of an item in force on `day` (the latest to take effect).
    pub fn in_force(&self, item: &str, day: NaiveDate) -> Option<&StoredVersion> {
        self.versions
            .get(item)?
            .iter()
            .filter(|v| v.benchmark.published && v.benchmark.in_force(day))
            .max_by_key(|v| v.benchmark.effective_from)
    }
}

#[derive(Default)]
pub struct Cache {
    current: RwLock<Option<(Instant, Arc<Snapshot>)>>,
    /// One request refreshes an expired snapshot; the others keep using the
    /// old one meanwhile instead of all reloading at once.
    refreshing: AtomicBool,
}

impl Cache {
    pub async fn snapshot(&self, db: &Db) -> AppResult<Arc<Snapshot>> {
        let stale = match &*self.current.read().unwrap_or_else(|p| p.into_inner()) {
            Some((at, snap)) if at.elapsed() < TTL => return Ok(snap.clone()),
            Some((_, snap)) => Some(snap.clone()),
            None => None,
        };
        let leader = self
            .refreshing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if let (Some(snap), false) = (&stale, leader) {
            return Ok(snap.clone());
        }
        let loaded = db.run(load).await;
        if leader {
            self.refreshing.store(false, Ordering::Release);
        }
        let snap = Arc::new(loaded?);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), snap.clone()));
        Ok(snap)
    }

    /// Drop the snapshot after a change (import, publication, profile):
    /// the next request on this instance loads the new data.
    pub fn invalidate(&self) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

fn load(conn: &mut crate::db::DbConn) -> AppResult<Snapshot> {
    let mut versions: HashMap<String, Vec<StoredVersion>> = HashMap::new();
    for v in super::load_versions(conn, None)? {
        versions
            .entry(v.benchmark.item.clone())
            .or_default()
            .push(v);
    }
    let items = crate::items::all(conn)?
        .into_iter()
        .map(|i| (i.code.clone(), i))
        .collect();
    Ok(Snapshot {
        versions,
        items,
        profiles: crate::profiles::load_all(conn)?,
    })
}
