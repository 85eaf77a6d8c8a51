//! Case intake (立案): every rule refused with its own code, scope, numbering.

use std::collections::BTreeSet;

use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zhifa::db::DbConn;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_valid_case_is_filed,
    unknown_item_is_refused,
    item_of_another_department_is_refused,
    fewer_than_two_officers_is_refused,
    auxiliary_never_counts_as_officer,
    officer_of_another_department_is_refused,
    expired_and_revoked_certificates_are_refused,
    certificate_for_another_field_or_area_is_refused,
    officer_without_certificate_is_refused,
    limitation_period_two_and_five_years,
    dates_must_be_in_order_and_not_in_future,
    id_card_and_uscc_check_digits,
    party_fields_are_checked,
    simplified_procedure_within_article_51,
    unknown_fields_and_wrong_types_name_the_field,
    fifty_concurrent_intakes_get_consecutive_numbers,
    idempotency_key_returns_the_first_answer,
    concurrent_retries_leave_every_number_issued_or_voided,
    scope_of_reading_cases,
    reads_follow_every_change_of_the_case,
    list_filters_and_cursor,
);

async fn post_case(app: &TestApp, user: &str, body: &Value) -> (StatusCode, Value) {
    let t = app.token(user).await;
    app.post_json("/cases", Some(&t), body).await
}

/// Asserts a 422 with `code` whose detail cites `article`.
fn refused(status: StatusCode, body: &Value, code: &str, article: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains(article),
        "detail should cite {article}: {body}"
    );
}

async fn a_valid_case_is_filed(app: TestApp) {
    let body = app.case_body().await;
    let t = app.token("li.officer").await;
    let resp = app
        .client
        .post(app.url("/cases"))
        .bearer_auth(&t)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(resp.headers()["etag"], "\"1\"");
    let case: Value = resp.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/cases/{}", case["id"].as_str().unwrap())
    );
    assert_eq!(case["status"], "filed");
    assert_eq!(case["version"], 1);
    assert_eq!(case["enforcement_item_code"], "MR-FS-001");
    assert_eq!(case["department_id"], app.department("530102-scjgj").await);
    let year = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y")
        .to_string();
    assert_eq!(case["case_no"], format!("五市监立〔{year}〕1号"));
    let officers = case["officers"].as_array().unwrap();
    assert_eq!(officers.len(), 2);
    assert!(officers
        .iter()
        .any(|o| o["certificate_number"] == "53010221001"));
    let deadline = &case["deadlines"][0];
    assert_eq!(deadline["kind"], "decision");
    assert!(deadline["basis"].as_str().unwrap().contains("第六十条"));
    let filed: chrono::DateTime<chrono::Utc> = case["filed_at"].as_str().unwrap().parse().unwrap();
    let filed_on = filed
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    // 90 calendar days, moved to the next working day when the last one is a rest day.
    let (_, counted) = app
        .get(
            &format!("/calendar/due?from={filed_on}&days=90&kind=calendar"),
            Some(&t),
        )
        .await;
    assert_eq!(deadline["due_on"], counted["due"]);
    let due: chrono::NaiveDate = deadline["due_on"].as_str().unwrap().parse().unwrap();
    assert!((due - filed_on).num_days() >= 90 && (due - filed_on).num_days() <= 100);
    let (s, again) = app.get(&location, Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["case_no"], case["case_no"]);
    assert_eq!(again["party"]["name"], "昆明某某餐饮管理有限公司");
    // The second case gets the next number.
    let (_, second) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(second["case_no"], format!("五市监立〔{year}〕2号"));
}

async fn unknown_item_is_refused(app: TestApp) {
    let mut body = app.case_body().await;
    body["enforcement_item_code"] = json!("NO-SUCH-ITEM");
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "enforcement_item_unknown", "第三十八条");
}

async fn item_of_another_department_is_refused(app: TestApp) {
    let mut body = app.case_body().await;
    body["enforcement_item_code"] = json!("EE-AP-001");
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "item_not_held_by_department", "第十七条");
}

async fn fewer_than_two_officers_is_refused(app: TestApp) {
    let mut body = app.case_body().await;
    let li = app.user_id("li.officer").await;
    body["officer_ids"] = json!([li]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "too_few_officers", "第四十二条");
    body["officer_ids"] = json!([li, li]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "too_few_officers", "第四十二条");
}

