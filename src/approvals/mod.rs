//! 审批 — every act the law puts under a head's approval is a record: who
//! asked, who decided, when, with what opinion, and what it produced.
//!
//! An officer asks (`POST /approvals` with the act's body); a head of the
//! department decides (`POST /approvals/{id}/decision`): approving runs the
//! act itself, as that head, and the act settles the approval in its own
//! transaction (`settle`), so an approval is approved exactly when its act
//! is done. A head acting directly leaves an approved record too, and
//! answers an officer's pending request for the same act. Deciding twice
//! the same way is a repeat; the other way, a conflict.

pub mod api;
pub mod rules;
pub mod store;

use store::ApprovalRow;
pub use store::{Approval, Approving, Subject};

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::auth::{scope, Caller, Role};
use crate::cases::change::{change, take_step, Guard, How, Step};
use crate::cases::events::{ApprovalRejected, ApprovalRequested, CaseEvent};
use crate::db::schema::approvals;
use crate::db::{enum_str, micros, DbConn};
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::kernel::shape::{blank, check};
use crate::state::AppState;
use rules::{
    check_decision, check_filing_to_approve, ApprovalKind, ApprovalStatus, DecisionEffect,
    DecisionOutcome,
};

/// `POST /approvals` — an officer asks a head to approve an act.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = names_its_subject, skip_on_field_errors = false))]
pub struct AskRequest {
    pub kind: ApprovalKind,
    /// The case the act is on (case kinds).
    #[serde(default)]
    pub case_id: Option<String>,
    /// The clue the act is on (clue kinds).
    #[serde(default)]
    pub clue_id: Option<String>,
    /// The act's body, as its own endpoint takes it (e.g. `{reason}` for a
    /// suspension, the intake body for a filing).
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
}

/// `POST /approvals/{id}/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = rejection_says_why, skip_on_field_errors = false))]
#[schema(as = ApprovalDecisionRequest)]
pub struct DecisionRequest {
    pub outcome: DecisionOutcome,
    /// 审批意见: required when rejecting.
    #[serde(default)]
    pub opinion: Option<String>,
}

/// An act on a clue names the clue; one on a case, the case.
fn names_its_subject(a: &AskRequest) -> Result<(), ValidationError> {
    if a.kind.on_clue() {
        check(
            a.clue_id.is_some(),
            "clue_id",
            "required",
            "the clue the act is on",
        )
    } else {
        check(
            a.case_id.is_some(),
            "case_id",
            "required",
            "the case the act is on",
        )
    }
}

/// A rejection says why (审批意见).
fn rejection_says_why(d: &DecisionRequest) -> Result<(), ValidationError> {
    check(
        d.outcome != DecisionOutcome::Reject || !blank(d.opinion.as_deref()),
        "opinion",
        "required",
        "why the act is not approved",
    )
}

/// How an approval runs the act it approves, registered by the capability
/// that owns the act (`<capability>::api::approved_acts`, gathered in
/// `routes::approved_acts`): approvals know no capability, so none of them
/// depends back on this module.
#[derive(Clone, Copy)]
pub struct ApprovedAct {
    /// Refuses a request body the act would not take (checked when asked,
    /// so a head never decides on something that cannot run).
    pub check: fn(&Value) -> AppResult<()>,
    /// Runs the act as the head, who settles the approval in the act's own
    /// transaction.
    pub run: for<'a> fn(&'a AppState, &'a Caller, Approving, String, Value) -> Acting<'a>,
    /// What a refusal undoes in the refusal's transaction (an emergency
    /// measure lifted, a transfer refused).
    pub on_reject: Option<Undo>,
}

/// What a refusal undoes: given the case, the approval's request, the head
/// and the time, inside the refusal's transaction.
pub type Undo = fn(&mut DbConn, &str, &Value, &str, NaiveDateTime) -> AppResult<()>;

/// The act an approval runs, as a future.
pub type Acting<'a> = futures_util::future::LocalBoxFuture<'a, AppResult<()>>;

/// Every act heads approve, by kind.
#[derive(Clone, Default)]
pub struct ApprovedActs(HashMap<ApprovalKind, ApprovedAct>);

impl ApprovedActs {
    pub fn add(&mut self, kind: ApprovalKind, act: ApprovedAct) {
        self.0.insert(kind, act);
    }

    fn of(&self, kind: ApprovalKind) -> AppResult<&ApprovedAct> {
        self.0
            .get(&kind)
            .ok_or_else(|| AppError::internal(format!("no act registered for {}", enum_str(&kind))))
    }
}

/// The request body, as the act's own type, in the shape the act's own
/// endpoint requires (`validator::Validate`, the fields named as there).
pub fn parse<T: serde::de::DeserializeOwned + validator::Validate>(v: &Value) -> AppResult<T> {
    let body: T = serde_json::from_value(v.clone()).map_err(|e| {
        AppError::validation(vec![FieldError::new("request", "invalid", e.to_string())])
    })?;
    crate::error::check_shape(&body)?;
    Ok(body)
}

