//! Service and execution (送达, 执行; APL Art 61, 66–73; Compulsion Law
//! Art 35, 53–54).

use crate::kernel::Fen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::kernel::shape::{at, not_blank};

use super::notice::ServiceMethod;

/// `POST /cases/{id}/service`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// The decision served (its id, as returned by `POST /decision`).
    pub document_id: String,
    pub method: ServiceMethod,
    pub served_at: chrono::DateTime<chrono::Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "who received the document (受送达人)"))]
    pub recipient: String,
    /// 留置送达: witnesses present.
    #[serde(default)]
    pub witnesses: Vec<String>,
    /// 留置送达: evidence id of the photo or video of the leaving.
    #[serde(default)]
    pub photo_evidence_id: Option<String>,
    #[serde(default)]
    pub electronic_consent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceStep {
    #[serde(flatten)]
    pub request: ServiceRequest,
    /// The day service takes effect (public notice: 30 days on).
    pub effective_on: NaiveDate,
    pub payment_due: Option<NaiveDate>,
}

/// `POST /cases/{id}/payments`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    #[validate(range(min = 1, code = "out_of_range", message = "a payment is positive"))]
    pub amount_fen: Fen,
    pub paid_at: chrono::DateTime<chrono::Utc>,
    /// Bank or electronic payment reference (罚缴分离, Art 67); for money
    /// collected on the spot, the finance department's receipt (Art 70).
    #[serde(default)]
    pub receipt_number: Option<String>,
    /// 当场收缴 (Art 68–69): the officers took the money themselves.
    #[serde(default)]
    pub on_the_spot: Option<OnTheSpotGround>,
}

/// Why the officers could collect the fine on the spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnTheSpotGround {
    /// Art 68 (1): a fine of at most 100 yuan decided on the spot.
    SmallFine,
    /// Art 68 (2): decided on the spot, and hard to enforce afterwards.
    HardToEnforce,
    /// Art 69: remote, water-borne or poorly connected area, at the party's request.
    RemoteArea,
}

/// `POST /cases/{id}/hand-in` — the money collected on the spot reached the agency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct HandInRequest {
    pub handed_in_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// 延期缴纳
    Deferral,
    /// 分期缴纳
    Instalments,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Instalment {
    pub due_on: NaiveDate,
    pub amount_fen: Fen,
}

/// `POST /cases/{id}/payment-plan` — a head approves the party's
/// application to defer or pay in instalments (APL Art 66 ¶2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[validate(schema(function = plan_shape, skip_on_field_errors = false))]
#[serde(deny_unknown_fields)]
pub struct PaymentPlanRequest {
    pub kind: PlanKind,
    /// The party's economic difficulty, as applied for.
    pub reason: String,
    pub applied_at: chrono::DateTime<chrono::Utc>,
    /// Deferral: the new last day to pay.
    #[serde(default)]
    pub deferred_until: Option<NaiveDate>,
    /// Instalments: at least two, in date order, together the unpaid fine.
    #[serde(default)]
    pub instalments: Vec<Instalment>,
}

/// What a plan must say whatever the fine (APL Art 66 ¶2): the party's
/// difficulty; a deferral its day and no instalments; instalments at
/// least two, in date order, each positive. The first that fails (code
/// `invalid`); what the fine and the clock decide is
/// `execution::rules::check_payment_plan`.
fn plan_shape(p: &PaymentPlanRequest) -> Result<(), ValidationError> {
    let invalid = |field: String, message: &'static str| Err(at(field, "invalid", message));
    if not_blank(&p.reason).is_err() {
        return invalid(
            "reason".into(),
            "the party's economic difficulty (行政处罚法第六十六条第二款)",
        );
    }
    match p.kind {
        PlanKind::Deferral if !p.instalments.is_empty() => {
            invalid("instalments".into(), "a deferral has no instalments")
        }
        PlanKind::Deferral => Ok(()),
        PlanKind::Instalments => {
            if p.deferred_until.is_some() {
                return invalid("deferred_until".into(), "instalments state their own days");
            }
            if p.instalments.len() < 2 {
                return invalid("instalments".into(), "at least two instalments");
            }
            for (i, w) in p.instalments.windows(2).enumerate() {
                if w[1].due_on <= w[0].due_on {
                    return invalid(
                        format!("instalments[{}].due_on", i + 1),
                        "instalments in date order",
                    );
                }
            }
            match p.instalments.iter().position(|x| x.amount_fen <= Fen::ZERO) {
                Some(i) => invalid(format!("instalments[{i}].amount_fen"), "positive"),
                None => Ok(()),
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentPlanStep {
    #[serde(flatten)]
    pub request: PaymentPlanRequest,
    /// No surcharge accrues on these days (the approved plan).
    pub paused_from: NaiveDate,
    pub ends_on: NaiveDate,
}

/// `POST /cases/{id}/enforcement-demand` — 催告 (Administrative Compulsion
/// Law Art 35, 54).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DemandRequest {
    /// When the demand reached the party: its period runs from here.
    pub served_at: chrono::DateTime<chrono::Utc>,
    pub method: ServiceMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    /// 行政复议 (60 days, Reconsideration Law Art 20).
    Reconsideration,
    /// 行政诉讼 (6 months, Administrative Litigation Law Art 46).
    Litigation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyResult {
    /// 维持 / 驳回
    Upheld,
    /// 撤销
    Revoked,
    /// 变更
    Changed,
    /// 确认违法
    ConfirmedUnlawful,
}

/// `POST /cases/{id}/remedies` — the party sought reconsideration or sued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RemedyRequest {
    pub kind: RemedyKind,
    pub filed_at: chrono::DateTime<chrono::Utc>,
    /// The reconsideration organ or the court.
    #[validate(custom(function = not_blank, code = "required", message = "the reconsideration organ or the court"))]
    pub organ: String,
}

/// `POST /cases/{id}/remedies/{remedy_id}/result`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RemedyResultRequest {
    pub result: RemedyResult,
    pub decided_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RemedyStep {
    #[serde(flatten)]
    pub request: RemedyRequest,
    #[serde(default)]
    pub outcome: Option<RemedyResultRequest>,
}

/// `POST /cases/{id}/court-enforcement` — 申请人民法院强制执行.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CourtEnforcementRequest {
    pub applied_at: chrono::DateTime<chrono::Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "the people's court applied to"))]
    pub court: String,
    /// The court accepted the case (立案受理): the case may then close.
    #[serde(default)]
    pub accepted: bool,
}

/// The result of a remedy (the remedy's step row keeps it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RemedyDecided {
    pub remedy_id: String,
    pub result: RemedyResultRequest,
}
