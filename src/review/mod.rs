//! 法制审核 — the legality review (APL Art 58). The case's officers submit
//! the current report; a legal reviewer of the case's department (or of a
//! department above it) answers the eight items and approves, returns or
//! rejects; a decision that needs the review waits for an approved one of
//! its report (`workflow::rules::legality_review_approved`). The queue and
//! each review, with the diff against the case's previous one, are read
//! here too.

pub mod api;
pub mod rules;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationErrors};

use crate::auth::{scope, Caller, Role};
use crate::cases::change::{Ctx, Guard, Numbering, Step, StepView};
use crate::cases::events::*;
use crate::cases::rules::CaseStatus;
use crate::cases::DeadlineStatus;
use crate::clock::rfc3339;
use crate::db::schema::{cases, departments, legal_reviews, users};
use crate::db::{enum_str, json_text};

crate::db::text_enum!(ReviewStatus);
use crate::error::{AppError, AppResult, Code};
use crate::kernel::shape::{at, blank};
use crate::state::AppState;
use rules::{check_approval, check_reviewer, CHECKLIST};

/// A legality review as the queue and its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub id: String,
    pub case_id: String,
    pub case_no: String,
    pub department_id: String,
    pub status: ReviewStatus,
    pub report_id: String,
    /// What is reviewed: the report's proposal, the discretion explanation,
    /// the notices and hearing as they stood at submission.
    #[schema(value_type = Object)]
    pub proposal: serde_json::Value,
    pub reasons: Vec<String>,
    pub submitted_by: String,
    pub submitted_at: String,
    pub due_on: NaiveDate,
    pub reviewer_id: Option<String>,
    #[schema(value_type = Object)]
    pub checklist: Option<serde_json::Value>,
    pub opinion: Option<String>,
    pub decided_at: Option<String>,
    /// Changes against the previous review's proposal of the same case.
    #[schema(value_type = Object)]
    pub diff: Vec<serde_json::Value>,
}

/// A row of `legal_reviews`.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = legal_reviews)]
struct ReviewRow {
    id: String,
    case_id: String,
    department_id: String,
    status: ReviewStatus,
    report_id: String,
    proposal: String,
    reasons: String,
    submitted_by: String,
    submitted_at: NaiveDateTime,
    due_on: NaiveDate,
    reviewer_id: Option<String>,
    checklist: Option<String>,
    opinion: Option<String>,
    decided_at: Option<NaiveDateTime>,
}

impl ReviewRow {
    fn view(self, case_no: String) -> Review {
        Review {
            id: self.id,
            case_id: self.case_id,
            case_no,
            department_id: self.department_id,
            status: self.status,
            report_id: self.report_id,
            proposal: serde_json::from_str(&self.proposal).unwrap_or_default(),
            reasons: serde_json::from_str(&self.reasons).unwrap_or_default(),
            submitted_by: self.submitted_by,
            submitted_at: rfc3339(self.submitted_at),
            due_on: self.due_on,
            reviewer_id: self.reviewer_id,
            checklist: self.checklist.and_then(|c| serde_json::from_str(&c).ok()),
            opinion: self.opinion,
            decided_at: self.decided_at.map(rfc3339),
            diff: vec![],
        }
    }
}

/// `POST /cases/{id}/legal-review` — 提交法制审核 (no body).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
pub struct SubmitReview {}

