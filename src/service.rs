//! Service endpoints outside the API: `/healthz`, `/readyz`, `/metrics`.

use actix_web::{web, HttpResponse};

use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").get(healthz))
        .service(web::resource("/readyz").get(readyz))
        .service(web::resource("/metrics").get(metrics));
}

/// The process is up.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database answers and every migration is applied.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    // A short wait of its own: a probe must answer while the database is down.
    let pool = state.db.pool.clone();
    let checked = actix_web::web::block(move || -> Result<bool, crate::error::AppError> {
        use diesel::connection::SimpleConnection;
        let mut conn = pool.get_timeout(std::time::Duration::from_secs(2))?;
        conn.batch_execute("SELECT 1")?;
        Ok(crate::db::has_pending_migrations(&mut conn))
    })
    .await
    .map_err(crate::error::AppError::from)
    .and_then(|r| r);
    match checked {
        Ok(false) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready", "database": state.db.backend.name() })),
        Ok(true) => HttpResponse::ServiceUnavailable()
            .content_type(crate::error::PROBLEM_JSON)
            .json(serde_json::json!({ "type": "about:blank", "title": "Service Unavailable", "status": 503, "code": "service_unavailable", "detail": "migrations pending" })),
        Err(e) => HttpResponse::ServiceUnavailable()
            .content_type(crate::error::PROBLEM_JSON)
            .json(serde_json::json!({ "type": "about:blank", "title": "Service Unavailable", "status": 503, "code": "service_unavailable", "detail": format!("database: {}", e.detail) })),
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.db.pool.state();
    let body = state.metrics.render(&[
        (
            "zhifa_db_pool_connections",
            "Open database connections.",
            pool.connections as f64,
        ),
        (
            "zhifa_db_pool_idle",
            "Idle database connections.",
            pool.idle_connections as f64,
        ),
        (
            "zhifa_access_log_pending",
            "Access-log entries not yet written.",
            state.access_log.pending() as f64,
        ),
    ]);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
