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
use validator::Validate;

use crate::approvals::rules::ApprovalKind;
use crate::approvals::Approving;
use crate::auth::scope;
use crate::auth::Caller;
use crate::cases::change::{change, take_step, Ctx, Guard, How, Numbering, Step, StepView};
use crate::cases::events::*;
use crate::cases::rules::{check_transition, CaseStatus};
use crate::cases::DeadlineStatus;
use crate::clock::rfc3339;
use crate::db::enum_str;
use crate::db::schema::{cases, transfers};
use crate::error::{AppError, AppResult, Code};
use crate::state::AppState;

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

crate::db::text_enum!(TransferKind, TransferStatus);

/// A transfer as stored, with its case's number.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = transfers)]
struct TransferRow {
    id: String,
    case_id: String,
    kind: TransferKind,
    from_department_id: String,
    to_department_id: String,
    reason: String,
    status: TransferStatus,
    previous_status: CaseStatus,
    requested_by: String,
    requested_at: NaiveDateTime,
    approved_by: Option<String>,
    approved_at: Option<NaiveDateTime>,
    document_id: Option<String>,
    answered_by: Option<String>,
    answered_at: Option<NaiveDateTime>,
    answer_reason: Option<String>,
    #[diesel(select_expression = cases::case_no)]
    case_no: String,
}

impl TransferRow {
    fn view(self) -> Transfer {
        Transfer {
            id: self.id,
            case_id: self.case_id,
            case_no: self.case_no,
            kind: self.kind,
            from_department_id: self.from_department_id,
            to_department_id: self.to_department_id,
            reason: self.reason,
            status: self.status,
            requested_by: self.requested_by,
            requested_at: rfc3339(self.requested_at),
            approved_by: self.approved_by,
            approved_at: self.approved_at.map(rfc3339),
            document_id: self.document_id,
            answered_by: self.answered_by,
            answered_at: self.answered_at.map(rfc3339),
            answer_reason: self.answer_reason,
        }
    }
}

/// A transfer with the status its case had before it (what a returned case goes back to).
fn load_row(conn: &mut crate::db::DbConn, id: &str) -> AppResult<TransferRow> {
    transfers::table
        .inner_join(cases::table)
        .filter(transfers::id.eq(id))
        .select(TransferRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("transfer not found"))
}

fn load(conn: &mut crate::db::DbConn, id: &str) -> AppResult<Transfer> {
    load_row(conn, id).map(TransferRow::view)
}

impl Step for TransferRequest {
    const PATH: &'static str = "/cases/{id}/transfers";
    const TAG: &'static str = "transfers";
    const DOC: &'static str = "Asks for a transfer (the case's officers or heads).\nThe path must allow `transferred` from where the case stands, and the target must fit; a head approves.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Change(scope::INVESTIGATING_ROLES)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        check_transition(ctx.case.procedure, ctx.case.status, CaseStatus::Transferred)?;
        let open: i64 = transfers::table
            .filter(transfers::case_id.eq(&ctx.case.id))
            .filter(transfers::status.eq_any([TransferStatus::Pending, TransferStatus::Sent]))
            .count()
            .get_result(ctx.conn)?;
        if open > 0 {
            return Err(AppError::new(
                Code::TransferPending,
                "a transfer of this case is pending or sent",
            ));
        }
        let target =
            crate::org::find_department(ctx.conn, &self.to_department_id)?.ok_or_else(|| {
                AppError::rule_on_field(
                    Code::TransferTargetInvalid,
                    "to_department_id",
                    "no such department",
                )
            })?;
        let item = ctx.item()?;
        rules::check_target(
            self.kind,
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
                transfers::kind.eq(self.kind),
                transfers::from_department_id.eq(&ctx.case.department_id),
                transfers::to_department_id.eq(&target.department.id),
                transfers::reason.eq(self.reason.trim()),
                transfers::status.eq(TransferStatus::Pending),
                transfers::previous_status.eq(ctx.case.status),
                transfers::requested_by.eq(&ctx.caller.user_id),
                transfers::requested_at.eq(at),
            ))
            .execute(ctx.conn)?;
        let approval = crate::approvals::store::queue(
            ctx.conn,
            ctx.caller,
            ApprovalKind::Transfer,
            &ctx.case.id,
            &ctx.case.department_id,
            &serde_json::json!({"transfer_id": id, "reason": self.reason.trim()}),
            at,
        )?;
        Ok(CaseEvent::TransferRequest(TransferRequested {
            transfer_id: id,
            approval_id: approval,
            kind: self.kind,
            to_department_id: target.department.id,
            to_department: target.department.name,
            reason: self.reason.trim().to_string(),
        }))
    }
}