impl Step for SubmitReview {
    const PATH: &'static str = "/cases/{id}/legal-review";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "提交法制审核 (Art 58): the current report goes to the reviewers' queue.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Change(scope::INVESTIGATING_ROLES)
    }

    /// The current report's proposal with what the reviewer needs; due in
    /// the profile's working days.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        ctx.moving_to(CaseStatus::LegalReview)?;
        let report = ctx.file.latest_report()?.clone();
        if ctx
            .file
            .reviews
            .iter()
            .any(|r| r.status == ReviewStatus::Pending)
        {
            return Err(AppError::new(
                Code::ReviewPending,
                "a legality review of this case is pending",
            ));
        }
        if ctx
            .file
            .reviews
            .iter()
            .any(|r| r.report_id == report.id && r.status == ReviewStatus::Approved)
        {
            return Err(AppError::conflict(
                "the current report was already approved in review",
            ));
        }
        let lookup = crate::workflow::latest_lookup(ctx.conn, &ctx.case.id)?;
        let proposal = serde_json::json!({
            "report": report.body,
            "discretion": lookup.map(|(id, l)| serde_json::json!({"attachment_id": id, "outcome": l.outcome, "tier": l.tier, "fine_min_fen": l.fine_min_fen, "fine_max_fen": l.fine_max_fen, "explanation": l.explanation})),
            "notices": ctx.file.notices.iter().map(|n| serde_json::json!({"id": n.id, "fine_fen": n.body.fine_fen, "served_at": n.body.request.served_at})).collect::<Vec<_>>(),
            "hearing_held": !ctx.file.hearings.is_empty(),
            "transcripts": ctx.file.transcripts.len(),
            "statements": ctx.file.statements.iter().map(|s| serde_json::json!({"waived": s.body.waived, "content": s.body.content})).collect::<Vec<_>>(),
        });
        let mut reasons = report.body.assessment.legal_review_reasons.clone();
        if reasons.is_empty() {
            reasons.push("承办机构主动提请法制审核。".into());
        }
        let days = ctx.profile.legal_review_working_days;
        let due = ctx.cal.working_days_after(ctx.today(), days, &[]).date;
        let id = uuid::Uuid::now_v7().to_string();
        let at = crate::db::micros(ctx.now.naive_utc());
        diesel::insert_into(legal_reviews::table)
            .values((
                legal_reviews::id.eq(&id),
                legal_reviews::case_id.eq(&ctx.case.id),
                legal_reviews::department_id.eq(&ctx.case.department_id),
                legal_reviews::status.eq(ReviewStatus::Pending),
                legal_reviews::report_id.eq(&report.id),
                legal_reviews::proposal.eq(json_text(&proposal)),
                legal_reviews::reasons.eq(json_text(&reasons)),
                legal_reviews::submitted_by.eq(&ctx.caller.user_id),
                legal_reviews::submitted_at.eq(at),
                legal_reviews::due_on.eq(due),
            ))
            .execute(ctx.conn)?;
        ctx.set_deadline(
            "legal_review",
            due,
            format!("法制审核期限：自收到送审材料之日起{days}个工作日内（本部门规则配置）"),
        );
        Ok(CaseEvent::ReviewSubmitted(ReviewSubmitted {
            review_id: id,
            report_id: report.id,
            due_on: due,
            reasons,
        }))
    }
}

