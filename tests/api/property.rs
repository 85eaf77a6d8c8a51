//! Preserved and seized property (涉案财物): the list, the custody log,
//! periods and extensions, emergency measures approved after the fact,
//! disposal, and closure blocked by anything still held.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{get_ok as get, post_as as post, TestApp};
use crate::on_both_backends;

on_both_backends!(
    seized_property_from_the_list_to_its_disposal,
    an_emergency_preservation_is_approved_or_lifted,
    terminating_returns_and_transferring_sends_the_items,
    property_endpoints_check_role_and_department,
    an_appraisal_moves_the_decision_day_and_is_notified,
);

async fn ok(app: &TestApp, user: &str, path: &str, body: Value) -> Value {
    let (s, b) = post(app, user, path, body).await;
    assert_eq!(s, StatusCode::CREATED, "{path}: {b}");
    b
}

fn items() -> Value {
    json!([
        {"name": "散装白酒", "specification": "500ml/瓶", "quantity": "12", "unit": "瓶", "condition": "未开封", "location": "五华区市场监管局涉案财物保管室", "custodian": "李明"},
        {"name": "进货台账", "quantity": "1", "unit": "本", "location": "五华区市场监管局涉案财物保管室", "custodian": "李明"}
    ])
}

fn measure(emergency: bool) -> Value {
    json!({"started_at": Utc::now().to_rfc3339(), "reason": "涉嫌经营不符合食品安全标准的白酒，可能灭失", "emergency": emergency, "items": items()})
}

