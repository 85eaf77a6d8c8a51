//! An in-process snapshot of what lookups read — published benchmarks,
//! item names and rule profiles — so `POST /discretion/lookup` costs almost
//! nothing beyond HTTP. Writes through this instance drop it at once;
//! another instance sees a change within `TTL`.

use std::collections::HashMap;
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
    pub items: HashMap<String, ItemData>,
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
}

impl Cache {
    pub async fn snapshot(&self, db: &Db) -> AppResult<Arc<Snapshot>> {
        if let Some((at, snap)) = &*self.current.read().unwrap_or_else(|p| p.into_inner()) {
            if at.elapsed() < TTL {
                return Ok(snap.clone());
            }
        }
        let snap = Arc::new(db.run(load).await?);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), snap.clone()));
        Ok(snap)
    }

    /// Drop the snapshot after a change (import, publication, profile).
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
