//! The execution endpoints: service, payments, payment plans, the demand,
//! remedies and their results, court enforcement, hand-ins, the late fee.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::*;
use crate::approvals::{step_act, ApprovedActs};
use crate::cases::change::{answer, step_route, take_step, StepView};
use crate::http::routes::Routes;
use crate::http::ApiJson;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LateFeeQuery {
    /// The day asked about (China time); today when absent.
    pub on: Option<NaiveDate>,
}

/// 加处罚款 (Art 72–73): what the party owes on a day.
#[utoipa::path(tag = "workflow", params(LateFeeQuery),
    responses((status = 200, body = Owed), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/late-fee")]
pub async fn late_fee_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<LateFeeQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(late_fee(&state, &caller, &id, q.on).await?))
}

/// The result of a remedy (upheld, revoked, changed, confirmed unlawful).
#[utoipa::path(tag = "workflow", request_body = RemedyResultRequest,
    responses((status = 201, body = StepView), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/remedies/{remedy_id}/result")]
pub async fn remedy_result_handler(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: ApiJson<RemedyResultRequest>,
) -> AppResult<HttpResponse> {
    let (id, remedy_id) = path.into_inner();
    let step = DecideRemedy {
        remedy_id,
        result: body.0,
    };
    Ok(answer(
        take_step(&state, &caller, &id, None, None, step).await?,
    ))
}

/// The routes of this capability.
pub fn routes(r: &mut Routes) {
    step_route::<ServiceRequest>(r);
    step_route::<PaymentRequest>(r);
    step_route::<PaymentPlanRequest>(r);
    step_route::<DemandRequest>(r);
    step_route::<RemedyRequest>(r);
    step_route::<CourtEnforcementRequest>(r);
    step_route::<HandInRequest>(r);
    r.service(late_fee_handler);
    r.service(remedy_result_handler);
}

/// The acts of this capability that a head's approval runs.
pub fn approved_acts(acts: &mut ApprovedActs) {
    acts.add(ApprovalKind::PaymentPlan, step_act::<PaymentPlanRequest>());
    acts.add(
        ApprovalKind::CourtEnforcement,
        step_act::<CourtEnforcementRequest>(),
    );
}
