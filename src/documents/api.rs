//! `GET /cases/{id}/documents`, `GET /documents/{id}/pdf`,
//! `GET /public/documents/verify`.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::register::*;
use super::*;
use crate::auth::Caller;
use crate::state::AppState;

/// The documents the system issued on a case, oldest first.
#[utoipa::path(tag = "documents",
    responses((status = 200, body = inline(crate::http::Page<DocumentRef>)), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/documents")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = list(&state, &caller, &id).await?;
    Ok(crate::http::Page::slice(all, &q.page, |d| d.id.clone())?.respond())
}

/// One document's metadata.
#[utoipa::path(tag = "documents",
    responses((status = 200, body = DocumentRef), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/documents/{id}")]
pub async fn metadata_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(metadata(&state, &caller, &id).await?))
}

/// The PDF, verified against its SHA-256 on the way out (`X-Content-SHA256`).
#[utoipa::path(tag = "documents",
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/documents/{id}/pdf")]
pub async fn pdf_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (doc, bytes) = pdf_of(&state, &caller, &id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("x-content-sha256", doc.sha256.clone()))
        .insert_header((
            "content-disposition",
            format!("inline; filename=\"{}.pdf\"", doc.id),
        ))
        .body(bytes))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    /// The document number (文号) as printed.
    pub number: String,
    /// The verification code (核验码) as printed.
    pub code: String,
}

/// Was a document with this number and code issued (and is it withdrawn)?
/// Never reveals the content.
#[utoipa::path(tag = "public", params(VerifyQuery),
    responses((status = 200, body = Verification), (status = 400, body = crate::error::Problem)))]
#[get("/public/documents/verify")]
pub async fn verify_handler(
    state: web::Data<AppState>,
    q: web::Query<VerifyQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(verify_public(&state, &q.number, &q.code).await?))
}

/// The electronic case file as a zip, streamed: cover, index, documents in
/// legal order, evidence, the record chain and a manifest of SHA-256s.
#[utoipa::path(tag = "documents",
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/archive.zip")]
pub async fn archive_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    use std::io::Read;
    let (file, name) = archive::export(&state, &caller, &id).await?;
    let size = file.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    let stream = futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let read = web::block(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = file.as_file_mut().read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((file, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((file, buf))) => Some((
                Ok::<_, actix_web::Error>(bytes::Bytes::from(buf)),
                Some(file),
            )),
            _ => Some((
                Err(actix_web::error::ErrorInternalServerError("archive read")),
                None,
            )),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            "content-disposition",
            format!("attachment; filename*=UTF-8''{}", percent(&name)),
        ))
        .no_chunking(size)
        .streaming(stream))
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A head withdraws an issued document; the number is never reissued.
#[utoipa::path(tag = "documents", request_body = WithdrawalRequest,
    responses((status = 200, body = DocumentRef), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/documents/{id}/withdrawal")]
pub async fn withdrawal_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: crate::http::ApiJson<WithdrawalRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(withdraw(&state, &caller, &id, body.0).await?))
}

/// A draft on demand: filled with what the case knows, blanks for the rest;
/// not numbered, not kept.
#[utoipa::path(tag = "documents", request_body = DraftRequest,
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/documents/draft")]
pub async fn draft_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: crate::http::ApiJson<DraftRequest>,
) -> AppResult<HttpResponse> {
    let bytes = draft(&state, &caller, &id, body.0).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .body(bytes))
}

/// The routes of this capability, each documented where it is written.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VoidedQuery {
    /// Only this register: `case` (case numbers) or a document kind
    /// (`filing_approval`, `penalty_decision`, …).
    pub kind: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// 作废号登记 — the void register: numbers taken from a register and never
/// issued (a step that failed after reserving them, or a process stopped in
/// between: reason `interrupted`). Every number of a register up to its
/// highest is either on a case or document, or here. Heads see their
/// department and those under it; supervisors their region. Newest first.
#[utoipa::path(tag = "documents", params(VoidedQuery),
    responses((status = 200, body = inline(crate::http::Page<VoidedNumber>)), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/numbers/voided")]
pub async fn voided_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<VoidedQuery>,
) -> AppResult<HttpResponse> {
    let subtree = crate::auth::scope::void_register_scope(&caller)?;
    let q = q.into_inner();
    let limit = crate::http::page_limit(q.limit)?;
    let mut items = state
        .db
        .run(move |conn| {
            voided(
                conn,
                &subtree,
                q.kind.as_deref(),
                q.cursor.as_deref(),
                limit + 1,
            )
        })
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more {
        items.last().map(|v| v.id.clone())
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(crate::http::Page { items, next_cursor }))
}

pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(voided_handler);
    r.service(list_handler);
    r.service(metadata_handler);
    r.service(pdf_handler);
    r.service(verify_handler);
    r.service(archive_handler);
    r.service(withdrawal_handler);
    r.service(draft_handler);
}