/// The shape of an opinion: every item of the checklist answered, none
/// unknown, a failed item states the problem; a return or rejection says
/// why. (Its keys are the items', so the derive cannot say it: each error
/// names its item, `checklist.subject`, `checklist.discretion.note`.)
impl Validate for OpinionRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut add = |e| errors.add("__all__", e);
        for (key, what) in CHECKLIST {
            match self.checklist.get(key) {
                None => add(at(
                    format!("checklist.{key}"),
                    "required",
                    format!("审核事项「{what}」未填写"),
                )),
                Some(e) if !e.passed && blank(e.note.as_deref()) => add(at(
                    format!("checklist.{key}.note"),
                    "required",
                    "a failed item states the problem",
                )),
                _ => {}
            }
        }
        for key in self.checklist.keys() {
            if !CHECKLIST.iter().any(|(k, _)| k == key) {
                add(at(
                    format!("checklist.{key}"),
                    "unknown_field",
                    "not an item of the legality review",
                ));
            }
        }
        if self.outcome != ReviewOutcome::Approve && blank(self.opinion.as_deref()) {
            add(at(
                "opinion",
                "required",
                "a return or rejection gives the reviewer's opinion",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The opinion as a step: the review it answers, from the path.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct GiveOpinion {
    pub review_id: String,
    #[serde(flatten)]
    pub opinion: OpinionRequest,
}

/// The opinion's fields are at the top level of the step.
impl Validate for GiveOpinion {
    fn validate(&self) -> Result<(), ValidationErrors> {
        self.opinion.validate()
    }
}

impl Step for GiveOpinion {
    const PATH: &'static str = "/reviews/{id}/opinion";
    const TAG: &'static str = "reviews";
    const DOC: &'static str = "审核意见: approve, return or reject with the 8-item checklist.";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Review
    }

    /// Approve, return (back to investigation) or reject, with the 8-item
    /// checklist. Exactly one opinion per review, even when many reviewers
    /// answer at once.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let rid = &self.review_id;
        let req = &self.opinion;
        let review = ctx
            .file
            .reviews
            .iter()
            .find(|r| &r.id == rid)
            .cloned()
            .ok_or_else(|| AppError::not_found("review not found"))?;
        if review.status != ReviewStatus::Pending {
            return Err(AppError::new(
                Code::ReviewNotPending,
                format!(
                    "this review was already decided: {}",
                    enum_str(&review.status)
                ),
            ));
        }
        let (qualified, reviewer): (bool, String) = users::table
            .find(&ctx.caller.user_id)
            .select((users::legal_qualification, users::display_name))
            .first(ctx.conn)?;
        let earlier: i64 = legal_reviews::table
            .filter(legal_reviews::reviewer_id.eq(&ctx.caller.user_id))
            .filter(legal_reviews::status.ne(ReviewStatus::Pending))
            .count()
            .get_result(ctx.conn)?;
        check_reviewer(
            &ctx.caller.user_id,
            &ctx.case.investigators,
            qualified,
            earlier,
        )?;
        check_approval(req)?;
        let event = ReviewOpinion {
            review_id: rid.clone(),
            opinion: req.clone(),
        };
        let status = event.status();
        if status != ReviewStatus::Approved {
            // Back to the investigation: a new report needs a new review.
            ctx.moving_to(CaseStatus::Investigating)?;
        }
        let at = crate::db::micros(ctx.now.naive_utc());
        let decided = diesel::update(
            legal_reviews::table
                .filter(legal_reviews::id.eq(rid))
                .filter(legal_reviews::status.eq(ReviewStatus::Pending)),
        )
        .set((
            legal_reviews::status.eq(status),
            legal_reviews::reviewer_id.eq(&ctx.caller.user_id),
            legal_reviews::checklist.eq(json_text(&req.checklist)),
            legal_reviews::opinion.eq(&req.opinion),
            legal_reviews::decided_at.eq(at),
        ))
        .execute(ctx.conn)?;
        if decided != 1 {
            return Err(AppError::new(
                Code::ReviewNotPending,
                "another reviewer decided this review first",
            ));
        }
        if status != ReviewStatus::Approved {
            crate::workbench::send::notify_case_officers(
                ctx.conn,
                &ctx.case.id,
                &crate::workbench::send::Message {
                    kind: "review_returned",
                    dedup_key: format!("review_returned:{rid}"),
                    title: format!(
                        "法制审核{}：{}",
                        if status == ReviewStatus::Returned {
                            "退回补充调查"
                        } else {
                            "不同意"
                        },
                        req.opinion.as_deref().unwrap_or("")
                    ),
                    case_id: Some(ctx.case.id.to_string()),
                    subject_id: Some(rid.clone()),
                },
                at,
            )?;
        }
        ctx.deadline_status("legal_review", DeadlineStatus::Met);
        // 法制审核意见书.
        let items: Vec<serde_json::Value> = CHECKLIST
            .iter()
            .map(|(k, what)| {
                let e = req.checklist.get(*k);
                serde_json::json!({
                    "item": what,
                    "result": if e.is_some_and(|e| e.passed) { "通过" } else { "未通过" },
                    "note": e.and_then(|e| e.note.clone()).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "无".into()),
                })
            })
            .collect();
        let outcome = match req.outcome {
            ReviewOutcome::Approve => "同意",
            ReviewOutcome::Return => "退回补充调查",
            ReviewOutcome::Reject => "不同意",
        };
        let extra = serde_json::json!({"review": {
            "outcome": outcome,
            "opinion": req.opinion.clone().filter(|o| !o.trim().is_empty()).unwrap_or_else(|| match req.outcome {
                ReviewOutcome::Approve => "经审核，执法主体合法，程序合法，事实清楚，证据确凿充分，适用法律准确，裁量适当，同意作出处理决定。".into(),
                _ => "请按审核事项逐项补正后重新报送。".into(),
            }),
            "reviewer": reviewer, "items": items,
        }});
        ctx.issue("review_opinion", extra, Numbering::Counter)?;
        Ok(CaseEvent::ReviewOpinion(event))
    }
}

