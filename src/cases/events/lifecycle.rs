//! Suspension, resumption, extension, termination, closure and archive.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::kernel::shape::{check, not_blank};

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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = days_with_a_reason, skip_on_field_errors = false))]
pub struct ExtensionRequest {
    pub days: u32,
    pub reason: String,
}

/// An extension is of one day or more, with its reason.
fn days_with_a_reason(e: &ExtensionRequest) -> Result<(), ValidationError> {
    check(
        e.days > 0 && not_blank(&e.reason).is_ok(),
        "days",
        "required",
        "1 or more days, with a reason",
    )
}
