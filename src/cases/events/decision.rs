//! The decision (决定, APL Art 57, 59) and the heads' collective discussion
//! before it (Art 57 ¶2).

use crate::kernel::Fen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::investigation::{one_fine, PenaltyItem, ProposedOutcome};
use crate::kernel::shape::not_blank;

/// `POST /cases/{id}/collective-discussion` — 负责人集体讨论 (Art 57 ¶2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DiscussionRequest {
    pub held_at: chrono::DateTime<chrono::Utc>,
    /// Heads of the department who took part (the recorder among them).
    pub attendee_ids: Vec<String>,
    #[validate(custom(function = not_blank, code = "required", message = "the discussion's conclusion"))]
    pub conclusion: String,
    #[serde(default)]
    pub dissent: Vec<Dissent>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Dissent {
    pub user_id: String,
    pub opinion: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Confirmation {
    pub user_id: String,
    pub at: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiscussionStep {
    #[serde(flatten)]
    pub request: DiscussionRequest,
    pub report_id: Option<String>,
    pub confirmations: Vec<Confirmation>,
}

/// `POST /cases/{id}/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = one_fine_decided, skip_on_field_errors = false))]
pub struct DecisionRequest {
    /// `penalty` or `no_penalty`.
    pub outcome: ProposedOutcome,
    #[serde(default)]
    #[validate(nested)]
    pub penalties: Vec<PenaltyItem>,
    #[serde(default)]
    pub deviation_reason: Option<String>,
    /// Simplified procedure: the number printed on the pre-numbered form (Art 52).
    #[serde(default)]
    pub form_number: Option<String>,
    /// Simplified procedure: the party was told the facts, reasons, basis
    /// and rights on the spot (Art 44, 52).
    #[serde(default)]
    pub party_informed: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionStep {
    #[serde(flatten)]
    pub request: DecisionRequest,
    /// 文号.
    pub number: String,
    pub fine_fen: Fen,
    pub report_id: Option<String>,
    pub legal_review_id: Option<String>,
    pub verdict: Option<String>,
    pub service_due: NaiveDate,
    /// The decision document (决定书).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
}

/// An attendee confirmed the discussion record with their own account (the
/// discussion's step row keeps its confirmations).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiscussionConfirmed {
    pub discussion_id: String,
    pub confirmation: Confirmation,
    /// Every attendee has confirmed now.
    pub confirmed: bool,
}

/// At most one fine per decision.
fn one_fine_decided(d: &DecisionRequest) -> Result<(), ValidationError> {
    one_fine(&d.penalties)
}
