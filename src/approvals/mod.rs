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

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{scope, Caller, Role};
use crate::clock::rfc3339;
use crate::db::schema::approvals;
use crate::db::{enum_parse, enum_str, json_text, micros, DbConn};
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::state::AppState;
use rules::{
    check_decision, check_filing_to_approve, ApprovalKind, ApprovalStatus, DecisionEffect,
    DecisionOutcome,
};

/// The approval a head's decision is running (see `Caller::approving`).
#[derive(Debug, Clone)]
pub struct Approving {
    pub id: String,
    pub opinion: Option<String>,
}

/// What an approval is about.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Case(&'a str),
    Clue(&'a str),
}

/// `POST /approvals` — an officer asks a head to approve an act.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub outcome: DecisionOutcome,
    /// 审批意见: required when rejecting.
    #[serde(default)]
    pub opinion: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Approval {
    pub id: String,
    pub department_id: String,
    pub kind: ApprovalKind,
    /// The approval slip's name (审批表).
    pub title: String,
    pub case_id: Option<String>,
    pub clue_id: Option<String>,
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    pub summary: String,
    pub status: ApprovalStatus,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub opinion: Option<String>,
    /// What the approved act produced: `step` (a case step), `case` (a
    /// case filed from a clue) or `clue`.
    pub result_kind: Option<String>,
    pub result_id: Option<String>,
}

#[derive(Queryable)]
struct ApprovalRow {
    id: String,
    department_id: String,
    kind: String,
    case_id: Option<String>,
    clue_id: Option<String>,
    request: String,
    summary: String,
    status: String,
    requested_by: String,
    requested_at: NaiveDateTime,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
    opinion: Option<String>,
    result_kind: Option<String>,
    result_id: Option<String>,
}

impl ApprovalRow {
    fn view(self) -> Approval {
        let kind = enum_parse(&self.kind).unwrap_or(ApprovalKind::Suspension);
        Approval {
            id: self.id,
            department_id: self.department_id,
            kind,
            title: kind.label().into(),
            case_id: self.case_id,
            clue_id: self.clue_id,
            request: serde_json::from_str(&self.request).unwrap_or_default(),
            summary: self.summary,
            status: enum_parse(&self.status).unwrap_or(ApprovalStatus::Pending),
            requested_by: self.requested_by,
            requested_at: rfc3339(self.requested_at),
            decided_by: self.decided_by,
            decided_at: self.decided_at.map(rfc3339),
            opinion: self.opinion,
            result_kind: self.result_kind,
            result_id: self.result_id,
        }
    }
}

fn load(conn: &mut DbConn, id: &str) -> AppResult<ApprovalRow> {
    approvals::table
        .find(id)
        .first::<ApprovalRow>(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("approval not found"))
}

fn subject_filter<'a>(
    q: approvals::BoxedQuery<'a, crate::db::MultiBackend>,
    subject: Subject<'a>,
) -> approvals::BoxedQuery<'a, crate::db::MultiBackend> {
    match subject {
        Subject::Case(id) => q.filter(approvals::case_id.eq(id)),
        Subject::Clue(id) => q.filter(approvals::clue_id.eq(id)),
    }
}