async fn auxiliary_never_counts_as_officer(app: TestApp) {
    let mut body = app.case_body().await;
    let li = app.user_id("li.officer").await;
    let aux = app.user_id("zhou.aux").await;
    body["officer_ids"] = json!([li, aux]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "auxiliary_not_officer", "第四十二条");
    assert_eq!(b["errors"][0]["field"], "officer_ids[1]");
    // Attached as an auxiliary it is fine, and an auxiliary cannot file.
    let mut body = app.case_body().await;
    body["auxiliary_ids"] = json!([aux]);
    let (s, case) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert!(case["officers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["role"] == "auxiliary" && o["certificate_number"].is_null()));
    let (s, _) = post_case(&app, "zhou.aux", &app.case_body().await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn officer_of_another_department_is_refused(app: TestApp) {
    let mut body = app.case_body().await;
    let li = app.user_id("li.officer").await;
    let pl = app
        .add_user(
            "pan.officer",
            "530103-scjgj",
            &["officer"],
            Some(json!({"number": "53010321001", "fields": ["market_regulation"], "area_department_id": app.department("530103").await, "valid_from": "2024-01-01", "valid_until": "2035-01-01"})),
        )
        .await;
    body["officer_ids"] = json!([li, pl]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "officer_not_in_department", "第四十二条");
    // The ecology officer is not a market-regulation officer of 五华 either.
    let sun = app.user_id("sun.officer").await;
    body["officer_ids"] = json!([li, sun]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "officer_not_in_department", "第四十二条");
    body["officer_ids"] = json!([li, "01900000-0000-7000-8000-000000000000"]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "officer_unknown");
}

async fn new_officer_with(app: &TestApp, username: &str, cert: Value) -> String {
    app.add_user(username, "530102-scjgj", &["officer"], Some(cert))
        .await
}

async fn expired_and_revoked_certificates_are_refused(app: TestApp) {
    let area = app.department("530102").await;
    let li = app.user_id("li.officer").await;
    let expired = new_officer_with(
        &app,
        "old.officer",
        json!({"number": "E1", "fields": ["market_regulation"], "area_department_id": area, "valid_from": "2019-01-01", "valid_until": "2024-12-31"}),
    )
    .await;
    let mut body = app.case_body().await;
    body["officer_ids"] = json!([li, expired]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "certificate_not_valid", "第四十二条");

    let revoked = new_officer_with(
        &app,
        "gone.officer",
        json!({"number": "R1", "fields": ["market_regulation"], "area_department_id": area, "valid_from": "2024-01-01", "valid_until": "2035-12-31"}),
    )
    .await;
    let admin = app.token("admin").await;
    let (_, certs) = app
        .get(&format!("/users/{revoked}/certificates"), Some(&admin))
        .await;
    let cid = certs["items"][0]["id"].as_str().unwrap();
    body["officer_ids"] = json!([li, revoked]);
    assert_eq!(
        post_case(&app, "li.officer", &body).await.0,
        StatusCode::CREATED,
        "valid before revocation"
    );
    app.patch_json(
        &format!("/certificates/{cid}"),
        Some(&admin),
        &json!({"status": "revoked", "status_reason": "调离执法岗位"}),
    )
    .await;
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "certificate_not_valid", "第四十二条");
}

async fn certificate_for_another_field_or_area_is_refused(app: TestApp) {
    let li = app.user_id("li.officer").await;
    let other_field = new_officer_with(
        &app,
        "road.officer",
        json!({"number": "F1", "fields": ["transport"], "area_department_id": app.department("530102").await, "valid_from": "2024-01-01", "valid_until": "2035-12-31"}),
    )
    .await;
    let mut body = app.case_body().await;
    body["officer_ids"] = json!([li, other_field]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "certificate_field_mismatch", "第四十二条");

    let other_area = new_officer_with(
        &app,
        "far.officer",
        json!({"number": "A1", "fields": ["market_regulation"], "area_department_id": app.department("530103").await, "valid_from": "2024-01-01", "valid_until": "2035-12-31"}),
    )
    .await;
    body["officer_ids"] = json!([li, other_area]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "certificate_area_mismatch", "第四十二条");
}

async fn officer_without_certificate_is_refused(app: TestApp) {
    let li = app.user_id("li.officer").await;
    let none = app
        .add_user("new.officer", "530102-scjgj", &["officer"], None)
        .await;
    let mut body = app.case_body().await;
    body["officer_ids"] = json!([li, none]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "certificate_missing", "第四十二条");
}

async fn limitation_period_two_and_five_years(app: TestApp) {
    let now = chrono::Utc::now();
    // MR-RG-001 (unregistered business) is not a life/health item: two years.
    let mut body = app.case_body().await;
    body["enforcement_item_code"] = json!("MR-RG-001");
    body["occurred_at"] = json!((now - chrono::Duration::days(3 * 365)).to_rfc3339());
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "limitation_period_expired", "第三十六条");
    // A continuing violation counts from its end.
    body["ended_at"] = json!((now - chrono::Duration::days(100)).to_rfc3339());
    assert_eq!(
        post_case(&app, "li.officer", &body).await.0,
        StatusCode::CREATED
    );
    // MR-FS-001 (food safety) concerns life and health, but five years
    // need harm as well (Art 36 ¶1: 且有危害后果的): without it, two.
    let mut body = app.case_body().await;
    body["occurred_at"] = json!((now - chrono::Duration::days(3 * 365)).to_rfc3339());
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "limitation_period_expired", "第三十六条");
    let detail = b["detail"].as_str().unwrap();
    assert!(
        detail.contains("二年") && detail.contains("未载明有危害后果"),
        "{detail}"
    );
    // Harm stated without its description is a shape error naming the field.
    body["harm_resulted"] = json!(true);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "harm_description", "{b}");
    // With harm: five years; the fact is stored and shown.
    body["harm_description"] = json!("3名就餐人员食物中毒入院治疗");
    let (s, case) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(case["harm_resulted"], true);
    assert_eq!(case["harm_description"], "3名就餐人员食物中毒入院治疗");
    let read = crate::common::get_ok(
        &app,
        "li.officer",
        &format!("/cases/{}", case["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(read["harm_description"], "3名就餐人员食物中毒入院治疗");
    let records = crate::common::get_ok(
        &app,
        "li.officer",
        &format!("/cases/{}/records", case["id"].as_str().unwrap()),
    )
    .await
    .to_string();
    assert!(
        records.contains("且有危害后果，期限延长至五年"),
        "{records}"
    );
    // Harm on an item that concerns neither: still two years.
    let mut other = app.case_body().await;
    other["enforcement_item_code"] = json!("MR-RG-001");
    other["occurred_at"] = json!((now - chrono::Duration::days(3 * 365)).to_rfc3339());
    other["harm_resulted"] = json!(true);
    other["harm_description"] = json!("扰乱市场秩序");
    let (s, b) = post_case(&app, "li.officer", &other).await;
    refused(s, &b, "limitation_period_expired", "第三十六条");
    // Past five years even with harm.
    body["occurred_at"] = json!((now - chrono::Duration::days(6 * 365)).to_rfc3339());
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "limitation_period_expired", "第三十六条");
    assert!(b["detail"].as_str().unwrap().contains("五年"), "{b}");
}

async fn dates_must_be_in_order_and_not_in_future(app: TestApp) {
    let now = chrono::Utc::now();
    let mut body = app.case_body().await;
    body["discovered_at"] = json!((now + chrono::Duration::days(2)).to_rfc3339());
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "date_in_future");
    assert_eq!(b["errors"][0]["field"], "discovered_at");
    let mut body = app.case_body().await;
    body["occurred_at"] = json!((now - chrono::Duration::hours(1)).to_rfc3339());
    body["discovered_at"] = json!((now - chrono::Duration::days(1)).to_rfc3339());
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "dates_out_of_order");
}

