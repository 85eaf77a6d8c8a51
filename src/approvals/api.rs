//! `POST|GET /approvals`, `GET /approvals/{id}`, `POST /approvals/{id}/decision`.

use actix_web::{get, post, web, HttpResponse};

use super::*;
use crate::http::{ApiJson, Listed};

/// Asks a head to approve an act (审批): the act's body waits in the
/// approval until a head decides. The case or clue must be open to the
/// caller and take the act's kind; one pending request per act.
#[utoipa::path(tag = "approvals", request_body = AskRequest,
    responses((status = 201, body = Approval), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/approvals")]
pub async fn ask_handler(
    state: web::Data<AppState>,
    acts: web::Data<ApprovedActs>,
    caller: Caller,
    body: ApiJson<AskRequest>,
) -> AppResult<HttpResponse> {
    let a = ask(&state, &acts, &caller, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/approvals/{}", a.id),
        ))
        .json(a))
}

/// A head's queue (`?status=pending`): the department's approvals, oldest
/// first; officers see the approvals they asked for.
#[utoipa::path(tag = "approvals", params(ApprovalFilter),
    responses((status = 200, body = inline(crate::http::Page<Approval>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/approvals")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: Listed<ApprovalFilter>,
) -> AppResult<HttpResponse> {
    Ok(list(&state, &caller, q.filter, q.page).await?.respond())
}

/// One approval of the caller's department.
#[utoipa::path(tag = "approvals",
    responses((status = 200, body = Approval), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/approvals/{id}")]
pub async fn get_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(get(&state, &caller, &id).await?))
}

/// A head decides: `approve` runs the act (refused with the act's own rule
/// when the law refuses it — the approval then stays pending), `reject`
/// needs an opinion. The same decision again answers unchanged (200); the
/// opposite one is `approval_decided` (409).
#[utoipa::path(tag = "approvals", request_body = DecisionRequest,
    responses((status = 200, body = Approval), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/approvals/{id}/decision")]
pub async fn decision_handler(
    state: web::Data<AppState>,
    acts: web::Data<ApprovedActs>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<DecisionRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(decide(&state, &acts, &caller, &id, body.0).await?))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(ask_handler);
    r.service(list_handler);
    r.service(get_handler);
    r.service(decision_handler);
}
