//! 行政检查 — inspections: planned for an enforcement item by two officers
//! certified for its field and area on the planned day (APL Art 42),
//! recorded with their findings, and — when a violation is found — turned
//! into a clue (source `inspection`) in one step, the clue's discovery being
//! the inspection.

pub mod api;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{scope, Caller};
use crate::clock::{china_date, rfc3339};
use crate::db::schema::{departments, inspections};
use crate::db::{json_text, micros, DbConn};
use crate::error::{AppError, AppResult, Code};
use crate::kernel::shape::not_blank;
use crate::state::AppState;

/// `POST /inspections`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    pub enforcement_item_code: String,
    /// Who or what is inspected (检查对象).
    #[validate(custom(function = not_blank, code = "required", message = "who or what is inspected"))]
    pub subject: String,
    #[validate(custom(function = not_blank, code = "required", message = "where"))]
    pub location: String,
    /// Why: the plan (双随机), a complaint, a special campaign …
    #[validate(custom(function = not_blank, code = "required", message = "why it is inspected"))]
    pub purpose: String,
    pub planned_on: NaiveDate,
    /// At least two officers certified for the item's field (Art 42).
    pub officer_ids: Vec<String>,
}

/// `POST /inspections/{id}/findings`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Findings {
    pub inspected_at: DateTime<Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "what the inspection found"))]
    pub findings: String,
    pub violation_found: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InspectingOfficer {
    pub user_id: String,
    pub certificate_number: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Inspection {
    pub id: String,
    pub department_id: String,
    pub enforcement_item_code: String,
    pub subject: String,
    pub location: String,
    pub purpose: String,
    pub planned_on: NaiveDate,
    pub officers: Vec<InspectingOfficer>,
    pub status: InspectionStatus,
    pub created_by: String,
    pub created_at: String,
    pub inspected_at: Option<String>,
    pub findings: Option<String>,
    pub violation_found: Option<bool>,
    pub recorded_by: Option<String>,
    /// The clue the finding became.
    pub clue_id: Option<String>,
}

/// Where an inspection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    /// Planned, its findings not yet recorded.
    Planned,
    /// Done: its findings are recorded.
    Done,
}

crate::db::text_enum!(InspectionStatus);

#[derive(Queryable, Selectable)]
#[diesel(table_name = inspections)]
struct Row {
    id: String,
    department_id: String,
    enforcement_item_code: String,
    subject: String,
    location: String,
    purpose: String,
    planned_on: NaiveDate,
    officers: String,
    status: InspectionStatus,
    created_by: String,
    created_at: NaiveDateTime,
    inspected_at: Option<NaiveDateTime>,
    findings: Option<String>,
    violation_found: Option<bool>,
    recorded_by: Option<String>,
    clue_id: Option<String>,
}

impl Row {
    fn view(self) -> Inspection {
        Inspection {
            id: self.id,
            department_id: self.department_id,
            enforcement_item_code: self.enforcement_item_code,
            subject: self.subject,
            location: self.location,
            purpose: self.purpose,
            planned_on: self.planned_on,
            officers: serde_json::from_str(&self.officers).unwrap_or_default(),
            status: self.status,
            created_by: self.created_by,
            created_at: rfc3339(self.created_at),
            inspected_at: self.inspected_at.map(rfc3339),
            findings: self.findings,
            violation_found: self.violation_found,
            recorded_by: self.recorded_by,
            clue_id: self.clue_id,
        }
    }
}

/// The inspection, if the caller may see it (its department's staff, the
/// region's supervisor): 404 otherwise.
fn visible(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Row> {
    let row = inspections::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("inspection not found"))?;
    let path: String = departments::table
        .find(&row.department_id)
        .select(departments::path)
        .first(conn)?;
    if !scope::may_see_department_work(caller, &row.department_id, &path) {
        return Err(AppError::not_found("inspection not found"));
    }
    Ok(row)
}