/// A head of the sending department approves a transfer (the step its
/// approval runs).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ApproveTransfer {
    pub transfer_id: String,
}

impl Step for ApproveTransfer {
    const PATH: &'static str = "/transfers/{id}/approve";
    const TAG: &'static str = "transfers";
    const DOC: &'static str =
        "A head approves a transfer: the case is transferred and its letter issued.";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::Transfer)
    }

    /// The case is transferred and its letter issued (Decree 310 Art 5:
    /// within 3 days; then to public security within 24 hours); what it
    /// holds goes with it, and the receiving department is told.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let t = load(ctx.conn, &self.transfer_id)?;
        if t.case_id != *ctx.case.id {
            return Err(AppError::not_found("transfer not found"));
        }
        if t.status != TransferStatus::Pending {
            return Err(AppError::conflict(format!(
                "the transfer is {}, not pending",
                enum_str(&t.status)
            )));
        }
        ctx.moving_to(CaseStatus::Transferred)?;
        let target = crate::org::find_department(ctx.conn, &t.to_department_id)?
            .ok_or_else(|| AppError::internal("transfer target vanished"))?;
        let kind = match t.kind {
            TransferKind::Criminal => "criminal_transfer_letter",
            TransferKind::Jurisdiction => "transfer_letter",
        };
        let extra =
            serde_json::json!({"transfer": {"to": target.department.name, "reason": t.reason}});
        let doc = ctx.issue(kind, extra, Numbering::Counter)?;
        let at = crate::db::micros(ctx.now.naive_utc());
        let changed = diesel::update(
            transfers::table
                .filter(transfers::id.eq(&t.id))
                .filter(transfers::status.eq(TransferStatus::Pending)),
        )
        .set((
            transfers::status.eq(TransferStatus::Sent),
            transfers::approved_by.eq(&ctx.caller.user_id),
            transfers::approved_at.eq(at),
            transfers::document_id.eq(&doc.id),
        ))
        .execute(ctx.conn)?;
        if changed != 1 {
            return Err(AppError::conflict(
                "the transfer was approved by someone else first",
            ));
        }
        for k in ["decision", "statement", "hearing_request", "legal_review"] {
            ctx.deadline_status(k, DeadlineStatus::Cancelled);
        }
        let sent = crate::property::settle_on_exit(ctx, true)?;
        ctx.note("property_transferred", sent);
        crate::workbench::send::notify_department(
            ctx.conn,
            &t.to_department_id,
            &[crate::auth::Role::Head, crate::auth::Role::Officer],
            &crate::workbench::send::Message {
                kind: "transfer_received",
                dedup_key: format!("transfer_received:{}", t.id),
                title: format!("收到移送案件：{}", t.case_no),
                case_id: Some(t.case_id.clone()),
                subject_id: Some(t.id.clone()),
            },
            at,
        )?;
        Ok(CaseEvent::TransferApproval(TransferApproved {
            transfer_id: t.id,
            kind: Some(t.kind),
            to_department_id: t.to_department_id,
        }))
    }
}

/// The case a transfer is of (404 when there is no such transfer).
async fn case_of(state: &AppState, transfer_id: &str) -> AppResult<String> {
    let tid = transfer_id.to_string();
    Ok(state.db.run(move |conn| load(conn, &tid)).await?.case_id)
}

/// A head approves a transfer: directly (`POST /transfers/{id}/approve`) or
/// deciding its approval.
pub async fn approve(
    state: &AppState,
    caller: &Caller,
    transfer_id: &str,
    approving: Option<Approving>,
) -> AppResult<StepView> {
    let case_id = case_of(state, transfer_id).await?;
    let step = ApproveTransfer {
        transfer_id: transfer_id.to_string(),
    };
    take_step(state, caller, &case_id, None, approving, step).await
}

