//! The OpenAPI document, generated from the handlers and types, and the
//! offline Swagger UI at `/docs`.

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "zhifa 执法 API", description = "Case management for administrative law enforcement. Errors are RFC 9457 problem+json with a stable `code`."),
    paths(
        crate::calendar::api::years,
        crate::warnings::api::case_warnings,
        crate::evidence::api::upload,
        crate::investigation::api::add_onsite,
        crate::investigation::api::add_inquiry,
        crate::investigation::api::list_onsite,
        crate::investigation::api::list_inquiry,
        crate::evidence::api::list_handler,
        crate::evidence::api::content_handler,
        crate::calendar::api::put_year,
        crate::calendar::api::due,
        crate::discretion::api::benchmarks,
        crate::discretion::api::lookup_handler,
        crate::discretion::api::import,
        crate::discretion::api::export_handler,
        crate::discretion::api::publish_handler,
        crate::discretion::api::generate,
        crate::discretion::api::attach_handler,
        crate::discretion::api::attachments_handler,
        crate::discretion::api::consistency_handler,
        crate::discretion::api::public_list,
        crate::discretion::api::public_refinement,
        crate::auth::api::login,
        crate::auth::api::me,
        crate::auth::api::change_password,
        crate::org::api::list,
        crate::org::api::get_one,
        crate::org::api::create,
        crate::org::api::update,
        crate::org::api::list_users,
        crate::org::api::create_user,
        crate::org::api::get_user,
        crate::org::api::update_user,
        crate::org::api::reset_password,
        crate::org::api::list_certificates,
        crate::org::api::create_certificate,
        crate::org::api::get_certificate,
        crate::org::api::update_certificate,
        crate::org::api::public_certificate,
        crate::items::api::list,
        crate::items::api::public_list,
        crate::items::api::get_one,
        crate::cases::api::create,
        crate::cases::api::list,
        crate::cases::api::get_one,
        crate::records::api::list,
        crate::records::api::verify,
        crate::records::api::access,
        crate::workflow::api::report_handler,
        crate::documents::api::list_handler,
        crate::documents::api::pdf_handler,
        crate::documents::api::metadata_handler,
        crate::documents::api::draft_handler,
        crate::documents::api::verify_handler,
        crate::documents::api::archive_handler,
        crate::documents::api::withdrawal_handler,
        crate::approvals::api::ask_handler,
        crate::approvals::api::list_handler,
        crate::approvals::api::get_handler,
        crate::approvals::api::decision_handler,
        crate::clues::api::import_handler,
        crate::clues::api::register_handler,
        crate::clues::api::list_handler,
        crate::clues::api::get_handler,
        crate::clues::api::extension_handler,
        crate::clues::api::rejection_handler,
        crate::clues::api::transfer_handler,
        crate::clues::api::exclusion_handler,
        crate::clues::api::filing_handler,
        crate::workbench::api::tasks_handler,
        crate::workbench::api::messages_handler,
        crate::workbench::api::read_handler,
        crate::property::api::preservation_handler,
        crate::property::api::preservation_decision_handler,
        crate::property::api::seizure_handler,
        crate::property::api::seizure_extension_handler,
        crate::property::api::custody_handler,
        crate::property::api::disposal_handler,
        crate::property::api::items_handler,
        crate::inspections::api::plan_handler,
        crate::inspections::api::list_handler,
        crate::inspections::api::findings_handler,
        crate::inspections::api::clue_handler,
        crate::appraisals::api::sampling_handler,
        crate::appraisals::api::appraisal_handler,
        crate::appraisals::api::appraisal_result_handler,
        crate::transfers::api::request_handler,
        crate::transfers::api::approve_handler,
        crate::transfers::api::accept_handler,
        crate::transfers::api::return_handler,
        crate::transfers::api::list_handler,
        crate::workflow::api::notice_handler,
        crate::workflow::api::statement_handler,
        crate::workflow::api::hearing_request_handler,
        crate::workflow::api::hearing_handler,
        crate::workflow::api::transcript_handler,
        crate::workflow::api::hearing_notice_handler,
        crate::workflow::api::submit_review_handler,
        crate::workflow::api::discussion_handler,
        crate::workflow::api::confirm_handler,
        crate::workflow::api::decision_handler,
        crate::workflow::api::service_handler,
        crate::workflow::api::payment_handler,
        crate::workflow::api::late_fee_handler,
        crate::workflow::api::closure_handler,
        crate::workflow::api::hand_in_handler,
        crate::workflow::api::court_handler,
        crate::workflow::api::exclusion_handler,
        crate::workflow::api::reassign_handler,
        crate::workflow::api::recusal_handler,
        crate::workflow::api::remedy_handler,
        crate::workflow::api::remedy_result_handler,
        crate::workflow::api::demand_handler,
        crate::workflow::api::payment_plan_handler,
        crate::workflow::api::archive_handler,
        crate::workflow::api::filing_approval_handler,
        crate::workflow::api::suspension_handler,
        crate::workflow::api::resumption_handler,
        crate::workflow::api::termination_handler,
        crate::workflow::api::extension_handler,
        crate::workflow::api::steps_handler,
        crate::workflow::api::queue_handler,
        crate::workflow::api::review_handler,
        crate::workflow::api::opinion_handler,
    ),
    components(schemas(crate::error::Problem, crate::error::Code, crate::error::FieldError)),
    modifiers(&Bearer),
    tags(
        (name = "auth"), (name = "organisation"), (name = "items"), (name = "cases"), (name = "records"), (name = "discretion"), (name = "calendar"), (name = "public")
    )
)]
pub struct ApiDoc;

/// The methods the API offers on a path, read from the generated document:
/// what a 405 answers with (`Allow`). None when no API path matches.
pub fn allowed_methods(path: &str) -> Option<Vec<String>> {
    static ROUTES: std::sync::OnceLock<Vec<(Vec<String>, Vec<String>)>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        doc["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(p, item)| {
                        let segments = p.trim_matches('/').split('/').map(str::to_owned).collect();
                        let methods = item
                            .as_object()
                            .map(|m| {
                                m.keys()
                                    .filter(|k| k.chars().all(|c| c.is_ascii_lowercase()))
                                    .map(|k| k.to_uppercase())
                                    .collect()
                            })
                            .unwrap_or_default();
                        (segments, methods)
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut out: Vec<String> = routes
        .iter()
        .filter(|(segs, _)| {
            segs.len() == wanted.len()
                && segs
                    .iter()
                    .zip(&wanted)
                    .all(|(s, w)| (s.starts_with('{') && s.ends_with('}')) || s == w)
        })
        .flat_map(|(_, m)| m.iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// The default service: 405 with `Allow` for a known path and another
/// method, else 404 — both as problem+json.
pub async fn not_routed(
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, crate::error::AppError> {
    use crate::error::{AppError, Code};
    match allowed_methods(req.path()) {
        Some(methods) => {
            let mut e = AppError::new(
                Code::MethodNotAllowed,
                format!(
                    "{} is not allowed here; allowed: {}",
                    req.method(),
                    methods.join(", ")
                ),
            );
            e.allow = Some(methods.join(", "));
            Err(e)
        }
        None => Err(AppError::not_found("no such resource")),
    }
}

pub async fn serve_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// `/docs` — Swagger UI with its assets built in (no CDN on a closed intranet).
pub fn docs(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/docs",
        web::get().to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header(("Location", "/docs/"))
                .finish()
        }),
    )
    .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", ApiDoc::openapi()));
}