/// The case a review belongs to.
async fn review_case(state: &AppState, review_id: &str) -> AppResult<String> {
    let id = review_id.to_string();
    state
        .db
        .run(move |conn| {
            legal_reviews::table
                .find(&id)
                .select(legal_reviews::case_id)
                .first::<String>(conn)
                .optional()?
                .ok_or_else(|| AppError::not_found("review not found"))
        })
        .await
}

/// 审核意见 on a review: the review's case takes the opinion as a step.
pub async fn opinion(
    state: &AppState,
    caller: &Caller,
    review_id: &str,
    if_match: Option<i32>,
    req: OpinionRequest,
) -> AppResult<StepView> {
    let step = GiveOpinion {
        review_id: review_id.to_string(),
        opinion: req,
    };
    caller.require_any(&[Role::LegalReviewer])?;
    let case_id = review_case(state, review_id).await?;
    crate::cases::change::take_step(state, caller, &case_id, if_match, None, step).await
}

/// The reviewer's queue: reviews of the departments they serve (their own
/// and those below it), oldest first; a head sees their department's.
pub async fn queue(
    state: &AppState,
    caller: &Caller,
    status: Option<ReviewStatus>,
    page: crate::http::PageRequest,
) -> AppResult<crate::http::Page<Review>> {
    caller.require_any(scope::REVIEW_QUEUE_ROLES)?;
    let after: Option<(NaiveDateTime, String)> = page.after()?;
    let path = caller.department_path.clone();
    let dept = caller.department_id.clone();
    let reviewer = caller.has(Role::LegalReviewer);
    state
        .db
        .run(move |conn| {
            let mut q = legal_reviews::table
                .inner_join(cases::table.inner_join(departments::table))
                .select((ReviewRow::as_select(), cases::case_no))
                .order((legal_reviews::submitted_at.asc(), legal_reviews::id.asc()))
                .limit(page.fetch())
                .into_boxed();
            if let Some((at, id)) = after {
                q = q.filter(
                    legal_reviews::submitted_at
                        .gt(at)
                        .or(legal_reviews::submitted_at
                            .eq(at)
                            .and(legal_reviews::id.gt(id))),
                );
            }
            q = if reviewer {
                q.filter(
                    departments::path
                        .like(crate::db::like_prefix(path))
                        .escape(crate::db::LIKE_ESCAPE),
                )
            } else {
                q.filter(legal_reviews::department_id.eq(dept))
            };
            if let Some(s) = status {
                q = q.filter(legal_reviews::status.eq(s));
            }
            let rows: Vec<(ReviewRow, String)> = q.load(conn)?;
            Ok(
                crate::http::Page::keyset(rows, &page, |(r, _)| (r.submitted_at, r.id.clone()))
                    .map(|(r, no)| r.view(no)),
            )
        })
        .await
}

/// One review with the diff of its proposal against the case's previous review.
pub async fn review(state: &AppState, caller: &Caller, review_id: &str) -> AppResult<Review> {
    caller.require_any(scope::REVIEW_QUEUE_ROLES)?;
    let case_id = review_case(state, review_id).await?;
    let scope_ =
        crate::cases::readable_case(state, caller, &case_id, crate::cases::Access::ReadCase)
            .await?;
    let rid = review_id.to_string();
    state
        .db
        .run(move |conn| {
            let rows: Vec<(ReviewRow, String)> = legal_reviews::table
                .inner_join(cases::table)
                .filter(legal_reviews::case_id.eq(&scope_.case_id))
                .order((legal_reviews::submitted_at.asc(), legal_reviews::id.asc()))
                .select((ReviewRow::as_select(), cases::case_no))
                .load(conn)?;
            let mut all: Vec<Review> = rows.into_iter().map(|(r, no)| r.view(no)).collect();
            let i = all
                .iter()
                .position(|r| r.id == rid)
                .ok_or_else(|| AppError::not_found("review not found"))?;
            let mut this = all.swap_remove(i);
            if i > 0 {
                let prev = &all[i - 1];
                this.diff = diff_json("", &prev.proposal, &this.proposal);
            }
            Ok(this)
        })
        .await
}

/// The changed leaves between two JSON values: `[{path, before, after}]`.
pub fn diff_json(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
) -> Vec<serde_json::Value> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .flat_map(|k| {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    diff_json(
                        &p,
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                    )
                })
                .collect()
        }
        _ if a == b => vec![],
        _ => vec![serde_json::json!({"path": path, "before": a, "after": b})],
    }
}
