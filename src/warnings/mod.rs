//! 执法风险预警 — risk warnings. So far: the deadline warnings of one case
//! (`GET /cases/{id}/warnings`); the region-wide list and indicators come
//! with the evaluation work.

pub mod api;
pub mod rules;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::auth::Caller;
use crate::cases::{readable_case, Access};
use crate::clock::china_date;
use crate::db::schema::case_deadlines;
use crate::error::AppResult;
use crate::state::AppState;
use rules::{OpenDeadline, Warning};

/// The warnings of one case today, with the lead time of the rule profile
/// of the case's department.
pub async fn for_case(state: &AppState, caller: &Caller, case_id: &str) -> AppResult<Vec<Warning>> {
    let scope = readable_case(state, caller, case_id, Access::ReadWarnings).await?;
    let id = scope.case_id.clone();
    let rows: Vec<(String, NaiveDate, String)> = state
        .db
        .run(move |conn| {
            Ok(case_deadlines::table
                .filter(case_deadlines::case_id.eq(&id))
                .filter(case_deadlines::status.eq(crate::cases::DeadlineStatus::Open))
                .select((
                    case_deadlines::kind,
                    case_deadlines::due_on,
                    case_deadlines::basis,
                ))
                .load(conn)?)
        })
        .await?;
    let cal = state.calendar.get(&state.db).await?;
    let snap = state.discretion.get(&state.db).await?;
    let today = china_date(state.clock.now());
    let profile = crate::profiles::in_force(&snap.profiles, &scope.department_path, today);
    let open: Vec<OpenDeadline> = rows
        .into_iter()
        .map(|(kind, due_on, basis)| OpenDeadline {
            kind,
            due_on,
            basis,
        })
        .collect();
    Ok(rules::deadline_warnings(
        &open,
        today,
        &cal,
        profile.deadline_warning_working_days,
    ))
}
