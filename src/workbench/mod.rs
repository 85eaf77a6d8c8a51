//! The officer's workbench: what the caller must do next (`GET /me/tasks`),
//! computed from the data each time so a task disappears the moment it is
//! done, and in-app messages (`GET /me/messages`) — approvals asked and
//! answered, reviews returned, transfers and clues received, deadlines
//! close at hand — one per (user, dedup key), so nothing announces itself
//! twice.

pub mod api;
pub mod send;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::approvals::rules::ApprovalStatus;
use crate::auth::{Caller, Role};
use crate::cases::events::review::ReviewStatus;
use crate::cases::rules::CaseStatus;
use crate::cases::{DeadlineStatus, OfficerRole};
use crate::clock::{china_date, rfc3339};
use crate::clues::rules::ClueStatus;
use crate::db::schema::{
    approvals, case_deadlines, case_officers, cases, clues, departments, legal_reviews, messages,
    publications,
};
use crate::db::{micros, DbConn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use send::{notify, Message};

/// One thing the caller must do next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Task {
    /// `clue_decision`, `approval`, `legal_review`, `decision_due`,
    /// `service_due`, `payment_due`, `payment_overdue`, `custody_period`,
    /// `emergency_approval`, `enforcement_demand`, `hand_in`, `case_deadline`.
    pub kind: String,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
    pub case_id: Option<String>,
    pub case_no: Option<String>,
    /// The clue, approval or review the task is about.
    pub subject_id: Option<String>,
    /// Where to act (API path).
    pub link: String,
}

/// Deadlines of a case that are the party's or the reviewer's to meet,
/// not the officers'.
const NOT_THE_OFFICERS: &[&str] = &["statement", "hearing_request", "legal_review"];

fn deadline_task(kind: &str, due: NaiveDate, today: NaiveDate) -> (&'static str, String) {
    let overdue = due < today;
    match kind {
        "decision" => ("decision_due", "作出处罚决定（办案期限）".into()),
        "service" => ("service_due", "送达行政处罚决定书".into()),
        "payment" if overdue => (
            "payment_overdue",
            "罚款逾期未缴纳：催告或申请强制执行".into(),
        ),
        "payment" => ("payment_due", "罚款缴纳期限".into()),
        k if k.starts_with("property:") => (
            "custody_period",
            "涉案财物期限（先行登记保存处理决定、查封扣押期限）".into(),
        ),
        k if k.starts_with("emergency_approval:") => (
            "emergency_approval",
            "紧急措施补办批准手续（二十四小时内）".into(),
        ),
        "enforcement_demand" => ("enforcement_demand", "催告期限届满，可申请强制执行".into()),
        "hand_in" => ("hand_in", "当场收缴的罚款交至行政机关".into()),
        "publication" => (
            "publication_due",
            "行政处罚决定信息公示：准备信息摘要，报负责人发布".into(),
        ),
        "disclosure_withdrawal" => (
            "disclosure_withdrawal",
            "撤回已公示的行政处罚决定信息并说明理由".into(),
        ),
        other => ("case_deadline", format!("办案期限：{other}")),
    }
}

