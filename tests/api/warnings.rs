//! `GET /cases/{id}/warnings`: near and passed deadlines, scoped like the case.

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::common::TestApp;
use crate::on_both_backends;
use zhifa::db::schema::case_deadlines;

on_both_backends!(deadlines_near_and_passed_are_warned);

fn set_due(app: &TestApp, case_id: &str, due: chrono::NaiveDate) {
    diesel::update(case_deadlines::table.filter(case_deadlines::case_id.eq(case_id)))
        .set(case_deadlines::due_on.eq(due))
        .execute(&mut app.conn())
        .unwrap();
}

async fn deadlines_near_and_passed_are_warned(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/cases/{id}/warnings");
    let li = app.token("li.officer").await;
    // Freshly filed: 90 days out, nothing to warn.
    let (s, b) = app.get(&path, Some(&li)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["items"].as_array().unwrap().is_empty(), "{b}");
    // Due today.
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    set_due(&app, id, today);
    let (_, b) = app.get(&path, Some(&li)).await;
    let w = &b["items"][0];
    assert_eq!(w["kind"], "deadline_near", "{b}");
    assert_eq!(w["deadline"], "decision");
    assert_eq!(w["days"], 0);
    assert!(w["basis"].as_str().unwrap().contains("第六十条"));
    // Passed three days ago.
    set_due(&app, id, today - chrono::Duration::days(3));
    let (_, b) = app.get(&path, Some(&li)).await;
    assert_eq!(b["items"][0]["kind"], "deadline_passed");
    assert_eq!(b["items"][0]["days"], 3);
    // Scoped like the case itself.
    let sun = app.token("sun.officer").await;
    assert_eq!(app.get(&path, Some(&sun)).await.0, StatusCode::NOT_FOUND);
    let zhao = app.token("zhao.supervisor").await;
    assert_eq!(app.get(&path, Some(&zhao)).await.0, StatusCode::OK);
    let admin = app.token("admin").await;
    assert_eq!(app.get(&path, Some(&admin)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&path, None).await.0, StatusCode::UNAUTHORIZED);
}