/// The approved act of a case step `S`: its body is the step's request.
pub fn step_act<S: Step>() -> ApprovedAct {
    fn check<S: Step>(v: &Value) -> AppResult<()> {
        parse::<S>(v).map(drop)
    }
    fn run<'a, S: Step>(
        state: &'a AppState,
        head: &'a Caller,
        approving: Approving,
        case_id: String,
        request: Value,
    ) -> Acting<'a> {
        Box::pin(async move {
            let step: S = parse(&request)?;
            take_step(state, head, &case_id, None, Some(approving), step)
                .await
                .map(drop)
        })
    }
    ApprovedAct {
        check: check::<S>,
        run: run::<S>,
        on_reject: None,
    }
}

/// An officer (or a head, for another head) asks for an act's approval.
pub async fn ask(
    state: &AppState,
    acts: &ApprovedActs,
    caller: &Caller,
    req: AskRequest,
) -> AppResult<Approval> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    (acts.of(req.kind)?.check)(&req.request)?;
    let now = state.clock.now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    if req.kind.on_clue() {
        let clue_id = req
            .clue_id
            .clone()
            .ok_or_else(|| AppError::internal("an approval of a clue's act without its clue"))?;
        let caller = caller.clone();
        return state
            .db
            .write(move |conn| {
                let dept = crate::clues::check_open_for(conn, &caller, &clue_id)?;
                store::insert_pending(
                    conn,
                    &caller,
                    &id,
                    req.kind,
                    Subject::Clue(&clue_id),
                    &dept,
                    &req.request,
                    now,
                )?;
                crate::clues::record(
                    conn,
                    &clue_id,
                    &caller,
                    "approval.requested",
                    &serde_json::json!({"approval_id": id, "kind": req.kind}),
                    now,
                )?;
                Ok(store::load(conn, &id)?.view())
            })
            .await;
    }
    let case_id = req
        .case_id
        .clone()
        .ok_or_else(|| AppError::internal("an approval of a case's act without its case"))?;
    let how = How::guard(Guard::Change(scope::INVESTIGATING_ROLES), None);
    let (_, approval) = change(state, caller, &case_id, how, move |ctx| {
        if req.kind == ApprovalKind::Filing {
            check_filing_to_approve(store::filing_status(ctx.conn, &ctx.case.id)?)?;
        }
        store::insert_pending(
            ctx.conn,
            ctx.caller,
            &id,
            req.kind,
            Subject::Case(&ctx.case.id),
            &ctx.case.department_id,
            &req.request,
            ctx.now.naive_utc(),
        )?;
        let event = CaseEvent::ApprovalRequested(ApprovalRequested {
            approval_id: id.clone(),
            kind: serde_json::to_value(req.kind).unwrap_or_default(),
            title: req.kind.label().into(),
            request: req.request.clone(),
        });
        Ok((event, store::load(ctx.conn, &id)?.view()))
    })
    .await?;
    Ok(approval)
}

/// A head decides. Approving runs the act as the head; rejecting records
/// the opinion. The same decision again answers the approval unchanged.
pub async fn decide(
    state: &AppState,
    acts: &ApprovedActs,
    caller: &Caller,
    id: &str,
    req: DecisionRequest,
) -> AppResult<Approval> {
    let id = id.to_string();
    let row = {
        let id = id.clone();
        state.db.run(move |conn| store::load(conn, &id)).await?
    };
    // Other departments' approvals do not exist for the caller; the role is checked where it is visible.
    if !scope::may_see_approval(caller, &row.department_id) {
        return Err(AppError::not_found("approval not found"));
    }
    if !scope::may_decide_approval(caller, &row.department_id) {
        return Err(AppError::forbidden(
            "only a head of the department decides an approval (行政机关负责人批准)",
        ));
    }
    let status = row.status;
    if check_decision(status, req.outcome)? == DecisionEffect::Repeat {
        return Ok(row.view());
    }
    let opinion = req
        .opinion
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string);
    let kind = row.kind;
    let act = *acts.of(kind)?;
    let request: Value = serde_json::from_str(&row.request).unwrap_or_default();
    let subject = row
        .case_id
        .clone()
        .or(row.clue_id.clone())
        .unwrap_or_default();
    match req.outcome {
        DecisionOutcome::Approve => {
            let approving = Approving {
                id: id.clone(),
                opinion,
            };
            (act.run)(state, caller, approving, subject, request).await?;
        }
        DecisionOutcome::Reject => {
            let opinion =
                opinion.ok_or_else(|| AppError::internal("a rejection without its opinion"))?;
            reject(state, caller, &row, kind, act, opinion).await?;
        }
    }
    state
        .db
        .run(move |conn| Ok(store::load(conn, &id)?.view()))
        .await
}