async fn id_card_and_uscc_check_digits(app: TestApp) {
    let mut body = app.case_body().await;
    body["party"]["id_number"] = json!("915301027000000004");
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "invalid_uscc");
    assert_eq!(b["errors"][0]["field"], "party.id_number");
    let mut body = app.case_body().await;
    body["party"] = json!({"kind": "person", "name": "张三", "id_type": "id_card", "id_number": "530102199003071234", "address": "昆明市五华区"});
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "invalid_id_number");
    body["party"]["id_number"] = json!("530102199003071238");
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // A person cannot be identified by a USCC.
    body["party"]["id_type"] = json!("uscc");
    body["party"]["id_number"] = json!("915301027000000003");
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "party_id_type_mismatch");
}

async fn party_fields_are_checked(app: TestApp) {
    let mut body = app.case_body().await;
    body["party"]["name"] = json!("  ");
    body["party"]["address"] = json!("");
    body["party"]["phone"] = json!("12345");
    body["party"]["legal_representative"] = json!(null);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["code"], "validation_failed");
    let fields: BTreeSet<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "party.name",
        "party.address",
        "party.phone",
        "party.legal_representative",
    ] {
        assert!(fields.contains(f), "{f} not named: {b}");
    }
}

async fn simplified_procedure_within_article_51(app: TestApp) {
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    body["enforcement_item_code"] = json!("MR-RG-001");
    body["intended_fine_fen"] = json!(300_001);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "simplified_procedure_limit_exceeded", "第五十一条");
    body["intended_fine_fen"] = json!(300_000);
    let (s, case) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(case["procedure"], "simplified");
    assert_eq!(case["intended_fine_fen"], 300_000);
    // A citizen: 200 yuan.
    body["party"] = json!({"kind": "person", "name": "张三", "id_type": "id_card", "id_number": "530102199003071238", "address": "昆明市五华区"});
    body["intended_fine_fen"] = json!(20_001);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    refused(s, &b, "simplified_procedure_limit_exceeded", "第五十一条");
    // The general procedure records no intended fine at intake.
    let mut body = app.case_body().await;
    body["intended_fine_fen"] = json!(100);
    assert_eq!(
        post_case(&app, "li.officer", &body).await.0,
        StatusCode::BAD_REQUEST
    );
}

