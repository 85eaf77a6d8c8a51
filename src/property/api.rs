//! `POST /cases/{id}/preservations`, `/preservations/decision`,
//! `/seizures`, `/seizures/extension`, `/items/custody`, `/items/disposal`,
//! `GET /cases/{id}/items`.

use actix_web::{get, web, HttpResponse};
use serde_json::Value;

use super::*;
use crate::approvals::{parse, step_act, Acting, ApprovedAct, ApprovedActs, Approving};
use crate::cases::change::{step_route, take_step};
use crate::http::routes::Routes;

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

/// The routes of this capability.
pub fn routes(r: &mut Routes) {
    step_route::<PreservationRequest>(r);
    step_route::<PreservationDecisionRequest>(r);
    step_route::<SeizureRequest>(r);
    step_route::<SeizureExtensionRequest>(r);
    step_route::<CustodyRequest>(r);
    step_route::<DisposalRequest>(r);
    r.service(items_handler);
}

/// A preservation or seizure asked for (its measure's body), or the
/// after-the-fact approval of an emergency one (`{measure_id}`).
fn measure_act(seizure: bool) -> ApprovedAct {
    fn check(v: &Value) -> AppResult<()> {
        if v.get("measure_id").is_some() {
            return Err(AppError::rule_on_field(
                Code::ApprovalKindMismatch,
                "request",
                "an emergency measure queues its own approval",
            ));
        }
        parse::<MeasureRequest>(v).map(drop)
    }
    fn run<'a>(
        state: &'a AppState,
        head: &'a Caller,
        approving: Approving,
        case_id: String,
        request: Value,
        seizure: bool,
    ) -> Acting<'a> {
        Box::pin(async move {
            if let Some(id) = request.get("measure_id").and_then(Value::as_str) {
                let step = ConfirmMeasure {
                    measure_id: id.to_string(),
                    seizure,
                };
                return take_step(state, head, &case_id, None, Some(approving), step)
                    .await
                    .map(drop);
            }
            let measure: MeasureRequest = parse(&request)?;
            if seizure {
                take_step(
                    state,
                    head,
                    &case_id,
                    None,
                    Some(approving),
                    SeizureRequest(measure),
                )
                .await
            } else {
                take_step(
                    state,
                    head,
                    &case_id,
                    None,
                    Some(approving),
                    PreservationRequest(measure),
                )
                .await
            }
            .map(drop)
        })
    }
    fn run_preservation<'a>(
        s: &'a AppState,
        h: &'a Caller,
        a: Approving,
        c: String,
        r: Value,
    ) -> Acting<'a> {
        run(s, h, a, c, r, false)
    }
    fn run_seizure<'a>(
        s: &'a AppState,
        h: &'a Caller,
        a: Approving,
        c: String,
        r: Value,
    ) -> Acting<'a> {
        run(s, h, a, c, r, true)
    }
    /// An emergency measure the head does not approve is lifted at once
    /// (Compulsion Law Art 19).
    fn on_reject(
        conn: &mut DbConn,
        case_id: &str,
        request: &Value,
        by: &str,
        at: NaiveDateTime,
    ) -> AppResult<()> {
        match request.get("measure_id").and_then(Value::as_str) {
            Some(m) => lift(conn, case_id, m, by, at),
            None => Ok(()),
        }
    }
    ApprovedAct {
        check,
        run: if seizure {
            run_seizure
        } else {
            run_preservation
        },
        on_reject: Some(on_reject),
    }
}

/// The acts of this capability that a head's approval runs.
pub fn approved_acts(acts: &mut ApprovedActs) {
    acts.add(ApprovalKind::Preservation, measure_act(false));
    acts.add(ApprovalKind::Seizure, measure_act(true));
    acts.add(
        ApprovalKind::PreservationDecision,
        step_act::<PreservationDecisionRequest>(),
    );
    acts.add(
        ApprovalKind::SeizureExtension,
        step_act::<SeizureExtensionRequest>(),
    );
    acts.add(ApprovalKind::Disposal, step_act::<DisposalRequest>());
}
