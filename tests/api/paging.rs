//! Every list pages (API conventions): `limit` (default 50, 1–500) and an
//! opaque `cursor`, answering `{items, next_cursor}`; walking the pages one
//! item at a time gives every item once, in the order of the whole list.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{post_as as post, TestApp};
use crate::on_both_backends;

on_both_backends!(
    every_list_pages_in_a_stable_order,
    paging_refuses_bad_limits_and_cursors
);

fn with(path: &str, query: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{query}")
}

/// Walks `path` one item a page; asserts the pages are disjoint, complete
/// and in the order of the whole list (`limit=500`). Returns how many items
/// the list holds.
async fn walk(app: &TestApp, token: Option<&str>, path: &str) -> usize {
    let (s, whole) = app.get(&with(path, "limit=500"), token).await;
    assert_eq!(s, StatusCode::OK, "{path}: {whole}");
    assert!(whole["next_cursor"].is_null(), "{path}: {whole}");
    let whole = whole["items"].as_array().expect("items").clone();
    let mut seen: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            None => "limit=1".to_string(),
            Some(c) => format!("limit=1&cursor={c}"),
        };
        let (s, page) = app.get(&with(path, &q), token).await;
        assert_eq!(s, StatusCode::OK, "{path} {q}: {page}");
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 1, "{path}: a page of limit 1 held {items:?}");
        for i in items {
            assert!(!seen.contains(i), "{path}: {i} on two pages");
        }
        seen.extend(items.iter().cloned());
        pages += 1;
        assert!(pages <= whole.len() + 1, "{path}: the pages never end");
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, whole, "{path}: the pages differ from the whole list");
    whole.len()
}

async fn every_list_pages_in_a_stable_order(app: TestApp) {
    let officer = app.token("li.officer").await;
    let head = app.token("zhang.head").await;
    let admin = app.token("admin").await;
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    // Enough rows for more than one page of every growing list.
    let case = app.file_case().await;
    app.file_case().await;
    app.file_case_unapproved().await;
    app.file_case_unapproved().await;
    let id = case["id"].as_str().unwrap().to_string();
    for n in 0..3 {
        let (s, b) = post(
            &app,
            "li.officer",
            "/clues",
            json!({
                "source": "complaint",
                "summary": format!("群众投诉某餐馆无证经营 {n}"),
                "enforcement_item_code": "MR-FS-001",
                "discovered_at": (Utc::now() - Duration::days(n + 1)).to_rfc3339(),
            }),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, b) = post(
            &app,
            "li.officer",
            "/inspections",
            json!({"enforcement_item_code": "MR-FS-001", "subject": "昆明某某餐饮管理有限公司",
                   "location": "昆明市五华区华山西路1号", "purpose": "双随机抽查",
                   "planned_on": Utc::now().date_naive(), "officer_ids": [li, wang]}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    // The reminders are sent on the first read of the inbox.
    app.get("/me/messages", Some(&officer)).await;

    let paged_more_than_once: Vec<(Option<&str>, String)> = vec![
        (Some(&officer), "/cases".into()),
        (Some(&officer), "/clues".into()),
        (Some(&officer), "/inspections".into()),
        (Some(&officer), "/approvals".into()),
        (Some(&head), "/approvals?status=pending".into()),
        (Some(&officer), "/departments".into()),
        (Some(&officer), "/users".into()),
        (Some(&admin), "/users".into()),
        (Some(&admin), "/users?role=officer".into()),
        (Some(&officer), "/enforcement-items".into()),
        (None, "/public/enforcement-items".into()),
        (Some(&officer), "/me/tasks".into()),
        (Some(&officer), format!("/cases/{id}/records")),
    ];
    for (token, path) in &paged_more_than_once {
        let n = walk(&app, *token, path).await;
        assert!(n >= 2, "{path}: only {n} items, paging not exercised");
    }
    // Lists that may hold fewer rows here: still complete and in order.
    let others: Vec<(Option<&str>, String)> = vec![
        (Some(&officer), "/me/messages".into()),
        (Some(&officer), "/me/messages?unread=true".into()),
        (Some(&head), "/reviews".into()),
        (Some(&head), "/transfers?direction=outgoing".into()),
        (Some(&head), "/transfers?direction=incoming".into()),
        (
            Some(&officer),
            "/discretion/benchmarks?item=MR-FS-001".into(),
        ),
        (None, "/public/benchmarks".into()),
        (None, "/public/benchmarks/refinement".into()),
        (Some(&officer), "/calendar/years".into()),
        (Some(&officer), format!("/users/{li}/certificates")),
        (Some(&officer), format!("/cases/{id}/steps")),
        (Some(&officer), format!("/cases/{id}/documents")),
        (Some(&officer), format!("/cases/{id}/evidence")),
        (Some(&officer), format!("/cases/{id}/warnings")),
        (Some(&officer), format!("/cases/{id}/discretion")),
        (Some(&officer), format!("/cases/{id}/records/onsite")),
        (Some(&officer), format!("/cases/{id}/records/inquiry")),
    ];
    for (token, path) in &others {
        walk(&app, *token, path).await;
    }
    // The access log grows with every read of the case (this one too):
    // its first page is still a page.
    let (s, b) = app
        .get(&format!("/cases/{id}/access-log?limit=1"), Some(&head))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["items"].as_array().unwrap().len(), 1, "{b}");
    assert!(b["next_cursor"].is_string(), "{b}");
    // The default page is 50.
    let (_, b) = app.get("/enforcement-items", Some(&officer)).await;
    let n = b["items"].as_array().unwrap().len();
    assert!(n <= 50, "{n}");
    assert_eq!(b["next_cursor"].is_string(), n == 50, "{b}");
}

async fn paging_refuses_bad_limits_and_cursors(app: TestApp) {
    let officer = app.token("li.officer").await;
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let lists = [
        "/cases".to_string(),
        "/clues".into(),
        "/inspections".into(),
        "/approvals".into(),
        "/transfers?direction=outgoing".into(),
        "/me/messages".into(),
        "/me/tasks".into(),
        "/discretion/benchmarks?item=MR-FS-001".into(),
        "/enforcement-items".into(),
        "/public/enforcement-items".into(),
        "/public/benchmarks".into(),
        "/users".into(),
        "/departments".into(),
        format!("/cases/{id}/records"),
        format!("/cases/{id}/documents"),
    ];
    for path in &lists {
        for (q, field) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("limit=ten", "limit"),
            ("cursor=%21%21not-a-cursor", "cursor"),
            ("cursor=bm90IGpzb24", "cursor"),
        ] {
            let (s, b) = app.get(&with(path, q), Some(&officer)).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path} {q}: {b}");
            assert_eq!(b["errors"][0]["field"], field, "{path} {q}: {b}");
        }
        let (s, b) = app.get(&with(path, "limit=500"), Some(&officer)).await;
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
    }
    // Reviews are the reviewers' and heads' queue.
    let head = app.token("zhang.head").await;
    let (s, b) = app.get("/reviews?limit=0", Some(&head)).await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("limit")),
        "{b}"
    );
    // A cursor of another list's shape is refused, not misread.
    let (_, b) = app.get("/enforcement-items?limit=1", Some(&officer)).await;
    let item_cursor = b["next_cursor"].as_str().unwrap().to_string();
    let (s, b) = app
        .get(&format!("/clues?cursor={item_cursor}"), Some(&officer))
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("cursor")),
        "{b}"
    );
}