async fn unknown_fields_and_wrong_types_name_the_field(app: TestApp) {
    let mut body = app.case_body().await;
    body["officers"] = json!([]);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["code"], "unknown_field");
    assert_eq!(b["errors"][0]["field"], "officers");
    let mut body = app.case_body().await;
    body["party"]["nickname"] = json!("x");
    let (_, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(b["errors"][0]["field"], "party.nickname");
    let mut body = app.case_body().await;
    body["occurred_at"] = json!(12345);
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["code"], "validation_failed");
    assert_eq!(b["errors"][0]["field"], "occurred_at");
    let mut body = app.case_body().await;
    body["source"] = json!("gossip");
    let (_, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(b["errors"][0]["field"], "source");
    let mut body = app.case_body().await;
    body.as_object_mut().unwrap().remove("facts");
    let (s, b) = post_case(&app, "li.officer", &body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["errors"][0]["field"], "facts");
    // Nothing was written by any of these.
    let t = app.token("li.officer").await;
    let (_, list) = app.get("/cases", Some(&t)).await;
    assert!(list["items"].as_array().unwrap().is_empty());
}

async fn fifty_concurrent_intakes_get_consecutive_numbers(app: TestApp) {
    let body = app.case_body().await;
    let t = app.token("li.officer").await;
    let futures: Vec<_> = (0..50)
        .map(|_| {
            let req = app
                .client
                .post(app.url("/cases"))
                .bearer_auth(&t)
                .json(&body);
            async move {
                let r = req.send().await.unwrap();
                let status = r.status();
                let v: Value = r.json().await.unwrap();
                (status, v)
            }
        })
        .collect();
    let results = futures_util::future::join_all(futures).await;
    let mut numbers = vec![];
    for (s, v) in results {
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let no = v["case_no"].as_str().unwrap();
        let n: u32 = no
            .split('〕')
            .nth(1)
            .unwrap()
            .trim_end_matches('号')
            .parse()
            .unwrap();
        numbers.push(n);
    }
    numbers.sort();
    assert_eq!(numbers, (1..=50).collect::<Vec<u32>>());
}

async fn idempotency_key_returns_the_first_answer(app: TestApp) {
    let body = app.case_body().await;
    let t = app.token("li.officer").await;
    let send = |b: &Value| {
        app.client
            .post(app.url("/cases"))
            .bearer_auth(&t)
            .header("Idempotency-Key", "intake-7f3a")
            .json(b)
            .send()
    };
    let first: Value = send(&body).await.unwrap().json().await.unwrap();
    let r = send(&body).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let second: Value = r.json().await.unwrap();
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["case_no"], second["case_no"]);
    let mut other = body.clone();
    other["facts"] = json!("另一份事实");
    let r = send(&other).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, list) = app.get("/cases", Some(&t)).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "one case, not two"
    );
}

