//! Service endpoints, problem+json from actix itself, request ids, OpenAPI.

use reqwest::StatusCode;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    health_ready_and_metrics,
    errors_are_problem_json,
    request_ids,
    openapi_and_docs,
    every_secured_operation_refuses_a_missing_token,
    the_openapi_document_states_every_error_and_page
);

async fn health_ready_and_metrics(app: TestApp) {
    let (s, b) = app.get("/healthz", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["status"], "ok");
    let (s, b) = app.get("/readyz", None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "ready");
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "zhifa_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("zhifa_db_pool_connections"));
}

async fn errors_are_problem_json(app: TestApp) {
    let check = |resp: reqwest::Response, status: StatusCode, code: &'static str| async move {
        assert_eq!(resp.status(), status);
        let ct = resp
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(ct.starts_with("application/problem+json"), "{ct}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status.as_u16());
        assert!(
            body["title"].is_string() && body["detail"].is_string() && body["type"].is_string()
        );
    };
    check(
        app.client
            .get(app.url("/no-such-thing"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    check(
        app.client.delete(app.url("/healthz")).send().await.unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    let r = app.client.delete(app.url("/cases")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET, POST");
    check(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    check(
        app.client
            .put(app.url("/cases/0190a000-0000-7000-8000-000000000000"))
            .send()
            .await
            .unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    check(
        app.client.get(app.url("/me")).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    check(
        app.client
            .get(app.url("/me"))
            .bearer_auth("not.a.jwt")
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let t = app.token("li.officer").await;
    check(
        app.client
            .post(app.url("/cases"))
            .bearer_auth(&t)
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    check(
        app.client
            .post(app.url("/cases"))
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body("{\"a\": ")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_json",
    )
    .await;
    let huge = format!("{{\"facts\": \"{}\"}}", "x".repeat(300 * 1024));
    check(
        app.client
            .post(app.url("/cases"))
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
}

async fn request_ids(app: TestApp) {
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-abc-123");
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    // A hostile id is replaced, not echoed.
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "bad id\twith spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(r.headers()["x-request-id"], "bad id\twith spaces");
    // The id of the filing request is in the case's first record entry.
    let t = app.token("li.officer").await;
    let body = app.case_body().await;
    let r = app
        .client
        .post(app.url("/cases"))
        .bearer_auth(&t)
        .header("X-Request-Id", "file-case-42")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["x-request-id"], "file-case-42");
    let case: serde_json::Value = r.json().await.unwrap();
    let (_, records) = app
        .get(
            &format!("/cases/{}/records", case["id"].as_str().unwrap()),
            Some(&t),
        )
        .await;
    assert_eq!(records["items"][0]["request_id"], "file-case-42");
}

async fn openapi_and_docs(app: TestApp) {
    let (s, doc) = app.get("/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/auth/login",
        "/api/v1/cases/{id}/records/verify",
        "/api/v1/public/certificates/{number}",
    ] {
        assert!(doc["paths"][path].is_object(), "missing {path}");
    }
    assert!(doc["components"]["schemas"]["NewCase"].is_object());
    let r = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("swagger"), "docs page");
    assert!(
        !html.contains("cdn.jsdelivr") && !html.contains("unpkg.com"),
        "assets must be served locally"
    );
}

/// Every operation the OpenAPI document marks as needing a bearer token
/// answers 401 problem+json without one, whatever its body or path.
async fn every_secured_operation_refuses_a_missing_token(app: TestApp) {
    let (_, doc) = app.get("/openapi.json", None).await;
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            if op["security"].as_array().is_none_or(|s| s.is_empty()) {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        "0190f0f0-0000-7000-8000-000000000000"
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let req = app
                .client
                .request(m, app.url(&concrete))
                .header("content-type", "application/json")
                .body("{}");
            let resp = req.send().await.expect("request");
            let status = resp.status();
            let ctype = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert!(
                ctype.starts_with("application/problem+json"),
                "{method} {path}: {ctype}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} secured operations found");
}

/// The document is completed as routes register (http::routes): every
/// error is problem+json with the Problem schema; a secured operation
/// states 401 and 403, one with path parameters 404, one with a body 400,
/// 415 and 422, one with a query 400; every list states `limit` and
/// `cursor` and answers `{items, next_cursor}`.
async fn the_openapi_document_states_every_error_and_page(app: TestApp) {
    let (_, doc) = app.get("/openapi.json", None).await;
    let problem = serde_json::json!({"$ref": "#/components/schemas/Problem"});
    let mut lists = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let at = format!("{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            let has = |s: &str| responses.contains_key(s);
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = r["content"].as_object().unwrap();
                    assert_eq!(content.len(), 1, "{at} {status}");
                    assert_eq!(
                        content["application/problem+json"]["schema"], problem,
                        "{at} {status}"
                    );
                }
            }
            assert!(has("503"), "{at}");
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert!(has("401") && has("403"), "{at}");
            }
            if path.contains('{') {
                assert!(has("404"), "{at}");
            }
            if op["requestBody"].is_object() {
                assert!(has("400") && has("415") && has("422"), "{at}");
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params.iter().any(|p| p["in"] == "query") {
                assert!(has("400"), "{at}");
            }
            let ok = &op["responses"]["200"]["content"]["application/json"]["schema"];
            if ok["properties"]["next_cursor"].is_object() {
                lists += 1;
                for name in ["limit", "cursor"] {
                    assert!(params.iter().any(|p| p["name"] == name), "{at}: no {name}");
                }
            }
        }
    }
    assert!(lists >= 24, "only {lists} paged lists documented");
    for path in [
        "/api/v1/enforcement-items",
        "/api/v1/public/enforcement-items",
    ] {
        let ok =
            &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(ok["properties"]["items"].is_object(), "{path}: {ok}");
        assert!(ok["properties"]["next_cursor"].is_object(), "{path}: {ok}");
    }
}