/// The receiving organ answers: accepts (signs the receipt) or returns; a
/// returned case goes back to where it stood (Decree 310 Art 10).
pub async fn answer(
    state: &AppState,
    caller: &Caller,
    transfer_id: &str,
    returned: Option<String>,
) -> AppResult<Transfer> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    let case_id = case_of(state, transfer_id).await?;
    let tid = transfer_id.to_string();
    let how = How {
        on_final_file: true,
        ..How::guard(Guard::Receiver, None)
    };
    let (_, transfer) = change(state, caller, &case_id, how, move |ctx| {
        let t = load(ctx.conn, &tid)?;
        // Only the receiving department sees it.
        if !scope::may_answer_transfer(ctx.caller, &t.to_department_id) {
            return Err(AppError::not_found("transfer not found"));
        }
        if t.status != TransferStatus::Sent {
            return Err(AppError::conflict(format!(
                "the transfer is {}, not sent",
                enum_str(&t.status)
            )));
        }
        let at = crate::db::micros(ctx.now.naive_utc());
        let status = if returned.is_some() {
            TransferStatus::Returned
        } else {
            TransferStatus::Accepted
        };
        let changed = diesel::update(
            transfers::table
                .filter(transfers::id.eq(&t.id))
                .filter(transfers::status.eq(TransferStatus::Sent)),
        )
        .set((
            transfers::status.eq(status),
            transfers::answered_by.eq(&ctx.caller.user_id),
            transfers::answered_at.eq(at),
            transfers::answer_reason.eq(returned.as_deref().map(str::trim)),
        ))
        .execute(ctx.conn)?;
        if changed != 1 {
            return Err(AppError::conflict("the transfer was answered already"));
        }
        let answered = TransferAnswered {
            transfer_id: t.id.clone(),
            department_id: ctx.caller.department_id.clone(),
            reason: returned.clone(),
        };
        let event = if returned.is_some() {
            // Back to where the case stood: its agency handles it.
            if ctx.case.status != CaseStatus::Transferred {
                return Err(AppError::conflict("the case is no longer transferred"));
            }
            let previous = load_row(ctx.conn, &t.id)?.previous_status;
            ctx.move_to(previous);
            CaseEvent::TransferReturned(answered)
        } else {
            CaseEvent::TransferAccepted(answered)
        };
        Ok((event, load(ctx.conn, &t.id)?))
    })
    .await?;
    Ok(transfer)
}

/// A head refused the transfer's approval: it is no longer pending.
pub fn refuse(conn: &mut crate::db::DbConn, transfer_id: &str) -> AppResult<()> {
    diesel::update(
        transfers::table
            .filter(transfers::id.eq(transfer_id))
            .filter(transfers::status.eq(TransferStatus::Pending)),
    )
    .set(transfers::status.eq(TransferStatus::Refused))
    .execute(conn)?;
    Ok(())
}

/// `GET /transfers?direction=incoming|outgoing&status=`: the caller's
/// department's transfers.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    incoming: bool,
    status: Option<TransferStatus>,
    page: crate::http::PageRequest,
) -> AppResult<crate::http::Page<Transfer>> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    let dept = caller.department_id.clone();
    let after: Option<(NaiveDateTime, String)> = page.after()?;
    state
        .db
        .run(move |conn| {
            let mut q = transfers::table
                .inner_join(cases::table)
                .select(TransferRow::as_select())
                .order((transfers::requested_at.desc(), transfers::id.desc()))
                .limit(page.fetch())
                .into_boxed();
            if let Some((at, id)) = after {
                q = q.filter(
                    transfers::requested_at
                        .lt(at)
                        .or(transfers::requested_at.eq(at).and(transfers::id.lt(id))),
                );
            }
            q = if incoming {
                // The receiver sees a transfer once it is sent.
                q.filter(transfers::to_department_id.eq(dept))
                    .filter(transfers::status.ne(TransferStatus::Pending))
            } else {
                q.filter(transfers::from_department_id.eq(dept))
            };
            if let Some(s) = status {
                q = q.filter(transfers::status.eq(s));
            }
            let rows: Vec<TransferRow> = q.load(conn)?;
            Ok(
                crate::http::Page::keyset(rows, &page, |r| (r.requested_at, r.id.clone()))
                    .map(TransferRow::view),
            )
        })
        .await
}
