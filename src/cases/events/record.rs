//! Events the record keeps whose data lives in tables of their own:
//! evidence, investigation records, discretion attachments, approvals,
//! withdrawn documents. Their record detail is their data.

use crate::kernel::Fen;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// 证据 added to the case file (APL Art 46).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvidenceAdded {
    pub evidence_id: String,
    pub kind: String,
    pub title: String,
    pub sha256: String,
    pub size_bytes: u64,
    pub media_type: String,
    pub collected_at: String,
}

/// 现场笔录 or 询问笔录 made by two officers (APL Art 42, 55).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordMade {
    pub record_id: String,
    pub started_at: String,
    pub ended_at: String,
    pub place: String,
    #[schema(value_type = Object)]
    pub officers: Value,
    pub interviewee: Option<Value>,
}

/// A discretion lookup attached to the case (裁量基准适用).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiscretionAttached {
    pub attachment_id: String,
    pub benchmark_version_id: String,
    pub benchmark_version: String,
    #[schema(value_type = String)]
    pub outcome: Value,
    #[schema(value_type = Option<String>)]
    pub tier: Value,
    pub fine_min_fen: Option<Fen>,
    pub fine_max_fen: Option<Fen>,
    pub proposed_fine_fen: Option<Fen>,
    #[schema(value_type = Option<String>)]
    pub verdict: Value,
    pub deviation_reason: Option<String>,
    pub legal_review_required: bool,
}

/// An officer asked a head to approve an act (审批).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApprovalRequested {
    pub approval_id: String,
    #[schema(value_type = String)]
    pub kind: Value,
    pub title: String,
    #[schema(value_type = Object)]
    pub request: Value,
}

/// A head did not approve an act.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApprovalRejected {
    pub approval_id: String,
    #[schema(value_type = String)]
    pub kind: Value,
    pub title: String,
    pub opinion: String,
}

/// An issued document withdrawn by a head; its number stays in the register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentWithdrawn {
    pub document_id: String,
    pub number: String,
    pub sha256: String,
    pub reason: String,
}
