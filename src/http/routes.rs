//! The one route list: every capability registers its handlers here
//! (`<capability>::api::routes`), and each registration also documents the
//! handler in the OpenAPI document — a route is written once, where its
//! handler is, and the served document cannot drift from the router.

use actix_web::dev::HttpServiceFactory;
use actix_web::web;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::{OpenApi, RefOr, Schema};

/// The base path of the API.
pub const API_BASE: &str = "/api/v1";

/// Registers routes into actix, into the OpenAPI document, or both.
pub struct Routes<'a> {
    cfg: Option<&'a mut web::ServiceConfig>,
    doc: Option<&'a mut OpenApi>,
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
        doc.paths
            .add_path_operation(format!("{API_BASE}{path}"), methods, op);
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, schema) in schemas {
            components.schemas.entry(name).or_insert(schema);
        }
    }
}
