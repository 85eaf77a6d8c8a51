//! `POST /cases/{id}/preservations`, `/preservations/decision`,
//! `/seizures`, `/seizures/extension`, `/items/custody`, `/items/disposal`,
//! `GET /cases/{id}/items`.

use actix_web::{get, post, web, HttpResponse};

use super::*;
use crate::workflow::api::step_endpoint;

step_endpoint!(@tag "property", preservation_handler, "/cases/{id}/preservations", MeasureRequest, preserve,
    "先行登记保存 (APL Art 56): a head (officers ask with POST /approvals, or act with `emergency` and a head approves within 24 hours); the list of every item; decided within 7 working days.");
step_endpoint!(@tag "property", preservation_decision_handler, "/cases/{id}/preservations/decision", PreservationDecisionRequest, decide_preservation,
    "The decision on preserved evidence (release, seize, send for testing) by a head; a late one is recorded as late.");
step_endpoint!(@tag "property", seizure_handler, "/cases/{id}/seizures", MeasureRequest, seize,
    "查封 (`sealing: true`) or 扣押 (Compulsion Law Art 18, 25): a head, or officers in an emergency; at most 30 days.");
step_endpoint!(@tag "property", seizure_extension_handler, "/cases/{id}/seizures/extension", SeizureExtensionRequest, extend_seizure,
    "延长查封、扣押期限 (Compulsion Law Art 25): a head, once, by at most 30 days, before the period ends.");
step_endpoint!(@tag "property",
    custody_handler,
    "/cases/{id}/items/custody",
    CustodyRequest,
    hand_over,
    "交接: held items change custodian or place; one custody-log line per item."
);
step_endpoint!(@tag "property", disposal_handler, "/cases/{id}/items/disposal", DisposalRequest, dispose,
    "处置 by a head: return, transfer with the case, or — after the decision — confiscation and destruction. A case closes only with every item settled.");

/// The case's measures and every item with its custody log.
#[utoipa::path(tag = "property",
    responses((status = 200, body = Property), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/items")]
pub async fn items_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(list(&state, &caller, &id).await?))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(preservation_handler);
    r.service(preservation_decision_handler);
    r.service(seizure_handler);
    r.service(seizure_extension_handler);
    r.service(custody_handler);
    r.service(disposal_handler);
    r.service(items_handler);
}
