//! `GET /cases/{id}/records`, `/records/verify`, `/access-log`.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::auth::{scope, Caller};
use crate::cases::{readable_case, Access};
use crate::db::schema::access_log;
use crate::AppState;

#[utoipa::path(get, path = "/api/v1/cases/{id}/records", tag = "records",
    responses((status = 200, body = inline(crate::http::Page<RecordEntry>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/records")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let s = readable_case(&state, &caller, &id, Access::ReadRecords).await?;
    let entries = state.db.run(move |conn| load(conn, &s.case_id)).await?;
    let items: Vec<RecordEntry> = entries.into_iter().map(RecordEntry::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "next_cursor": null })))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/records/verify", tag = "records",
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

/// One read of a case file.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogEntry {
    pub at: String,
    pub user_id: String,
    pub username: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    /// False for a refused attempt (e.g. another department's officer).
    pub allowed: bool,
}

/// Who read the case file, when and from where — heads and supervisors.
/// Flushes this instance's buffer first, so the answer is up to date.
#[utoipa::path(get, path = "/api/v1/cases/{id}/access-log", tag = "records",
    responses((status = 200, body = inline(crate::http::Page<AccessLogEntry>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/access-log")]
pub async fn access(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    caller.require_any(scope::ACCESS_LOG_ROLES)?;
    let s = readable_case(&state, &caller, &id, Access::ReadAccessLog).await?;
    state.access_log.flush(&state.db).await?;
    type Row = (
        NaiveDateTime,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        bool,
    );
    let rows: Vec<Row> = state
        .db
        .run(move |conn| {
            Ok(access_log::table
                .filter(access_log::case_id.eq(&s.case_id))
                .order((access_log::at.asc(), access_log::id.asc()))
                .select((
                    access_log::at,
                    access_log::user_id,
                    access_log::username,
                    access_log::ip,
                    access_log::request_id,
                    access_log::action,
                    access_log::allowed,
                ))
                .load(conn)?)
        })
        .await?;
    let items: Vec<AccessLogEntry> = rows
        .into_iter()
        .map(|r| AccessLogEntry {
            at: crate::clock::rfc3339(r.0),
            user_id: r.1,
            username: r.2,
            ip: r.3,
            request_id: r.4,
            action: r.5,
            allowed: r.6,
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "next_cursor": null })))
}
