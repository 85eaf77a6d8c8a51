//! The approval rows (审批) and what the acts do to them inside their own
//! transactions: settle the approval a head's act answers, queue one an
//! act asks for. Below `cases`: a change settles its approval in its
//! transaction (`cases::change`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::rules::{ApprovalKind, ApprovalStatus};
use crate::auth::{Caller, Role};
use crate::clock::rfc3339;
use crate::db::schema::approvals;
use crate::db::{json_text, micros, DbConn};
use crate::error::{AppError, AppResult, Code};

crate::db::text_enum!(ApprovalKind, ApprovalStatus);

/// The approval a head's decision is running: the act it approves settles it.
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

#[derive(Queryable, Selectable)]
#[diesel(table_name = approvals)]
pub struct ApprovalRow {
    pub id: String,
    pub department_id: String,
    pub kind: ApprovalKind,
    pub case_id: Option<String>,
    pub clue_id: Option<String>,
    pub request: String,
    pub summary: String,
    pub status: ApprovalStatus,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub opinion: Option<String>,
    pub result_kind: Option<String>,
    pub result_id: Option<String>,
}

impl ApprovalRow {
    pub fn view(self) -> Approval {
        let kind = self.kind;
        Approval {
            id: self.id,
            department_id: self.department_id,
            kind,
            title: kind.label().into(),
            case_id: self.case_id,
            clue_id: self.clue_id,
            request: serde_json::from_str(&self.request).unwrap_or_default(),
            summary: self.summary,
            status: self.status,
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

pub fn load(conn: &mut DbConn, id: &str) -> AppResult<ApprovalRow> {
    approvals::table
        .find(id)
        .select(ApprovalRow::as_select())
        .first(conn)
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
    approving: Option<&Approving>,
    kind: ApprovalKind,
    subject: Subject,
    department_id: &str,
    request: &serde_json::Value,
    result: (&str, &str),
    at: NaiveDateTime,
) -> AppResult<String> {
    let at = micros(at);
    let opinion = approving.and_then(|a| a.opinion.clone());
    let pending: Option<String> = match approving {
        Some(a) => Some(a.id.clone()),
        None => subject_filter(approvals::table.into_boxed(), subject)
            .filter(approvals::kind.eq(kind))
            .filter(approvals::status.eq(ApprovalStatus::Pending))
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
        if !same_subject || row.kind != kind {
            return Err(AppError::rule(
                Code::ApprovalKindMismatch,
                "the approval being decided is for another act",
            ));
        }
        let n = diesel::update(
            approvals::table
                .filter(approvals::id.eq(&id))
                .filter(approvals::status.eq(ApprovalStatus::Pending)),
        )
        .set((
            approvals::status.eq(ApprovalStatus::Approved),
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
        crate::workbench::send::notify(
            conn,
            std::slice::from_ref(&row.requested_by),
            &crate::workbench::send::Message {
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
            approvals::kind.eq(kind),
            approvals::case_id.eq(case_id),
            approvals::clue_id.eq(clue_id),
            approvals::request.eq(json_text(request)),
            approvals::summary.eq(summary_of(kind, request)),
            approvals::status.eq(ApprovalStatus::Approved),
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

fn heads_message(
    kind: ApprovalKind,
    id: &str,
    case_id: Option<String>,
) -> crate::workbench::send::Message {
    crate::workbench::send::Message {
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
pub fn insert_pending(
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
        .filter(approvals::kind.eq(kind))
        .filter(approvals::status.eq(ApprovalStatus::Pending))
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
            approvals::kind.eq(kind),
            approvals::case_id.eq(case_id),
            approvals::clue_id.eq(clue_id),
            approvals::request.eq(json_text(request)),
            approvals::summary.eq(summary_of(kind, request)),
            approvals::status.eq(ApprovalStatus::Pending),
            approvals::requested_by.eq(&caller.user_id),
            approvals::requested_at.eq(micros(at)),
        ))
        .execute(conn)?;
    crate::workbench::send::notify_department(
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
    Ok(approvals::table
        .filter(approvals::case_id.eq(case_id))
        .filter(approvals::kind.eq(ApprovalKind::Filing))
        .order((approvals::requested_at.desc(), approvals::id.desc()))
        .select(approvals::status)
        .first(conn)
        .optional()?)
}

/// The approvals of a case, for its file and its archive.
pub fn of_case(conn: &mut DbConn, case_id: &str) -> AppResult<Vec<Approval>> {
    let rows: Vec<ApprovalRow> = approvals::table
        .filter(approvals::case_id.eq(case_id))
        .order((approvals::requested_at.asc(), approvals::id.asc()))
        .select(ApprovalRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(ApprovalRow::view).collect())
}

/// What an approval form (审批表) prints of the approval a head's act
/// settles, completed at the decision: the officers' opinion (the request
/// they asked with, by whom and when — or, when the head acted directly,
/// `direct_reason`), the head's opinion, name and date. `approving` and
/// the oldest pending approval of `kind` on the case are found as `settle`
/// finds them. Read-only.
pub fn form_context(
    conn: &mut DbConn,
    caller: &Caller,
    approving: Option<&Approving>,
    kind: ApprovalKind,
    case_id: &str,
    direct_reason: Option<&str>,
    today: chrono::NaiveDate,
) -> AppResult<serde_json::Value> {
    use crate::db::schema::users;
    let asked: Option<ApprovalRow> = match approving {
        Some(a) => Some(load(conn, &a.id)?),
        None => approvals::table
            .filter(approvals::case_id.eq(case_id))
            .filter(approvals::kind.eq(kind))
            .filter(approvals::status.eq(ApprovalStatus::Pending))
            .order((approvals::requested_at.asc(), approvals::id.asc()))
            .select(ApprovalRow::as_select())
            .first(conn)
            .optional()?,
    };
    let name = |conn: &mut DbConn, id: &str| -> AppResult<String> {
        Ok(users::table
            .find(id)
            .select(users::display_name)
            .first(conn)?)
    };
    let date = crate::documents::chinese_date;
    let (officers_opinion, officer, asked_on) = match &asked {
        Some(r) => (
            {
                let request: serde_json::Value =
                    serde_json::from_str(&r.request).unwrap_or_default();
                let said = ["reason", "facts", "basis"]
                    .iter()
                    .find_map(|k| request.get(*k).and_then(serde_json::Value::as_str))
                    .map(|s| s.trim().trim_end_matches('。').to_string())
                    .filter(|s| !s.is_empty());
                let act = kind.label().trim_end_matches("审批");
                match said {
                    Some(s) => format!("{s}。拟{act}，请负责人审批"),
                    None => format!("拟{act}，请负责人审批"),
                }
            },
            name(conn, &r.requested_by)?,
            date(crate::clock::china_date(r.requested_at.and_utc())),
        ),
        None => (
            match direct_reason.map(str::trim).filter(|s| !s.is_empty()) {
                Some(r) => format!("{}（负责人直接决定）", r.trim_end_matches('。')),
                None => "负责人直接决定".to_string(),
            },
            String::new(),
            date(today),
        ),
    };
    let opinion = approving
        .and_then(|a| a.opinion.clone())
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| "同意".into());
    Ok(serde_json::json!({
        "title": format!("{}表", kind.label()),
        "label": kind.label(),
        "officers_opinion": officers_opinion,
        "officer": officer,
        "asked_on": asked_on,
        "head_opinion": opinion,
        "head": name(conn, &caller.user_id)?,
        "decided_on": date(today),
        "approval_id": asked.map(|r| r.id),
    }))
}