/// The caller's tasks, soonest first (undated ones last).
pub fn tasks_of(conn: &mut DbConn, caller: &Caller, today: NaiveDate) -> AppResult<Vec<Task>> {
    let mut out = vec![];
    let head = caller.has(Role::Head);
    // Clue decisions: the registrar's, and every head's of the department.
    if caller.has_any(&[Role::Officer, Role::Head]) {
        let mut q = clues::table
            .filter(clues::department_id.eq(&caller.department_id))
            .filter(clues::status.eq(ClueStatus::Pending))
            .select((clues::id, clues::clue_no, clues::summary, clues::due_on))
            .into_boxed();
        if !head {
            q = q.filter(clues::registered_by.eq(&caller.user_id));
        }
        for (id, no, summary, due) in q.load::<(String, String, String, NaiveDate)>(conn)? {
            out.push(Task {
                kind: "clue_decision".into(),
                title: format!("决定是否立案：{no} {summary}"),
                due_on: Some(due),
                overdue: due < today,
                case_id: None,
                case_no: None,
                link: format!("/api/v1/clues/{id}"),
                subject_id: Some(id),
            });
        }
    }
    // Approvals waiting for a head.
    if head {
        let rows: Vec<(String, Option<String>, String)> = approvals::table
            .filter(approvals::department_id.eq(&caller.department_id))
            .filter(approvals::status.eq(ApprovalStatus::Pending))
            .select((approvals::id, approvals::case_id, approvals::summary))
            .load(conn)?;
        for (id, case_id, summary) in rows {
            out.push(Task {
                kind: "approval".into(),
                title: format!("待审批：{summary}"),
                due_on: None,
                overdue: false,
                case_id,
                case_no: None,
                link: format!("/api/v1/approvals/{id}"),
                subject_id: Some(id),
            });
        }
    }
    // Publications prepared and waiting for a head to release them.
    if head {
        let rows: Vec<(String, String, String, NaiveDate)> = publications::table
            .filter(publications::department_id.eq(&caller.department_id))
            .filter(publications::status.eq(crate::disclosure::PublicationStatus::Prepared))
            .select((
                publications::id,
                publications::case_id,
                publications::decision_number,
                publications::due_on,
            ))
            .load(conn)?;
        for (id, case_id, number, due) in rows {
            out.push(Task {
                kind: "publication_release".into(),
                title: format!("发布行政处罚决定信息公示：{number}"),
                due_on: Some(due),
                overdue: due < today,
                case_id: Some(case_id),
                case_no: None,
                link: format!("/api/v1/publications/{id}"),
                subject_id: Some(id),
            });
        }
    }
    // Follow-ups of the non-coercive measures the caller took.
    for (id, number, due) in crate::guidance::follow_ups_of(conn, &caller.user_id)? {
        out.push(Task {
            kind: "measure_follow_up".into(),
            title: format!("回访：{number}"),
            due_on: Some(due),
            overdue: due < today,
            case_id: None,
            case_no: None,
            link: format!("/api/v1/measures/{id}"),
            subject_id: Some(id),
        });
    }
    // Legality reviews waiting for a reviewer of the department or above.
    if caller.has(Role::LegalReviewer) {
        let rows: Vec<(String, String, NaiveDate, String)> = legal_reviews::table
            .inner_join(cases::table.on(cases::id.eq(legal_reviews::case_id)))
            .inner_join(departments::table.on(departments::id.eq(cases::department_id)))
            .filter(legal_reviews::status.eq(ReviewStatus::Pending))
            .filter(
                departments::path
                    .like(crate::db::like_prefix(&caller.department_path))
                    .escape(crate::db::LIKE_ESCAPE),
            )
            .select((
                legal_reviews::id,
                cases::id,
                legal_reviews::due_on,
                cases::case_no,
            ))
            .load(conn)?;
        for (id, case_id, due, case_no) in rows {
            out.push(Task {
                kind: "legal_review".into(),
                title: format!("法制审核：{case_no}"),
                due_on: Some(due),
                overdue: due < today,
                case_id: Some(case_id),
                case_no: Some(case_no),
                link: format!("/api/v1/reviews/{id}"),
                subject_id: Some(id),
            });
        }
    }
    // The open deadlines of the caller's own cases.
    let rows: Vec<(String, String, String, NaiveDate)> = case_deadlines::table
        .inner_join(cases::table.on(cases::id.eq(case_deadlines::case_id)))
        .inner_join(case_officers::table.on(case_officers::case_id.eq(case_deadlines::case_id)))
        .filter(case_officers::user_id.eq(&caller.user_id))
        .filter(case_officers::role.eq(OfficerRole::Officer))
        .filter(case_deadlines::status.eq(DeadlineStatus::Open))
        .filter(cases::status.ne_all([
            CaseStatus::Closed,
            CaseStatus::Archived,
            CaseStatus::Terminated,
            CaseStatus::Transferred,
        ]))
        .select((
            cases::id,
            cases::case_no,
            case_deadlines::kind,
            case_deadlines::due_on,
        ))
        .load(conn)?;
    for (case_id, case_no, kind, due) in rows {
        if NOT_THE_OFFICERS.contains(&kind.as_str()) {
            continue;
        }
        let (task_kind, title) = deadline_task(&kind, due, today);
        out.push(Task {
            kind: task_kind.into(),
            title: format!("{title}：{case_no}"),
            due_on: Some(due),
            overdue: due < today,
            link: format!("/api/v1/cases/{case_id}"),
            case_id: Some(case_id),
            case_no: Some(case_no),
            subject_id: Some(kind),
        });
    }
    out.sort_by(|a, b| match (a.due_on, b.due_on) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.link.cmp(&b.link),
    });
    Ok(out)
}