/// Marks an approval rejected (a conditional update: of two heads, one).
fn mark_rejected(
    conn: &mut DbConn,
    id: &str,
    caller: &Caller,
    opinion: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let n = diesel::update(
        approvals::table
            .filter(approvals::id.eq(id))
            .filter(approvals::status.eq(ApprovalStatus::Pending)),
    )
    .set((
        approvals::status.eq(ApprovalStatus::Rejected),
        approvals::decided_by.eq(&caller.user_id),
        approvals::decided_at.eq(micros(at)),
        approvals::opinion.eq(opinion),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(AppError::new(
            Code::ApprovalDecided,
            "the approval was decided by someone else first",
        ));
    }
    Ok(())
}

/// Records a head's refusal, with its opinion, in the history of what the
/// approval was about: a case's record (as one of its changes) or a clue's.
async fn reject(
    state: &AppState,
    caller: &Caller,
    row: &store::ApprovalRow,
    kind: ApprovalKind,
    act: ApprovedAct,
    opinion: String,
) -> AppResult<()> {
    let (id, requested_by, request) = (
        row.id.clone(),
        row.requested_by.clone(),
        row.request.clone(),
    );
    let message = move |case_id: Option<String>, opinion: &str| crate::workbench::send::Message {
        kind: "approval_rejected",
        dedup_key: format!("approval_decided:{id}"),
        title: format!("{}未获批准：{opinion}", kind.label()),
        case_id,
        subject_id: Some(id.clone()),
    };
    if let Some(case_id) = row.case_id.clone() {
        let id = row.id.clone();
        let how = How {
            on_final_file: true,
            ..How::guard(Guard::Change(scope::HEAD_ROLES), None)
        };
        change(state, caller, &case_id, how, move |ctx| {
            let at = ctx.now.naive_utc();
            mark_rejected(ctx.conn, &id, ctx.caller, &opinion, at)?;
            let request: Value = serde_json::from_str(&request).unwrap_or_default();
            if let Some(undo) = act.on_reject {
                undo(ctx.conn, &ctx.case.id, &request, &ctx.caller.user_id, at)?;
            }
            crate::workbench::send::notify(
                ctx.conn,
                std::slice::from_ref(&requested_by),
                &message(Some(ctx.case.id.to_string()), &opinion),
                at,
            )?;
            let event = CaseEvent::ApprovalRejected(ApprovalRejected {
                approval_id: id.clone(),
                kind: serde_json::to_value(kind).unwrap_or_default(),
                title: kind.label().into(),
                opinion: opinion.clone(),
            });
            Ok((event, ()))
        })
        .await?;
        return Ok(());
    }
    let clue_id = row.clue_id.clone().unwrap_or_default();
    let now = state.clock.now().naive_utc();
    let (caller, id) = (caller.clone(), row.id.clone());
    state
        .db
        .write(move |conn| {
            mark_rejected(conn, &id, &caller, &opinion, now)?;
            let detail = serde_json::json!({"approval_id": id, "kind": kind, "title": kind.label(), "opinion": opinion});
            crate::clues::record(conn, &clue_id, &caller, "approval.rejected", &detail, now)?;
            crate::workbench::send::notify(conn, &[requested_by], &message(None, &opinion), now)
        })
        .await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApprovalFilter {
    pub status: Option<ApprovalStatus>,
    pub case_id: Option<String>,
    pub clue_id: Option<String>,
}

/// A head's queue: the approvals of their department; anyone else: the
/// approvals they asked for. Oldest first, so the queue is worked in order.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    f: ApprovalFilter,
    page: crate::http::PageRequest,
) -> AppResult<crate::http::Page<Approval>> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    let caller = caller.clone();
    let after: Option<(NaiveDateTime, String)> = page.after()?;
    state
        .db
        .run(move |conn| {
            let mut q = approvals::table
                .order((approvals::requested_at.asc(), approvals::id.asc()))
                .limit(page.fetch())
                .into_boxed();
            if let Some((at, id)) = after {
                q = q.filter(
                    approvals::requested_at
                        .gt(at)
                        .or(approvals::requested_at.eq(at).and(approvals::id.gt(id))),
                );
            }
            q = if caller.has(Role::Head) {
                q.filter(approvals::department_id.eq(caller.department_id.clone()))
            } else {
                q.filter(approvals::requested_by.eq(caller.user_id.clone()))
            };
            if let Some(s) = f.status {
                q = q.filter(approvals::status.eq(s));
            }
            if let Some(c) = f.case_id {
                q = q.filter(approvals::case_id.eq(c));
            }
            if let Some(c) = f.clue_id {
                q = q.filter(approvals::clue_id.eq(c));
            }
            let rows: Vec<ApprovalRow> = q.select(ApprovalRow::as_select()).load(conn)?;
            Ok(
                crate::http::Page::keyset(rows, &page, |r| (r.requested_at, r.id.clone()))
                    .map(ApprovalRow::view),
            )
        })
        .await
}

/// One approval: for the department's staff.
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> AppResult<Approval> {
    caller.require_any(scope::CASE_ROLES)?;
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .run(move |conn| {
            let row = store::load(conn, &id)?;
            if !scope::may_see_approval(&caller, &row.department_id) {
                return Err(AppError::not_found("approval not found"));
            }
            Ok(row.view())
        })
        .await
}
