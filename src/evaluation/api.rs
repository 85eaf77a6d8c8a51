//! 案卷评查: `/rubrics`, `/evaluations/batches`, `/evaluations/{id}` and its
//! scores, completion, reply and record, `/evaluations/stats`.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::*;
use crate::http::{ApiJson, Page};

/// Every rubric version (评查标准), with its items, checks and veto items.
#[utoipa::path(tag = "evaluations",
    responses((status = 200, body = inline(crate::http::Page<StoredRubric>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/rubrics")]
pub async fn rubrics_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    caller.require_any(scope::CASE_ROLES)?;
    let all = state.db.run(store::all).await?;
    Ok(Page::slice(all, &q.page, |r| r.id.clone())?.respond())
}

/// The versions of one rubric, oldest first.
#[utoipa::path(tag = "evaluations",
    responses((status = 200, body = inline(crate::http::Page<StoredRubric>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/rubrics/{code}")]
pub async fn rubric_handler(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    caller.require_any(scope::CASE_ROLES)?;
    let all = state.db.run(store::all).await?;
    let mine: Vec<StoredRubric> = all.into_iter().filter(|r| r.rubric.code == *code).collect();
    if mine.is_empty() {
        return Err(AppError::not_found("rubric"));
    }
    Ok(Page::slice(mine, &q.page, |r| r.id.clone())?.respond())
}

/// Creates an evaluation batch over a department subtree and a period: all
/// its closed cases, or a sample of `sample_size` drawn with `seed` (given
/// or chosen, and recorded: the same seed redraws the same sample).
/// Supervisors of the region.
#[utoipa::path(tag = "evaluations", request_body = NewBatch,
    responses((status = 201, body = BatchView), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/evaluations/batches")]
pub async fn create_batch_handler(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<NewBatch>,
) -> AppResult<HttpResponse> {
    let b = create_batch(&state, &caller, body.0).await?;
    Ok(crate::http::created(
        format!("/api/v1/evaluations/batches/{}", b.id),
        &b,
    ))
}

/// The batches over the caller's region, newest first.
#[utoipa::path(tag = "evaluations",
    responses((status = 200, body = inline(crate::http::Page<BatchView>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/evaluations/batches")]
pub async fn batches_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = batches(&state, &caller).await?;
    Ok(Page::slice(all, &q.page, |b| b.id.clone())?.respond())
}

/// One batch: its evaluations, the seed, progress.
#[utoipa::path(tag = "evaluations",
    responses((status = 200, body = BatchView), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/evaluations/batches/{id}")]
pub async fn batch_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(batch(&state, &caller, &id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// json (default), csv, xlsx or pdf; else taken from `Accept`.
    pub format: Option<String>,
}

/// The batch's report: grade counts and pass rate ((优秀 + 合格) /
/// evaluated) per department and in all, the most frequent deductions and
/// veto items — as JSON, CSV, XLSX or PDF (`format=` or `Accept`).
#[utoipa::path(tag = "evaluations", params(ReportQuery),
    responses((status = 200, body = report::Report, content_type = "application/json"),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/evaluations/batches/{id}/report")]
pub async fn report_handler(
    state: web::Data<AppState>,
    caller: Caller,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
    q: web::Query<ReportQuery>,
) -> AppResult<HttpResponse> {
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = match q.format.as_deref() {
        Some(f) => f.to_string(),
        None if accept.contains("text/csv") => "csv".into(),
        None if accept.contains("spreadsheetml") => "xlsx".into(),
        None if accept.contains("application/pdf") => "pdf".into(),
        None => "json".into(),
    };
    if !matches!(format.as_str(), "json" | "csv" | "xlsx" | "pdf") {
        return Err(AppError::validation(vec![FieldError::new(
            "format",
            "invalid",
            "json, csv, xlsx or pdf",
        )]));
    }
    let r = batch_report(&state, &caller, &id).await?;
    let file = |ct: &str, ext: &str, body: Vec<u8>| {
        HttpResponse::Ok()
            .content_type(ct.to_string())
            .insert_header((
                actix_web::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"evaluation-report-{}.{ext}\"",
                    r.batch_id
                ),
            ))
            .body(body)
    };
    Ok(match format.as_str() {
        "csv" => file("text/csv; charset=utf-8", "csv", report::csv(&r)?),
        "xlsx" => file(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            report::xlsx(&r)?,
        ),
        "pdf" => file("application/pdf", "pdf", report_pdf(&state, &r).await?),
        _ => HttpResponse::Ok().json(&r),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// A department in the caller's subtree (default: the caller's subtree).
    pub department_id: Option<String>,
    /// Evaluations completed from this day …
    pub from: Option<NaiveDate>,
    /// … to this day (inclusive).
    pub to: Option<NaiveDate>,
}

/// Grade counts and pass rate ((优秀 + 合格) / evaluated) of the completed
/// evaluations of a subtree and period. Heads (their department) and supervisors (their region).
#[utoipa::path(tag = "evaluations", params(StatsQuery),
    responses((status = 200, body = Stats), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/evaluations/stats")]
pub async fn stats_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<StatsQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    Ok(HttpResponse::Ok().json(stats(&state, &caller, q.department_id, q.from, q.to).await?))
}

/// One evaluation: the automatic pre-score (each item with its points,
/// deduction, findings and their evidence, or marked for the evaluator),
/// the evaluator's adjustments and the result.
#[utoipa::path(tag = "evaluations",
    responses((status = 200, body = EvaluationView), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/evaluations/{id}")]
pub async fn evaluation_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(evaluation(&state, &caller, &id).await?))
}

/// The evaluator adjusts items, each with its reason (a supervisor not of
/// the evaluated department); 409 once completed.
#[utoipa::path(tag = "evaluations", request_body = ScoresRequest,
    responses((status = 200, body = EvaluationView), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/evaluations/{id}/scores")]
pub async fn scores_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<ScoresRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(score(&state, &caller, &id, body.0).await?))
}

/// Completes the evaluation: its result is fixed in its own record and
/// never changes (409 after).
#[utoipa::path(tag = "evaluations",
    responses((status = 200, body = EvaluationView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/evaluations/{id}/complete")]
pub async fn complete_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(complete(&state, &caller, &id).await?))
}

/// The evaluated department's head answers (整改 reply); the result stays.
#[utoipa::path(tag = "evaluations", request_body = ReplyRequest,
    responses((status = 200, body = EvaluationView), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/evaluations/{id}/reply")]
pub async fn reply_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<ReplyRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(reply(&state, &caller, &id, body.0).await?))
}

/// The evaluation's own full-process record and its verification.
#[utoipa::path(tag = "evaluations",
    responses((status = 200, body = EvaluationRecord), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/evaluations/{id}/record")]
pub async fn record_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(record(&state, &caller, &id).await?))
}

/// The routes of this capability (fixed paths before `{id}`).
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(rubrics_handler)
        .service(rubric_handler)
        .service(create_batch_handler)
        .service(batches_handler)
        .service(batch_handler)
        .service(report_handler)
        .service(stats_handler)
        .service(evaluation_handler)
        .service(scores_handler)
        .service(complete_handler)
        .service(reply_handler)
        .service(record_handler);
}
