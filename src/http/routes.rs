//! The one route list: every capability registers its handlers here
//! (`<capability>::api::routes`), and each registration also documents the
//! handler in the OpenAPI document — a route is written once, where its
//! handler is, and the served document cannot drift from the router.

use actix_web::dev::HttpServiceFactory;
use actix_web::web;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::{OpenApi, RefOr, Schema};

use super::page;
use crate::error::PROBLEM_JSON;

/// The base path of the API.
pub const API_BASE: &str = "/api/v1";

/// Registers routes into actix, into the OpenAPI document, or both.
pub struct Routes<'a> {
    cfg: Option<&'a mut web::ServiceConfig>,
    doc: Option<&'a mut OpenApi>,
}

/// The problem+json answer of an error status.
fn problem(description: &str) -> serde_json::Value {
    serde_json::json!({
        "description": description,
        "content": {(PROBLEM_JSON): {"schema": {"$ref": "#/components/schemas/Problem"}}},
    })
}

/// Makes an operation's document exact by construction: the errors every
/// operation of its shape can answer are added from what it takes (see
/// docs/architecture.md, "The OpenAPI document"), every error is
/// problem+json with the `Problem` schema, and a list answering a `Page`
/// documents `limit` and `cursor`. A handler's own error statuses (409,
/// 422 …) keep their descriptions.
fn complete(
    path: &str,
    methods: &[HttpMethod],
    op: Operation,
    schema: impl Fn(&str) -> Option<serde_json::Value>,
) -> Operation {
    let mut v = serde_json::to_value(&op).expect("an operation serialises");
    let write = methods
        .iter()
        .any(|m| !matches!(m, HttpMethod::Get | HttpMethod::Head | HttpMethod::Options));
    let authenticated = v["security"].as_array().is_some_and(|s| {
        s.iter()
            .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
    });
    let ok = &v["responses"]["200"]["content"]["application/json"]["schema"];
    let ok = match ok["$ref"].as_str() {
        Some(r) => schema(r.trim_start_matches("#/components/schemas/")).unwrap_or_default(),
        None => ok.clone(),
    };
    let paged = ok["properties"]["next_cursor"].is_object();
    let params = v
        .as_object_mut()
        .expect("an operation is an object")
        .entry("parameters")
        .or_insert_with(|| serde_json::json!([]));
    if paged {
        let list = params.as_array_mut().expect("parameters are a list");
        let has = |list: &Vec<serde_json::Value>, n: &str| list.iter().any(|p| p["name"] == n);
        if !has(list, "limit") {
            list.push(serde_json::json!({
                "name": "limit", "in": "query", "required": false,
                "description": "items per page (default 50)",
                "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": page::MAX_LIMIT, "default": page::DEFAULT_LIMIT},
            }));
        }
        if !has(list, "cursor") {
            list.push(serde_json::json!({
                "name": "cursor", "in": "query", "required": false,
                "description": "the `next_cursor` of the previous page",
                "schema": {"type": "string"},
            }));
        }
    }
    // A query parameter is absent or has a value: never null on the wire,
    // so an optional one is documented by its value's schema alone.
    for p in params.as_array_mut().into_iter().flatten() {
        if p["in"] != "query" {
            continue;
        }
        let schema = &mut p["schema"];
        if let Some(one_of) = schema["oneOf"].as_array() {
            let rest: Vec<_> = one_of
                .iter()
                .filter(|s| s["type"] != "null")
                .cloned()
                .collect();
            if rest.len() == 1 {
                *schema = rest[0].clone();
            }
        } else if let Some(types) = schema["type"].as_array() {
            let rest: Vec<_> = types.iter().filter(|t| *t != "null").cloned().collect();
            if rest.len() == 1 {
                schema["type"] = rest[0].clone();
            }
        }
    }
    let params = params.as_array().cloned().unwrap_or_default();
    if params.is_empty() {
        v.as_object_mut().map(|o| o.remove("parameters"));
    }
    let has_query = params.iter().any(|p| p["in"] == "query");
    let has_if_match = params
        .iter()
        .any(|p| p["in"] == "header" && p["name"] == "If-Match");
    let has_body = v.get("requestBody").is_some_and(|b| !b.is_null());

    let mut common: Vec<(&str, &str)> = Vec::new();
    if has_query {
        common.push(("400", "a query parameter is malformed or unknown"));
    }
    if has_body {
        common.push(("400", "the body is malformed or has unknown fields"));
        common.push(("413", "the body is too large"));
        common.push(("415", "the body is not of the documented content type"));
        common.push(("422", "the body breaks a rule (`errors[]` names the field)"));
    }
    if has_if_match {
        common.push(("400", "If-Match is not a version"));
        common.push(("412", "If-Match names a version the case no longer has"));
    }
    if authenticated {
        common.push(("401", "no token, or a token no longer valid"));
        common.push(("403", "the caller's role may not do this"));
    }
    if path.contains('{') {
        // The request middleware refuses control characters in the path.
        common.push(("400", "a path parameter holds a control character"));
        common.push(("404", "no such resource in the caller's scope"));
    }
    if write {
        common.push(("409", "the resource's state does not allow it"));
    }
    common.push(("503", "the database cannot be reached (Retry-After)"));

    let responses = v["responses"]
        .as_object_mut()
        .expect("responses are an object");
    for (status, description) in common {
        responses
            .entry(status)
            .or_insert_with(|| problem(description));
    }
    for (status, r) in responses.iter_mut() {
        if status.starts_with('4') || status.starts_with('5') {
            let description = r["description"].as_str().unwrap_or("").to_string();
            *r = problem(if description.is_empty() {
                "error"
            } else {
                &description
            });
        }
    }
    serde_json::from_value(v).expect("a completed operation is valid OpenAPI")
}

