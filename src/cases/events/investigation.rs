//! The investigation (调查, APL Art 54–57): the report that ends it, the
//! periods that do not count, the officers who conduct it, the approval of
//! its filing.

use crate::kernel::Fen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::discretion::model::Tier;
use crate::kernel::shape::{at, not_blank};
use crate::kernel::PenaltyType;

/// What the investigation proposes (调查终结, APL Art 57).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposedOutcome {
    Penalty,
    /// Minor, corrected, no harm; first violation; no fault (Art 33).
    NoPenalty,
    /// Suspected crime: transfer to the judicial organs (Art 27, 57 ¶1 (4)).
    TransferCriminal,
    /// Facts not established (Art 40, 57 ¶1 (3)).
    NotEstablished,
}

/// One penalty of a proposal or decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = amount_where_it_belongs, skip_on_field_errors = false))]
pub struct PenaltyItem {
    #[serde(rename = "type")]
    pub kind: PenaltyType,
    /// Fines and confiscations: the amount in fen.
    #[serde(default)]
    pub amount_fen: Option<Fen>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Fines and confiscations state a positive amount in fen; other
/// penalties carry none.
fn amount_where_it_belongs(p: &PenaltyItem) -> Result<(), ValidationError> {
    let needs_amount = matches!(
        p.kind,
        PenaltyType::Fine
            | PenaltyType::ConfiscateIllegalGains
            | PenaltyType::ConfiscateIllegalProperty
    );
    match (needs_amount, p.amount_fen) {
        (true, None) => Err(at(
            "amount_fen",
            "required",
            "a fine or confiscation states its amount in fen",
        )),
        (true, Some(a)) if a <= Fen::ZERO => {
            Err(at("amount_fen", "out_of_range", "the amount is positive"))
        }
        (false, Some(_)) => Err(at(
            "amount_fen",
            "not_allowed",
            "only fines and confiscations carry an amount",
        )),
        _ => Ok(()),
    }
}

/// At most one fine in a list of penalties (一事不再罚).
pub fn one_fine(penalties: &[PenaltyItem]) -> Result<(), ValidationError> {
    if penalties
        .iter()
        .filter(|p| p.kind == PenaltyType::Fine)
        .count()
        > 1
    {
        Err(at(
            "penalties",
            "duplicate_fine",
            "one fine per case (一事不再罚, 行政处罚法第二十九条)",
        ))
    } else {
        Ok(())
    }
}

/// The fine of a list of penalties (at most one fine per decision).
pub fn fine_of(penalties: &[PenaltyItem]) -> Fen {
    penalties
        .iter()
        .filter(|p| p.kind == PenaltyType::Fine)
        .filter_map(|p| p.amount_fen)
        .sum()
}

/// `POST /cases/{id}/investigation-report`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// 调查终结报告: the facts found and the evidence that proves them.
    pub findings: String,
    pub outcome: ProposedOutcome,
    #[serde(default)]
    pub penalties: Vec<PenaltyItem>,
    /// The discretion tier the proposal applies (from the attached lookup).
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Why the proposed fine leaves the tier (then legality review is required).
    #[serde(default)]
    pub deviation_reason: Option<String>,
    /// 情节复杂 (Art 57 ¶2, 58 ¶1 (3)).
    #[serde(default)]
    pub complex: bool,
    /// 重大违法行为 (Art 57 ¶2).
    #[serde(default)]
    pub major_violation: bool,
    /// 涉及重大公共利益 (Art 58 ¶1 (1)).
    #[serde(default)]
    pub major_public_interest: bool,
}

/// What the service found of a report when it was submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    pub discretion_attachment_id: Option<String>,
    /// `within_tier`, `deviation` or `waived`.
    pub verdict: Option<String>,
    pub hearing_reasons: Vec<String>,
    pub legal_review_reasons: Vec<String>,
    pub collective_discussion_reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportStep {
    #[serde(flatten)]
    pub request: ReportRequest,
    pub assessment: Assessment,
}

/// `POST /cases/{id}/officers` — 承办人变更 by a head.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    pub officer_ids: Vec<String>,
    #[validate(custom(function = not_blank, code = "required", message = "why the officers change"))]
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecusalSource {
    /// The officer asks to withdraw.
    Officer,
    /// The party applies (APL Art 43 ¶1).
    Party,
}

/// `POST /cases/{id}/recusals` — a head decides (APL Art 43 ¶2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecusalRequest {
    pub officer_id: String,
    pub source: RecusalSource,
    #[validate(custom(function = not_blank, code = "required", message = "the ground of the recusal"))]
    pub reason: String,
    /// The head's decision: withdraw the officer, or not.
    pub approved: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    /// 检测、检验、检疫
    Testing,
    /// 鉴定
    Appraisal,
    /// 公告
    PublicNotice,
    /// 专家论证
    ExpertReview,
}

/// `POST /cases/{id}/exclusions` — a period that does not count against the
/// 90 days (SAMR procedure rules; 🟡 S27).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ExclusionRequest {
    pub kind: ExclusionKind,
    /// First and last excluded day (China dates), inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[validate(custom(function = not_blank, code = "required", message = "what was tested, appraised or published"))]
    pub reason: String,
}

/// 立案审批: what the approval slip shows beside the filing form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct FilingApprovalRequest {
    /// The case number and brief facts, as the head's queue shows them.
    #[serde(default)]
    pub facts: Option<String>,
}
