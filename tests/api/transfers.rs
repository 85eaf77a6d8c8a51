//! Case transfers (案件移送): to public security as a suspected crime, or to
//! the competent agency; approved by a head with its letter; accepted or
//! returned by the receiver.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{post_as as post, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_suspected_crime_goes_to_public_security,
    a_returned_transfer_reopens_the_case,
);

async fn a_suspected_crime_goes_to_public_security(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let police = app.department("530100-gaj-wh").await;
    let own = app.department("530102-scjgj").await;
    let ecology = app.department("530100-sthjj").await;
    let path = format!("/cases/{id}/transfers");
    // Wrong targets are refused, naming the rule.
    let (s, b) = post(&app, "li.officer", &path, json!({"kind": "criminal", "to_department_id": ecology, "reason": "涉嫌生产销售不符合安全标准的食品罪"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "transfer_target_invalid");
    assert!(b["detail"].as_str().unwrap().contains("第二十七条"));
    let (s, b) = post(
        &app,
        "li.officer",
        &path,
        json!({"kind": "jurisdiction", "to_department_id": own, "reason": "x"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("transfer_target_invalid")
        )
    );
    let body = json!({"kind": "criminal", "to_department_id": police, "reason": "货值金额达到刑事追诉标准，涉嫌生产、销售不符合安全标准的食品罪"});
    let (s, r) = post(&app, "li.officer", &path, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let tid = r["body"]["transfer_id"].as_str().unwrap().to_string();
    let (s, b) = post(&app, "li.officer", &path, body).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("transfer_pending"))
    );
    // Not sent yet: the police do not see it; an officer may not approve.
    let liu = app.token("liu.police").await;
    let (_, q) = app.get("/transfers?direction=incoming", Some(&liu)).await;
    assert!(q["items"].as_array().unwrap().is_empty(), "{q}");
    let (s, _) = post(
        &app,
        "li.officer",
        &format!("/transfers/{tid}/approve"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, a) = post(
        &app,
        "zhang.head",
        &format!("/transfers/{tid}/approve"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["case_status"], "transferred");
    // The letter was issued with the approval.
    let li = app.token("li.officer").await;
    let (_, docs) = app.get(&format!("/cases/{id}/documents"), Some(&li)).await;
    let letter = docs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "criminal_transfer_letter")
        .expect("the letter")
        .clone();
    let r = app
        .client
        .get(app.url(&format!(
            "/documents/{}/pdf",
            letter["id"].as_str().unwrap()
        )))
        .bearer_auth(&li)
        .send()
        .await
        .unwrap();
    let text: String = pdf_extract::extract_text_from_mem(&r.bytes().await.unwrap())
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains("涉嫌犯罪案件移送书")
            && text.contains("昆明市公安局五华分局")
            && text.contains("第二十七条"),
        "{text}"
    );
    // Transferred: the file takes no more steps.
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/investigation-report"),
        json!({"findings": "x", "outcome": "not_established"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("case_closed"))
    );
    // The police see and accept it; another department does not see it.
    let (_, q) = app
        .get("/transfers?direction=incoming&status=sent", Some(&liu))
        .await;
    assert_eq!(q["items"][0]["id"], tid.as_str());
    let (s, _) = post(
        &app,
        "sun.officer",
        &format!("/transfers/{tid}/accept"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, t) = post(
        &app,
        "liu.police",
        &format!("/transfers/{tid}/accept"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["status"], "accepted");
    let (s, _) = post(
        &app,
        "liu.police",
        &format!("/transfers/{tid}/accept"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, out) = app.get("/transfers?direction=outgoing", Some(&li)).await;
    assert_eq!(out["items"][0]["status"], "accepted");
    // Every step is in the chain, which verifies.
    let (_, v) = app
        .get(&format!("/cases/{id}/records/verify"), Some(&li))
        .await;
    assert_eq!(v["valid"], true);
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&li)).await;
    let actions: Vec<&str> = rec["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "case.filed",
            "case.filing_approved",
            "case.transfer_requested",
            "case.transferred",
            "transfer.accepted"
        ]
    );
}

async fn a_returned_transfer_reopens_the_case(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let other = app.department("530103-scjgj").await;
    app.add_user_direct("pl.officer", "530103-scjgj", &[zhifa::auth::Role::Officer])
        .await;
    let (s, r) = post(&app, "li.officer", &format!("/cases/{id}/transfers"), json!({"kind": "jurisdiction", "to_department_id": other, "reason": "违法行为发生地在盘龙区"})).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let tid = r["body"]["transfer_id"].as_str().unwrap().to_string();
    let (s, _) = post(
        &app,
        "zhang.head",
        &format!("/transfers/{tid}/approve"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, b) = post(
        &app,
        "pl.officer",
        &format!("/transfers/{tid}/return"),
        json!({"reason": " "}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    // The 案件移送函 was issued with the approval.
    let li = app.token("li.officer").await;
    let (_, docs) = app.get(&format!("/cases/{id}/documents"), Some(&li)).await;
    let letter = docs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "transfer_letter")
        .expect("案件移送函")
        .clone();
    let r = app
        .client
        .get(app.url(&format!(
            "/documents/{}/pdf",
            letter["id"].as_str().unwrap()
        )))
        .bearer_auth(&li)
        .send()
        .await
        .unwrap();
    let text: String = pdf_extract::extract_text_from_mem(&r.bytes().await.unwrap())
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains("案件移送函")
            && text.contains("盘龙区市场监督管理局")
            && text.contains("违法行为发生地在盘龙区")
            && text.contains("第二十二条"),
        "{text}"
    );
    let (s, t) = post(
        &app,
        "pl.officer",
        &format!("/transfers/{tid}/return"),
        json!({"reason": "经核实违法行为发生地在五华区，不属本局管辖"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["status"], "returned");
    // Back where it stood, and writable again.
    let li = app.token("li.officer").await;
    let (_, c) = app.get(&format!("/cases/{id}"), Some(&li)).await;
    assert_eq!(c["status"], "filed");
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/investigation-report"),
        json!({"findings": "违法事实不能成立。", "outcome": "not_established"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}
