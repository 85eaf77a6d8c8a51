//! The workflow endpoints: thin handlers over `workflow::*`. Every write
//! takes `If-Match` and answers with the case's new version as `ETag`.

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::rules::*;
use super::*;
use crate::http::{created_with_etag, ApiJson, IfMatch};

pub(crate) fn answer(v: StepView) -> HttpResponse {
    created_with_etag(
        format!("/api/v1/cases/{}/steps/{}", v.case_id, v.id),
        &v,
        v.case_version,
    )
}

/// One `POST /cases/{id}/<step>` handler with a JSON body, answering the
/// step with the case's new version; `@tag` names the capability's tag
/// (other capabilities whose acts are workflow steps use it too).
macro_rules! step_endpoint {
    ($name:ident, $route:literal, $body:ty, $run:path, $doc:literal) => {
        step_endpoint!(@tag "workflow", $name, $route, $body, $run, $doc);
    };
    (@tag $tag:literal, $name:ident, $route:literal, $body:ty, $run:path, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(tag = $tag, request_body = $body,
            params(("If-Match" = Option<String>, Header, description = "the case's version (ETag); stale → 412")),
            responses((status = 201, body = crate::workflow::StepView, headers(("ETag" = String))),
                (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
                (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
                (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
                (status = 422, body = crate::error::Problem)),
            security(("bearer" = [])))]
        #[post($route)]
        pub async fn $name(
            state: actix_web::web::Data<crate::state::AppState>,
            caller: crate::auth::Caller,
            id: actix_web::web::Path<String>,
            if_match: crate::http::IfMatch,
            body: crate::http::ApiJson<$body>,
        ) -> crate::error::AppResult<actix_web::HttpResponse> {
            Ok(crate::workflow::api::answer($run(&state, &caller, &id, if_match.0, body.0).await?))
        }
    };
}
pub(crate) use step_endpoint;

step_endpoint!(report_handler, "/cases/{id}/investigation-report", ReportRequest, report,
    "调查终结报告 (Art 57): findings, proposed outcome and penalties judged against the attached discretion lookup (outside the law → 422 fine_outside_law; outside the tier without deviation_reason → 422). Needs evidence for a penalty (Art 40).");
step_endpoint!(notice_handler, "/cases/{id}/notice", NoticeRequest, notice,
    "告知 (Art 44): notifies the current proposal; sets the statement and hearing-request deadlines from `served_at`. A higher amount than notified before needs `increase_reason` (Art 45).");
step_endpoint!(
    statement_handler,
    "/cases/{id}/statements",
    StatementRequest,
    statement,
    "陈述申辩 (Art 45) or its express waiver (Art 62)."
);
step_endpoint!(
    hearing_request_handler,
    "/cases/{id}/hearing-request",
    HearingRequestRequest,
    hearing_request,
    "要求听证 (Art 63–64): only with a hearing right, within 5 working days of the notice."
);
step_endpoint!(
    hearing_handler,
    "/cases/{id}/hearing",
    HearingRequest,
    hearing,
    "听证 (Art 64): notified ≥ 7 working days before, presided by a non-investigator."
);
step_endpoint!(
    hearing_notice_handler,
    "/cases/{id}/hearing/notice",
    HearingNoticeRequest,
    hearing_notice,
    "听证通知书 (Art 64 (2)): served at least 7 working days before the hearing; a presiding officer who is not an investigator."
);
step_endpoint!(
    transcript_handler,
    "/cases/{id}/hearing/transcript",
    TranscriptRequest,
    transcript,
    "听证笔录 (Art 64 (8), 65): signed by the party or the refusal noted."
);
step_endpoint!(discussion_handler, "/cases/{id}/collective-discussion", DiscussionRequest, discussion,
    "负责人集体讨论 (Art 57 ¶2): recorded by a head; every attendee confirms with their own account.");
step_endpoint!(decision_handler, "/cases/{id}/decision", DecisionRequest, decide,
    "作出决定: a head (general procedure) or the case's officers on the spot (simplified, Art 51–52). Refused before notice (Art 44/62), before the statement period ends, before a requested hearing (Art 63–65), heavier than notified (Art 45), without an approved legality review when required (Art 58), without collective discussion when required (Art 57), after the 90 days (Art 60).");
step_endpoint!(service_handler, "/cases/{id}/service", ServiceRequest, serve,
    "送达 (Art 61): by an allowed method, not before the decision, not in the future; a fine is then due in 15 days (Art 67).");
step_endpoint!(
    payment_handler,
    "/cases/{id}/payments",
    PaymentRequest,
    pay,
    "缴纳罚款 (Art 67): after service, never more than the fine and the surcharge owed."
);
step_endpoint!(
    payment_plan_handler,
    "/cases/{id}/payment-plan",
    PaymentPlanRequest,
    payment_plan,
    "暂缓、分期缴纳 (Art 66 ¶2): a head approves the party's application; no surcharge accrues during the plan."
);
step_endpoint!(
    demand_handler,
    "/cases/{id}/enforcement-demand",
    DemandRequest,
    enforcement_demand,
    "催告 (Compulsion Law Art 35, 54): after the payment deadline, a written demand with the amount owed; the court may be asked 10 working days after its service."
);
step_endpoint!(
    remedy_handler,
    "/cases/{id}/remedies",
    RemedyRequest,
    remedy,
    "复议 / 诉讼 against the decision: the surcharge stops while it is pending (Art 73 ¶3)."
);
step_endpoint!(
    reassign_handler,
    "/cases/{id}/officers",
    ReassignRequest,
    reassign,
    "承办人变更: a head gives the case to other officers of the department, valid for it today (Art 42)."
);
step_endpoint!(
    recusal_handler,
    "/cases/{id}/recusals",
    RecusalRequest,
    recuse,
    "回避 (Art 43): a head decides; a withdrawn officer loses access; two valid officers must remain."
);
step_endpoint!(
    exclusion_handler,
    "/cases/{id}/exclusions",
    ExclusionRequest,
    exclusion,
    "Testing, appraisal, public notice or expert review days that do not count against the 90 days: after filing, not after today, not inverted, not overlapping, at most the profile's span."
);
step_endpoint!(
    court_handler,
    "/cases/{id}/court-enforcement",
    CourtEnforcementRequest,
    court_enforcement,
    "申请人民法院强制执行 (Compulsion Law Art 53–54): a head, after the demand's 10 working days and the remedy periods, within 3 months."
);
step_endpoint!(
    hand_in_handler,
    "/cases/{id}/hand-in",
    HandInRequest,
    hand_in,
    "当场收缴的罚款交至行政机关 (Art 71: within 2 working days of the collection)."
);
step_endpoint!(
    closure_handler,
    "/cases/{id}/closure",
    ReasonRequest,
    close,
    "结案: a head closes a case whose decision is performed."
);
step_endpoint!(
    filing_approval_handler,
    "/cases/{id}/filing-approval",
    FilingApprovalRequest,
    approve_filing,
    "立案审批 (APL Art 54 ¶2): a head approves the filing of a case its officers filed directly (general procedure); it answers the approval asked at filing. The investigation report waits for it (422 filing_not_approved)."
);
step_endpoint!(
    suspension_handler,
    "/cases/{id}/suspension",
    ReasonRequest,
    suspend,
    "中止: a head suspends the case; the 90-day clock stops."
);
step_endpoint!(
    resumption_handler,
    "/cases/{id}/resumption",
    ReasonRequest,
    resume,
    "恢复: back to the state it was suspended in; the decision day moves on by the suspended days."
);
step_endpoint!(
    termination_handler,
    "/cases/{id}/termination",
    ReasonRequest,
    terminate,
    "终止: a head ends the case."
);
step_endpoint!(extension_handler, "/cases/{id}/extension", ExtensionRequest, extend,
    "延长办案期限 (Art 60): a head, before the period ends; a second extension after a collective discussion.");

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
        submit_review(&state, &caller, &id, if_match.0).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    #[serde(default)]
    pub note: Option<String>,
}

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
    let (id, did) = path.into_inner();
    Ok(answer(
        confirm_discussion(&state, &caller, &id, &did, body.0.note).await?,
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
    let v = archive(&state, &caller, &id, if_match.0).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            format!("\"{}\"", v.case_version),
        ))
        .json(v))
}

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

