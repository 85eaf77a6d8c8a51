//! The full-process record: the chain after real actions, tampering found at
//! the right `seq`, and the access log of reads.

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    intake_writes_the_first_entry,
    untouched_chain_verifies,
    altered_entry_is_found,
    deleted_entry_is_found,
    swapped_entries_are_found,
    truncated_tail_is_found,
    reads_land_in_the_access_log,
    record_endpoints_check_role_and_scope,
);

pub const KEY: &[u8] = b"test-record-key-0123456789abcdef0123456789";

/// Files a case and appends four more entries through the record module.
async fn case_with_five_entries(app: &TestApp) -> String {
    let case = app.file_case_unapproved().await;
    let id = case["id"].as_str().unwrap().to_string();
    let mut conn = app.conn();
    let actor = zhifa::records::Actor {
        id: app.user_id("li.officer").await,
        role: "officer".into(),
        certificate: Some("53010221001".into()),
    };
    for n in 2..=5 {
        let at = chrono::Utc::now().naive_utc();
        zhifa::db::write_tx(&mut conn, |c| {
            zhifa::records::append(
                c,
                KEY,
                &id,
                &actor,
                &format!("test.step{n}"),
                &json!({"n": n}),
                Some("req"),
                at,
            )
        })
        .unwrap();
    }
    id
}

async fn verify(app: &TestApp, id: &str) -> Value {
    let t = app.token("li.officer").await;
    let (s, v) = app
        .get(&format!("/cases/{id}/records/verify"), Some(&t))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn intake_writes_the_first_entry(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let t = app.token("li.officer").await;
    let (s, b) = app.get(&format!("/cases/{id}/records"), Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    let e = &b["items"][0];
    assert_eq!(e["seq"], 1);
    assert_eq!(e["action"], "case.filed");
    assert_eq!(e["actor"]["id"], app.user_id("li.officer").await);
    assert_eq!(e["actor"]["role"], "officer");
    assert_eq!(e["actor"]["certificate"], "53010221001");
    assert_eq!(e["detail"]["case_no"], case["case_no"]);
    assert_eq!(e["prev_hash"], "0".repeat(64));
    assert_eq!(e["hash"].as_str().unwrap().len(), 64);
}

async fn untouched_chain_verifies(app: TestApp) {
    let id = case_with_five_entries(&app).await;
    let v = verify(&app, &id).await;
    assert_eq!(v["valid"], true);
    assert_eq!(v["entries"], 5);
    assert!(v["first_bad_seq"].is_null());
    let t = app.token("li.officer").await;
    let (_, b) = app.get(&format!("/cases/{id}/records"), Some(&t)).await;
    assert_eq!(v["head_hash"], b["items"][4]["hash"]);
}

fn exec(app: &TestApp, sql: &str) {
    app.conn().batch_execute(sql).expect(sql);
}

async fn altered_entry_is_found(app: TestApp) {
    let id = case_with_five_entries(&app).await;
    exec(
        &app,
        &format!(
            "UPDATE record_entries SET detail = '{{\"n\":99}}' WHERE case_id = '{id}' AND seq = 3"
        ),
    );
    let v = verify(&app, &id).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["first_bad_seq"], 3);
}

async fn deleted_entry_is_found(app: TestApp) {
    let id = case_with_five_entries(&app).await;
    exec(
        &app,
        &format!("DELETE FROM record_entries WHERE case_id = '{id}' AND seq = 3"),
    );
    let v = verify(&app, &id).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["first_bad_seq"], 3);
    assert_eq!(v["entries"], 4);
}

async fn swapped_entries_are_found(app: TestApp) {
    let id = case_with_five_entries(&app).await;
    exec(
        &app,
        &format!(
            "UPDATE record_entries SET seq = 99 WHERE case_id = '{id}' AND seq = 2;
             UPDATE record_entries SET seq = 2 WHERE case_id = '{id}' AND seq = 3;
             UPDATE record_entries SET seq = 3 WHERE case_id = '{id}' AND seq = 99;"
        ),
    );
    let v = verify(&app, &id).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["first_bad_seq"], 2);
}

async fn truncated_tail_is_found(app: TestApp) {
    let id = case_with_five_entries(&app).await;
    exec(
        &app,
        &format!("DELETE FROM record_entries WHERE case_id = '{id}' AND seq = 5"),
    );
    let v = verify(&app, &id).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["first_bad_seq"], 5);
}

async fn reads_land_in_the_access_log(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let li = app.token("li.officer").await;
    let sun = app.token("sun.officer").await;
    let r = app
        .client
        .get(app.url(&format!("/cases/{id}")))
        .bearer_auth(&li)
        .header("X-Request-Id", "read-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("/cases/{id}"), Some(&sun)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/cases/{id}/records"), Some(&li)).await.0,
        StatusCode::OK
    );
    assert_eq!(app.get("/cases", Some(&li)).await.0, StatusCode::OK);
    app.flush_access_log().await;
    let head = app.token("zhang.head").await;
    let (s, log) = app
        .get(&format!("/cases/{id}/access-log"), Some(&head))
        .await;
    assert_eq!(s, StatusCode::OK, "{log}");
    let items = log["items"].as_array().unwrap();
    let find = |user: &str, action: &str| {
        items
            .iter()
            .find(|e| e["username"] == user && e["action"] == action)
            .cloned()
    };
    let read = find("li.officer", "read_case").expect("li's read");
    assert_eq!(read["allowed"], true);
    assert_eq!(read["request_id"], "read-1");
    assert_eq!(read["ip"], "127.0.0.1");
    let refused = find("sun.officer", "read_case").expect("the refused attempt is logged");
    assert_eq!(refused["allowed"], false);
    assert!(find("li.officer", "read_records").is_some());
    assert!(
        find("li.officer", "list_cases").is_some(),
        "a list that shows the case is a read too"
    );
    // The supervisor may read it too; an officer may not.
    let sup = app.token("zhao.supervisor").await;
    assert_eq!(
        app.get(&format!("/cases/{id}/access-log"), Some(&sup))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/cases/{id}/access-log"), Some(&li))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

async fn record_endpoints_check_role_and_scope(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let admin = app.token("admin").await;
    let other = app.token("sun.officer").await;
    let other_head = app
        .add_user("pl.head", "530103-scjgj", &["head"], None)
        .await;
    let _ = other_head;
    let pl_head = app.token("pl.head").await;
    for path in [
        format!("/cases/{id}/records"),
        format!("/cases/{id}/records/verify"),
        format!("/cases/{id}/access-log"),
    ] {
        assert_eq!(
            app.get(&path, None).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        assert_eq!(
            app.get(&path, Some(&admin)).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let expect_other = if path.ends_with("access-log") {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(app.get(&path, Some(&other)).await.0, expect_other, "{path}");
        assert_eq!(
            app.get(&path, Some(&pl_head)).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}
