//! `GET /cases/{id}/records`, `/records/verify`, `/access-log`.

use actix_web::{get, web, HttpResponse};

use super::access_log::{self, AccessLogEntry};
use super::*;
use crate::auth::{scope, Caller};
use crate::cases::{readable_case, Access};
use crate::state::AppState;

#[utoipa::path(tag = "records",
    responses((status = 200, body = inline(crate::http::Page<RecordEntry>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/records")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let s = readable_case(&state, &caller, &id, Access::ReadRecords).await?;
    let entries = state.db.run(move |conn| load(conn, &s.case_id)).await?;
    let items: Vec<RecordEntry> = entries.into_iter().map(RecordEntry::from).collect();
    Ok(crate::http::Page::slice(items, &q.page, |e| e.seq)?.respond())
}

#[utoipa::path(tag = "records",
    responses((status = 200, body = Verification), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/records/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let s = readable_case(&state, &caller, &id, Access::VerifyRecords).await?;
    let key = state.settings.record_key.clone();
    let v = state
        .db
        .run(move |conn| verify_case(conn, key.as_bytes(), &s.case_id))
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Who read the case file, when and from where — heads and supervisors.
/// Flushes this instance's buffer first, so the answer is up to date.
#[utoipa::path(tag = "records",
    responses((status = 200, body = inline(crate::http::Page<AccessLogEntry>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/access-log")]
pub async fn access(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    caller.require_any(scope::ACCESS_LOG_ROLES)?;
    let s = readable_case(&state, &caller, &id, Access::ReadAccessLog).await?;
    state.access_log.flush(&state.db).await?;
    let items = state
        .db
        .run(move |conn| access_log::for_case(conn, &s.case_id))
        .await?;
    // The log only grows at its end (oldest first): keyed by position.
    Ok(crate::http::Page::slice_by_position(items, &q.page)?.respond())
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(list);
    r.service(verify);
    r.service(access);
}
