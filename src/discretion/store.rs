//! Stored benchmark versions, read whole (a version is one row of JSON).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::Benchmark;
use crate::db::schema::benchmark_versions;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// A stored benchmark version.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    pub id: String,
    pub benchmark: Benchmark,
    pub published_at: Option<NaiveDateTime>,
}

pub(crate) type VersionRow = (String, String, Option<NaiveDateTime>);

pub fn load_versions(conn: &mut DbConn, item: Option<&str>) -> AppResult<Vec<StoredVersion>> {
    let mut q = benchmark_versions::table
        .select((
            benchmark_versions::id,
            benchmark_versions::content,
            benchmark_versions::published_at,
        ))
        .order((
            benchmark_versions::item_code.asc(),
            benchmark_versions::effective_from.asc(),
        ))
        .into_boxed();
    if let Some(item) = item {
        q = q.filter(benchmark_versions::item_code.eq(item.to_string()));
    }
    q.load::<VersionRow>(conn)?
        .into_iter()
        .map(stored_from_row)
        .collect()
}

pub(crate) fn stored_from_row((id, content, published_at): VersionRow) -> AppResult<StoredVersion> {
    let benchmark = serde_json::from_str(&content)
        .map_err(|e| AppError::internal(format!("benchmark version {id}: {e}")))?;
    Ok(StoredVersion {
        id,
        benchmark,
        published_at,
    })
}
