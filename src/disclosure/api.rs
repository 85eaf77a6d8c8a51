//! The publication queue (`/publications…`, the department's staff) and
//! the public decisions (`/public/decisions…`, no token).

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::*;
use crate::http::{page_limit, ApiJson, Page};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    pub status: Option<PublicationStatus>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The department's publication queue (a supervisor's: the region's), newest first.
#[utoipa::path(tag = "disclosure", params(QueueQuery),
    responses((status = 200, body = inline(crate::http::Page<Publication>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/publications")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<QueueQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let limit = page_limit(q.limit)?;
    let (items, next_cursor) = list(&state, &caller, q.status, limit, q.cursor).await?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One entry of the queue.
#[utoipa::path(tag = "disclosure",
    responses((status = 200, body = Publication), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/publications/{id}")]
pub async fn get_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(get(&state, &caller, &id).await?))
}

/// An officer of the case prepares the summary (信息摘要): the case's data,
/// masked by rule; only the spans of the facts to redact are the officer's.
#[utoipa::path(tag = "disclosure", request_body = PrepareRequest,
    responses((status = 200, body = Publication), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/publications/{id}/summary")]
pub async fn prepare_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<PrepareRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(prepare(&state, &caller, &id, body.0).await?))
}

/// A head of the department releases a prepared summary: public until its
/// display period ends (3 months or 3 years, SAMR Order 45 Art 13).
#[utoipa::path(tag = "disclosure",
    responses((status = 200, body = Publication), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/publications/{id}/release")]
pub async fn release_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(release(&state, &caller, &id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    pub department_id: Option<String>,
    /// The enforcement item's code.
    pub item_code: Option<String>,
    /// Decided on or after this day.
    pub from: Option<NaiveDate>,
    /// Decided on or before this day.
    pub to: Option<NaiveDate>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Published penalty decisions (行政处罚信息公示), newest first: the masked
/// summary; withdrawn ones say so and why. No token.
#[utoipa::path(tag = "public", params(PublicQuery),
    responses((status = 200, body = inline(crate::http::Page<PublicDecision>)), (status = 400, body = crate::error::Problem)))]
#[get("/public/decisions")]
pub async fn public_list_handler(
    state: web::Data<AppState>,
    q: web::Query<PublicQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let limit = page_limit(q.limit)?;
    let f = PublicFilter {
        department_id: q.department_id,
        item_code: q.item_code,
        from: q.from,
        to: q.to,
    };
    let (items, next_cursor) = public_list(&state, f, limit, q.cursor).await?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One published decision by its number (文号). No token.
#[utoipa::path(tag = "public",
    responses((status = 200, body = PublicDecision), (status = 404, body = crate::error::Problem)))]
#[get("/public/decisions/{number}")]
pub async fn public_get_handler(
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(public_get(&state, &number).await?))
}

/// The public copy of a published decision as a PDF, drawn from the masked
/// summary (never the party's copy). No token.
#[utoipa::path(tag = "public",
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::error::Problem)))]
#[get("/public/decisions/{number}/pdf")]
pub async fn public_pdf_handler(
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> AppResult<HttpResponse> {
    let bytes = public_pdf(&state, &number).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .body(bytes))
}

/// What a department discloses before any case (事前公开): its enforcement
/// items, officers (name, certificate number, fields), procedures and the
/// remedies against its decisions. No token.
#[utoipa::path(tag = "public",
    responses((status = 200, body = PublicDepartment), (status = 404, body = crate::error::Problem)))]
#[get("/public/departments/{id}")]
pub async fn public_department_handler(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(public_department(&state, &id).await?))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(list_handler);
    r.service(get_handler);
    r.service(prepare_handler);
    r.service(release_handler);
    r.service(public_list_handler);
    r.service(public_pdf_handler);
    r.service(public_get_handler);
    r.service(public_department_handler);
}