/// Settles the approval of an act being taken by a head, inside the act's
/// transaction: the approval the head is deciding, else an officer's
/// pending request for the same act (the head acted directly), else a new
/// record of the head's direct approval. Answers the approval's id.
#[allow(clippy::too_many_arguments)]
pub fn settle(
    conn: &mut DbConn,
    caller: &Caller,
    kind: ApprovalKind,
    subject: Subject,
    department_id: &str,
    request: &serde_json::Value,
    result: (&str, &str),
    at: NaiveDateTime,
) -> AppResult<String> {
    let at = micros(at);
    let opinion = caller.approving.as_ref().and_then(|a| a.opinion.clone());
    let pending: Option<String> = match &caller.approving {
        Some(a) => Some(a.id.clone()),
        None => subject_filter(approvals::table.into_boxed(), subject)
            .filter(approvals::kind.eq(enum_str(&kind)))
            .filter(approvals::status.eq("pending"))
            .order((approvals::requested_at.asc(), approvals::id.asc()))
            .select(approvals::id)
            .first(conn)
            .optional()?,
    };
    if let Some(id) = pending {
        let row = load(conn, &id)?;
        let same_subject = match subject {
            Subject::Case(c) => row.case_id.as_deref() == Some(c),
            Subject::Clue(c) => row.clue_id.as_deref() == Some(c),
        };
        if !same_subject || row.kind != enum_str(&kind) {
            return Err(AppError::rule(
                Code::ApprovalKindMismatch,
                "the approval being decided is for another act",
            ));
        }
        let n = diesel::update(
            approvals::table
                .filter(approvals::id.eq(&id))
                .filter(approvals::status.eq("pending")),
        )
        .set((
            approvals::status.eq("approved"),
            approvals::decided_by.eq(&caller.user_id),
            approvals::decided_at.eq(at),
            approvals::opinion.eq(opinion.as_deref().unwrap_or("同意")),
            approvals::result_kind.eq(result.0),
            approvals::result_id.eq(result.1),
        ))
        .execute(conn)?;
        if n != 1 {
            return Err(AppError::new(
                Code::ApprovalDecided,
                "the approval was decided by someone else first",
            ));
        }
        crate::workbench::notify(
            conn,
            std::slice::from_ref(&row.requested_by),
            &crate::workbench::Message {
                kind: "approval_approved",
                dedup_key: format!("approval_decided:{id}"),
                title: format!("{}已批准", kind.label()),
                case_id: row.case_id.clone(),
                subject_id: Some(id.clone()),
            },
            at,
        )?;
        return Ok(id);
    }
    let id = uuid::Uuid::now_v7().to_string();
    let (case_id, clue_id) = match subject {
        Subject::Case(c) => (Some(c), None),
        Subject::Clue(c) => (None, Some(c)),
    };
    diesel::insert_into(approvals::table)
        .values((
            approvals::id.eq(&id),
            approvals::department_id.eq(department_id),
            approvals::kind.eq(enum_str(&kind)),
            approvals::case_id.eq(case_id),
            approvals::clue_id.eq(clue_id),
            approvals::request.eq(json_text(request)),
            approvals::summary.eq(summary_of(kind, request)),
            approvals::status.eq("approved"),
            approvals::requested_by.eq(&caller.user_id),
            approvals::requested_at.eq(at),
            approvals::decided_by.eq(&caller.user_id),
            approvals::decided_at.eq(at),
            approvals::opinion.eq("负责人直接批准"),
            approvals::result_kind.eq(result.0),
            approvals::result_id.eq(result.1),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A line for the queue: the slip's name and the reason given.
fn summary_of(kind: ApprovalKind, request: &serde_json::Value) -> String {
    let detail = ["reason", "facts", "days"]
        .iter()
        .find_map(|k| request.get(*k))
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let mut s = kind.label().to_string();
    if !detail.is_empty() {
        s.push('：');
        s.extend(detail.chars().take(120));
    }
    s
}

/// The act's body must be what its endpoint takes: checked when asked, so
/// a head never decides on a request that cannot run.
fn check_request(kind: ApprovalKind, request: &serde_json::Value) -> AppResult<()> {
    use crate::workflow::rules as w;
    fn parse<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> AppResult<()> {
        serde_json::from_value::<T>(v.clone())
            .map(|_| ())
            .map_err(|e| {
                AppError::validation(vec![FieldError::new("request", "invalid", e.to_string())])
            })
    }
    match kind {
        ApprovalKind::Filing => parse::<w::FilingApprovalRequest>(request),
        ApprovalKind::Suspension
        | ApprovalKind::Resumption
        | ApprovalKind::Termination
        | ApprovalKind::Closure => parse::<w::ReasonRequest>(request),
        ApprovalKind::Extension => parse::<w::ExtensionRequest>(request),
        ApprovalKind::PaymentPlan => parse::<w::PaymentPlanRequest>(request),
        ApprovalKind::CourtEnforcement => parse::<w::CourtEnforcementRequest>(request),
        ApprovalKind::Reassignment => parse::<w::ReassignRequest>(request),
        ApprovalKind::Recusal => parse::<w::RecusalRequest>(request),
        ApprovalKind::Transfer => Err(AppError::rule_on_field(
            Code::ApprovalKindMismatch,
            "kind",
            "a transfer is asked for with POST /api/v1/cases/{id}/transfers, which queues its approval",
        )),
        ApprovalKind::Preservation | ApprovalKind::Seizure => {
            if request.get("measure_id").is_some() {
                return Err(AppError::rule_on_field(
                    Code::ApprovalKindMismatch,
                    "request",
                    "an emergency measure queues its own approval",
                ));
            }
            parse::<crate::property::MeasureRequest>(request)
        }
        ApprovalKind::PreservationDecision => parse::<crate::property::PreservationDecisionRequest>(request),
        ApprovalKind::SeizureExtension => parse::<crate::property::SeizureExtensionRequest>(request),
        ApprovalKind::Disposal => parse::<crate::property::DisposalRequest>(request),
        ApprovalKind::ClueFiling => parse::<crate::cases::NewCase>(request),
        ApprovalKind::ClueRejection => parse::<crate::clues::RejectionRequest>(request),
        ApprovalKind::ClueExtension => parse::<crate::clues::ClueExtensionRequest>(request),
        ApprovalKind::ClueTransfer => parse::<crate::clues::ClueTransferRequest>(request),
    }
}

fn heads_message(
    kind: ApprovalKind,
    id: &str,
    case_id: Option<String>,
) -> crate::workbench::Message {
    crate::workbench::Message {
        kind: "approval_asked",
        dedup_key: format!("approval_asked:{id}"),
        title: format!("待审批：{}", kind.label()),
        case_id,
        subject_id: Some(id.to_string()),
    }
}

/// Queues an approval asked for inside another act's transaction (a
/// transfer request): pending, the heads told.
pub fn queue(
    conn: &mut DbConn,
    caller: &Caller,
    kind: ApprovalKind,
    case_id: &str,
    department_id: &str,
    request: &serde_json::Value,
    at: NaiveDateTime,
) -> AppResult<String> {
    let id = uuid::Uuid::now_v7().to_string();
    insert_pending(
        conn,
        caller,
        &id,
        kind,
        Subject::Case(case_id),
        department_id,
        request,
        at,
    )?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
fn insert_pending(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    kind: ApprovalKind,
    subject: Subject,
    department_id: &str,
    request: &serde_json::Value,
    at: NaiveDateTime,
) -> AppResult<()> {
    let open: i64 = subject_filter(approvals::table.into_boxed(), subject)
        .filter(approvals::kind.eq(enum_str(&kind)))
        .filter(approvals::status.eq("pending"))
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Err(AppError::new(
            Code::ApprovalPending,
            format!(
                "a {} is waiting for a head's decision already",
                kind.label()
            ),
        ));
    }
    let (case_id, clue_id) = match subject {
        Subject::Case(c) => (Some(c), None),
        Subject::Clue(c) => (None, Some(c)),
    };
    diesel::insert_into(approvals::table)
        .values((
            approvals::id.eq(id),
            approvals::department_id.eq(department_id),
            approvals::kind.eq(enum_str(&kind)),
            approvals::case_id.eq(case_id),
            approvals::clue_id.eq(clue_id),
            approvals::request.eq(json_text(request)),
            approvals::summary.eq(summary_of(kind, request)),
            approvals::status.eq("pending"),
            approvals::requested_by.eq(&caller.user_id),
            approvals::requested_at.eq(micros(at)),
        ))
        .execute(conn)?;
    crate::workbench::notify_department(
        conn,
        department_id,
        &[Role::Head],
        &heads_message(kind, id, case_id.map(str::to_string)),
        at,
    )
}

/// The state of a case's latest filing approval (`None`: filed from a clue
/// or before filing approvals were kept).
pub fn filing_status(conn: &mut DbConn, case_id: &str) -> AppResult<Option<ApprovalStatus>> {
    let status: Option<String> = approvals::table
        .filter(approvals::case_id.eq(case_id))
        .filter(approvals::kind.eq(enum_str(&ApprovalKind::Filing)))
        .order((approvals::requested_at.desc(), approvals::id.desc()))
        .select(approvals::status)
        .first(conn)
        .optional()?;
    Ok(status.and_then(|s| enum_parse(&s)))
}

/// An officer (or a head, for another head) asks for an act's approval.
pub async fn ask(state: &AppState, caller: &Caller, req: AskRequest) -> AppResult<Approval> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    check_request(req.kind, &req.request)?;
    let now = state.clock.now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    let key = state.settings.record_key.clone();
    if req.kind.on_clue() {
        let clue_id = req.clue_id.clone().ok_or_else(|| {
            AppError::validation(vec![FieldError::new(
                "clue_id",
                "required",
                "the clue the act is on",
            )])
        })?;
        let caller = caller.clone();
        return state
            .db
            .write(move |conn| {
                let dept = crate::clues::check_open_for(conn, &caller, &clue_id)?;
                insert_pending(
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
                Ok(load(conn, &id)?.view())
            })
            .await;
    }
    let case_id = req.case_id.clone().ok_or_else(|| {
        AppError::validation(vec![FieldError::new(
            "case_id",
            "required",
            "the case the act is on",
        )])
    })?;
    let scope_ = crate::cases::writable_case(state, caller, &case_id).await?;
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            crate::cases::store::open_case(conn, &scope_.case_id, None)?;
            if req.kind == ApprovalKind::Filing {
                check_filing_to_approve(filing_status(conn, &scope_.case_id)?)?;
            }
            insert_pending(conn, &caller, &id, req.kind, Subject::Case(&scope_.case_id), &scope_.department_id, &req.request, now)?;
            let actor = crate::cases::actor_on_case(conn, &caller, &scope_.case_id)?;
            crate::records::append(
                conn,
                key.as_bytes(),
                &scope_.case_id,
                &actor,
                "approval.requested",
                &serde_json::json!({"approval_id": id, "kind": req.kind, "title": req.kind.label(), "request": req.request}),
                Some(&caller.request_id),
                now,
            )?;
            Ok(load(conn, &id)?.view())
        })
        .await
}

/// A head decides. Approving runs the act as the head; rejecting records
/// the opinion. The same decision again answers the approval unchanged.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: DecisionRequest,
) -> AppResult<Approval> {
    let id = id.to_string();
    let row = {
        let id = id.clone();
        state.db.run(move |conn| load(conn, &id)).await?
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
    let status: ApprovalStatus = enum_parse(&row.status).unwrap_or(ApprovalStatus::Pending);
    if check_decision(status, req.outcome)? == DecisionEffect::Repeat {
        return Ok(row.view());
    }
    let opinion = req
        .opinion
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string);
    match req.outcome {
        DecisionOutcome::Approve => {
            let mut head = caller.clone();
            head.approving = Some(Approving {
                id: id.clone(),
                opinion,
            });
            run(state, &head, &row).await?;
        }
        DecisionOutcome::Reject => {
            let opinion = opinion.ok_or_else(|| {
                AppError::validation(vec![FieldError::new(
                    "opinion",
                    "required",
                    "why the act is not approved",
                )])
            })?;
            reject(state, caller, &row, opinion).await?;
        }
    }
    state.db.run(move |conn| Ok(load(conn, &id)?.view())).await
}

