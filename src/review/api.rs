//! `GET /reviews`, `GET /reviews/{id}`, `POST /reviews/{id}/opinion`,
//! `POST /cases/{id}/legal-review`.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::*;
use crate::cases::change::{answer, take_step};
use crate::http::{ApiJson, IfMatch};

/// 提交法制审核 (Art 58): the current report goes to the reviewers' queue.
#[utoipa::path(tag = "workflow",
    params(("If-Match" = Option<String>, Header, description = "the case's version (ETag)")),
    responses((status = 201, body = StepView), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/legal-review")]
pub async fn submit_review_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    Ok(answer(
        take_step(&state, &caller, &id, if_match.0, None, SubmitReview {}).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    pub status: Option<ReviewStatus>,
}

/// The legality-review queue of the departments the reviewer serves.
#[utoipa::path(tag = "reviews", params(QueueQuery),
    responses((status = 200, body = inline(crate::http::Page<Review>)), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/reviews")]
pub async fn queue_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed<QueueQuery>,
) -> AppResult<HttpResponse> {
    Ok(queue(&state, &caller, q.filter.status, q.page)
        .await?
        .respond())
}

/// One review: the proposal, the discretion explanation, the reasons it is
/// required, and the diff against the case's previous review.
#[utoipa::path(tag = "reviews",
    responses((status = 200, body = Review), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/reviews/{id}")]
pub async fn review_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(review(&state, &caller, &id).await?))
}

/// 审核意见: approve, return or reject with the 8-item checklist. Two
/// reviewers at once → one succeeds, the other 409.
#[utoipa::path(tag = "reviews", request_body = OpinionRequest,
    responses((status = 201, body = StepView), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/reviews/{id}/opinion")]
pub async fn opinion_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<OpinionRequest>,
) -> AppResult<HttpResponse> {
    Ok(answer(
        opinion(&state, &caller, &id, if_match.0, body.0).await?,
    ))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(submit_review_handler);
    r.service(queue_handler);
    r.service(review_handler);
    r.service(opinion_handler);
}
