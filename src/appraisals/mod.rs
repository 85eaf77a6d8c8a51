//! 抽样取证 and 检测/鉴定 — sampling records, and commissions for testing
//! or appraisal whose result is notified to the party; the days from the
//! commission to the result do not count against the 90-day decision
//! period (SAMR procedure rules; 🟡 S27), entered as an excluded period
//! in the result's own transaction.

pub mod api;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{scope, Caller};
use crate::clock::china_date;
use crate::db::schema::case_steps;
use crate::db::{json_text, micros};
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::state::AppState;
use crate::workflow::rules::{
    check_before_decision, check_exclusion, check_supplied_time, ExclusionKind, ExclusionRequest,
};
use crate::workflow::{perform, Act, Guard, StepView};

/// One sample taken.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub name: String,
    #[serde(default)]
    pub specification: String,
    /// 批号 / 生产日期.
    #[serde(default)]
    pub batch: String,
    /// 抽样数量.
    pub quantity: String,
    /// 抽样基数 (the stock sampled from).
    #[serde(default)]
    pub base_quantity: String,
}

/// `POST /cases/{id}/samplings` — 抽样取证 (APL Art 56).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SamplingRequest {
    pub sampled_at: DateTime<Utc>,
    pub place: String,
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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraisalRequest {
    pub kind: AppraisalKind,
    /// The qualified institution commissioned.
    pub institution: String,
    /// What it is to test or appraise.
    pub matter: String,
    pub commissioned_on: NaiveDate,
}

/// `POST /cases/{id}/appraisals/result` — the result, and its notice to
/// the party.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraisalResultRequest {
    /// The commission's step id.
    pub appraisal_id: String,
    pub result_on: NaiveDate,
    pub conclusion: String,
    /// When the party was told the result (they may ask for a re-test).
    pub notified_at: DateTime<Utc>,
    pub notice_method: String,
}

pub async fn sample(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: SamplingRequest,
) -> AppResult<StepView> {
    let mut errors = vec![];
    errors.extend(FieldError::blank(
        "place",
        &req.place,
        "where the samples were taken",
    ));
    if req.samples.is_empty() {
        errors.push(FieldError::new("samples", "required", "the samples taken"));
    }
    for (i, s) in req.samples.iter().enumerate() {
        errors.extend(FieldError::blank(
            &format!("samples[{i}].name"),
            &s.name,
            "the sample",
        ));
        errors.extend(FieldError::blank(
            &format!("samples[{i}].quantity"),
            &s.quantity,
            "how much was taken",
        ));
    }
    AppError::check_fields(errors)?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        check_before_decision(ctx.case.status)?;
        check_supplied_time("sampled_at", req.sampled_at, None, ctx.now)?;
        let detail = serde_json::json!({"sampled_at": req.sampled_at, "place": req.place.trim(), "samples": req.samples, "party_signed": req.party_signed});
        Ok(Act::new("sampling", serde_json::to_value(&req).unwrap_or_default(), "case.sampled", detail))
    })
    .await
}

pub async fn commission(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: AppraisalRequest,
) -> AppResult<StepView> {
    let mut errors = vec![];
    errors.extend(FieldError::blank(
        "institution",
        &req.institution,
        "the qualified institution commissioned",
    ));
    errors.extend(FieldError::blank(
        "matter",
        &req.matter,
        "what it tests or appraises",
    ));
    AppError::check_fields(errors)?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        check_before_decision(ctx.case.status)?;
        let filed_on = china_date(ctx.case.filed_at.and_utc());
        if req.commissioned_on < filed_on || req.commissioned_on > ctx.today() {
            return Err(AppError::rule_on_field(Code::DatesOutOfOrder, "commissioned_on", format!("a commission lies between filing ({filed_on}) and today")));
        }
        let detail = serde_json::json!({"kind": req.kind, "institution": req.institution.trim(), "matter": req.matter.trim(), "commissioned_on": req.commissioned_on});
        Ok(Act::new("appraisal", serde_json::to_value(&req).unwrap_or_default(), "case.appraisal_commissioned", detail))
    })
    .await
}

