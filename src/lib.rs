//! zhifa (执法) — case management for administrative law enforcement.
//!
//! `build_state` + `start` build the same server for `zhifa serve` and for
//! the black-box tests.

pub mod appraisals;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod calendar;
pub mod cases;
pub mod clock;
pub mod clues;
pub mod complaints;
pub mod config;
pub mod db;
pub mod disclosure;
pub mod discretion;
pub mod documents;
pub mod error;
pub mod evaluation;
pub mod evidence;
pub mod execution;
pub mod fixtures;
pub mod guidance;
pub mod http;
pub mod indicators;
pub mod inspections;
pub mod investigation;
pub mod items;
pub mod kernel;
pub mod openapi;
pub mod org;
pub mod profiles;
pub mod property;
pub mod records;
pub mod review;
pub mod routes;
pub mod seed;
pub mod service;
pub mod snapshot;
pub mod state;
pub mod transfers;
pub mod warnings;
pub mod workbench;
pub mod workflow;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App, HttpServer};

pub use crate::clock::Clock;
pub use crate::config::{Mode, Settings};
pub use crate::db::Db;
pub use crate::state::AppState;

/// A running server: its address, its state, and the handle to stop it.
pub struct Running {
    pub server: actix_web::dev::Server,
    pub state: web::Data<AppState>,
    pub addr: std::net::SocketAddr,
}

/// Builds the HTTP server on `listener` and starts the background
/// access-log flusher. Await `server` to run it; on stop, call `shutdown`.
pub fn start(
    state: AppState,
    listener: TcpListener,
    workers: Option<usize>,
) -> std::io::Result<Running> {
    let state = web::Data::new(state);
    let addr = listener.local_addr()?;
    // Numbers reserved by an earlier process of this instance (killed
    // between reserving and issuing) are voided before anything is served.
    match state.db.pool.get() {
        Ok(mut conn) => match documents::start_instance(
            &mut conn,
            &state.settings.instance_name,
            state.clock.now_naive(),
        ) {
            Ok(0) => {}
            Ok(n) => tracing::warn!(voided = n, "voided numbers of interrupted steps"),
            Err(e) => tracing::warn!(error = %e, "start-up reservation sweep failed; will retry"),
        },
        Err(e) => {
            tracing::warn!(error = %e, "start-up reservation sweep: no connection; will retry")
        }
    }
    let data = state.clone();
    let acts = web::Data::new(routes::approved_acts());
    // The request-context middleware counts into the metrics without the state.
    let metrics = web::Data::new(state.metrics.clone());
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(acts.clone())
            .app_data(metrics.clone())
            .app_data(web::PathConfig::default().error_handler(http::path_error))
            .app_data(web::QueryConfig::default().error_handler(http::query_error))
            .wrap(ErrorHandlers::new().default_handler(http::problem_for_plain_errors))
            .wrap(from_fn(http::request_context))
            .configure(service::routes)
            .service(
                web::scope("/api/v1")
                    .configure(|cfg| routes::api(&mut http::routes::Routes::actix(cfg)))
                    .route("/openapi.json", web::get().to(openapi::serve_json))
                    .default_service(web::to(openapi::not_routed)),
            )
            .configure(openapi::docs)
            .default_service(web::to(openapi::not_routed))
    })
    .listen(listener)?
    .shutdown_timeout(10);
    if let Some(n) = workers {
        server = server.workers(n);
    }
    let server = server.run();
    let flusher = state.clone();
    actix_rt::spawn(async move {
        let mut last_beat: Option<std::time::Instant> = None;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = flusher.access_log_wake.notified() => {}
            }
            if let Err(e) = flusher.access_log.flush(&flusher.db).await {
                tracing::warn!(error = %e, "access log flush failed; will retry");
            }
            // This instance says it is alive, and numbers reserved by an
            // instance that stopped saying so are voided ("interrupted").
            if last_beat.is_none_or(|t| t.elapsed() >= documents::HEARTBEAT_EVERY) {
                last_beat = Some(std::time::Instant::now());
                let now = flusher.clock.now_naive();
                let name = flusher.settings.instance_name.clone();
                match flusher
                    .db
                    .write(move |conn| {
                        documents::heartbeat(conn, &name, now)?;
                        documents::sweep_reservations(conn, now)
                    })
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(voided = n, "voided numbers of interrupted steps"),
                    Err(e) => tracing::warn!(error = %e, "reservation sweep failed; will retry"),
                }
            }
        }
    });
    Ok(Running {
        server,
        state,
        addr,
    })
}

/// Flushes what must not be lost when the process stops.
pub async fn shutdown(state: &AppState) {
    for _ in 0..3 {
        match state.access_log.flush(&state.db).await {
            Ok(_) => return,
            Err(e) => tracing::error!(error = %e, "access log flush at shutdown failed"),
        }
    }
}
