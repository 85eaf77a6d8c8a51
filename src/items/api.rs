//! `GET /enforcement-items`, `GET /enforcement-items/{code}`, and the public list.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;

use super::*;
use crate::auth::Caller;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ItemFilter {
    /// Enforcement domain, e.g. market_regulation.
    pub domain: Option<String>,
    /// Text in the code or name.
    pub q: Option<String>,
    /// Only items this department holds.
    pub department_id: Option<String>,
    pub high_frequency: Option<bool>,
}

async fn filtered(state: &AppState, f: ItemFilter) -> AppResult<Vec<EnforcementItem>> {
    state
        .db
        .run(move |conn| {
            let departments = crate::org::list_departments(conn)?;
            let holder = match &f.department_id {
                Some(id) => Some(
                    departments
                        .iter()
                        .find(|d| &d.id == id)
                        .cloned()
                        .ok_or_else(|| AppError::not_found("department not found"))?,
                ),
                None => None,
            };
            Ok(all(conn)?
                .into_iter()
                .filter(|i| f.domain.as_ref().is_none_or(|d| &i.domain == d))
                .filter(|i| f.high_frequency.is_none_or(|h| i.high_frequency == h))
                .filter(|i| {
                    f.q.as_ref()
                        .is_none_or(|q| i.code.contains(q.as_str()) || i.name.contains(q.as_str()))
                })
                .filter(|i| holder.as_ref().is_none_or(|d| held_by(i, &d.domains)))
                .map(|i| present(i, &departments))
                .collect())
        })
        .await
}

#[utoipa::path(tag = "items", params(ItemFilter), responses((status = 200, body = inline(crate::http::Page<EnforcementItem>))), security(("bearer" = [])))]
#[get("/enforcement-items")]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Caller,
    q: crate::http::Listed<ItemFilter>,
) -> AppResult<HttpResponse> {
    // The catalogue is held in memory: paged over it by code.
    let items = filtered(&state, q.filter).await?;
    Ok(crate::http::Page::slice(items, &q.page, |i| i.data.code.clone())?.respond())
}

#[utoipa::path(tag = "public", params(ItemFilter), responses((status = 200, body = inline(crate::http::Page<EnforcementItem>))))]
#[get("/public/enforcement-items")]
pub async fn public_list(
    state: web::Data<AppState>,
    q: crate::http::Listed<ItemFilter>,
) -> AppResult<HttpResponse> {
    let items = filtered(&state, q.filter).await?;
    Ok(crate::http::Page::slice(items, &q.page, |i| i.data.code.clone())?.respond())
}

#[utoipa::path(tag = "items", responses((status = 200, body = EnforcementItem), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/enforcement-items/{code}")]
pub async fn get_one(
    state: web::Data<AppState>,
    _caller: Caller,
    code: web::Path<String>,
) -> AppResult<HttpResponse> {
    let code = code.into_inner();
    let item = state
        .db
        .run(move |conn| {
            let item = find(conn, &code)?
                .ok_or_else(|| AppError::not_found(format!("no enforcement item {code}")))?;
            Ok(present(item, &crate::org::list_departments(conn)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(item))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(list);
    r.service(public_list);
    r.service(get_one);
}
