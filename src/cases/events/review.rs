//! The legality review (法制审核, APL Art 58).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistEntry {
    pub passed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Approve,
    /// Back to the investigation, with the opinion.
    Return,
    Reject,
}

/// `POST /reviews/{id}/opinion`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionRequest {
    pub outcome: ReviewOutcome,
    #[schema(value_type = Object)]
    pub checklist: std::collections::BTreeMap<String, ChecklistEntry>,
    #[serde(default)]
    pub opinion: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Pending,
    Approved,
    Returned,
    Rejected,
}

/// `POST /cases/{id}/legal-review`: the current report goes to the
/// reviewers, due in the profile's working days.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewSubmitted {
    pub review_id: String,
    pub report_id: String,
    pub due_on: NaiveDate,
    /// Why the review is required (the record says; the step row does not keep it).
    #[serde(skip)]
    pub reasons: Vec<String>,
}

/// The reviewer's opinion on one review (审核意见).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewOpinion {
    pub review_id: String,
    #[serde(flatten)]
    pub opinion: OpinionRequest,
}

impl ReviewOpinion {
    /// The review's state after the opinion.
    pub fn status(&self) -> ReviewStatus {
        match self.opinion.outcome {
            ReviewOutcome::Approve => ReviewStatus::Approved,
            ReviewOutcome::Return => ReviewStatus::Returned,
            ReviewOutcome::Reject => ReviewStatus::Rejected,
        }
    }
}
