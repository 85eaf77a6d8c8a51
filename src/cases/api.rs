//! `POST /cases`, `GET /cases`, `GET /cases/{id}`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::store::{CaseFilter, ListScope};
use super::*;
use crate::auth::Caller;
use crate::error::FieldError;
use crate::http::{ApiJson, Listed, Page};
use crate::state::AppState;

/// 立案 — file a case. Refuses, with 422 and the rule's code, what the law
/// refuses: an item the department does not hold, fewer than two certified
/// officers, an auxiliary counted as an officer, a certificate that does not
/// cover the field, area or day, a violation past the limitation period, a
/// bad ID or USCC check digit, a simplified procedure beyond Art 51.
#[utoipa::path(tag = "cases", request_body = NewCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key and body returns the first answer")),
    responses(
        (status = 201, body = Case, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)
    ),
    security(("bearer" = []))
)]
#[post("/cases")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: ApiJson<NewCase>,
) -> AppResult<HttpResponse> {
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v
                .to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    AppError::validation(vec![FieldError::new(
                        "Idempotency-Key",
                        "invalid",
                        "1–200 visible ASCII characters",
                    )])
                })?;
            Some(k.to_string())
        }
    };
    let r = file_case(&state, caller, body.0, key).await?;
    let mut resp = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(r.status)
            .unwrap_or(actix_web::http::StatusCode::CREATED),
    );
    resp.content_type("application/json");
    if let Some(l) = r.location {
        resp.insert_header((header::LOCATION, l));
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&r.body) {
        if let Some(ver) = v.get("version").and_then(|v| v.as_i64()) {
            resp.insert_header((header::ETAG, format!("\"{ver}\"")));
        }
    }
    Ok(resp.body(r.body))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<CaseStatus>,
    /// Enforcement item code.
    pub item: Option<String>,
    pub officer_id: Option<String>,
    /// Part of the party's name, or the exact ID number / USCC.
    pub party: Option<String>,
    /// Filed on or after this day (China time).
    pub filed_from: Option<NaiveDate>,
    /// Filed on or before this day (China time).
    pub filed_to: Option<NaiveDate>,
}

/// Start of a China-time day, in UTC.
fn china_day_start(d: NaiveDate) -> chrono::NaiveDateTime {
    d.and_hms_opt(0, 0, 0).expect("midnight") - chrono::Duration::hours(8)
}

#[utoipa::path(tag = "cases", params(ListQuery),
    responses((status = 200, body = inline(Page<CaseSummary>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: Listed<ListQuery>,
) -> AppResult<HttpResponse> {
    caller.require_any(scope::CASE_ROLES)?;
    let Listed { filter: q, page } = q;
    let cursor: Option<String> = page.after()?;
    let scope_ = match scope::case_list_scope(&caller) {
        scope::CaseListScope::Region(p) => ListScope::RegionPath(p),
        scope::CaseListScope::Department(d)
            if caller.has_any(&[Role::Officer, Role::Head, Role::LegalReviewer]) =>
        {
            ListScope::Department(d)
        }
        scope::CaseListScope::Department(d) => ListScope::Attached {
            department_id: d,
            user_id: caller.user_id.clone(),
        },
    };
    let filter = CaseFilter {
        status: q.status.map(|s| rules::enum_str(&s)),
        item: q.item,
        officer_id: q.officer_id,
        party: q.party.filter(|p| !p.trim().is_empty()),
        filed_from: q.filed_from.map(china_day_start),
        filed_to: q
            .filed_to
            .map(|d| china_day_start(d + chrono::Duration::days(1))),
        hide_recused_for: Some(caller.user_id.clone()),
    };
    let fetch = page.fetch();
    let rows = state
        .db
        .run(move |conn| store::list_cases(conn, &scope_, &filter, cursor.as_deref(), fetch))
        .await?;
    let page = Page::keyset(rows, &page, |c| c.id.clone());
    for c in &page.items {
        log_access(&state, &caller, &c.id, Access::ListCases, true);
    }
    Ok(page.respond())
}

#[utoipa::path(tag = "cases",
    responses((status = 200, body = Case, headers(("ETag" = String))), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let file = view_case(&state, &caller, &id).await?;
    let mut resp = HttpResponse::Ok();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", file.version)) {
        resp.insert_header((header::ETAG, v));
    }
    Ok(resp
        .content_type(header::ContentType::json())
        .body(file.json.clone()))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(get_one);
    r.service(create);
    r.service(list);
}
