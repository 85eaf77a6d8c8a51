//! Sampling (抽样取证) and testing or appraisal commissions (检测、鉴定).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::kernel::shape::not_blank;

/// One sample taken.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    #[validate(custom(function = not_blank, code = "required", message = "the sample"))]
    pub name: String,
    #[serde(default)]
    pub specification: String,
    /// 批号 / 生产日期.
    #[serde(default)]
    pub batch: String,
    /// 抽样数量.
    #[validate(custom(function = not_blank, code = "required", message = "how much was taken"))]
    pub quantity: String,
    /// 抽样基数 (the stock sampled from).
    #[serde(default)]
    pub base_quantity: String,
}

/// `POST /cases/{id}/samplings` — 抽样取证 (APL Art 56).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SamplingRequest {
    pub sampled_at: DateTime<Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "where the samples were taken"))]
    pub place: String,
    #[validate(
        length(min = 1, code = "required", message = "the samples taken"),
        nested
    )]
    pub samples: Vec<Sample>,
    /// The party signed the sampling record (抽样记录).
    pub party_signed: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalKind {
    /// 检测、检验、检疫.
    Testing,
    /// 鉴定.
    Appraisal,
}

/// `POST /cases/{id}/appraisals` — a commission.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AppraisalRequest {
    pub kind: AppraisalKind,
    /// The qualified institution commissioned.
    #[validate(custom(function = not_blank, code = "required", message = "the qualified institution commissioned"))]
    pub institution: String,
    /// What it is to test or appraise.
    #[validate(custom(function = not_blank, code = "required", message = "what it tests or appraises"))]
    pub matter: String,
    pub commissioned_on: NaiveDate,
}

/// `POST /cases/{id}/appraisals/result` — the result, and its notice to
/// the party.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AppraisalResultRequest {
    /// The commission's step id.
    pub appraisal_id: String,
    pub result_on: NaiveDate,
    #[validate(custom(function = not_blank, code = "required", message = "what the result says"))]
    pub conclusion: String,
    /// When the party was told the result (they may ask for a re-test).
    pub notified_at: DateTime<Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "how the party was told"))]
    pub notice_method: String,
}
