//! HTTP plumbing shared by every capability: request ids, the JSON body
//! extractor, problem+json for errors actix raises itself, metrics, paging.

pub mod json;
pub mod metrics;
pub mod page;
pub mod routes;

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use tracing::Instrument;

use crate::error::{AppError, Code, FieldError, PROBLEM_JSON};

pub use json::ApiJson;
pub use page::{page_limit, Listed, NoFilter, Page, PageRequest};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every request carries: its id (from `X-Request-Id` when the client
/// sent a sane one) and the peer address.
#[derive(Debug, Clone, Default)]
pub struct RequestCtx {
    pub request_id: String,
    pub ip: Option<String>,
}

fn acceptable_request_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
}

/// Outermost middleware: request id in, request id out, a log line and the
/// metrics for every request.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    req.extensions_mut().insert(RequestCtx {
        request_id: request_id.clone(),
        ip,
    });
    let method = req.method().to_string();
    let path = req.path().to_string();
    let metrics = req
        .app_data::<web::Data<std::sync::Arc<metrics::Metrics>>>()
        .cloned();
    let span = tracing::info_span!("request", request_id = %request_id, %method, %path);
    let started = Instant::now();
    let mut res = match control_in_url(&req) {
        Some(field) => {
            let err = AppError::validation(vec![FieldError::new(
                field,
                "control_character",
                json::CONTROL_MESSAGE,
            )]);
            let response = err.error_response();
            req.into_response(response).map_into_right_body()
        }
        None => next
            .call(req)
            .instrument(span.clone())
            .await?
            .map_into_left_body(),
    };
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    let pattern = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    if let Some(metrics) = metrics {
        metrics.observe(&method, &pattern, status, elapsed);
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            elapsed_ms = elapsed.as_secs_f64() * 1000.0,
            "handled"
        )
    });
    Ok(res)
}

/// The query parameter (or `path`) whose decoded text holds a control
/// character other than tab, line feed and carriage return: refused before
/// any handler sees it, as `ApiJson` refuses it in a body.
fn control_in_url(req: &ServiceRequest) -> Option<String> {
    let refused = |text: &str| text.chars().any(json::is_refused_control);
    if refused(&percent_decode(req.path(), false)) {
        return Some("path".into());
    }
    req.query_string()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(k, true);
            (refused(&key) || refused(&percent_decode(v, true)))
                .then(|| key.chars().filter(|c| !c.is_control()).collect())
        })
}

/// `%XX` decoded (and `+` as a space in a query), invalid UTF-8 replaced.
fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |j: usize| {
            bytes
                .get(j)
                .and_then(|c| (*c as char).to_digit(16))
                .map(|d| d as u8)
        };
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (b'+', _, _) if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Turns any error response that is not already problem+json (404 for an
/// unknown path, 405, actix's own 4xx) into one.
pub fn problem_for_plain_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.starts_with(PROBLEM_JSON))
        .unwrap_or(false);
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (code, detail) = match status.as_u16() {
        404 => (Code::NotFound, "no such resource".to_string()),
        405 => (
            Code::MethodNotAllowed,
            format!("method {} is not allowed here", res.request().method()),
        ),
        413 => (Code::PayloadTooLarge, "request body too large".to_string()),
        415 => (
            Code::UnsupportedMediaType,
            "unsupported content type".to_string(),
        ),
        401 => (Code::Unauthorized, "authentication required".to_string()),
        403 => (Code::Forbidden, "forbidden".to_string()),
        400..=499 => (Code::BadRequest, "bad request".to_string()),
        _ => (Code::Internal, "internal error".to_string()),
    };
    let err = AppError::with_http_status(status, code, detail);
    let (req, _) = res.into_parts();
    let res = ServiceResponse::new(req, err.error_response()).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

/// Path parameters that do not parse (a malformed id) are simply not found.
pub fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    AppError::not_found(format!("no such resource ({err})")).into()
}

/// Query strings that do not parse name what is wrong.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    AppError::bad_request(Code::ValidationFailed, format!("query: {err}")).into()
}

/// `Location` + 201 with a JSON body.
pub fn created<T: Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(body)
}

/// `If-Match: "<version>"` of a case write (API conventions): a stale
/// version answers 412; without the header the write still runs,
/// serialised. `*` matches any version.
#[derive(Debug, Clone, Copy, Default)]
pub struct IfMatch(pub Option<i32>);

impl actix_web::FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<Result<IfMatch, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(parse_if_match(req.headers().get(header::IF_MATCH)))
    }
}

fn parse_if_match(v: Option<&HeaderValue>) -> Result<IfMatch, AppError> {
    let Some(v) = v else {
        return Ok(IfMatch(None));
    };
    let text = v.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(IfMatch(None));
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i32>().map(|n| IfMatch(Some(n))).map_err(|_| {
        AppError::validation(vec![crate::error::FieldError::new(
            "If-Match",
            "invalid",
            "the case's version as sent in its ETag, e.g. \"3\"",
        )])
    })
}

/// A created step: 201, its body, and the case's new version as `ETag`.
pub fn created_with_etag<T: Serialize>(location: String, body: &T, version: i32) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(body)
}
