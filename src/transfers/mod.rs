//! 案件移送: a case goes to the competent agency (jurisdiction) or, as a
//! suspected crime, to public security. Asked for by the case's officers,
//! approved by a head — the case becomes `transferred` and the letter
//! (案件移送函 / 涉嫌犯罪案件移送书) is issued in the same transaction — then
//! accepted or returned by the receiving organ; a returned case goes back
//! to where it stood (Decree 310 Art 10: the agency handles it itself).

pub mod api;
pub mod rules;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::scope;
use crate::auth::Caller;
use crate::cases::rules::{check_transition, CaseStatus};
use crate::clock::rfc3339;
use crate::db::schema::{cases, transfers};
use crate::db::{enum_parse, enum_str};
use crate::error::{AppError, AppResult, Code};
use crate::state::AppState;
use crate::workflow::{perform, Act, Guard, StepView};
use rules::{TransferKind, TransferStatus};

/// `POST /cases/{id}/transfers`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub kind: TransferKind,
    pub to_department_id: String,
    pub reason: String,
}

/// `POST /transfers/{id}/return`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Transfer {
    pub id: String,
    pub case_id: String,
    pub case_no: String,
    pub kind: TransferKind,
    pub from_department_id: String,
    pub to_department_id: String,
    pub reason: String,
    pub status: TransferStatus,
    pub requested_by: String,
    pub requested_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub document_id: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub answer_reason: Option<String>,
}

type Row = (
    (String, String, String, String, String, String, String),
    (
        String,
        NaiveDateTime,
        Option<String>,
        Option<NaiveDateTime>,
        Option<String>,
        Option<String>,
        Option<NaiveDateTime>,
        Option<String>,
    ),
    String,
);

macro_rules! columns {
    () => {
        (
            (
                transfers::id,
                transfers::case_id,
                transfers::kind,
                transfers::from_department_id,
                transfers::to_department_id,
                transfers::reason,
                transfers::status,
            ),
            (
                transfers::requested_by,
                transfers::requested_at,
                transfers::approved_by,
                transfers::approved_at,
                transfers::document_id,
                transfers::answered_by,
                transfers::answered_at,
                transfers::answer_reason,
            ),
            cases::case_no,
        )
    };
}

fn from_row(r: Row) -> Transfer {
    let ((id, case_id, kind, from, to, reason, status), (rb, ra, ab, aa, doc, nb, na, nr), case_no) =
        r;
    Transfer {
        id,
        case_id,
        case_no,
        kind: enum_parse(&kind).unwrap_or(TransferKind::Jurisdiction),
        from_department_id: from,
        to_department_id: to,
        reason,
        status: enum_parse(&status).unwrap_or(TransferStatus::Pending),
        requested_by: rb,
        requested_at: rfc3339(ra),
        approved_by: ab,
        approved_at: aa.map(rfc3339),
        document_id: doc,
        answered_by: nb,
        answered_at: na.map(rfc3339),
        answer_reason: nr,
    }
}

fn load(conn: &mut crate::db::DbConn, id: &str) -> AppResult<Transfer> {
    transfers::table
        .inner_join(cases::table)
        .filter(transfers::id.eq(id))
        .select(columns!())
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .ok_or_else(|| AppError::not_found("transfer not found"))
}

