//! `GET /cases/{id}/warnings`.

use actix_web::{get, web, HttpResponse};

use super::*;

/// Every open deadline of the case that is near (the department's lead
/// time, default 3 working days) or passed, with its basis.
#[utoipa::path(tag = "cases",
    responses((status = 200, body = inline(crate::http::Page<Warning>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/warnings")]
pub async fn case_warnings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    // Computed afresh on each call in a fixed order: keyed by position.
    let all = for_case(&state, &caller, &id).await?;
    Ok(crate::http::Page::slice_by_position(all, &q.page)?.respond())
}

/// Risk warnings across the caller's department subtree (a supervisor's
/// region): deadlines near or passed, certificates expiring or expired
/// while holding open cases, discretion outliers, enterprises inspected
/// too often, officers not qualified on an act's date, veto defects on open
/// cases. Computed on read; ordered by id; paged by `cursor`.
#[utoipa::path(tag = "warnings", params(WarningFilter),
    responses((status = 200, body = inline(crate::http::Page<rules::RiskWarning>)), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/warnings")]
pub async fn warnings_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<WarningFilter>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(across_cases(&state, &caller, q.into_inner()).await?))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(case_warnings).service(warnings_handler);
}
