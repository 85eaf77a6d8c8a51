//! `POST /cases/{id}/preservations`, `/preservations/decision`,
//! `/seizures`, `/seizures/extension`, `/items/custody`, `/items/disposal`,
//! `GET /cases/{id}/items`.

use actix_web::{get, post, web, HttpResponse};

use super::*;
use crate::http::{created_with_etag, ApiJson, IfMatch};

/// One `POST /cases/{id}/<act>` handler answering the step.
macro_rules! property_act {
    ($name:ident, $route:literal, $doc_path:literal, $body:ty, $run:path, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $doc_path, tag = "property", request_body = $body,
            params(("If-Match" = Option<String>, Header, description = "the case's version (ETag); stale → 412")),
            responses((status = 201, body = StepView, headers(("ETag" = String))),
                (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
                (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
                (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
                (status = 422, body = crate::error::Problem)),
            security(("bearer" = [])))]
        #[post($route)]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<String>,
            if_match: IfMatch,
            body: ApiJson<$body>,
        ) -> AppResult<HttpResponse> {
            let v = $run(&state, &caller, &id, if_match.0, body.0).await?;
            Ok(created_with_etag(format!("/api/v1/cases/{}/steps/{}", v.case_id, v.id), &v, v.case_version))
        }
    };
}

property_act!(preservation_handler, "/cases/{id}/preservations", "/api/v1/cases/{id}/preservations", MeasureRequest, preserve,
    "先行登记保存 (APL Art 56): a head (officers ask with POST /approvals, or act with `emergency` and a head approves within 24 hours); the list of every item; decided within 7 working days.");
property_act!(preservation_decision_handler, "/cases/{id}/preservations/decision", "/api/v1/cases/{id}/preservations/decision", PreservationDecisionRequest, decide_preservation,
    "The decision on preserved evidence (release, seize, send for testing) by a head; a late one is recorded as late.");
property_act!(seizure_handler, "/cases/{id}/seizures", "/api/v1/cases/{id}/seizures", MeasureRequest, seize,
    "查封 (`sealing: true`) or 扣押 (Compulsion Law Art 18, 25): a head, or officers in an emergency; at most 30 days.");
property_act!(seizure_extension_handler, "/cases/{id}/seizures/extension", "/api/v1/cases/{id}/seizures/extension", SeizureExtensionRequest, extend_seizure,
    "延长查封、扣押期限 (Compulsion Law Art 25): a head, once, by at most 30 days, before the period ends.");
property_act!(
    custody_handler,
    "/cases/{id}/items/custody",
    "/api/v1/cases/{id}/items/custody",
    CustodyRequest,
    hand_over,
    "交接: held items change custodian or place; one custody-log line per item."
);
property_act!(disposal_handler, "/cases/{id}/items/disposal", "/api/v1/cases/{id}/items/disposal", DisposalRequest, dispose,
    "处置 by a head: return, transfer with the case, or — after the decision — confiscation and destruction. A case closes only with every item settled.");

/// The case's measures and every item with its custody log.
#[utoipa::path(get, path = "/api/v1/cases/{id}/items", tag = "property",
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