/// Runs the approved act as the head (`head.approving` set): the act
/// settles the approval in its own transaction.
async fn run(state: &AppState, head: &Caller, row: &ApprovalRow) -> AppResult<()> {
    use crate::workflow as w;
    let kind: ApprovalKind =
        enum_parse(&row.kind).ok_or_else(|| AppError::internal("unknown approval kind"))?;
    let request: serde_json::Value = serde_json::from_str(&row.request).unwrap_or_default();
    fn body<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> AppResult<T> {
        serde_json::from_value(v.clone()).map_err(|e| {
            AppError::validation(vec![FieldError::new("request", "invalid", e.to_string())])
        })
    }
    let case = row.case_id.as_deref().unwrap_or_default();
    let clue = row.clue_id.as_deref().unwrap_or_default();
    match kind {
        ApprovalKind::Filing => w::approve_filing(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::Suspension => w::suspend(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::Resumption => w::resume(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::Termination => w::terminate(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::Closure => w::close(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::Extension => w::extend(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::PaymentPlan => w::payment_plan(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::CourtEnforcement => {
            w::court_enforcement(state, head, case, None, body(&request)?)
                .await
                .map(drop)
        }
        ApprovalKind::Reassignment => w::reassign(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::Recusal => w::recuse(state, head, case, None, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::Transfer => {
            let t: TransferRef = body(&request)?;
            crate::transfers::approve(state, head, &t.transfer_id)
                .await
                .map(drop)
        }
        ApprovalKind::Preservation | ApprovalKind::Seizure => {
            if request.get("measure_id").is_some() {
                return crate::property::confirm(state, head, case, kind, body(&request)?)
                    .await
                    .map(drop);
            }
            if kind == ApprovalKind::Preservation {
                crate::property::preserve(state, head, case, None, body(&request)?)
                    .await
                    .map(drop)
            } else {
                crate::property::seize(state, head, case, None, body(&request)?)
                    .await
                    .map(drop)
            }
        }
        ApprovalKind::PreservationDecision => {
            crate::property::decide_preservation(state, head, case, None, body(&request)?)
                .await
                .map(drop)
        }
        ApprovalKind::SeizureExtension => {
            crate::property::extend_seizure(state, head, case, None, body(&request)?)
                .await
                .map(drop)
        }
        ApprovalKind::Disposal => {
            crate::property::dispose(state, head, case, None, body(&request)?)
                .await
                .map(drop)
        }
        ApprovalKind::ClueFiling => crate::clues::file(state, head, clue, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::ClueRejection => crate::clues::reject(state, head, clue, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::ClueExtension => crate::clues::extend(state, head, clue, body(&request)?)
            .await
            .map(drop),
        ApprovalKind::ClueTransfer => crate::clues::transfer(state, head, clue, body(&request)?)
            .await
            .map(drop),
    }
}

#[derive(Deserialize)]
struct TransferRef {
    transfer_id: String,
}

/// Records a head's refusal, with its opinion, in the history of what the
/// approval was about.
async fn reject(
    state: &AppState,
    caller: &Caller,
    row: &ApprovalRow,
    opinion: String,
) -> AppResult<()> {
    let now = state.clock.now().naive_utc();
    let key = state.settings.record_key.clone();
    let caller = caller.clone();
    let (id, kind, case_id, clue_id, requested_by, request) = (
        row.id.clone(),
        enum_parse::<ApprovalKind>(&row.kind).unwrap_or(ApprovalKind::Suspension),
        row.case_id.clone(),
        row.clue_id.clone(),
        row.requested_by.clone(),
        row.request.clone(),
    );
    state
        .db
        .write(move |conn| {
            let n = diesel::update(approvals::table.filter(approvals::id.eq(&id)).filter(approvals::status.eq("pending")))
                .set((
                    approvals::status.eq("rejected"),
                    approvals::decided_by.eq(&caller.user_id),
                    approvals::decided_at.eq(micros(now)),
                    approvals::opinion.eq(&opinion),
                ))
                .execute(conn)?;
            if n != 1 {
                return Err(AppError::new(Code::ApprovalDecided, "the approval was decided by someone else first"));
            }
            let detail = serde_json::json!({"approval_id": id, "kind": kind, "title": kind.label(), "opinion": opinion});
            if let Some(case_id) = &case_id {
                let actor = crate::cases::actor_on_case(conn, &caller, case_id)?;
                crate::records::append(conn, key.as_bytes(), case_id, &actor, "approval.rejected", &detail, Some(&caller.request_id), now)?;
                if matches!(kind, ApprovalKind::Preservation | ApprovalKind::Seizure) {
                    // An emergency measure the head does not approve is lifted at once (Compulsion Law Art 19).
                    if let Ok(r) = serde_json::from_str::<crate::property::Retrospective>(&request) {
                        crate::property::lift(conn, case_id, &r.measure_id, &caller.user_id, now)?;
                    }
                }
                if kind == ApprovalKind::Transfer {
                    // The transfer asked for falls with its approval.
                    if let Ok(t) = serde_json::from_str::<TransferRef>(&request) {
                        crate::transfers::refuse(conn, &t.transfer_id)?;
                    }
                }
            }
            if let Some(clue_id) = &clue_id {
                crate::clues::record(conn, clue_id, &caller, "approval.rejected", &detail, now)?;
            }
            crate::workbench::notify(
                conn,
                &[requested_by],
                &crate::workbench::Message {
                    kind: "approval_rejected",
                    dedup_key: format!("approval_decided:{id}"),
                    title: format!("{}未获批准：{opinion}", kind.label()),
                    case_id: case_id.clone(),
                    subject_id: Some(id.clone()),
                },
                now,
            )
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
) -> AppResult<Vec<Approval>> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    let caller = caller.clone();
    state
        .db
        .run(move |conn| {
            let mut q = approvals::table
                .order((approvals::requested_at.asc(), approvals::id.asc()))
                .limit(500)
                .into_boxed();
            q = if caller.has(Role::Head) {
                q.filter(approvals::department_id.eq(caller.department_id.clone()))
            } else {
                q.filter(approvals::requested_by.eq(caller.user_id.clone()))
            };
            if let Some(s) = f.status {
                q = q.filter(approvals::status.eq(enum_str(&s)));
            }
            if let Some(c) = f.case_id {
                q = q.filter(approvals::case_id.eq(c));
            }
            if let Some(c) = f.clue_id {
                q = q.filter(approvals::clue_id.eq(c));
            }
            let rows: Vec<ApprovalRow> = q.load(conn)?;
            Ok(rows.into_iter().map(ApprovalRow::view).collect())
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
            let row = load(conn, &id)?;
            if !scope::may_see_approval(&caller, &row.department_id) {
                return Err(AppError::not_found("approval not found"));
            }
            Ok(row.view())
        })
        .await
}

/// The approvals of a case, for its file and its archive.
pub fn of_case(conn: &mut DbConn, case_id: &str) -> AppResult<Vec<Approval>> {
    let rows: Vec<ApprovalRow> = approvals::table
        .filter(approvals::case_id.eq(case_id))
        .order((approvals::requested_at.asc(), approvals::id.asc()))
        .load(conn)?;
    Ok(rows.into_iter().map(ApprovalRow::view).collect())
}
