//! The case workflow of the Administrative Penalty Law, one file per
//! chapter: the investigation and its report (`investigation`), notice and
//! hearing (`hearing`), the heads' discussion and the decision
//! (`decision`), suspension, extension, termination, closure and archive
//! (`lifecycle`). Each step is a request type implementing
//! `cases::change::Step`: its route, its guard and its law (the pure rules
//! in `rules`); `cases::change` runs them all the same way. The legality
//! review and the execution of the decision are capabilities of their own
//! (`review`, `execution`).

pub mod api;
pub mod decision;
pub mod hearing;
pub mod investigation;
pub mod lifecycle;
pub mod rules;

use diesel::prelude::*;

use crate::auth::Caller;
use crate::cases::change::{Ctx, StepView};
use crate::clock::rfc3339;
use crate::db::schema::{case_discretion, case_steps, cases};
use crate::db::{enum_parse, DbConn};
use crate::error::{AppError, AppResult, Code};
use crate::kernel::Fen;
use crate::state::AppState;

/// The latest discretion lookup attached to the case (id and result).
pub fn latest_lookup(
    conn: &mut DbConn,
    case_id: &str,
) -> AppResult<Option<(String, crate::discretion::rules::Lookup)>> {
    let row: Option<(String, String)> = case_discretion::table
        .filter(case_discretion::case_id.eq(case_id))
        .order((
            case_discretion::created_at.desc(),
            case_discretion::id.desc(),
        ))
        .select((case_discretion::id, case_discretion::result))
        .first(conn)
        .optional()?;
    row.map(|(id, r)| {
        serde_json::from_str(&r)
            .map(|l| (id, l))
            .map_err(|e| AppError::internal(format!("attachment result: {e}")))
    })
    .transpose()
}

/// Judges a fine against the case's latest lookup; Ok(None) without a fine.
pub fn judge(
    conn: &mut DbConn,
    case_id: &str,
    fine: Fen,
    deviation_reason: Option<&str>,
    required: bool,
) -> AppResult<Option<(String, crate::discretion::rules::Verdict)>> {
    if fine == Fen::ZERO {
        return Ok(None);
    }
    let Some((id, lookup)) = latest_lookup(conn, case_id)? else {
        if !required {
            return Ok(None);
        }
        return Err(AppError::rule(
            Code::DiscretionNotApplied,
            "罚款数额须先适用裁量基准（POST /cases/{id}/discretion）并说明理由（国办发〔2022〕27号；行政处罚法第五条）",
        ));
    };
    let v = crate::discretion::rules::judge_fine(&lookup, fine.get(), deviation_reason)
        .map_err(|r| crate::discretion::refusal_error(&r))?;
    Ok(Some((id, v)))
}

/// The explanation of the latest discretion lookup, as one paragraph.
pub fn discretion_text(conn: &mut DbConn, case_id: &str) -> AppResult<String> {
    Ok(latest_lookup(conn, case_id)?
        .map(|(_, l)| l.explanation.join(""))
        .unwrap_or_default())
}

/// The officers who would act on the case, checked as intake checks them
/// (APL Art 42: two qualified officers of the department, on today).
pub fn qualified(
    ctx: &mut Ctx,
    officer_ids: &[String],
    field: &str,
) -> AppResult<Vec<(String, String)>> {
    let dept = crate::org::find_department(ctx.conn, &ctx.case.department_id)?
        .ok_or_else(|| AppError::internal("case department missing"))?;
    let item = ctx.item()?;
    let people = crate::org::officer_facts(ctx.conn, officer_ids)?;
    crate::cases::rules::two_qualified_officers(
        officer_ids,
        &people,
        &dept.department.id,
        &dept.path,
        &item.domain,
        ctx.today(),
        field,
    )
}

/// The 90-day decision period (Art 60) of the case as its file stands today.
pub fn decision_due(ctx: &Ctx) -> (chrono::NaiveDate, String) {
    rules::decision_due(ctx.case.filed_on(), &ctx.file, ctx.today(), ctx.cal)
}

/// Every step of a case, oldest first.
pub async fn steps(state: &AppState, caller: &Caller, case_id: &str) -> AppResult<Vec<StepView>> {
    let scope_ =
        crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadCase).await?;
    state
        .db
        .run(move |conn| {
            let (status, version): (String, i32) = cases::table
                .find(&scope_.case_id)
                .select((cases::status, cases::version))
                .first(conn)?;
            let status = enum_parse(&status).unwrap_or(crate::cases::rules::CaseStatus::Filed);
            let rows: Vec<(String, String, String, chrono::NaiveDateTime)> = case_steps::table
                .filter(case_steps::case_id.eq(&scope_.case_id))
                .order((case_steps::at.asc(), case_steps::id.asc()))
                .select((
                    case_steps::id,
                    case_steps::kind,
                    case_steps::body,
                    case_steps::at,
                ))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(id, kind, body, at)| StepView {
                    id,
                    case_id: scope_.case_id.clone(),
                    kind,
                    case_status: status,
                    case_version: version,
                    at: rfc3339(at),
                    body: serde_json::from_str(&body).unwrap_or_default(),
                })
                .collect())
        })
        .await
}
