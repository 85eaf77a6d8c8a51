//! `POST /cases/{id}/transfers`, `GET /transfers`,
//! `POST /transfers/{id}/approve|accept|return`.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::*;
use crate::http::{ApiJson, IfMatch};

/// Asks for a transfer (the case's officers or heads).
#[utoipa::path(tag = "transfers", request_body = TransferRequest,
    responses((status = 201, body = StepView), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/transfers")]
pub async fn request_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<TransferRequest>,
) -> AppResult<HttpResponse> {
    let v = request(&state, &caller, &id, if_match.0, body.0).await?;
    Ok(crate::http::created_with_etag(
        format!("/api/v1/cases/{}/steps/{}", v.case_id, v.id),
        &v,
        v.case_version,
    ))
}

/// A head of the sending department approves: the case is transferred
/// and its letter issued.
#[utoipa::path(tag = "transfers",
    responses((status = 201, body = StepView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/transfers/{id}/approve")]
pub async fn approve_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let v = approve(&state, &caller, &id).await?;
    Ok(crate::http::created_with_etag(
        format!("/api/v1/cases/{}/steps/{}", v.case_id, v.id),
        &v,
        v.case_version,
    ))
}

/// The receiving organ signs for the case.
#[utoipa::path(tag = "transfers",
    responses((status = 200, body = Transfer), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/transfers/{id}/accept")]
pub async fn accept_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(answer(&state, &caller, &id, None).await?))
}

/// The receiving organ returns the case (not competent; not filed as a crime).
#[utoipa::path(tag = "transfers", request_body = ReturnRequest,
    responses((status = 200, body = Transfer), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/transfers/{id}/return")]
pub async fn return_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<ReturnRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(answer(&state, &caller, &id, Some(body.0.reason)).await?))
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Incoming,
    Outgoing,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub direction: Direction,
    pub status: Option<TransferStatus>,
}

/// The caller's department's transfers, newest first.
#[utoipa::path(tag = "transfers", params(ListQuery),
    responses((status = 200, body = inline(crate::http::Page<Transfer>)), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/transfers")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let incoming = matches!(q.direction, Direction::Incoming);
    Ok(crate::http::Page::all(
        list(&state, &caller, incoming, q.status).await?,
    ))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(request_handler);
    r.service(approve_handler);
    r.service(accept_handler);
    r.service(return_handler);
    r.service(list_handler);
}