/// The inspection, if the caller may work on it: 403 for readers.
fn writable(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Row> {
    let row = visible(conn, caller, id)?;
    if !scope::may_do_department_work(caller, &row.department_id) {
        return Err(AppError::forbidden(
            "only officers and heads of the department inspect",
        ));
    }
    Ok(row)
}

/// Plans an inspection in the caller's department.
pub async fn plan(state: &AppState, caller: &Caller, req: NewInspection) -> AppResult<Inspection> {
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now();
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            let placed = crate::org::find_department(conn, &caller.department_id)?
                .ok_or_else(|| AppError::internal("the caller's department is gone"))?;
            let item = crate::items::find(conn, &req.enforcement_item_code)?.ok_or_else(|| {
                AppError::rule_on_field(
                    Code::EnforcementItemUnknown,
                    "enforcement_item_code",
                    "no such enforcement item",
                )
            })?;
            if !crate::items::held_by(&item, &placed.department.domains) {
                return Err(AppError::rule_on_field(
                    Code::ItemNotHeldByDepartment,
                    "enforcement_item_code",
                    "the department does not hold this item (权责清单)",
                ));
            }
            let people = crate::org::officer_facts(conn, &req.officer_ids)?;
            let acting = crate::cases::rules::two_qualified_officers(
                &req.officer_ids,
                &people,
                &placed.department.id,
                &placed.path,
                &item.domain,
                req.planned_on,
                "officer_ids",
            )?;
            let officers: Vec<InspectingOfficer> = acting
                .into_iter()
                .map(|(user_id, certificate_number)| InspectingOfficer {
                    user_id,
                    certificate_number,
                })
                .collect();
            let id = uuid::Uuid::now_v7().to_string();
            diesel::insert_into(inspections::table)
                .values((
                    inspections::id.eq(&id),
                    inspections::department_id.eq(&placed.department.id),
                    inspections::enforcement_item_code.eq(&item.code),
                    inspections::subject.eq(req.subject.trim()),
                    inspections::location.eq(req.location.trim()),
                    inspections::purpose.eq(req.purpose.trim()),
                    inspections::planned_on.eq(req.planned_on),
                    inspections::officers.eq(json_text(&officers)),
                    inspections::status.eq(InspectionStatus::Planned),
                    inspections::created_by.eq(&caller.user_id),
                    inspections::created_at.eq(micros(now.naive_utc())),
                ))
                .execute(conn)?;
            Ok(inspections::table
                .find(&id)
                .select(Row::as_select())
                .first(conn)?
                .view())
        })
        .await
}

/// Records what the inspection found, once: the officers who planned it
/// must still be qualified on the day it was done.
pub async fn record(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: Findings,
) -> AppResult<Inspection> {
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now();
    crate::cases::rules::check_supplied_time("inspected_at", req.inspected_at, None, now)?;
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            let row = writable(conn, &caller, &id)?;
            if row.status != InspectionStatus::Planned {
                return Err(AppError::conflict(
                    "the inspection's findings are recorded already",
                ));
            }
            let officers: Vec<InspectingOfficer> =
                serde_json::from_str(&row.officers).unwrap_or_default();
            let ids: Vec<String> = officers.iter().map(|o| o.user_id.clone()).collect();
            let people = crate::org::officer_facts(conn, &ids)?;
            let item = crate::items::find(conn, &row.enforcement_item_code)?
                .ok_or_else(|| AppError::internal("the inspection's item is gone"))?;
            let path: String = departments::table
                .find(&row.department_id)
                .select(departments::path)
                .first(conn)?;
            crate::cases::rules::two_qualified_officers(
                &ids,
                &people,
                &row.department_id,
                &path,
                &item.domain,
                china_date(req.inspected_at),
                "officer_ids",
            )?;
            let n = diesel::update(
                inspections::table
                    .filter(inspections::id.eq(&id))
                    .filter(inspections::status.eq(InspectionStatus::Planned)),
            )
            .set((
                inspections::status.eq(InspectionStatus::Done),
                inspections::inspected_at.eq(micros(req.inspected_at.naive_utc())),
                inspections::findings.eq(req.findings.trim()),
                inspections::violation_found.eq(req.violation_found),
                inspections::recorded_by.eq(&caller.user_id),
            ))
            .execute(conn)?;
            if n != 1 {
                return Err(AppError::conflict(
                    "the inspection's findings are recorded already",
                ));
            }
            Ok(inspections::table
                .find(&id)
                .select(Row::as_select())
                .first(conn)?
                .view())
        })
        .await
}

