//! Transfers of a case (案件移送; APL Art 22–27; Decree 310).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::kernel::shape::not_blank;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// 管辖移送: to the competent administrative agency (APL Art 22–25).
    Jurisdiction,
    /// 涉嫌犯罪移送: to public security (APL Art 27; Decree 310 Art 3).
    Criminal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    /// Asked for, waiting for the head's approval (Decree 310 Art 5: 3 days).
    Pending,
    /// Approved and sent with its letter.
    Sent,
    /// The receiving organ signed for it.
    Accepted,
    /// The receiving organ sent it back (not competent, or not filed as a
    /// crime): the case returns to the sender (Decree 310 Art 10).
    Returned,
    /// The head did not approve it (its approval was rejected).
    Refused,
}

/// `POST /cases/{id}/transfers`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub kind: TransferKind,
    pub to_department_id: String,
    #[validate(custom(function = not_blank, code = "required", message = "why the case is transferred"))]
    pub reason: String,
}

/// `POST /transfers/{id}/return`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    #[validate(custom(function = not_blank, code = "required", message = "why the case is returned"))]
    pub reason: String,
}

/// A transfer asked for: queued for a head's approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferRequested {
    pub transfer_id: String,
    pub approval_id: String,
    pub kind: TransferKind,
    pub to_department_id: String,
    pub to_department: String,
    pub reason: String,
}

/// A head approved the transfer: the case goes, with its letter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferApproved {
    pub transfer_id: String,
    /// What the record says of the transfer (the step row keeps only its id).
    #[serde(skip)]
    pub kind: Option<TransferKind>,
    #[serde(skip)]
    pub to_department_id: String,
}

/// The receiving organ's answer (the transfer row keeps it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferAnswered {
    pub transfer_id: String,
    /// The receiving department.
    pub department_id: String,
    /// Why it was returned.
    pub reason: Option<String>,
}