/// Every step of the case file, oldest first.
#[utoipa::path(tag = "workflow",
    responses((status = 200, body = inline(crate::http::Page<StepView>)), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/steps")]
pub async fn steps_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(crate::http::Page::all(steps(&state, &caller, &id).await?))
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
    q: web::Query<QueueQuery>,
) -> AppResult<HttpResponse> {
    Ok(crate::http::Page::all(
        queue(&state, &caller, q.status).await?,
    ))
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
    let (id, rid) = path.into_inner();
    Ok(answer(
        remedy_result(&state, &caller, &id, &rid, body.0).await?,
    ))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(report_handler);
    r.service(notice_handler);
    r.service(statement_handler);
    r.service(hearing_request_handler);
    r.service(hearing_handler);
    r.service(hearing_notice_handler);
    r.service(transcript_handler);
    r.service(discussion_handler);
    r.service(decision_handler);
    r.service(service_handler);
    r.service(payment_handler);
    r.service(payment_plan_handler);
    r.service(demand_handler);
    r.service(remedy_handler);
    r.service(reassign_handler);
    r.service(recusal_handler);
    r.service(exclusion_handler);
    r.service(court_handler);
    r.service(hand_in_handler);
    r.service(closure_handler);
    r.service(filing_approval_handler);
    r.service(suspension_handler);
    r.service(resumption_handler);
    r.service(termination_handler);
    r.service(extension_handler);
    r.service(submit_review_handler);
    r.service(confirm_handler);
    r.service(archive_handler);
    r.service(late_fee_handler);
    r.service(steps_handler);
    r.service(queue_handler);
    r.service(review_handler);
    r.service(opinion_handler);
    r.service(remedy_result_handler);
}