/// A finding of violation becomes a clue (source `inspection`, discovered
/// when inspected), linked both ways; once.
pub async fn to_clue(state: &AppState, caller: &Caller, id: &str) -> AppResult<crate::clues::Clue> {
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now();
    let reg = crate::clues::registrar(state, caller, china_date(now)).await?;
    let reader = caller.clone();
    let (caller, id) = (caller.clone(), id.to_string());
    let clue_id = state
        .db
        .write(move |conn| {
            let row = writable(conn, &caller, &id)?;
            if row.violation_found != Some(true) {
                return Err(AppError::rule(
                    Code::NoViolationFound,
                    "only an inspection that found a violation becomes a clue",
                ));
            }
            if row.clue_id.is_some() {
                return Err(AppError::conflict("the inspection became a clue already"));
            }
            let clue = crate::clues::NewClue {
                source: crate::cases::rules::Source::Inspection,
                summary: format!("检查发现：{}", row.findings.clone().unwrap_or_default()),
                enforcement_item_code: Some(row.enforcement_item_code.clone()),
                party_name: Some(row.subject.clone()),
                location: Some(row.location.clone()),
                occurred_at: None,
                discovered_at: row.inspected_at.map(|t| t.and_utc()).unwrap_or(now),
                harm_resulted: false,
                harm_description: None,
            };
            let clue_id =
                crate::clues::insert_clue(conn, &caller, &reg, &clue, None, now.naive_utc())?;
            crate::clues::record(
                conn,
                &clue_id,
                &caller,
                "clue.from_inspection",
                &serde_json::json!({"inspection_id": id}),
                now.naive_utc(),
            )?;
            let n = diesel::update(
                inspections::table
                    .filter(inspections::id.eq(&id))
                    .filter(inspections::clue_id.is_null()),
            )
            .set(inspections::clue_id.eq(&clue_id))
            .execute(conn)?;
            if n != 1 {
                return Err(AppError::conflict("the inspection became a clue already"));
            }
            Ok(clue_id)
        })
        .await?;
    crate::clues::get(state, &reader, &clue_id).await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InspectionFilter {
    pub status: Option<InspectionStatus>,
}

/// The department's inspections (a supervisor's: the region's), by planned day.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    f: InspectionFilter,
    page: crate::http::PageRequest,
) -> AppResult<crate::http::Page<Inspection>> {
    caller.require_any(scope::CASE_ROLES)?;
    let caller = caller.clone();
    let after: Option<(NaiveDate, String)> = page.after()?;
    state
        .db
        .run(move |conn| {
            let mut q = inspections::table
                .inner_join(departments::table.on(departments::id.eq(inspections::department_id)))
                .select(Row::as_select())
                .order((inspections::planned_on.asc(), inspections::id.asc()))
                .limit(page.fetch())
                .into_boxed();
            if let Some((d, id)) = after {
                q = q.filter(
                    inspections::planned_on
                        .gt(d)
                        .or(inspections::planned_on.eq(d).and(inspections::id.gt(id))),
                );
            }
            q = match scope::case_list_scope(&caller) {
                scope::CaseListScope::Region(p) => q.filter(
                    departments::path
                        .like(crate::db::like_prefix(p))
                        .escape(crate::db::LIKE_ESCAPE),
                ),
                scope::CaseListScope::Department(d) => q.filter(inspections::department_id.eq(d)),
            };
            if let Some(s) = f.status {
                q = q.filter(inspections::status.eq(s));
            }
            let rows: Vec<Row> = q.load(conn)?;
            let rows = rows.into_iter().map(Row::view).collect();
            Ok(crate::http::Page::keyset(rows, &page, |i: &Inspection| {
                (i.planned_on, i.id.clone())
            }))
        })
        .await
}
