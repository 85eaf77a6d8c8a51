//! `POST|GET /inspections`, `POST /inspections/{id}/findings`,
//! `POST /inspections/{id}/clue`.

use actix_web::{get, post, web, HttpResponse};

use super::*;
use crate::http::{ApiJson, Listed};

/// Plans an inspection: an item the department holds, two officers
/// certified for it on the planned day.
#[utoipa::path(tag = "inspections", request_body = NewInspection,
    responses((status = 201, body = Inspection), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/inspections")]
pub async fn plan_handler(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<NewInspection>,
) -> AppResult<HttpResponse> {
    let i = plan(&state, &caller, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/inspections/{}", i.id),
        ))
        .json(i))
}

/// The department's inspections, by planned day.
#[utoipa::path(tag = "inspections", params(InspectionFilter),
    responses((status = 200, body = inline(crate::http::Page<Inspection>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/inspections")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: Listed<InspectionFilter>,
) -> AppResult<HttpResponse> {
    Ok(list(&state, &caller, q.filter, q.page).await?.respond())
}

/// Records the findings, once.
#[utoipa::path(tag = "inspections", request_body = Findings,
    responses((status = 200, body = Inspection), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/inspections/{id}/findings")]
pub async fn findings_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<Findings>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(record(&state, &caller, &id, body.0).await?))
}

/// A finding of violation becomes a clue, once.
#[utoipa::path(tag = "inspections",
    responses((status = 201, body = crate::clues::Clue), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/inspections/{id}/clue")]
pub async fn clue_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let c = to_clue(&state, &caller, &id).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/clues/{}", c.id),
        ))
        .json(c))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(plan_handler);
    r.service(list_handler);
    r.service(findings_handler);
    r.service(clue_handler);
}
