//! Non-coercive measures (`/clues/{id}/measures`, `/cases/{id}/measures`,
//! `/measures…`) and guiding cases (`/cases/{id}/guiding-case`,
//! `/guiding-cases…`, `/public/guiding-cases…`).

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::*;
use crate::http::{page_limit, ApiJson, Page};

/// Records a non-coercive measure (行政指导、约谈、告诫、承诺) on a clue, with
/// its document and follow-up task; `close_clue` (a head) closes a clue on
/// the exemption list as not filed.
#[utoipa::path(tag = "guidance", request_body = NewMeasure,
    responses((status = 201, body = Measure), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/clues/{id}/measures")]
pub async fn clue_measure_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<NewMeasure>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(on_clue(&state, &caller, &id, body.0).await?))
}

/// Records a non-coercive measure on a case (an entry of its record).
#[utoipa::path(tag = "guidance", request_body = NewMeasure,
    responses((status = 201, body = Measure), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/measures")]
pub async fn case_measure_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<NewMeasure>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(on_case(&state, &caller, &id, body.0).await?))
}

/// The department's measures (a supervisor's: the region's), newest first.
#[utoipa::path(tag = "guidance", params(MeasureFilter),
    responses((status = 200, body = inline(crate::http::Page<Measure>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/measures")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed<MeasureFilter>,
) -> AppResult<HttpResponse> {
    let all = list(&state, &caller, q.filter).await?;
    Ok(Page::slice(all, &q.page, |m| m.id.clone())?.respond())
}

/// The measure's document (PDF).
#[utoipa::path(tag = "guidance",
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/measures/{id}/pdf")]
pub async fn pdf_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .body(measure_pdf(&state, &caller, &id).await?))
}

/// The follow-up of a measure (回访): the task is done.
#[utoipa::path(tag = "guidance", request_body = FollowUp,
    responses((status = 200, body = Measure), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/measures/{id}/follow-up")]
pub async fn follow_up_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<FollowUp>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(follow_up(&state, &caller, &id, body.0).await?))
}

/// A head proposes a closed case as a guiding case (行政执法案例指导).
#[utoipa::path(tag = "guidance", request_body = ProposeGuiding,
    responses((status = 201, body = GuidingCase), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/guiding-case")]
pub async fn propose_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<ProposeGuiding>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(propose(&state, &caller, &id, body.0).await?))
}

/// Guiding cases proposed in the department (a supervisor's: the region's).
#[utoipa::path(tag = "guidance",
    responses((status = 200, body = inline(crate::http::Page<GuidingCase>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/guiding-cases")]
pub async fn guiding_list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = list_guiding(&state, &caller).await?;
    Ok(Page::slice(all, &q.page, |g| g.id.clone())?.respond())
}

/// A supervisor of the region publishes a proposed guiding case.
#[utoipa::path(tag = "guidance",
    responses((status = 200, body = GuidingCase), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/guiding-cases/{id}/publication")]
pub async fn publish_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(publish(&state, &caller, &id).await?))
}

/// A supervisor of the region withdraws a published guiding case.
#[utoipa::path(tag = "guidance", request_body = Withdrawal,
    responses((status = 200, body = GuidingCase), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/guiding-cases/{id}/withdrawal")]
pub async fn withdraw_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<Withdrawal>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(withdraw(&state, &caller, &id, body.0).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicGuidingQuery {
    /// The enforcement domain (e.g. `market_regulation`).
    pub domain: Option<String>,
    pub item_code: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Published guiding cases, masked, newest first. No token.
#[utoipa::path(tag = "public", params(PublicGuidingQuery),
    responses((status = 200, body = inline(crate::http::Page<PublicGuidingCase>)), (status = 400, body = crate::error::Problem)))]
#[get("/public/guiding-cases")]
pub async fn public_list_handler(
    state: web::Data<AppState>,
    q: web::Query<PublicGuidingQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let limit = page_limit(q.limit)?;
    let (items, next_cursor) = public_list(&state, q.domain, q.item_code, limit, q.cursor).await?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One published guiding case. No token.
#[utoipa::path(tag = "public",
    responses((status = 200, body = PublicGuidingCase), (status = 404, body = crate::error::Problem)))]
#[get("/public/guiding-cases/{id}")]
pub async fn public_get_handler(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(public_get(&state, &id).await?))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(clue_measure_handler);
    r.service(case_measure_handler);
    r.service(list_handler);
    r.service(pdf_handler);
    r.service(follow_up_handler);
    r.service(propose_handler);
    r.service(guiding_list_handler);
    r.service(publish_handler);
    r.service(withdraw_handler);
    r.service(public_list_handler);
    r.service(public_get_handler);
}