/// A case read is served from memory only while the case's version is the
/// one cached: a change made by another instance straight in the database
/// (simulated here), a withdrawn officer, a dropped database connection —
/// each shows on the next read.
async fn reads_follow_every_change_of_the_case(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap().to_string();
    let path = format!("/cases/{id}");
    let li = app.token("li.officer").await;
    let wang = app.token("wang.officer").await;
    // Li's read: its status, ETag and body.
    let read = || async {
        let r = app
            .client
            .get(app.url(&path))
            .bearer_auth(&li)
            .send()
            .await
            .unwrap();
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        (r.status(), etag, r.json::<Value>().await.unwrap())
    };
    let (s, first_etag, _) = read().await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(first_etag, format!("\"{}\"", case["version"]));
    assert_eq!(app.get(&path, Some(&wang)).await.0, StatusCode::OK);

    // Another instance changes the facts (every change moves the version).
    app.conn()
        .batch_execute(&format!(
            "UPDATE cases SET facts = '复核后补充的违法事实', version = version + 1 WHERE id = '{id}'"
        ))
        .unwrap();
    let (_, second_etag, body) = read().await;
    assert_ne!(second_etag, first_etag);
    assert_eq!(body["facts"], "复核后补充的违法事实");
    assert_eq!(body["version"], case["version"].as_i64().unwrap() + 1);

    // Wang is withdrawn (回避) elsewhere: he loses access on his next read.
    let wang_id = app.user_id("wang.officer").await;
    app.conn()
        .batch_execute(&format!(
            "UPDATE case_officers SET role = 'recused' WHERE case_id = '{id}' AND user_id = '{wang_id}';
             UPDATE cases SET version = version + 1 WHERE id = '{id}'"
        ))
        .unwrap();
    assert_eq!(app.get(&path, Some(&wang)).await.0, StatusCode::NOT_FOUND);
    let (s, body) = app.get(&path, Some(&li)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body["officers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["user_id"] == wang_id.as_str() && o["role"] == "recused"));

    // Every other connection to the database is cut (a restart, a failover):
    // reads go on.
    if app.backend == zhifa::db::Backend::Postgres {
        // The version check runs on the workers' own connections (not the pool).
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let DbConn::Pg(mut pg) = app.conn() else {
            unreachable!("a PostgreSQL app")
        };
        let readers: N = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'zhifa-reads'",
        )
        .get_result(&mut pg)
        .unwrap();
        assert!(readers.n >= 1, "no async read connection");
        app.conn()
            .batch_execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .unwrap();
        for _ in 0..3 {
            let (s, body) = app.get(&path, Some(&li)).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            assert_eq!(body["facts"], "复核后补充的违法事实");
        }
    }
}

async fn scope_of_reading_cases(app: TestApp) {
    let case = app.file_case().await;
    let path = format!("/cases/{}", case["id"].as_str().unwrap());
    for user in [
        "li.officer",
        "wang.officer",
        "zhang.head",
        "chen.reviewer",
        "zhao.supervisor",
    ] {
        let t = app.token(user).await;
        assert_eq!(app.get(&path, Some(&t)).await.0, StatusCode::OK, "{user}");
    }
    // Another department's officer: not found (not even its existence).
    for user in ["sun.officer", "liu.police"] {
        let t = app.token(user).await;
        let (s, b) = app.get(&path, Some(&t)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{user}");
        assert_eq!(b["code"], "not_found");
        let (_, list) = app.get("/cases", Some(&t)).await;
        assert!(
            list["items"].as_array().unwrap().is_empty(),
            "{user} lists nothing"
        );
    }
    // The auxiliary is not attached to this case.
    let t = app.token("zhou.aux").await;
    assert_eq!(app.get(&path, Some(&t)).await.0, StatusCode::NOT_FOUND);
    // Wrong role: 403; no token: 401.
    let t = app.token("admin").await;
    assert_eq!(app.get(&path, Some(&t)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/cases", Some(&t)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post_json("/cases", Some(&t), &app.case_body().await)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&path, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/cases", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.post_json("/cases", None, &app.case_body().await)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let t = app.token("chen.reviewer").await;
    assert_eq!(
        app.post_json("/cases", Some(&t), &app.case_body().await)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // A malformed id is simply not found.
    let t = app.token("li.officer").await;
    assert_eq!(
        app.get("/cases/not-a-uuid", Some(&t)).await.0,
        StatusCode::NOT_FOUND
    );
    // The supervisor of 昆明 lists the case; a supervisor of 曲靖 does not see it.
    let t = app.token("zhao.supervisor").await;
    let (_, list) = app.get("/cases", Some(&t)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    app.add_user_direct(
        "qj.supervisor",
        "530300-scjgj",
        &[zhifa::auth::Role::Supervisor],
    )
    .await;
    let t = app.token("qj.supervisor").await;
    assert_eq!(app.get(&path, Some(&t)).await.0, StatusCode::NOT_FOUND);
}

async fn list_filters_and_cursor(app: TestApp) {
    let t = app.token("li.officer").await;
    let mut ids = vec![];
    for i in 0..5 {
        let mut body = app.case_body().await;
        if i == 4 {
            body["party"]["name"] = json!("五华区张三小吃店");
            body["enforcement_item_code"] = json!("MR-RG-001");
        }
        let (s, c) = app.post_json("/cases", Some(&t), &body).await;
        assert_eq!(s, StatusCode::CREATED);
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    let (_, page1) = app.get("/cases?limit=2", Some(&t)).await;
    let items = page1["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], ids[4], "newest first");
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = app
        .get(&format!("/cases?limit=2&cursor={cursor}"), Some(&t))
        .await;
    assert_eq!(page2["items"][0]["id"], ids[2]);
    let (_, page3) = app
        .get(
            &format!(
                "/cases?limit=2&cursor={}",
                page2["next_cursor"].as_str().unwrap()
            ),
            Some(&t),
        )
        .await;
    assert_eq!(page3["items"].as_array().unwrap().len(), 1);
    assert!(page3["next_cursor"].is_null());
    let (_, exact) = app.get("/cases?limit=5", Some(&t)).await;
    assert!(
        exact["next_cursor"].is_null(),
        "a full last page says there is no more"
    );
    let (_, by_item) = app.get("/cases?item=MR-RG-001", Some(&t)).await;
    assert_eq!(by_item["items"].as_array().unwrap().len(), 1);
    let (_, by_party) = app.get("/cases?party=%E5%BC%A0%E4%B8%89", Some(&t)).await;
    assert_eq!(by_party["items"].as_array().unwrap().len(), 1);
    let (_, by_status) = app.get("/cases?status=filed", Some(&t)).await;
    assert_eq!(by_status["items"].as_array().unwrap().len(), 5);
    let (_, none) = app.get("/cases?status=closed", Some(&t)).await;
    assert!(none["items"].as_array().unwrap().is_empty());
    let wang = app.user_id("wang.officer").await;
    let (_, by_officer) = app
        .get(&format!("/cases?officer_id={wang}"), Some(&t))
        .await;
    assert_eq!(by_officer["items"].as_array().unwrap().len(), 5);
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let (_, by_date) = app
        .get(
            &format!("/cases?filed_from={today}&filed_to={today}"),
            Some(&t),
        )
        .await;
    assert_eq!(by_date["items"].as_array().unwrap().len(), 5);
    let (_, before) = app
        .get(
            &format!("/cases?filed_to={}", today - chrono::Duration::days(1)),
            Some(&t),
        )
        .await;
    assert!(before["items"].as_array().unwrap().is_empty());
    let (s, b) = app.get("/cases?limit=501", Some(&t)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, _) = app.get("/cases?status=bogus", Some(&t)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// Ten concurrent retries of one filing: one case; every number a retry
/// reserved and did not use is in the void register, so the case numbers
/// issued and voided together run 1..n without a gap or a repeat.
async fn concurrent_retries_leave_every_number_issued_or_voided(app: TestApp) {
    use diesel::prelude::*;
    use zhifa::db::schema::{cases, voided_numbers};
    let t = app.token("li.officer").await;
    let body = app.case_body().await;
    let mut tasks = vec![];
    for _ in 0..10 {
        let req = app
            .client
            .post(app.url("/cases"))
            .bearer_auth(&t)
            .header("Idempotency-Key", "retry-storm-1")
            .json(&body);
        tasks.push(tokio::spawn(async move {
            let r = req.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut ids = vec![];
    for task in tasks {
        let (s, b) = task.await.unwrap();
        assert_eq!(s, StatusCode::CREATED, "{b}");
        ids.push(b["id"].as_str().unwrap().to_string());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one case for one key");
    let mut conn = app.conn();
    let issued: Vec<String> = cases::table.select(cases::case_no).load(&mut conn).unwrap();
    let voided: Vec<String> = voided_numbers::table
        .filter(voided_numbers::kind.eq("case"))
        .select(voided_numbers::number)
        .load(&mut conn)
        .unwrap();
    let n = |s: &String| -> u32 {
        s.split('〕')
            .nth(1)
            .unwrap()
            .trim_end_matches('号')
            .parse()
            .unwrap()
    };
    let mut all: Vec<u32> = issued.iter().chain(voided.iter()).map(n).collect();
    all.sort();
    assert_eq!(
        all,
        (1..=all.len() as u32).collect::<Vec<_>>(),
        "issued {issued:?}, voided {voided:?}"
    );
}
