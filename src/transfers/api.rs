//! `POST /cases/{id}/transfers`, `GET /transfers`,
//! `POST /transfers/{id}/approve|accept|return`.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use serde_json::Value;

use super::*;
use crate::approvals::{parse, Acting, ApprovedAct, ApprovedActs};
use crate::db::DbConn;
use crate::http::ApiJson;

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
    let v = approve(&state, &caller, &id, None).await?;
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
#[schema(as = TransferDirection)]
pub enum Direction {
    Incoming,
    Outgoing,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[param(inline)]
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
    q: crate::http::Listed<ListQuery>,
) -> AppResult<HttpResponse> {
    let incoming = matches!(q.filter.direction, Direction::Incoming);
    Ok(list(&state, &caller, incoming, q.filter.status, q.page)
        .await?
        .respond())
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    crate::cases::change::step_route::<TransferRequest>(r);
    r.service(approve_handler);
    r.service(accept_handler);
    r.service(return_handler);
    r.service(list_handler);
}

/// A transfer's approval: queued by the transfer request; approving it
/// sends the case, refusing it refuses the transfer.
pub fn approved_acts(acts: &mut ApprovedActs) {
    #[derive(Deserialize, validator::Validate)]
    struct TransferRef {
        transfer_id: String,
    }
    fn check(_: &Value) -> AppResult<()> {
        Err(AppError::rule_on_field(
            Code::ApprovalKindMismatch,
            "kind",
            "a transfer is asked for with POST /api/v1/cases/{id}/transfers, which queues its approval",
        ))
    }
    fn run<'a>(
        state: &'a AppState,
        head: &'a Caller,
        approving: Approving,
        _: String,
        request: Value,
    ) -> Acting<'a> {
        Box::pin(async move {
            let t: TransferRef = parse(&request)?;
            approve(state, head, &t.transfer_id, Some(approving))
                .await
                .map(drop)
        })
    }
    fn on_reject(
        conn: &mut DbConn,
        _: &str,
        request: &Value,
        _: &str,
        _: chrono::NaiveDateTime,
    ) -> AppResult<()> {
        match serde_json::from_value::<TransferRef>(request.clone()) {
            Ok(t) => refuse(conn, &t.transfer_id),
            Err(_) => Ok(()),
        }
    }
    acts.add(
        ApprovalKind::Transfer,
        ApprovedAct {
            check,
            run,
            on_reject: Some(on_reject),
        },
    );
}
