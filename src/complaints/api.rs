//! `POST /public/complaints`, `GET /public/complaints/{tracking_code}` (no
//! token) and the officers' side `/complaints…`.

use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};

use super::*;
use crate::http::{page_limit, ApiJson, Page, RequestCtx};

/// Files a complaint or report (投诉举报). No token; at most 5 an hour from
/// one client address (429 with `Retry-After`). The reporter is sealed at
/// once; `anonymous: true` names none.
#[utoipa::path(tag = "public", request_body = NewComplaint,
    responses((status = 201, body = Filed), (status = 400, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)))]
#[post("/public/complaints")]
pub async fn file_handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<NewComplaint>,
) -> AppResult<HttpResponse> {
    let ip = req
        .extensions()
        .get::<RequestCtx>()
        .and_then(|c| c.ip.clone());
    let filed = file(&state, ip, body.0).await?;
    Ok(HttpResponse::Created().json(filed))
}

/// The status of a complaint by its tracking code — the status only. No token.
#[utoipa::path(tag = "public",
    responses((status = 200, body = PublicStatus), (status = 404, body = crate::error::Problem)))]
#[get("/public/complaints/{tracking_code}")]
pub async fn status_handler(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(status_of(&state, &code).await?))
}

/// The department's complaints (a supervisor's: the region's), newest
/// first, without their reporters.
#[utoipa::path(tag = "complaints", params(ComplaintFilter),
    responses((status = 200, body = inline(crate::http::Page<Complaint>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/complaints")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ComplaintFilter>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let limit = page_limit(q.limit)?;
    let (items, next_cursor) = list(&state, &caller, q.status, limit, q.cursor).await?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One complaint with its record, without its reporter.
#[utoipa::path(tag = "complaints",
    responses((status = 200, body = Complaint), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/complaints/{id}")]
pub async fn get_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(get(&state, &caller, &id).await?))
}

/// Turns the complaint into a clue of the department (source `complaint`
/// or `report`), in one transaction.
#[utoipa::path(tag = "complaints", request_body = ToClue,
    responses((status = 201, body = crate::clues::Clue), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/complaints/{id}/clue")]
pub async fn clue_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<ToClue>,
) -> AppResult<HttpResponse> {
    let clue = to_clue(&state, &caller, &id, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/clues/{}", clue.id),
        ))
        .json(clue))
}

/// Closes the complaint with a reason.
#[utoipa::path(tag = "complaints", request_body = Closure,
    responses((status = 200, body = Complaint), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/complaints/{id}/closure")]
pub async fn closure_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<Closure>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(close(&state, &caller, &id, body.0).await?))
}

/// The reporter's identity and contact: a head of the handling department
/// only; every read is recorded (the complaint's record, the access log).
#[utoipa::path(tag = "complaints",
    responses((status = 200, body = ReporterView), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 503, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/complaints/{id}/reporter")]
pub async fn reporter_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(reporter(&state, &caller, &id).await?))
}

/// A reward to the reporter (举报奖励), recorded by a head of the department.
#[utoipa::path(tag = "complaints", request_body = Reward,
    responses((status = 201, body = Complaint), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/complaints/{id}/rewards")]
pub async fn reward_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<Reward>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(reward(&state, &caller, &id, body.0).await?))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(file_handler);
    r.service(status_handler);
    r.service(list_handler);
    r.service(get_handler);
    r.service(clue_handler);
    r.service(closure_handler);
    r.service(reporter_handler);
    r.service(reward_handler);
}