/// Asks for a transfer: the case's officers or heads; the path must allow
/// `transferred` from where the case stands, and the target must fit.
pub async fn request(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: TransferRequest,
) -> AppResult<StepView> {
    if req.reason.trim().is_empty() {
        return Err(AppError::validation(vec![crate::error::FieldError::new(
            "reason",
            "required",
            "why the case is transferred",
        )]));
    }
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        check_transition(ctx.case.procedure, ctx.case.status, CaseStatus::Transferred)?;
        let open: i64 = transfers::table
            .filter(transfers::case_id.eq(&ctx.case.id))
            .filter(transfers::status.eq_any(["pending", "sent"]))
            .count()
            .get_result(ctx.conn)?;
        if open > 0 {
            return Err(AppError::new(Code::TransferPending, "a transfer of this case is pending or sent"));
        }
        let target = crate::org::find_department(ctx.conn, &req.to_department_id)?
            .ok_or_else(|| AppError::rule_on_field(Code::TransferTargetInvalid, "to_department_id", "no such department"))?;
        let item = crate::items::find(ctx.conn, &ctx.case.item_code)?
            .ok_or_else(|| AppError::internal("the case's item is gone"))?;
        rules::check_target(
            req.kind,
            &ctx.case.department_id,
            &rules::Target {
                department_id: &target.department.id,
                kind: &enum_str(&target.department.kind),
                domains: &target.department.domains,
            },
            &item,
        )?;
        let id = uuid::Uuid::now_v7().to_string();
        let at = crate::db::micros(ctx.now.naive_utc());
        diesel::insert_into(transfers::table)
            .values((
                transfers::id.eq(&id),
                transfers::case_id.eq(&ctx.case.id),
                transfers::kind.eq(enum_str(&req.kind)),
                transfers::from_department_id.eq(&ctx.case.department_id),
                transfers::to_department_id.eq(&target.department.id),
                transfers::reason.eq(req.reason.trim()),
                transfers::status.eq("pending"),
                transfers::previous_status.eq(enum_str(&ctx.case.status)),
                transfers::requested_by.eq(&ctx.caller.user_id),
                transfers::requested_at.eq(at),
            ))
            .execute(ctx.conn)?;
        let approval = crate::approvals::queue(
            ctx.conn,
            ctx.caller,
            crate::approvals::rules::ApprovalKind::Transfer,
            &ctx.case.id,
            &ctx.case.department_id,
            &serde_json::json!({"transfer_id": id, "reason": req.reason.trim()}),
            at,
        )?;
        let body = serde_json::json!({"transfer_id": id, "approval_id": approval, "kind": req.kind, "to_department_id": target.department.id, "to_department": target.department.name, "reason": req.reason.trim()});
        Ok(Act::new("transfer_request", body.clone(), "case.transfer_requested", body))
    })
    .await
}

/// A head of the sending department approves: the case is transferred and
/// its letter issued (Decree 310 Art 5: within 3 days; then to public
/// security within 24 hours).
pub async fn approve(state: &AppState, caller: &Caller, transfer_id: &str) -> AppResult<StepView> {
    let tid = transfer_id.to_string();
    let case_id = {
        let tid = tid.clone();
        state.db.run(move |conn| load(conn, &tid)).await?.case_id
    };
    let iss = crate::documents::issuer(state).await?;
    perform(state, caller, &case_id, None, Guard::Approved(crate::approvals::rules::ApprovalKind::Transfer), move |ctx| {
        let t = load(ctx.conn, &tid)?;
        if t.status != TransferStatus::Pending {
            return Err(AppError::conflict(format!("the transfer is {}, not pending", enum_str(&t.status))));
        }
        ctx.moving_to(CaseStatus::Transferred)?;
        let target = crate::org::find_department(ctx.conn, &t.to_department_id)?
            .ok_or_else(|| AppError::internal("transfer target vanished"))?;
        let kind = match t.kind {
            TransferKind::Criminal => "criminal_transfer_letter",
            TransferKind::Jurisdiction => "transfer_letter",
        };
        let mut act = Act::new(
            "transfer_approval",
            serde_json::json!({"transfer_id": t.id}),
            "case.transferred",
            serde_json::json!({"transfer_id": t.id, "kind": t.kind, "to_department_id": t.to_department_id}),
        );
        let doc = crate::workflow::issue_document(
            ctx,
            &iss,
            kind,
            serde_json::json!({"transfer": {"to": target.department.name, "reason": t.reason}}),
            &mut act,
        )?;
        let at = crate::db::micros(ctx.now.naive_utc());
        let changed = diesel::update(transfers::table.filter(transfers::id.eq(&t.id)).filter(transfers::status.eq("pending")))
            .set((
                transfers::status.eq("sent"),
                transfers::approved_by.eq(&ctx.caller.user_id),
                transfers::approved_at.eq(at),
                transfers::document_id.eq(&doc.id),
            ))
            .execute(ctx.conn)?;
        if changed != 1 {
            return Err(AppError::conflict("the transfer was approved by someone else first"));
        }
        for k in ["decision", "statement", "hearing_request", "legal_review"] {
            act.statuses.push((k, "cancelled"));
        }
        let sent = crate::property::settle_on_exit(ctx, true)?;
        if let Some(o) = act.detail.as_object_mut() {
            o.insert("property_transferred".into(), sent.into());
        }
        crate::workbench::notify_department(
            ctx.conn,
            &t.to_department_id,
            &[crate::auth::Role::Head, crate::auth::Role::Officer],
            &crate::workbench::Message {
                kind: "transfer_received",
                dedup_key: format!("transfer_received:{}", t.id),
                title: format!("收到移送案件：{}", t.case_no),
                case_id: Some(t.case_id.clone()),
                subject_id: Some(t.id.clone()),
            },
            at,
        )?;
        Ok(act)
    })
    .await
}

