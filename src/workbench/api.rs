//! `GET /me/tasks`, `GET /me/messages`, `POST /me/messages/{id}/read`.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::*;

/// What the caller must do next, soonest due first: clue decisions,
/// approvals and reviews waiting, the deadlines of their cases (decision,
/// service, payment …). Done work disappears.
#[utoipa::path(tag = "workbench",
    responses((status = 200, body = inline(crate::http::Page<Task>)), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/me/tasks")]
pub async fn tasks_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let all = tasks(&state, &caller).await?;
    let key = |t: &Task| {
        (
            t.kind.clone(),
            t.link.clone(),
            t.subject_id.clone(),
            t.due_on,
        )
    };
    Ok(crate::http::Page::slice(all, &q.page, key)?.respond())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    #[serde(default)]
    pub unread: bool,
}

/// The caller's messages, newest first, with the unread count.
#[utoipa::path(tag = "workbench", params(InboxQuery),
    responses((status = 200, body = Inbox), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/me/messages")]
pub async fn messages_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed<InboxQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(inbox(&state, &caller, q.filter.unread, q.page).await?))
}

/// Marks a message read.
#[utoipa::path(tag = "workbench",
    responses((status = 204), (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/me/messages/{id}/read")]
pub async fn read_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    mark_read(&state, &caller, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(tasks_handler);
    r.service(messages_handler);
    r.service(read_handler);
}
