//! `GET /cases/{id}/warnings`.

use actix_web::{get, web, HttpResponse};

use super::*;

/// Every open deadline of the case that is near (the department's lead
/// time, default 3 working days) or passed, with its basis.
#[utoipa::path(tag = "cases",
    responses((status = 200, body = inline(crate::http::Page<Warning>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/cases/{id}/warnings")]
pub async fn case_warnings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    // Computed afresh on each call in a fixed order: keyed by position.
    let all = for_case(&state, &caller, &id).await?;
    Ok(crate::http::Page::slice_by_position(all, &q.page)?.respond())
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(case_warnings);
}