pub async fn tasks(state: &AppState, caller: &Caller) -> AppResult<Vec<Task>> {
    let today = china_date(state.clock.now());
    let caller = caller.clone();
    state
        .db
        .run(move |conn| tasks_of(conn, &caller, today))
        .await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub case_id: Option<String>,
    pub subject_id: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Inbox {
    pub items: Vec<MessageView>,
    /// Pass as `cursor` for the next page; null when this page is the last.
    pub next_cursor: Option<String>,
    /// Unread messages in all (not only this page).
    pub unread: i64,
}

/// The caller's messages, newest first, after sending the deadline
/// reminders now due: a task due within the profile's lead time
/// (`deadline_warning_working_days`) announces itself once per due day.
pub async fn inbox(
    state: &AppState,
    caller: &Caller,
    unread_only: bool,
    page: crate::http::PageRequest,
) -> AppResult<Inbox> {
    let after: Option<(NaiveDateTime, String)> = page.after()?;
    let now = state.clock.now();
    let today = china_date(now);
    let cal = state.calendar.get(&state.db).await?;
    let data = state.discretion.get(&state.db).await?;
    let lead = crate::profiles::in_force(&data.profiles, &caller.department_path, today)
        .deadline_warning_working_days;
    // The daily digest of the risk warnings (执法风险预警日报) for those
    // responsible for a subtree: heads and supervisors, once a day.
    let digest_key = format!("warnings-digest:{today}");
    let sent = {
        let (user, key) = (caller.user_id.clone(), digest_key.clone());
        state
            .db
            .run(move |conn| {
                Ok(messages::table
                    .filter(messages::user_id.eq(&user))
                    .filter(messages::dedup_key.eq(&key))
                    .count()
                    .get_result::<i64>(conn)?
                    > 0)
            })
            .await?
    };
    let digest = if !sent && caller.has_any(crate::auth::scope::INDICATOR_ROLES) {
        let w = crate::warnings::across_cases(
            state,
            caller,
            crate::warnings::WarningFilter {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await?;
        crate::warnings::rules::digest_title(&w.items, today).map(|title| Message {
            kind: "warnings_digest",
            dedup_key: digest_key,
            title,
            case_id: None,
            subject_id: None,
        })
    } else {
        None
    };
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            if let Some(m) = &digest {
                notify(
                    conn,
                    std::slice::from_ref(&caller.user_id),
                    m,
                    now.naive_utc(),
                )?;
            }
            for t in tasks_of(conn, &caller, today)? {
                let Some(due) = t.due_on else { continue };
                if due >= today && cal.working_days_between(today, due) > lead {
                    continue;
                }
                let subject = t.subject_id.clone().unwrap_or_default();
                let m = Message {
                    kind: "deadline",
                    dedup_key: format!(
                        "deadline:{}:{}:{}:{}",
                        t.kind,
                        t.case_id.as_deref().unwrap_or(""),
                        subject,
                        due
                    ),
                    title: if t.overdue {
                        format!("已逾期（{due}）：{}", t.title)
                    } else {
                        format!("{due}到期：{}", t.title)
                    },
                    case_id: t.case_id.clone(),
                    subject_id: t.subject_id.clone(),
                };
                notify(
                    conn,
                    std::slice::from_ref(&caller.user_id),
                    &m,
                    now.naive_utc(),
                )?;
            }
            let mut q = messages::table
                .filter(messages::user_id.eq(&caller.user_id))
                .order((messages::created_at.desc(), messages::id.desc()))
                .limit(page.fetch())
                .into_boxed();
            if let Some((at, id)) = after {
                q = q.filter(
                    messages::created_at
                        .lt(at)
                        .or(messages::created_at.eq(at).and(messages::id.lt(id))),
                );
            }
            if unread_only {
                q = q.filter(messages::read_at.is_null());
            }
            type Row = (
                String,
                String,
                String,
                Option<String>,
                Option<String>,
                NaiveDateTime,
                Option<NaiveDateTime>,
            );
            let rows: Vec<Row> = q
                .select((
                    messages::id,
                    messages::kind,
                    messages::title,
                    messages::case_id,
                    messages::subject_id,
                    messages::created_at,
                    messages::read_at,
                ))
                .load(conn)?;
            let unread: i64 = messages::table
                .filter(messages::user_id.eq(&caller.user_id))
                .filter(messages::read_at.is_null())
                .count()
                .get_result(conn)?;
            let rows = crate::http::Page::keyset(rows, &page, |r| (r.5, r.0.clone()));
            Ok(Inbox {
                next_cursor: rows.next_cursor,
                items: rows
                    .items
                    .into_iter()
                    .map(
                        |(id, kind, title, case_id, subject_id, created, read)| MessageView {
                            id,
                            kind,
                            title,
                            case_id,
                            subject_id,
                            created_at: rfc3339(created),
                            read_at: read.map(rfc3339),
                        },
                    )
                    .collect(),
                unread,
            })
        })
        .await
}

/// Marks one of the caller's messages read (again: unchanged).
pub async fn mark_read(state: &AppState, caller: &Caller, id: &str) -> AppResult<()> {
    let now = micros(state.clock.now().naive_utc());
    let (user, id) = (caller.user_id.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            let found: i64 = messages::table
                .filter(messages::id.eq(&id))
                .filter(messages::user_id.eq(&user))
                .count()
                .get_result(conn)?;
            if found == 0 {
                return Err(AppError::not_found("message not found"));
            }
            diesel::update(
                messages::table
                    .filter(messages::id.eq(&id))
                    .filter(messages::read_at.is_null()),
            )
            .set(messages::read_at.eq(now))
            .execute(conn)?;
            Ok(())
        })
        .await
}