pub async fn result(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: AppraisalResultRequest,
) -> AppResult<StepView> {
    let mut errors = vec![];
    errors.extend(FieldError::blank(
        "conclusion",
        &req.conclusion,
        "what the result says",
    ));
    errors.extend(FieldError::blank(
        "notice_method",
        &req.notice_method,
        "how the party was told",
    ));
    AppError::check_fields(errors)?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        check_before_decision(ctx.case.status)?;
        let steps: Vec<(String, String, String)> = case_steps::table
            .filter(case_steps::case_id.eq(&ctx.case.id))
            .filter(case_steps::kind.eq_any(["appraisal", "appraisal_result"]))
            .select((case_steps::id, case_steps::kind, case_steps::body))
            .load(ctx.conn)?;
        let commission: AppraisalRequest = steps
            .iter()
            .find(|(id, kind, _)| kind == "appraisal" && *id == req.appraisal_id)
            .and_then(|(_, _, body)| serde_json::from_str(body).ok())
            .ok_or_else(|| AppError::rule_on_field(Code::UnknownReference, "appraisal_id", "no such commission on this case"))?;
        let answered = steps.iter().any(|(_, kind, body)| {
            kind == "appraisal_result" && serde_json::from_str::<AppraisalResultRequest>(body).is_ok_and(|r| r.appraisal_id == req.appraisal_id)
        });
        if answered {
            return Err(AppError::conflict("the commission's result is recorded already"));
        }
        if req.result_on < commission.commissioned_on {
            return Err(AppError::rule_on_field(Code::DatesOutOfOrder, "result_on", "the result comes after the commission"));
        }
        let result_at = req.result_on.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(ctx.now);
        check_supplied_time("notified_at", req.notified_at, Some((result_at.naive_utc() - chrono::Duration::hours(8), "the result")), ctx.now)?;
        // The days it took do not count against the decision period.
        let excluded = ExclusionRequest {
            kind: match commission.kind {
                AppraisalKind::Testing => ExclusionKind::Testing,
                AppraisalKind::Appraisal => ExclusionKind::Appraisal,
            },
            from: commission.commissioned_on,
            to: req.result_on,
            reason: format!("{}：{}（{}）", commission.institution.trim(), commission.matter.trim(), req.appraisal_id),
        };
        let existing: Vec<ExclusionRequest> = ctx.file.exclusions.iter().map(|e| e.body.clone()).collect();
        check_exclusion(&excluded, china_date(ctx.case.filed_at.and_utc()), ctx.today(), &existing, ctx.profile.exclusion_max_days)?;
        diesel::insert_into(case_steps::table)
            .values((
                case_steps::id.eq(uuid::Uuid::now_v7().to_string()),
                case_steps::case_id.eq(&ctx.case.id),
                case_steps::kind.eq("exclusion"),
                case_steps::body.eq(json_text(&excluded)),
                case_steps::actor_id.eq(&ctx.caller.user_id),
                case_steps::at.eq(micros(ctx.now.naive_utc())),
            ))
            .execute(ctx.conn)?;
        ctx.file.exclusions.push(ctx.as_taken(excluded.clone()));
        let (due, basis) = ctx.decision_due();
        let detail = serde_json::json!({"appraisal_id": req.appraisal_id, "result_on": req.result_on, "conclusion": req.conclusion.trim(), "notified_at": req.notified_at, "excluded": {"from": excluded.from, "to": excluded.to}, "decision_due": due});
        let mut act = Act::new("appraisal_result", serde_json::to_value(&req).unwrap_or_default(), "case.appraisal_result", detail);
        act.deadlines.push(("decision", due, basis));
        Ok(act)
    })
    .await
}
