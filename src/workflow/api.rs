//! The workflow endpoints: one generic handler for every step
//! (`cases::change::step_route`), the steps whose path names more than the
//! case, the archive (no body) and the list of a case's steps.

use actix_web::{get, post, web, HttpResponse};

use super::decision::{ConfirmDiscussion, ConfirmRequest};
use super::lifecycle::*;
use super::steps;
use crate::approvals::rules::ApprovalKind;
use crate::approvals::{step_act, ApprovedActs};
use crate::auth::Caller;
use crate::cases::change::{answer, step_route, take_step, StepView};
use crate::cases::events::*;
use crate::error::AppResult;
use crate::http::routes::Routes;
use crate::http::{ApiJson, IfMatch};
use crate::state::AppState;

/// An attendee confirms the collective discussion record with their own account.
#[utoipa::path(tag = "workflow", request_body = ConfirmRequest,
    responses((status = 201, body = StepView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/collective-discussion/{discussion_id}/confirmation")]
pub async fn confirm_handler(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: ApiJson<ConfirmRequest>,
) -> AppResult<HttpResponse> {
    let (id, discussion_id) = path.into_inner();
    let step = ConfirmDiscussion {
        discussion_id,
        note: body.0.note,
    };
    Ok(answer(
        take_step(&state, &caller, &id, None, None, step).await?,
    ))
}

/// 归档: the file becomes final; every later write → 409 case_closed.
#[utoipa::path(tag = "workflow",
    params(("If-Match" = Option<String>, Header, description = "the case's version (ETag)")),
    responses((status = 200, body = StepView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/archive")]
pub async fn archive_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let v = take_step(&state, &caller, &id, if_match.0, None, ArchiveRequest {}).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            format!("\"{}\"", v.case_version),
        ))
        .json(v))
}

/// Every step of the case file, oldest first.
#[utoipa::path(tag = "workflow",
    responses((status = 200, body = inline(crate::http::Page<StepView>)), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/steps")]
pub async fn steps_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = steps(&state, &caller, &id).await?;
    Ok(crate::http::Page::slice(all, &q.page, |s| s.id.clone())?.respond())
}

/// The routes of the workflow.
pub fn routes(r: &mut Routes) {
    // The investigation.
    step_route::<FilingApprovalRequest>(r);
    step_route::<ReportRequest>(r);
    step_route::<ExclusionRequest>(r);
    step_route::<ReassignRequest>(r);
    step_route::<RecusalRequest>(r);
    // Notice and hearing.
    step_route::<NoticeRequest>(r);
    step_route::<StatementRequest>(r);
    step_route::<HearingRequestRequest>(r);
    step_route::<HearingNoticeRequest>(r);
    step_route::<HearingRequest>(r);
    step_route::<TranscriptRequest>(r);
    // Discussion and decision.
    step_route::<DiscussionRequest>(r);
    r.service(confirm_handler);
    step_route::<DecisionRequest>(r);
    // Suspension, extension, termination, closure, archive.
    step_route::<SuspensionRequest>(r);
    step_route::<ResumptionRequest>(r);
    step_route::<TerminationRequest>(r);
    step_route::<ExtensionRequest>(r);
    step_route::<ClosureRequest>(r);
    r.service(archive_handler);
    r.service(steps_handler);
}

/// The workflow's acts that a head's approval runs.
pub fn approved_acts(acts: &mut ApprovedActs) {
    acts.add(ApprovalKind::Filing, step_act::<FilingApprovalRequest>());
    acts.add(ApprovalKind::Suspension, step_act::<SuspensionRequest>());
    acts.add(ApprovalKind::Resumption, step_act::<ResumptionRequest>());
    acts.add(ApprovalKind::Termination, step_act::<TerminationRequest>());
    acts.add(ApprovalKind::Closure, step_act::<ClosureRequest>());
    acts.add(ApprovalKind::Extension, step_act::<ExtensionRequest>());
    acts.add(ApprovalKind::Reassignment, step_act::<ReassignRequest>());
    acts.add(ApprovalKind::Recusal, step_act::<RecusalRequest>());
}
