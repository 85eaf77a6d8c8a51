//! `GET /calendar/years`, `PUT /calendar/years/{year}` (admin),
//! `GET /calendar/due` — the holiday tables and a deadline calculator.

use actix_web::{get, put, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;
use crate::auth::Caller;
use crate::http::ApiJson;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct YearView {
    pub year: i32,
    pub source: String,
    #[schema(value_type = Vec<Object>)]
    pub holidays: Vec<Holiday>,
}

/// The published holiday tables the service counts with.
#[utoipa::path(tag = "calendar",
    responses((status = 200, body = inline(crate::http::Page<YearView>)), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/calendar/years")]
pub async fn years(
    state: web::Data<AppState>,
    _caller: Caller,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let tables = state.db.run(load_tables).await?;
    let all: Vec<YearView> = tables
        .into_iter()
        .map(|t| YearView {
            year: t.year,
            source: t.source,
            holidays: t.holidays,
        })
        .collect();
    Ok(crate::http::Page::slice(all, &q.page, |y| y.year)?.respond())
}

#[derive(Debug, Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct YearBody {
    /// The notice that published the table (国务院办公厅关于某年部分节假日安排的通知).
    pub source: String,
    #[schema(value_type = Vec<Object>)]
    pub holidays: Vec<Holiday>,
}

/// Loads or corrects a year's table (admin), e.g. the next year once the
/// State Council publishes it. Checked against the other years; audited.
#[utoipa::path(tag = "calendar", request_body = YearBody,
    responses((status = 200, body = YearView), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[put("/calendar/years/{year}")]
pub async fn put_year(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<i32>,
    body: ApiJson<YearBody>,
) -> AppResult<HttpResponse> {
    crate::auth::scope::require_rule_data_admin(&caller)?;
    let year = year.into_inner();
    if !(2000..=2100).contains(&year) {
        return Err(AppError::rule_on_field(
            Code::InvalidValue,
            "year",
            "a year from 2000 to 2100",
        ));
    }
    if body.source.trim().is_empty() {
        return Err(AppError::rule_on_field(
            Code::InvalidValue,
            "source",
            "name the notice that published the table",
        ));
    }
    let table = YearTable {
        year,
        source: body.0.source.trim().to_string(),
        holidays: body.0.holidays,
    };
    let actor = AuditEvent::by(
        &caller,
        "holiday_year.saved",
        format!("holiday_year:{year}"),
    );
    let now = state.clock.now_naive();
    let saved = table.clone();
    state
        .db
        .write(move |conn| save_year(conn, &saved, &actor, now))
        .await?;
    state.calendar.invalidate();
    Ok(HttpResponse::Ok().json(YearView {
        year: table.year,
        source: table.source,
        holidays: table.holidays,
    }))
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 工作日 — the 2/3/5/7-day periods of APL Art 85.
    Working,
    /// 日 — every other period; a last day that is a rest day moves to the next working day.
    Calendar,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    /// The day of the event (service, notice …); the period starts the day after.
    pub from: NaiveDate,
    #[param(minimum = 1, maximum = 3660)]
    pub days: u32,
    pub kind: DayKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueView {
    pub from: NaiveDate,
    pub days: u32,
    pub kind: DayKind,
    pub due: NaiveDate,
    pub warnings: Vec<String>,
}

/// The last day of a period, counted as the service counts deadlines.
#[utoipa::path(tag = "calendar", params(DueQuery),
    responses((status = 200, body = DueView), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/calendar/due")]
pub async fn due(
    state: web::Data<AppState>,
    _caller: Caller,
    q: web::Query<DueQuery>,
) -> AppResult<HttpResponse> {
    if q.days == 0 || q.days > 3660 {
        // A query parameter out of its documented range is a shape (400).
        return Err(AppError::validation(vec![crate::error::FieldError::new(
            "days",
            "out_of_range",
            "1 to 3660 days",
        )]));
    }
    let cal = state.calendar.get(&state.db).await?;
    let d = match q.kind {
        DayKind::Working => cal.working_days_after(q.from, q.days, &[]),
        DayKind::Calendar => cal.calendar_days_after(q.from, q.days, &[]),
    };
    Ok(HttpResponse::Ok().json(DueView {
        from: q.from,
        days: q.days,
        kind: q.kind,
        due: d.date,
        warnings: d.warnings,
    }))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(years);
    r.service(put_year);
    r.service(due);
}