/// Schemas a documented handler refers to, by name.
pub type SchemaList = Vec<(String, RefOr<Schema>)>;

impl<'a> Routes<'a> {
    /// Registers handlers with actix (under `/api/v1`), documenting nothing.
    pub fn actix(cfg: &'a mut web::ServiceConfig) -> Routes<'a> {
        Routes {
            cfg: Some(cfg),
            doc: None,
        }
    }

    /// Documents handlers, registering nothing.
    pub fn openapi(doc: &'a mut OpenApi) -> Routes<'a> {
        Routes {
            cfg: None,
            doc: Some(doc),
        }
    }

    /// A handler written with `#[utoipa::path]` over actix's method macro:
    /// routed at the macro's path, documented at `/api/v1` + that path.
    pub fn service<H>(&mut self, handler: H) -> &mut Self
    where
        H: HttpServiceFactory + utoipa::Path + utoipa::__dev::SchemaReferences + 'static,
    {
        if self.doc.is_some() {
            let mut schemas = SchemaList::new();
            <H as utoipa::__dev::SchemaReferences>::schemas(&mut schemas);
            self.document(&H::path(), H::methods(), H::operation(), schemas);
        }
        if let Some(cfg) = self.cfg.as_deref_mut() {
            cfg.service(handler);
        }
        self
    }

    /// A route whose operation is built in code (the case steps, one
    /// generic handler for all of them): `path` is under `/api/v1`.
    pub fn documented(
        &mut self,
        path: &str,
        method: HttpMethod,
        route: impl FnOnce() -> actix_web::Route,
        operation: impl FnOnce() -> (Operation, SchemaList),
    ) -> &mut Self {
        if self.doc.is_some() {
            let (op, schemas) = operation();
            self.document(path, vec![method], op, schemas);
        }
        if let Some(cfg) = self.cfg.as_deref_mut() {
            cfg.route(path, route());
        }
        self
    }

    fn document(
        &mut self,
        path: &str,
        methods: Vec<HttpMethod>,
        op: Operation,
        schemas: SchemaList,
    ) {
        let Some(doc) = self.doc.as_deref_mut() else {
            return;
        };
        let components = doc.components.get_or_insert_with(Default::default);
        let mut clashes = Vec::new();
        for (name, schema) in schemas {
            match components.schemas.get(&name) {
                // Two types of one name would leave one of them documented
                // with the other's schema: refuse to build such a document
                // (rename one with `#[schema(as = …)]`).
                Some(existing) if existing != &schema => {
                    clashes.push(format!("{name} (at {path})"));
                }
                Some(_) => {}
                None => {
                    components.schemas.insert(name, schema);
                }
            }
        }
        assert!(
            clashes.is_empty(),
            "two different schemas share a name: {}; rename one with #[schema(as = …)]",
            clashes.join(", ")
        );
        let op = complete(path, &methods, op, |name| {
            components
                .schemas
                .get(name)
                .and_then(|s| serde_json::to_value(s).ok())
        });
        doc.paths
            .add_path_operation(format!("{API_BASE}{path}"), methods, op);
    }
}
