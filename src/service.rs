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

/// How long `/readyz` waits for the database: a probe's usual timeout is 1 s.
pub const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(800);

/// The database answers and every migration is applied. Answers within
/// `READY_TIMEOUT` whatever the database does: 503 `database_unavailable`
/// with `Retry-After` when it cannot be reached in that time.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    use crate::error::{AppError, Code};
    let pool = state.db.pool.clone();
    let probe = actix_web::web::block(move || -> Result<bool, AppError> {
        use diesel::connection::SimpleConnection;
        let mut conn = pool.get_timeout(READY_TIMEOUT)?;
        conn.batch_execute("SELECT 1")?;
        Ok(crate::db::has_pending_migrations(&mut conn))
    });
    // The blocking probe may outlive the answer (a connect that hangs); it
    // then finishes on its own thread and is dropped.
    let checked = match tokio::time::timeout(READY_TIMEOUT, probe).await {
        Ok(r) => r.map_err(AppError::from).and_then(|r| r),
        Err(_) => Err(AppError::database_unavailable("readiness probe timed out")),
    };
    match checked {
        Ok(false) => HttpResponse::Ok()
            .json(serde_json::json!({ "status": "ready", "database": state.db.backend.name() })),
        Ok(true) => {
            AppError::new(Code::ServiceUnavailable, "migrations pending").error_response_public()
        }
        Err(e) if e.code == Code::DatabaseUnavailable => e.error_response_public(),
        Err(_) => AppError::database_unavailable("readiness probe failed").error_response_public(),
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
