//! A case as its readers get it, kept in memory at its version.

use super::Case;
use crate::auth::scope::CaseScope;
use crate::error::{AppError, AppResult};

/// A case as its readers get it, at one version: where it sits (for the
/// access decision) and its JSON.
pub struct CaseView {
    pub version: i32,
    pub scope: CaseScope,
    pub json: actix_web::web::Bytes,
}

impl CaseView {
    pub fn new(case: &Case, department_path: String) -> AppResult<CaseView> {
        Ok(CaseView {
            version: case.version,
            scope: CaseScope::new(
                case.id.clone(),
                case.department_id.clone(),
                department_path,
                case.officers
                    .iter()
                    .map(|o| (o.user_id.clone(), o.role.as_str())),
            ),
            json: serde_json::to_vec(case)
                .map_err(|e| AppError::internal(e.to_string()))?
                .into(),
        })
    }
}

/// How long a case file is served from memory while its version stands.
/// Every change of a case moves its version (the record entry does it), so
/// a read never misses one; what can change without it — an officer's
/// display name, the item's name, where the department sits in the tree —
/// shows within this time.
pub const CASE_FILE_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

pub type CaseViews = crate::snapshot::Expiring<std::sync::Arc<CaseView>>;

pub fn new_case_views() -> CaseViews {
    CaseViews::new(CASE_FILE_CACHE_TTL, 4_096)
}
