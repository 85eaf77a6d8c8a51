//! Preserved and seized property (涉案财物; APL Art 56; Compulsion Law
//! Art 18–28).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::kernel::shape::not_blank;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 先行登记保存 (APL Art 56).
    Preservation,
    /// 扣押 (Compulsion Law Art 9 (3)).
    Seizure,
    /// 查封 (Compulsion Law Art 9 (2)).
    Sealing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    /// Holding its items.
    Active,
    /// A preservation whose decision was taken (within 7 working days).
    Decided,
    /// Every item settled, or the measure lifted.
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Held,
    Returned,
    Confiscated,
    Destroyed,
    Transferred,
}

/// 处置: what becomes of an item (by a head's approval).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    /// 退还 / 解除查封扣押 (Compulsion Law Art 28).
    Return,
    /// 没收 (上缴国库), after a decision imposing it.
    Confiscate,
    /// 销毁 (违法物品), after a decision.
    Destroy,
    /// 随案移送 with the case.
    Transfer,
}

/// 先行登记保存的处理决定 (APL Art 56: within 7 working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreservationOutcome {
    /// 解除登记保存: the items go back.
    Release,
    /// 依法查封、扣押: the items stay held under a seizure of 30 days.
    Seize,
    /// 送交检测、检验、检疫、鉴定: the items stay held for the test.
    Testing,
}

/// How a measure ended or what its decision was, as its list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureOutcome {
    /// A preservation released (解除登记保存).
    Release,
    /// A preservation turned into a seizure.
    Seize,
    /// A preservation's items sent for testing.
    Testing,
    /// An emergency measure a head refused: lifted at once (Compulsion Law Art 19).
    Lifted,
}

impl Disposal {
    pub fn status(self) -> ItemStatus {
        match self {
            Disposal::Return => ItemStatus::Returned,
            Disposal::Confiscate => ItemStatus::Confiscated,
            Disposal::Destroy => ItemStatus::Destroyed,
            Disposal::Transfer => ItemStatus::Transferred,
        }
    }
}

/// One item of a measure's list (清单).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    #[validate(custom(function = not_blank, code = "required", message = "the list states every item's name, quantity, location and custodian"))]
    pub name: String,
    #[serde(default)]
    pub specification: String,
    /// As counted, with its unit (e.g. "12", "瓶").
    #[validate(custom(function = not_blank, code = "required", message = "the list states every item's name, quantity, location and custodian"))]
    pub quantity: String,
    #[serde(default)]
    pub unit: String,
    /// 状态: as found (sealed, damaged …).
    #[serde(default)]
    pub condition: String,
    /// Where it is kept.
    #[validate(custom(function = not_blank, code = "required", message = "the list states every item's name, quantity, location and custodian"))]
    pub location: String,
    /// Who keeps it.
    #[validate(custom(function = not_blank, code = "required", message = "the list states every item's name, quantity, location and custodian"))]
    pub custodian: String,
}

/// `POST /cases/{id}/preservations` and `POST /cases/{id}/seizures`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MeasureRequest {
    /// Seizures only: 查封 (sealing in place) rather than 扣押 (taking away).
    #[serde(default)]
    pub sealing: bool,
    pub started_at: DateTime<Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "the facts and the law the measure rests on"))]
    pub reason: String,
    /// Taken on the spot before approval (Compulsion Law Art 19): a head
    /// approves within 24 hours or the measure is lifted.
    #[serde(default)]
    pub emergency: bool,
    #[validate(
        length(
            min = 1,
            code = "required",
            message = "the list of every item held (清单)"
        ),
        nested
    )]
    pub items: Vec<ItemInput>,
}

/// `POST /cases/{id}/preservations/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PreservationDecisionRequest {
    pub measure_id: String,
    pub outcome: PreservationOutcome,
    #[validate(custom(function = not_blank, code = "required", message = "the grounds of the decision"))]
    pub reason: String,
}

/// `POST /cases/{id}/seizures/extension`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SeizureExtensionRequest {
    pub measure_id: String,
    pub days: u32,
    #[validate(custom(function = not_blank, code = "required", message = "why the case is complex enough to need longer"))]
    pub reason: String,
}

/// `POST /cases/{id}/items/disposal`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DisposalRequest {
    #[validate(length(min = 1, code = "required", message = "the items disposed of"))]
    pub item_ids: Vec<String>,
    pub disposal: Disposal,
    #[validate(custom(function = not_blank, code = "required", message = "the grounds of the disposal"))]
    pub reason: String,
}

/// `POST /cases/{id}/items/custody` — a hand-over.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CustodyRequest {
    #[validate(length(min = 1, code = "required", message = "the items handed over"))]
    pub item_ids: Vec<String>,
    #[validate(custom(function = not_blank, code = "required", message = "who keeps the items now"))]
    pub custodian: String,
    #[validate(custom(function = not_blank, code = "required", message = "where the items are kept now"))]
    pub location: String,
    #[serde(default)]
    pub note: String,
}

/// A head's after-the-fact approval of an emergency measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Retrospective {
    pub measure_id: String,
}

/// A preservation or seizure taken: the request with the measure it made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeasureTaken {
    #[serde(flatten)]
    pub request: MeasureRequest,
    pub measure_id: String,
    pub kind: MeasureKind,
}
