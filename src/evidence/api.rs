//! `POST /cases/{id}/evidence` (multipart: JSON part `meta`, file part
//! `file`), `GET /cases/{id}/evidence`, `GET /cases/{id}/evidence/{eid}/content`.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::*;
use crate::error::FieldError;
use validator::Validate;

/// The largest `meta` part.
const MAX_META_BYTES: usize = 64 * 1024;

fn bad(field: &str, message: impl Into<String>) -> AppError {
    AppError::validation(vec![FieldError::new(field, "invalid", message)])
}

/// Adds a piece of evidence (one of the 8 kinds of APL Art 46). The file is
/// stored under its SHA-256, which the answer returns; the addition is
/// recorded in the case's chain.
#[utoipa::path(tag = "cases",
    params(("If-Match" = Option<String>, Header, description = "the case's version (ETag)")),
    request_body(content = String, description = "multipart/form-data: `meta` (JSON: kind, title, description?, collected_at, location?) and `file`", content_type = "multipart/form-data"),
    responses((status = 201, body = Evidence), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 413, body = crate::error::Problem), (status = 415, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/cases/{id}/evidence")]
pub async fn upload(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    req: HttpRequest,
    if_match: crate::http::IfMatch,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    // Who may add is decided before a byte of the file is read.
    let scope = crate::cases::writable_case(&state, &caller, &id).await?;
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(AppError::new(
            Code::UnsupportedMediaType,
            "send multipart/form-data with a JSON part `meta` and a file part `file`",
        ));
    }
    let mut parts = Multipart::new(req.headers(), payload);
    let mut meta: Option<EvidenceMeta> = None;
    let mut file: Option<(Incoming, String, Option<String>)> = None;
    while let Some(part) = parts.next().await {
        let mut part =
            part.map_err(|e| AppError::bad_request(Code::BadRequest, format!("multipart: {e}")))?;
        let name = part.name().unwrap_or("").to_string();
        match name.as_str() {
            "meta" => {
                let mut buf = bytes::BytesMut::new();
                while let Some(chunk) = part.next().await {
                    let chunk = chunk.map_err(|e| {
                        AppError::bad_request(Code::BadRequest, format!("multipart: {e}"))
                    })?;
                    if buf.len() + chunk.len() > MAX_META_BYTES {
                        return Err(bad("meta", "at most 64 KiB"));
                    }
                    buf.extend_from_slice(&chunk);
                }
                let parsed: EvidenceMeta = crate::http::json::parse(&buf).map_err(|mut e| {
                    for f in &mut e.errors {
                        f.field = format!("meta.{}", f.field);
                    }
                    e
                })?;
                parsed.validate().map_err(|e| {
                    let mut errors = crate::error::shape_errors(&e);
                    for f in &mut errors {
                        f.field = format!("meta.{}", f.field);
                    }
                    AppError::validation(errors)
                })?;
                meta = Some(parsed);
            }
            "file" => {
                let media_type = part
                    .content_type()
                    .map(|m| m.essence_str().to_string())
                    .unwrap_or_else(|| "application/octet-stream".into());
                let file_name = part
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(|f| {
                        f.chars()
                            .filter(|c| !crate::http::json::is_refused_control(*c))
                            .take(255)
                            .collect()
                    });
                let mut incoming = Incoming::new(&state.settings.data_dir)?;
                while let Some(chunk) = part.next().await {
                    let chunk = chunk.map_err(|e| {
                        AppError::bad_request(Code::BadRequest, format!("multipart: {e}"))
                    })?;
                    incoming.write(&chunk)?;
                }
                file = Some((incoming, media_type, file_name));
            }
            other => return Err(bad(other, "unknown part: send `meta` and `file`")),
        }
    }
    let meta = meta.ok_or_else(|| bad("meta", "the JSON part `meta` is required"))?;
    let (incoming, media_type, file_name) =
        file.ok_or_else(|| bad("file", "the file part `file` is required"))?;
    if incoming.size == 0 {
        return Err(bad("file", "the file is empty"));
    }
    if let Some(e) = rules::collected_in_future(&meta, state.clock.now()) {
        return Err(AppError::validation(vec![e]));
    }
    let size = incoming.size;
    let dir = state.settings.data_dir.clone();
    let sha256 = web::block(move || incoming.finish(&dir)).await??;
    let e = add(
        &state,
        &caller,
        &scope.case_id,
        if_match.0,
        Upload {
            meta,
            sha256,
            size,
            media_type,
            file_name,
        },
    )
    .await?;
    Ok(crate::http::created(
        format!("/api/v1/cases/{}/evidence/{}", e.case_id, e.id),
        &e,
    ))
}

/// The evidence of a case, oldest first.
#[utoipa::path(tag = "cases",
    responses((status = 200, body = inline(crate::http::Page<Evidence>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/evidence")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = list(&state, &caller, &id).await?;
    Ok(crate::http::Page::slice(all, &q.page, |e| e.id.clone())?.respond())
}

/// The file, verified against its SHA-256 before it is sent (409
/// `evidence_integrity_failed` when it no longer matches).
#[utoipa::path(tag = "cases",
    responses((status = 200, description = "the file; header X-Content-SHA256"), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/evidence/{eid}/content")]
pub async fn content_handler(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, eid) = path.into_inner();
    let (e, bytes) = content(&state, &caller, &id, &eid).await?;
    Ok(HttpResponse::Ok()
        .content_type(e.media_type.clone())
        .insert_header(("X-Content-SHA256", e.sha256.clone()))
        .body(bytes))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(upload);
    r.service(list_handler);
    r.service(content_handler);
}
