//! The working-day calendar: the shipped holiday tables, an admin loading a
//! later year, and the deadline calculator.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    shipped_years_count_swapped_days,
    an_admin_loads_the_next_year,
    bad_tables_are_refused_naming_the_problem,
);

async fn due(app: &TestApp, from: &str, days: u32, kind: &str) -> serde_json::Value {
    let t = app.token("li.officer").await;
    let (s, b) = app
        .get(
            &format!("/calendar/due?from={from}&days={days}&kind={kind}"),
            Some(&t),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn shipped_years_count_swapped_days(app: TestApp) {
    let t = app.token("zhao.supervisor").await;
    let (s, b) = app.get("/calendar/years", Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let years: Vec<i64> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, vec![2025, 2026]);
    // 5 working days across 春节 2026 with its swapped Saturday 02-14.
    assert_eq!(
        due(&app, "2026-02-12", 5, "working").await["due"],
        "2026-02-26"
    );
    // 7 working days across 国庆节 2025 with its swapped Saturday 10-11.
    assert_eq!(
        due(&app, "2025-09-30", 7, "working").await["due"],
        "2025-10-16"
    );
    // 15 calendar days ending in the holiday move to the first working day after it.
    assert_eq!(
        due(&app, "2026-02-05", 15, "calendar").await["due"],
        "2026-02-24"
    );
    let (s, _) = app.get("/calendar/years", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .get("/calendar/due?from=2026-01-01&days=5&kind=working", None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .get(
            "/calendar/due?from=2026-01-01&days=0&kind=working",
            Some(&t),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app
        .get(
            "/calendar/due?from=2026-13-01&days=5&kind=working",
            Some(&t),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

fn year_2027() -> serde_json::Value {
    // An assumed 2027 table for the test (the real one was not yet published).
    json!({"source": "测试：2027年节假日安排", "holidays": [
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
        {"name": "春节", "from": "2027-02-06", "to": "2027-02-13", "work": ["2027-02-14"]}
    ]})
}

async fn an_admin_loads_the_next_year(app: TestApp) {
    // Without a table, 2027 is counted on weekends alone, and said so.
    let before = due(&app, "2026-12-30", 5, "working").await;
    assert_eq!(before["due"], "2027-01-06");
    assert!(before["warnings"][0]
        .as_str()
        .unwrap()
        .starts_with("2027年"));
    for user in [
        "li.officer",
        "zhang.head",
        "chen.reviewer",
        "zhao.supervisor",
    ] {
        let t = app.token(user).await;
        let r = app
            .client
            .put(app.url("/calendar/years/2027"))
            .bearer_auth(t)
            .json(&year_2027());
        assert_eq!(app.send(r).await.0, StatusCode::FORBIDDEN, "{user}");
    }
    let r = app
        .client
        .put(app.url("/calendar/years/2027"))
        .json(&year_2027());
    assert_eq!(app.send(r).await.0, StatusCode::UNAUTHORIZED);
    let admin = app.token("admin").await;
    let r = app
        .client
        .put(app.url("/calendar/years/2027"))
        .bearer_auth(&admin)
        .json(&year_2027());
    let (s, b) = app.send(r).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Now 元旦 2027 counts: Thu 31 (1), 01–03 off, Mon 4 (2) … Thu 7 (5).
    let after = due(&app, "2026-12-30", 5, "working").await;
    assert_eq!(after["due"], "2027-01-07");
    assert!(after["warnings"].as_array().unwrap().is_empty());
    // Sunday 02-14 is a swapped working day.
    assert_eq!(
        due(&app, "2027-02-05", 1, "working").await["due"],
        "2027-02-14"
    );
    // Audited with the admin's name.
    use diesel::prelude::*;
    use zhifa::db::schema::audit_events;
    let n: i64 = audit_events::table
        .filter(audit_events::action.eq("holiday_year.created"))
        .filter(audit_events::actor_username.eq("admin"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(n, 1);
}

async fn bad_tables_are_refused_naming_the_problem(app: TestApp) {
    let admin = app.token("admin").await;
    let cases = [
        (
            json!({"source": "x", "holidays": [{"name": "春节", "from": "2027-02-13", "to": "2027-02-06"}]}),
            422,
            "from is after to",
        ),
        (
            json!({"source": "x", "holidays": [{"name": "春节", "from": "2027-02-06", "to": "2027-02-13", "work": ["2027-02-15"]}]}),
            422,
            "not a weekend day",
        ),
        (
            json!({"source": "x", "holidays": [{"name": "春节", "from": "2028-02-06", "to": "2028-02-13"}]}),
            422,
            "not in 2027",
        ),
        (json!({"source": "", "holidays": []}), 422, "source"),
        (
            json!({"source": "x", "holidays": [{"name": "春节", "from": "2027-02-06"}]}),
            400,
            "to",
        ),
        (
            json!({"source": "x", "holidays": [], "extra": 1}),
            400,
            "extra",
        ),
    ];
    for (body, status, text) in cases {
        let r = app
            .client
            .put(app.url("/calendar/years/2027"))
            .bearer_auth(&admin)
            .json(&body);
        let (s, b) = app.send(r).await;
        assert_eq!(s.as_u16(), status, "{body} → {b}");
        assert!(b.to_string().contains(text), "{text} not in {b}");
    }
    // Nothing was stored.
    let (_, b) = app.get("/calendar/years", Some(&admin)).await;
    assert_eq!(b["items"].as_array().unwrap().len(), 2);
}