async fn simplified_case(app: &TestApp) -> String {
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    let t = app.token("li.officer").await;
    let (s, c) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

async fn seized_property_from_the_list_to_its_disposal(app: TestApp) {
    let id = simplified_case(&app).await;
    // An officer may not seize outside an emergency: the head decides.
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/seizures"),
        measure(false),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // The list must state every item.
    let mut bad = measure(false);
    bad["items"][1]["custodian"] = json!("");
    let (s, b) = post(&app, "zhang.head", &format!("/cases/{id}/seizures"), bad).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "items[1].custodian");
    let step = ok(
        &app,
        "zhang.head",
        &format!("/cases/{id}/seizures"),
        measure(false),
    )
    .await;
    let mid = step["body"]["measure_id"].as_str().unwrap().to_string();
    let prop = get(&app, "li.officer", &format!("/cases/{id}/items")).await;
    assert_eq!(prop["measures"][0]["kind"], "seizure");
    assert_eq!(prop["measures"][0]["approved"], true);
    let due: chrono::NaiveDate = prop["measures"][0]["due_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(due >= Utc::now().date_naive() + Duration::days(29), "{due}");
    let list = prop["items"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list
        .iter()
        .all(|i| i["status"] == "held" && i["custody_log"].as_array().unwrap().len() == 1));
    let wine = list[0]["id"].as_str().unwrap().to_string();
    let ledger = list[1]["id"].as_str().unwrap().to_string();
    // A hand-over, logged.
    ok(&app, "wang.officer", &format!("/cases/{id}/items/custody"), json!({"item_ids": [wine], "custodian": "王芳", "location": "检验室", "note": "送检前移交"})).await;
    let prop = get(&app, "li.officer", &format!("/cases/{id}/items")).await;
    assert_eq!(prop["items"][0]["custodian"], "王芳");
    assert_eq!(prop["items"][0]["custody_log"][1]["action"], "handed_over");
    // Extended once; the second is refused.
    ok(
        &app,
        "zhang.head",
        &format!("/cases/{id}/seizures/extension"),
        json!({"measure_id": mid, "days": 30, "reason": "检验周期长"}),
    )
    .await;
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/seizures/extension"),
        json!({"measure_id": mid, "days": 10, "reason": "再延"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("seizure_extension_used")
        ),
        "{b}"
    );
    assert!(b["detail"].as_str().unwrap().contains("第二十五条"));
    // No confiscation before the decision.
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/items/disposal"),
        json!({"item_ids": [wine], "disposal": "confiscate", "reason": "x"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("disposal_needs_decision")
        ),
        "{b}"
    );
    // Decided, served, paid — and still not closed while items are held.
    let dec = ok(&app, "li.officer", &format!("/cases/{id}/decision"), json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 20_000}], "form_number": "No.9", "party_informed": true})).await;
    ok(&app, "li.officer", &format!("/cases/{id}/service"), json!({"document_id": dec["id"], "method": "direct", "served_at": dec["at"], "recipient": "赵某"})).await;
    ok(
        &app,
        "li.officer",
        &format!("/cases/{id}/payments"),
        json!({"amount_fen": 20_000, "paid_at": Utc::now().to_rfc3339()}),
    )
    .await;
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/closure"),
        json!({"reason": "已缴纳"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("property_not_settled")
        ),
        "{b}"
    );
    assert!(b["detail"].as_str().unwrap().contains("散装白酒"));
    // Disposal: an officer asks, the head approves; the other item goes back directly.
    let (s, asked) = post(&app, "li.officer", "/approvals", json!({"kind": "disposal", "case_id": id, "request": {"item_ids": [wine], "disposal": "confiscate", "reason": "依处罚决定没收"}})).await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    let (s, a) = post(
        &app,
        "zhang.head",
        &format!("/approvals/{}/decision", asked["id"].as_str().unwrap()),
        json!({"outcome": "approve"}),
    )
    .await;
    assert_eq!(
        (s, a["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{a}"
    );
    ok(
        &app,
        "zhang.head",
        &format!("/cases/{id}/items/disposal"),
        json!({"item_ids": [ledger], "disposal": "return", "reason": "复印后退还"}),
    )
    .await;
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/items/disposal"),
        json!({"item_ids": [ledger], "disposal": "destroy", "reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let prop = get(&app, "li.officer", &format!("/cases/{id}/items")).await;
    let log: Vec<Vec<&str>> = prop["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["custody_log"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action"].as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(
        log,
        vec![
            vec!["registered", "handed_over", "confiscated"],
            vec!["registered", "returned"]
        ]
    );
    assert_eq!(prop["measures"][0]["status"], "ended");
    ok(
        &app,
        "zhang.head",
        &format!("/cases/{id}/closure"),
        json!({"reason": "已缴纳，财物已处置"}),
    )
    .await;
}

async fn an_emergency_preservation_is_approved_or_lifted(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    // Officers act at once; the head is asked within 24 hours.
    let step = ok(
        &app,
        "li.officer",
        &format!("/cases/{id}/preservations"),
        measure(true),
    )
    .await;
    let pending = step["body"]["measure_id"].as_str().unwrap().to_string();
    let queue = get(&app, "zhang.head", "/approvals?status=pending").await;
    let ask = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["case_id"] == id)
        .unwrap()
        .clone();
    assert_eq!(ask["kind"], "preservation");
    // Refused: the measure is lifted and the items go back.
    let (s, r) = post(
        &app,
        "zhang.head",
        &format!("/approvals/{}/decision", ask["id"].as_str().unwrap()),
        json!({"outcome": "reject", "opinion": "不符合先行登记保存条件"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let prop = get(&app, "li.officer", &format!("/cases/{id}/items")).await;
    assert_eq!(prop["measures"][0]["status"], "ended");
    assert!(prop["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["status"] == "returned"));
    assert_ne!(prop["measures"][0]["id"], json!(null));
    assert_eq!(prop["measures"][0]["id"], pending);
    // Again, approved this time.
    let step = ok(
        &app,
        "li.officer",
        &format!("/cases/{id}/preservations"),
        measure(true),
    )
    .await;
    let mid = step["body"]["measure_id"].as_str().unwrap().to_string();
    let queue = get(&app, "zhang.head", "/approvals?status=pending").await;
    let ask = queue["items"][0].clone();
    let (s, a) = post(
        &app,
        "zhang.head",
        &format!("/approvals/{}/decision", ask["id"].as_str().unwrap()),
        json!({"outcome": "approve"}),
    )
    .await;
    assert_eq!(
        (s, a["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{a}"
    );
    let prop = get(&app, "li.officer", &format!("/cases/{id}/items")).await;
    let m = prop["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == mid.as_str())
        .unwrap()
        .clone();
    assert_eq!(m["approved"], true);
    // The officers see the period among their tasks.
    let tasks = get(&app, "li.officer", "/me/tasks").await;
    assert!(
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "custody_period" && t["subject_id"] == format!("property:{mid}")),
        "{tasks}"
    );
    // Seven working days pass without a decision: the warning says so.
    let app = app.restart_at(Utc::now() + Duration::days(20)).await;
    let w = get(&app, "li.officer", &format!("/cases/{id}/warnings")).await;
    let late = w["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["deadline"] == format!("property:{mid}"))
        .cloned();
    let late = late.unwrap_or_else(|| panic!("no warning: {w}"));
    assert_eq!(late["kind"], "deadline_passed");
    assert!(late["basis"].as_str().unwrap().contains("第五十六条"));
    // Decided late: recorded as late, the warning gone.
    let d = ok(
        &app,
        "zhang.head",
        &format!("/cases/{id}/preservations/decision"),
        json!({"measure_id": mid, "outcome": "release", "reason": "已拍照取证，解除登记保存"}),
    )
    .await;
    assert_eq!(d["kind"], "preservation_decision");
    let recs = get(&app, "li.officer", &format!("/cases/{id}/records")).await;
    let last = recs["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["detail"]["late"], true, "{last}");
    let w = get(&app, "li.officer", &format!("/cases/{id}/warnings")).await;
    assert!(
        !w["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["deadline"] == format!("property:{mid}")),
        "{w}"
    );
    // A preservation is not extended.
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/seizures/extension"),
        json!({"measure_id": mid, "days": 5, "reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
}

async fn terminating_returns_and_transferring_sends_the_items(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    ok(
        &app,
        "zhang.head",
        &format!("/cases/{id}/seizures"),
        measure(false),
    )
    .await;
    let t = ok(
        &app,
        "zhang.head",
        &format!("/cases/{id}/termination"),
        json!({"reason": "当事人已注销"}),
    )
    .await;
    assert_eq!(t["case_status"], "terminated");
    let prop = get(&app, "li.officer", &format!("/cases/{id}/items")).await;
    assert!(
        prop["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "returned"),
        "{prop}"
    );
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    ok(&app, "zhang.head", &format!("/cases/{id}/seizures"), json!({"sealing": true, "started_at": Utc::now().to_rfc3339(), "reason": "查封生产场所", "items": items()})).await;
    let police = app.department("530100-gaj-wh").await;
    let r = ok(
        &app,
        "li.officer",
        &format!("/cases/{id}/transfers"),
        json!({"kind": "criminal", "to_department_id": police, "reason": "涉嫌犯罪"}),
    )
    .await;
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!(
            "/transfers/{}/approve",
            r["body"]["transfer_id"].as_str().unwrap()
        ),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let prop = get(&app, "li.officer", &format!("/cases/{id}/items")).await;
    assert_eq!(prop["measures"][0]["kind"], "sealing");
    assert!(
        prop["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "transferred"),
        "{prop}"
    );
}

async fn property_endpoints_check_role_and_department(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let step = ok(
        &app,
        "zhang.head",
        &format!("/cases/{id}/seizures"),
        measure(false),
    )
    .await;
    let mid = step["body"]["measure_id"].as_str().unwrap().to_string();
    let prop = get(&app, "li.officer", &format!("/cases/{id}/items")).await;
    let item = prop["items"][0]["id"].clone();
    let acts: Vec<(&str, Value)> = vec![
        ("preservations", measure(true)),
        ("seizures", measure(true)),
        (
            "preservations/decision",
            json!({"measure_id": mid, "outcome": "release", "reason": "x"}),
        ),
        (
            "seizures/extension",
            json!({"measure_id": mid, "days": 5, "reason": "x"}),
        ),
        (
            "items/custody",
            json!({"item_ids": [item], "custodian": "x", "location": "x"}),
        ),
        (
            "items/disposal",
            json!({"item_ids": [item], "disposal": "return", "reason": "x"}),
        ),
    ];
    for (act, body) in &acts {
        let path = format!("/cases/{id}/{act}");
        let (s, _) = app.post_json(&path, None, body).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{act}");
        let (s, b) = post(&app, "sun.officer", &path, body.clone()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{act}: {b}");
        let (s, b) = post(&app, "chen.reviewer", &path, body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{act}: {b}");
    }
    // Head's acts refused to officers.
    for (act, body) in &acts[2..] {
        if *act == "items/custody" {
            continue;
        }
        let (s, b) = post(
            &app,
            "wang.officer",
            &format!("/cases/{id}/{act}"),
            body.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{act}: {b}");
    }
    let (s, _) = app
        .get(
            &format!("/cases/{id}/items"),
            Some(&app.token("sun.officer").await),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&format!("/cases/{id}/items"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

fn decision_due(case: &Value) -> chrono::NaiveDate {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "decision")
        .unwrap()["due_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn an_appraisal_moves_the_decision_day_and_is_notified(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap().to_string();
    let due0 = decision_due(&case);
    let (s, b) = post(&app, "li.officer", &format!("/cases/{id}/samplings"), json!({"sampled_at": Utc::now().to_rfc3339(), "place": "后厨", "samples": [], "party_signed": true})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    // Every field of the body at once, a sample by its place in the list.
    let (s, b) = post(&app, "li.officer", &format!("/cases/{id}/samplings"), json!({"sampled_at": Utc::now().to_rfc3339(), "place": " ", "samples": [{"name": "散装白酒", "quantity": "2瓶"}, {"name": " ", "quantity": "1瓶"}], "party_signed": true})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation_failed")),
        "{b}"
    );
    let named: Vec<(&str, &str)> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [("place", "required"), ("samples[1].name", "required")],
        "{b}"
    );
    let sampled = ok(&app, "li.officer", &format!("/cases/{id}/samplings"), json!({"sampled_at": Utc::now().to_rfc3339(), "place": "后厨", "samples": [{"name": "散装白酒", "batch": "20261101", "quantity": "2瓶", "base_quantity": "12瓶"}], "party_signed": true})).await;
    assert_eq!(sampled["kind"], "sampling");
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let c = ok(&app, "li.officer", &format!("/cases/{id}/appraisals"), json!({"kind": "testing", "institution": "云南省食品安全检测中心", "matter": "甲醇含量", "commissioned_on": today})).await;
    let aid = c["id"].as_str().unwrap().to_string();
    let (s, b) = post(&app, "li.officer", &format!("/cases/{id}/appraisals"), json!({"kind": "testing", "institution": "x", "matter": "x", "commissioned_on": today - Duration::days(60)})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("dates_out_of_order")),
        "{b}"
    );
    // Ten days on, the result comes and the party is told.
    let app = app.restart_at(Utc::now() + Duration::days(10)).await;
    let result_on = today + Duration::days(7);
    let body = |appraisal: &str, notified: chrono::DateTime<Utc>| json!({"appraisal_id": appraisal, "result_on": result_on, "conclusion": "甲醇含量超标", "notified_at": notified.to_rfc3339(), "notice_method": "直接送达检验结果告知书"});
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/appraisals/result"),
        body("nope", Utc::now() + Duration::days(9)),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/appraisals/result"),
        body(&aid, Utc::now() + Duration::days(2)),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "notified before the result: {b}"
    );
    let r = ok(
        &app,
        "li.officer",
        &format!("/cases/{id}/appraisals/result"),
        body(&aid, Utc::now() + Duration::days(9)),
    )
    .await;
    assert_eq!(r["kind"], "appraisal_result");
    let (s, _) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/appraisals/result"),
        body(&aid, Utc::now() + Duration::days(9)),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // The testing days after the filing day do not count (the filing day never does).
    let c = get(&app, "li.officer", &format!("/cases/{id}")).await;
    let due1 = decision_due(&c);
    assert!(due1 >= due0 + Duration::days(7), "{due0} → {due1}");
    // Another department, and readers, may not.
    let (s, _) = post(&app, "sun.officer", &format!("/cases/{id}/samplings"), json!({"sampled_at": Utc::now().to_rfc3339(), "place": "x", "samples": [{"name": "x", "quantity": "1"}], "party_signed": true})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = post(
        &app,
        "chen.reviewer",
        &format!("/cases/{id}/appraisals"),
        json!({"kind": "testing", "institution": "x", "matter": "x", "commissioned_on": today}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
