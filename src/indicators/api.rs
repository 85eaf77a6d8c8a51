//! `GET /indicators`.

use actix_web::{get, web, HttpResponse};

use super::*;

/// The indicators of a department subtree and period, each with its 2025
/// target and formula (docs/api-guide.md). Heads (their department) and
/// supervisors (their region). No per-officer figures.
#[utoipa::path(tag = "indicators", params(IndicatorQuery),
    responses((status = 200, body = Indicators), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/indicators")]
pub async fn indicators_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<IndicatorQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(indicators(&state, &caller, q.into_inner()).await?))
}

pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(indicators_handler);
}
