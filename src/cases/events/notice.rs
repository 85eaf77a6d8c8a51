//! Notice and hearing (告知, 陈述申辩, 听证; APL Art 44–45, 62–65).

use crate::kernel::Fen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::kernel::shape::{blank, check, not_blank};

use super::investigation::PenaltyItem;

/// How a document reaches the party (送达, APL Art 61; Civil Procedure Law
/// Art 88–95).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMethod {
    /// 直接送达
    Direct,
    /// 留置送达: with witnesses or a photo/video record.
    LeftAtResidence,
    /// 邮寄送达
    Post,
    /// 电子送达: only with the party's consent (Art 61 ¶2).
    Electronic,
    /// 公告送达: deemed served 30 days after publication (CPL Art 95).
    PublicNotice,
}

/// `POST /cases/{id}/notice` — 行政处罚告知书 (Art 44).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// When the notice reached the party: the periods run from here.
    pub served_at: chrono::DateTime<chrono::Utc>,
    pub method: ServiceMethod,
    /// A new notice with a higher amount than one notified before must say
    /// why (new facts, not the party's defence — Art 45 ¶2).
    #[serde(default)]
    pub increase_reason: Option<String>,
    /// The party consented to electronic service (Art 61 ¶2).
    #[serde(default)]
    pub electronic_consent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NoticeStep {
    #[serde(flatten)]
    pub request: NoticeRequest,
    pub report_id: String,
    pub penalties: Vec<PenaltyItem>,
    pub fine_fen: Fen,
    pub hearing_right: bool,
    pub hearing_reasons: Vec<String>,
    pub statement_due: NaiveDate,
    pub hearing_request_due: Option<NaiveDate>,
    /// The 行政处罚告知书.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
}

/// `POST /cases/{id}/statements` — 陈述申辩, or its waiver.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = statement_content, skip_on_field_errors = false))]
pub struct StatementRequest {
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// The party expressly gives up statement and defence (Art 62).
    #[serde(default)]
    pub waived: bool,
    #[serde(default)]
    pub content: Option<String>,
    /// 复核: whether the facts, reasons and evidence raised were adopted (Art 45 ¶1).
    #[serde(default)]
    pub adopted: Option<bool>,
    #[serde(default)]
    pub review_note: Option<String>,
}

/// `POST /cases/{id}/hearing-request`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct HearingRequestRequest {
    pub requested_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /cases/{id}/hearing` — the hearing held (听证, Art 64).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct HearingRequest {
    /// When the hearing notice reached the party (≥ 7 working days before).
    pub notified_at: chrono::DateTime<chrono::Utc>,
    pub held_at: chrono::DateTime<chrono::Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "where the hearing was held"))]
    pub place: String,
    /// 主持人: appointed by the organ, not an investigator of the case.
    pub presiding_officer_id: String,
    #[serde(default)]
    pub public: bool,
    /// Absent without reason or walked out: the hearing ends as waived (Art 64 (6)).
    pub party_attended: bool,
    #[serde(default)]
    pub agents: Vec<String>,
}

/// `POST /cases/{id}/hearing/notice` — 听证通知书 (Art 64 (2)).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct HearingNoticeRequest {
    /// When the hearing notice reached the party.
    pub served_at: chrono::DateTime<chrono::Utc>,
    /// When the hearing will be held: after 7 working days.
    pub hearing_at: chrono::DateTime<chrono::Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "where the hearing will be held"))]
    pub place: String,
    pub presiding_officer_id: String,
    /// Public unless state secrets, trade secrets or privacy (Art 64 (3)).
    #[serde(default = "yes")]
    pub public: bool,
}

fn yes() -> bool {
    true
}

/// `POST /cases/{id}/hearing/transcript` — 听证笔录 (Art 64 (8), 65).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = refusal_noted, skip_on_field_errors = false))]
pub struct TranscriptRequest {
    #[validate(custom(function = not_blank, code = "required", message = "the transcript's text"))]
    pub text: String,
    pub party_signed: bool,
    /// The presiding officer's note when the party refused to sign.
    #[serde(default)]
    pub refusal_note: Option<String>,
}

/// A statement has content; a waiver says so.
fn statement_content(s: &StatementRequest) -> Result<(), ValidationError> {
    check(
        s.waived || !blank(s.content.as_deref()),
        "content",
        "required",
        "a statement has content; a waiver says waived: true",
    )
}

/// Signed by the party, or the refusal noted.
fn refusal_noted(t: &TranscriptRequest) -> Result<(), ValidationError> {
    check(
        t.party_signed || !blank(t.refusal_note.as_deref()),
        "refusal_note",
        "required",
        "当事人拒绝签字或者盖章的，由听证主持人在笔录中注明（行政处罚法第六十四条第八项）",
    )
}