/// A head refused the transfer's approval: it is no longer pending.
pub fn refuse(conn: &mut crate::db::DbConn, transfer_id: &str) -> AppResult<()> {
    diesel::update(
        transfers::table
            .filter(transfers::id.eq(transfer_id))
            .filter(transfers::status.eq("pending")),
    )
    .set(transfers::status.eq("refused"))
    .execute(conn)?;
    Ok(())
}

/// The receiving organ answers: accepts (signs the receipt) or returns.
pub async fn answer(
    state: &AppState,
    caller: &Caller,
    transfer_id: &str,
    returned: Option<String>,
) -> AppResult<Transfer> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    if let Some(r) = &returned {
        if r.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new(
                "reason",
                "required",
                "why the case is returned",
            )]));
        }
    }
    let now = state.clock.now_naive();
    let key = state.settings.record_key.clone();
    let caller = caller.clone();
    let tid = transfer_id.to_string();
    state
        .db
        .write(move |conn| {
            let t = load(conn, &tid)?;
            // Only the receiving department sees it.
            if !scope::may_answer_transfer(&caller, &t.to_department_id) {
                return Err(AppError::not_found("transfer not found"));
            }
            if t.status != TransferStatus::Sent {
                return Err(AppError::conflict(format!(
                    "the transfer is {}, not sent",
                    enum_str(&t.status)
                )));
            }
            let at = crate::db::micros(now);
            let status = if returned.is_some() { "returned" } else { "accepted" };
            let changed = diesel::update(
                transfers::table
                    .filter(transfers::id.eq(&t.id))
                    .filter(transfers::status.eq("sent")),
            )
            .set((
                transfers::status.eq(status),
                transfers::answered_by.eq(&caller.user_id),
                transfers::answered_at.eq(at),
                transfers::answer_reason.eq(returned.as_deref().map(str::trim)),
            ))
            .execute(conn)?;
            if changed != 1 {
                return Err(AppError::conflict("the transfer was answered already"));
            }
            if returned.is_some() {
                // Back to where the case stood: its agency handles it.
                let previous: String = transfers::table
                    .find(&t.id)
                    .select(transfers::previous_status)
                    .first(conn)?;
                let moved = diesel::update(
                    cases::table
                        .filter(cases::id.eq(&t.case_id))
                        .filter(cases::status.eq("transferred")),
                )
                .set(cases::status.eq(&previous))
                .execute(conn)?;
                if moved != 1 {
                    return Err(AppError::conflict("the case is no longer transferred"));
                }
            }
            crate::records::append(
                conn,
                key.as_bytes(),
                &t.case_id,
                &crate::cases::actor_for(&caller, None),
                if returned.is_some() { "transfer.returned" } else { "transfer.accepted" },
                &serde_json::json!({"transfer_id": t.id, "department_id": caller.department_id, "reason": returned}),
                Some(&caller.request_id),
                at,
            )?;
            load(conn, &t.id)
        })
        .await
}

/// `GET /transfers?direction=incoming|outgoing&status=`: the caller's
/// department's transfers.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    incoming: bool,
    status: Option<TransferStatus>,
) -> AppResult<Vec<Transfer>> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    let dept = caller.department_id.clone();
    state
        .db
        .run(move |conn| {
            let mut q = transfers::table
                .inner_join(cases::table)
                .select(columns!())
                .order((transfers::requested_at.desc(), transfers::id.desc()))
                .limit(500)
                .into_boxed();
            q = if incoming {
                // The receiver sees a transfer once it is sent.
                q.filter(transfers::to_department_id.eq(dept))
                    .filter(transfers::status.ne("pending"))
            } else {
                q.filter(transfers::from_department_id.eq(dept))
            };
            if let Some(s) = status {
                q = q.filter(transfers::status.eq(enum_str(&s)));
            }
            let rows: Vec<Row> = q.load(conn)?;
            Ok(rows.into_iter().map(from_row).collect())
        })
        .await
}
