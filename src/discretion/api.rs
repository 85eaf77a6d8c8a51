//! Discretion endpoints: benchmarks, lookup, import/export, publication,
//! lookups on a case, consistency, and the public benchmark pages.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::formats::Format;
use super::*;
use crate::auth::Caller;
use crate::http::ApiJson;
use crate::state::AppState;

/// The largest benchmark file accepted.
const MAX_UPLOAD: usize = 10 * 1024 * 1024;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ItemQuery {
    /// Enforcement item code.
    pub item: String,
}

/// The versions of one item's benchmark: tiers with conditions, ranges,
/// basis, version and effective dates. Drafts show to admins and legal
/// reviewers only.
#[utoipa::path(tag = "discretion", params(ItemQuery),
    responses((status = 200, body = inline(crate::http::Page<BenchmarkView>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/discretion/benchmarks")]
pub async fn benchmarks(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed<ItemQuery>,
) -> AppResult<HttpResponse> {
    let all = versions_of(&state, &caller, &q.filter.item).await?;
    Ok(crate::http::Page::slice(all, &q.page, |b| b.id.clone())?.respond())
}

/// Applies the law (APL Art 30–33, 49) and the item's published benchmark
/// to the facts: outcome, tier, fine range, other penalties, the 裁量说明,
/// hearing right and whether legality review is required. Changes nothing.
#[utoipa::path(tag = "discretion", request_body = LookupRequest,
    responses((status = 200, body = LookupAnswer), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/discretion/lookup")]
pub async fn lookup_handler(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<LookupRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(lookup(&state, &caller, body.0).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// csv | xlsx | toml; else taken from the Content-Type.
    pub format: Option<Format>,
    /// Check every row and report; import nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// The file's name, used in the report.
    pub file_name: Option<String>,
}

fn format_of(req: &HttpRequest, q: &ImportQuery) -> AppResult<Format> {
    if let Some(f) = q.format {
        return Ok(f);
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    [Format::Csv, Format::Xlsx, Format::Toml]
        .into_iter()
        .find(|f| f.content_type().starts_with(&ct) && !ct.is_empty())
        .ok_or_else(|| {
            AppError::new(Code::UnsupportedMediaType,
                "send text/csv, application/toml or the XLSX media type, or say ?format=csv|xlsx|toml",
            )
        })
}

/// Imports benchmark versions from a CSV, XLSX or TOML file (admin). Every
/// bad row is reported with its line and column, and then nothing is
/// imported; `dry_run=true` only checks. A published version never changes.
#[utoipa::path(tag = "discretion", params(ImportQuery),
    request_body(content = String, description = "the file", content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 413, body = crate::error::Problem), (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/discretion/benchmarks:import")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    mut payload: web::Payload,
) -> AppResult<HttpResponse> {
    crate::auth::scope::require_rule_data_admin(&caller)?;
    let format = format_of(&req, &q)?;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request(Code::BadRequest, e.to_string()))?;
        if body.len() + chunk.len() > MAX_UPLOAD {
            return Err(AppError::new(
                Code::PayloadTooLarge,
                format!("a benchmark file may be at most {MAX_UPLOAD} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let name = q
        .file_name
        .clone()
        .unwrap_or_else(|| format!("upload.{}", crate::db::enum_str(&format)));
    let report = import_upload(&state, &caller, format, name, body.freeze(), q.dry_run).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// csv (default) | xlsx | toml
    pub format: Option<Format>,
    /// Only this item.
    pub item: Option<String>,
}

/// Exports benchmark versions in the format `benchmarks:import` reads back.
#[utoipa::path(tag = "discretion", params(ExportQuery),
    responses((status = 200, description = "the file"), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/discretion/benchmarks/export")]
pub async fn export_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let format = q.format.unwrap_or(Format::Csv);
    let bytes = export(&state, &caller, q.item.clone(), format).await?;
    let name = format!("benchmarks.{}", crate::db::enum_str(&format));
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// Publishes a version (admin): lookups in its effective period use it,
/// and `/public/benchmarks` shows it.
#[utoipa::path(tag = "discretion",
    responses((status = 200, body = BenchmarkView), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/discretion/benchmarks/{id}/publish")]
pub async fn publish_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(publish(&state, &caller, &id).await?))
}

#[derive(Debug, Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    pub convention: Convention,
    pub unit: Unit,
    /// Statutory minimum in the unit (yuan, or the multiple), as text: "50000", "1.6".
    pub min: String,
    pub max: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GeneratedTier {
    pub tier: Tier,
    pub conditions: String,
    pub min: String,
    pub max: String,
}

/// The author's tool: tiers generated from a statutory range by a named
/// convention (30/40/30, midpoint, only-a-maximum).
#[utoipa::path(tag = "discretion", request_body = GenerateRequest,
    responses((status = 200, body = inline(Vec<GeneratedTier>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/discretion/tiers:generate")]
pub async fn generate(caller: Caller, body: ApiJson<GenerateRequest>) -> AppResult<HttpResponse> {
    caller.require_any(crate::auth::scope::BENCHMARK_READ_ROLES)?;
    let r = body.0;
    let scale = r.unit.scale();
    let amount = |field: &str, s: &str| {
        parse_scaled(s, scale).filter(|v| *v >= 0).ok_or_else(|| {
            AppError::rule_on_field(
                Code::InvalidValue,
                field,
                format!("not an amount with at most {scale} decimals"),
            )
        })
    };
    let clause = Clause {
        id: "generated".into(),
        when: conditions::Condition::always(),
        unit: r.unit,
        min: amount("min", &r.min)?,
        max: amount("max", &r.max)?,
        basis: rules::apl(34, None, None),
        tiers: vec![],
    };
    if clause.min > clause.max {
        return Err(AppError::rule_on_field(
            Code::InvalidValue,
            "max",
            "max is below min",
        ));
    }
    let tiers = rules::generate_tiers(r.convention, &clause)
        .map_err(|e| AppError::rule_on_field(Code::InvalidValue, "convention", e))?;
    Ok(HttpResponse::Ok().json(
        tiers
            .iter()
            .map(|t| GeneratedTier {
                tier: t.tier,
                conditions: t.when.to_string(),
                min: show_scaled(t.min, scale),
                max: show_scaled(t.max, scale),
            })
            .collect::<Vec<_>>(),
    ))
}

/// Attaches a lookup to a case (facts, result, benchmark version) and
/// records it in the case's chain. A proposed fine outside the law is
/// refused (Art 76); outside its tier it needs a `deviation_reason`, is
/// flagged, and makes legality review required.
#[utoipa::path(tag = "discretion", request_body = AttachRequest,
    responses((status = 201, body = Attachment), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/discretion")]
pub async fn attach_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: crate::http::IfMatch,
    body: ApiJson<AttachRequest>,
) -> AppResult<HttpResponse> {
    let a = super::attach::attach(&state, &caller, &id, if_match.0, body.0).await?;
    Ok(crate::http::created(
        format!("/api/v1/cases/{}/discretion/{}", a.case_id, a.id),
        &a,
    ))
}

/// The lookups attached to a case, oldest first.
#[utoipa::path(tag = "discretion",
    responses((status = 200, body = inline(crate::http::Page<Attachment>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/discretion")]
pub async fn attachments_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = attachments(&state, &caller, &id).await?;
    Ok(crate::http::Page::slice(all, &q.page, |a| a.id.clone())?.respond())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    pub item: String,
    /// How far from comparable cases' median a fine may lie, in percent (default 50).
    pub tolerance_percent: Option<u32>,
}

/// 同案同罚: how an item's cases were fined — per tier, and the cases far
/// from comparable ones. Heads and legal reviewers see their department,
/// supervisors their region.
#[utoipa::path(tag = "discretion", params(ConsistencyQuery),
    responses((status = 200, body = rules::ConsistencyReport), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/discretion/consistency")]
pub async fn consistency_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ConsistencyQuery>,
) -> AppResult<HttpResponse> {
    let tolerance = q.tolerance_percent.unwrap_or(50).clamp(1, 1000);
    Ok(HttpResponse::Ok().json(consistency(&state, &caller, &q.item, tolerance).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    pub item: Option<String>,
    pub domain: Option<String>,
}

/// The published benchmarks in force today, with citations (APL Art 34: benchmarks are published). No token.
#[utoipa::path(tag = "public", params(PublicQuery),
    responses((status = 200, body = inline(crate::http::Page<BenchmarkView>))))]
#[get("/public/benchmarks")]
pub async fn public_list(
    state: web::Data<AppState>,
    q: crate::http::Listed<PublicQuery>,
) -> AppResult<HttpResponse> {
    let f = &q.filter;
    let all = public_benchmarks(&state, f.item.as_deref(), f.domain.as_deref()).await?;
    Ok(crate::http::Page::slice(all, &q.page, |b| b.id.clone())?.respond())
}

/// The refinement indicator: per department, the share of the
/// high-frequency items it holds that have a published benchmark (target 100 %). No token.
#[utoipa::path(tag = "public",
    responses((status = 200, body = inline(crate::http::Page<Refinement>))))]
#[get("/public/benchmarks/refinement")]
pub async fn public_refinement(
    state: web::Data<AppState>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = refinement(&state).await?;
    Ok(crate::http::Page::slice(all, &q.page, |r| r.department_id.clone())?.respond())
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(lookup_handler);
    r.service(benchmarks);
    r.service(import);
    r.service(export_handler);
    r.service(publish_handler);
    r.service(generate);
    r.service(attach_handler);
    r.service(attachments_handler);
    r.service(consistency_handler);
    r.service(public_list);
    r.service(public_refinement);
}
