//! zhifa (执法) — case management for administrative law enforcement.
//!
//! `build_state` + `start` build the same server for `zhifa serve` and for
//! the black-box tests.

pub mod appraisals;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod clock;
pub mod clues;
pub mod config;
pub mod db;
pub mod discretion;
pub mod documents;
pub mod error;
pub mod evidence;
pub mod execution;
pub mod fixtures;
pub mod http;
pub mod inspections;
pub mod investigation;
pub mod items;
pub mod kernel;
pub mod openapi;
pub mod org;
pub mod profiles;
pub mod property;
pub mod records;
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

/// Every route under `/api/v1`.
pub fn api_routes(cfg: &mut web::ServiceConfig) {
    // The hottest route first: actix tries routes in order.
    cfg.service(discretion::api::lookup_handler)
        .service(cases::api::get_one)
        .service(cases::api::create)
        .service(auth::api::login)
        .service(auth::api::me)
        .service(auth::api::change_password)
        .service(org::api::list)
        .service(org::api::get_one)
        .service(org::api::create)
        .service(org::api::update)
        .service(org::api::list_users)
        .service(org::api::create_user)
        .service(org::api::get_user)
        .service(org::api::update_user)
        .service(org::api::reset_password)
        .service(org::api::list_certificates)
        .service(org::api::create_certificate)
        .service(org::api::get_certificate)
        .service(org::api::update_certificate)
        .service(org::api::public_certificate)
        .service(items::api::list)
        .service(items::api::public_list)
        .service(items::api::get_one)
        .service(cases::api::list)
        .service(records::api::list)
        .service(records::api::verify)
        .service(records::api::access)
        .service(discretion::api::export_handler)
        .service(discretion::api::benchmarks)
        .service(discretion::api::import)
        .service(discretion::api::publish_handler)
        .service(discretion::api::generate)
        .service(discretion::api::consistency_handler)
        .service(discretion::api::attach_handler)
        .service(discretion::api::attachments_handler)
        .service(discretion::api::public_list)
        .service(discretion::api::public_refinement)
        .service(calendar::api::years)
        .service(calendar::api::put_year)
        .service(calendar::api::due)
        .service(warnings::api::case_warnings)
        .service(evidence::api::upload)
        .service(evidence::api::list_handler)
        .service(evidence::api::content_handler)
        .service(investigation::api::add_onsite)
        .service(investigation::api::add_inquiry)
        .service(investigation::api::list_onsite)
        .service(investigation::api::list_inquiry)
        .service(workflow::api::report_handler)
        .service(documents::api::list_handler)
        .service(documents::api::pdf_handler)
        .service(documents::api::metadata_handler)
        .service(documents::api::draft_handler)
        .service(documents::api::verify_handler)
        .service(documents::api::archive_handler)
        .service(documents::api::withdrawal_handler)
        .service(approvals::api::ask_handler)
        .service(approvals::api::list_handler)
        .service(approvals::api::get_handler)
        .service(approvals::api::decision_handler)
        .service(clues::api::import_handler)
        .service(clues::api::register_handler)
        .service(clues::api::list_handler)
        .service(clues::api::get_handler)
        .service(clues::api::extension_handler)
        .service(clues::api::rejection_handler)
        .service(clues::api::transfer_handler)
        .service(clues::api::exclusion_handler)
        .service(clues::api::filing_handler)
        .service(workbench::api::tasks_handler)
        .service(workbench::api::messages_handler)
        .service(workbench::api::read_handler)
        .service(property::api::preservation_handler)
        .service(property::api::preservation_decision_handler)
        .service(property::api::seizure_handler)
        .service(property::api::seizure_extension_handler)
        .service(property::api::custody_handler)
        .service(property::api::disposal_handler)
        .service(property::api::items_handler)
        .service(inspections::api::plan_handler)
        .service(inspections::api::list_handler)
        .service(inspections::api::findings_handler)
        .service(inspections::api::clue_handler)
        .service(appraisals::api::sampling_handler)
        .service(appraisals::api::appraisal_handler)
        .service(appraisals::api::appraisal_result_handler)
        .service(transfers::api::request_handler)
        .service(transfers::api::approve_handler)
        .service(transfers::api::accept_handler)
        .service(transfers::api::return_handler)
        .service(transfers::api::list_handler)
        .service(workflow::api::notice_handler)
        .service(workflow::api::statement_handler)
        .service(workflow::api::hearing_request_handler)
        .service(workflow::api::hearing_handler)
        .service(workflow::api::transcript_handler)
        .service(workflow::api::hearing_notice_handler)
        .service(workflow::api::submit_review_handler)
        .service(workflow::api::discussion_handler)
        .service(workflow::api::confirm_handler)
        .service(workflow::api::decision_handler)
        .service(workflow::api::service_handler)
        .service(workflow::api::payment_handler)
        .service(workflow::api::late_fee_handler)
        .service(workflow::api::closure_handler)
        .service(workflow::api::hand_in_handler)
        .service(workflow::api::court_handler)
        .service(workflow::api::exclusion_handler)
        .service(workflow::api::reassign_handler)
        .service(workflow::api::recusal_handler)
        .service(workflow::api::remedy_handler)
        .service(workflow::api::remedy_result_handler)
        .service(workflow::api::demand_handler)
        .service(workflow::api::payment_plan_handler)
        .service(workflow::api::archive_handler)
        .service(workflow::api::filing_approval_handler)
        .service(workflow::api::suspension_handler)
        .service(workflow::api::resumption_handler)
        .service(workflow::api::termination_handler)
        .service(workflow::api::extension_handler)
        .service(workflow::api::steps_handler)
        .service(workflow::api::queue_handler)
        .service(workflow::api::review_handler)
        .service(workflow::api::opinion_handler)
        .route("/openapi.json", web::get().to(openapi::serve_json));
}

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
    let data = state.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PathConfig::default().error_handler(http::path_error))
            .app_data(web::QueryConfig::default().error_handler(http::query_error))
            .wrap(ErrorHandlers::new().default_handler(http::problem_for_plain_errors))
            .wrap(from_fn(http::request_context))
            .configure(service::routes)
            .service(
                web::scope("/api/v1")
                    .configure(api_routes)
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
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = flusher.access_log_wake.notified() => {}
            }
            if let Err(e) = flusher.access_log.flush(&flusher.db).await {
                tracing::warn!(error = %e, "access log flush failed; will retry");
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
