//! `POST|GET /cases/{id}/records/onsite`, `POST|GET /cases/{id}/records/inquiry`.

use actix_web::{get, post, web, HttpResponse};

use super::rules::{ended_in_future, InquiryRecord, OnsiteRecord};
use super::*;
use crate::http::ApiJson;

fn created(r: &StoredRecord, kind: &str) -> HttpResponse {
    crate::http::created(
        format!("/api/v1/cases/{}/records/{kind}/{}", r.case_id, r.id),
        r,
    )
}

/// 现场笔录 — needs two certified officers (Art 42), a place, times not in
/// the future, and the party's signature or the officers' note why not.
#[utoipa::path(tag = "cases", request_body = OnsiteRecord,
    params(("If-Match" = Option<String>, Header, description = "the case's version (ETag)")),
    responses((status = 201, body = StoredRecord), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/records/onsite")]
pub async fn add_onsite(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: crate::http::IfMatch,
    body: ApiJson<OnsiteRecord>,
) -> AppResult<HttpResponse> {
    let r = body.0;
    if let Some(e) = ended_in_future(r.ended_at, state.clock.now()) {
        return Err(AppError::validation(vec![e]));
    }
    let new = NewRecord {
        kind: RecordKind::Onsite,
        started_at: r.started_at,
        ended_at: r.ended_at,
        place: r.place.clone(),
        officer_ids: r.officer_ids.clone(),
        body: serde_json::to_value(&r).unwrap_or_default(),
    };
    Ok(created(
        &add(&state, &caller, &id, if_match.0, new).await?,
        "onsite",
    ))
}

/// 询问笔录 — one per interviewee; two certified officers (Art 42), the
/// rights notice (Art 43, 55), the questions and answers, and the
/// interviewee's signature or the officers' note why not.
#[utoipa::path(tag = "cases", request_body = InquiryRecord,
    params(("If-Match" = Option<String>, Header, description = "the case's version (ETag)")),
    responses((status = 201, body = StoredRecord), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/records/inquiry")]
pub async fn add_inquiry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: crate::http::IfMatch,
    body: ApiJson<InquiryRecord>,
) -> AppResult<HttpResponse> {
    let r = body.0;
    if let Some(e) = ended_in_future(r.ended_at, state.clock.now()) {
        return Err(AppError::validation(vec![e]));
    }
    let new = NewRecord {
        kind: RecordKind::Inquiry,
        started_at: r.started_at,
        ended_at: r.ended_at,
        place: r.place.clone(),
        officer_ids: r.officer_ids.clone(),
        body: serde_json::to_value(&r).unwrap_or_default(),
    };
    Ok(created(
        &add(&state, &caller, &id, if_match.0, new).await?,
        "inquiry",
    ))
}

#[utoipa::path(tag = "cases",
    responses((status = 200, body = inline(crate::http::Page<StoredRecord>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/records/onsite")]
pub async fn list_onsite(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = list(&state, &caller, &id, RecordKind::Onsite).await?;
    Ok(crate::http::Page::slice(all, &q.page, |r| r.id.clone())?.respond())
}

#[utoipa::path(tag = "cases",
    responses((status = 200, body = inline(crate::http::Page<StoredRecord>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/records/inquiry")]
pub async fn list_inquiry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = list(&state, &caller, &id, RecordKind::Inquiry).await?;
    Ok(crate::http::Page::slice(all, &q.page, |r| r.id.clone())?.respond())
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(add_onsite);
    r.service(add_inquiry);
    r.service(list_onsite);
    r.service(list_inquiry);
}
