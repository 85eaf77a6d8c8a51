//! The snapshot of what lookups read — published benchmarks, item names
//! and rule profiles — so `POST /discretion/lookup` costs almost nothing
//! beyond HTTP (see `crate::snapshot`).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::NaiveDate;

use super::store::StoredVersion;
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

/// The snapshot lookups read, refreshed every `TTL`.
pub type Cache = crate::snapshot::Refreshing<Snapshot>;

pub fn new_cache() -> Cache {
    Cache::new(TTL, load)
}

fn load(conn: &mut crate::db::DbConn) -> AppResult<Snapshot> {
    let mut versions: HashMap<String, Vec<StoredVersion>> = HashMap::new();
    for v in super::store::load_versions(conn, None)? {
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
