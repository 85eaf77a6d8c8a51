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
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "zhifa 执法 API", description = "Case management for administrative law enforcement. Errors are RFC 9457 problem+json with a stable `code`."),
    paths(
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
    ),
    components(schemas(crate::error::Problem, crate::error::Code, crate::error::FieldError)),
    modifiers(&Bearer),
    tags(
        (name = "auth"), (name = "organisation"), (name = "items"), (name = "cases"), (name = "records"), (name = "public")
    )
)]
pub struct ApiDoc;

pub async fn serve_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// `/docs` — Swagger UI with its assets built in (no CDN on a closed intranet).
pub fn docs(cfg: &mut web::ServiceConfig) {
    cfg.route("/docs", web::get().to(|| async { HttpResponse::PermanentRedirect().insert_header(("Location", "/docs/")).finish() }))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", ApiDoc::openapi()));
}
