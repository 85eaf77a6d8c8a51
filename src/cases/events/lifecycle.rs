//! Suspension, resumption, extension, termination, closure and archive.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Suspension, termination, closure, archive: a reason and nothing else.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SuspensionStep {
    pub reason: String,
    /// The state the case resumes to.
    pub resumes_to: crate::cases::rules::CaseStatus,
    pub from: NaiveDate,
}

/// `POST /cases/{id}/extension` — of the 90-day decision period (Art 60).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    pub days: u32,
    pub reason: String,
}
