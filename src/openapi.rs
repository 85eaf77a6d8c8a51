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
    components(schemas(crate::error::Problem, crate::error::Code, crate::error::FieldError)),
    modifiers(&Bearer),
    tags(
        (name = "auth"), (name = "organisation"), (name = "items"), (name = "cases"), (name = "records"), (name = "discretion"), (name = "calendar"), (name = "public")
    )
)]
pub struct ApiDoc;

/// The API document: the info, components and tags of `ApiDoc` and every
/// path the routes register (`routes::api`), built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        crate::routes::api(&mut crate::http::routes::Routes::openapi(&mut doc));
        open_flattened(doc)
    })
}

/// A type flattened into another (`#[serde(flatten)]`) is documented as a
/// member of an `allOf`; when it also denies unknown fields (as request
/// types do), its `additionalProperties: false` would refuse the fields the
/// outer type adds. Such members are opened here, once for the document.
fn open_flattened(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    fn refs_in_all_of(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(all) = m.get("allOf").and_then(|a| a.as_array()) {
                    for member in all {
                        if let Some(r) = member["$ref"].as_str() {
                            out.push(r.trim_start_matches("#/components/schemas/").to_string());
                        }
                    }
                }
                m.values().for_each(|x| refs_in_all_of(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs_in_all_of(x, out)),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(&doc).expect("the document serialises");
    let mut flattened = Vec::new();
    refs_in_all_of(&v, &mut flattened);
    for name in flattened {
        if let Some(s) = v["components"]["schemas"][&name].as_object_mut() {
            if s.get("additionalProperties") == Some(&serde_json::Value::Bool(false)) {
                s.remove("additionalProperties");
            }
        }
    }
    serde_json::from_value(v).expect("the document deserialises")
}

/// The methods the API offers on a path, read from the generated document:
/// what a 405 answers with (`Allow`). None when no API path matches.
pub fn allowed_methods(path: &str) -> Option<Vec<String>> {
    static ROUTES: std::sync::OnceLock<Vec<(Vec<String>, Vec<String>)>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let doc = serde_json::to_value(document()).unwrap_or_default();
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
    static JSON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = JSON.get_or_init(|| serde_json::to_string(document()).unwrap_or_default());
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
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
    .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", document().clone()));
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_builds() {
        let doc = serde_json::to_value(super::document()).unwrap();
        assert!(doc["paths"].as_object().unwrap().len() > 50);
    }
}
