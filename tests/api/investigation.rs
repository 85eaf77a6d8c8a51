//! On-site and inquiry records: two certified officers (Art 42), the
//! rights notice (Art 43, 55), signatures or the officers' note, the chain.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    onsite_and_inquiry_records_need_two_certified_officers,
    records_check_their_content_and_scope,
);

async fn onsite(app: &TestApp) -> Value {
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    let now = chrono::Utc::now();
    json!({
        "started_at": (now - chrono::Duration::hours(3)).to_rfc3339(),
        "ended_at": (now - chrono::Duration::hours(2)).to_rfc3339(),
        "place": "昆明市五华区华山西路1号后厨",
        "officer_ids": [li, wang],
        "content": "执法人员出示执法证件后进行检查，现场未见食品经营许可证。",
        "party_opinion": "情况属实。",
        "party_signed": true
    })
}

async fn inquiry(app: &TestApp) -> Value {
    let mut b = onsite(app).await;
    let o = b.as_object_mut().unwrap();
    for k in ["content", "party_opinion", "party_signed"] {
        o.remove(k);
    }
    o.insert(
        "interviewee".into(),
        json!({"name": "赵某", "relation": "法定代表人", "id_number": "53010219900101001X"}),
    );
    o.insert("rights_notified".into(), json!(true));
    o.insert(
        "questions".into(),
        json!([{"q": "你单位是否取得食品经营许可证？", "a": "没有。"}]),
    );
    o.insert("interviewee_signed".into(), json!(true));
    b
}

async fn post(app: &TestApp, user: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let t = app.token(user).await;
    app.post_json(path, Some(&t), body).await
}

async fn onsite_and_inquiry_records_need_two_certified_officers(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let on = format!("/cases/{id}/records/onsite");
    let iq = format!("/cases/{id}/records/inquiry");
    let (s, r) = post(&app, "li.officer", &on, &onsite(&app).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let certs: Vec<&str> = r["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["certificate_number"].as_str().unwrap())
        .collect();
    assert_eq!(certs.len(), 2);
    assert!(certs.contains(&"53010221001"), "{r}");
    let (s, r) = post(&app, "wang.officer", &iq, &inquiry(&app).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    // Fewer than two, another department's officer, an auxiliary: refused with the rule's code.
    let li = app.user_id("li.officer").await;
    let sun = app.user_id("sun.officer").await;
    let zhou = app.user_id("zhou.aux").await;
    for (ids, code) in [
        (json!([li, li]), "too_few_officers"),
        (json!([li, sun]), "officer_not_in_department"),
        (json!([li, zhou]), "auxiliary_not_officer"),
    ] {
        let mut b = onsite(&app).await;
        b["officer_ids"] = ids;
        let (s, e) = post(&app, "li.officer", &on, &b).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["code"], code);
        assert!(e["detail"].as_str().unwrap().contains("行政处罚法"), "{e}");
    }
    // Both are in the case's chain, which verifies.
    let t = app.token("li.officer").await;
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&t)).await;
    let actions: Vec<&str> = rec["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "case.filed",
            "case.filing_approved",
            "record.onsite",
            "record.inquiry"
        ]
    );
    let (_, v) = app
        .get(&format!("/cases/{id}/records/verify"), Some(&t))
        .await;
    assert_eq!(v["valid"], true);
    let (_, list) = app.get(&iq, Some(&t)).await;
    assert_eq!(list["items"][0]["body"]["interviewee"]["name"], "赵某");
}

async fn records_check_their_content_and_scope(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let on = format!("/cases/{id}/records/onsite");
    let iq = format!("/cases/{id}/records/inquiry");
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let mut unsigned = onsite(&app).await;
    unsigned["party_signed"] = json!(false);
    let mut late = onsite(&app).await;
    late["ended_at"] = json!(future);
    let mut no_rights = inquiry(&app).await;
    no_rights["rights_notified"] = json!(false);
    let mut no_questions = inquiry(&app).await;
    no_questions["questions"] = json!([]);
    for (path, body, field) in [
        (&on, unsigned.clone(), "refusal_note"),
        (&on, late, "ended_at"),
        (&iq, no_rights, "rights_notified"),
        (&iq, no_questions, "questions"),
    ] {
        let (s, e) = post(&app, "li.officer", path, &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}: {e}");
        assert!(
            e["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["field"] == field),
            "{field}: {e}"
        );
    }
    // Unsigned with the officers' note is accepted.
    unsigned["refusal_note"] = json!("当事人拒绝签名，执法人员在笔录上注明情况。");
    assert_eq!(
        post(&app, "li.officer", &on, &unsigned).await.0,
        StatusCode::CREATED
    );
    // Scope and roles.
    let body = onsite(&app).await;
    assert_eq!(
        post(&app, "sun.officer", &on, &body).await.0,
        StatusCode::NOT_FOUND
    );
    for user in ["zhao.supervisor", "chen.reviewer", "admin"] {
        assert_eq!(
            post(&app, user, &on, &body).await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    assert_eq!(
        app.post_json(&on, None, &body).await.0,
        StatusCode::UNAUTHORIZED
    );
    let zhao = app.token("zhao.supervisor").await;
    assert_eq!(app.get(&on, Some(&zhao)).await.0, StatusCode::OK);
    let sun = app.token("sun.officer").await;
    assert_eq!(app.get(&iq, Some(&sun)).await.0, StatusCode::NOT_FOUND);
}
