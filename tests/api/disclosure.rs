//! 行政执法公示: a served decision queued, prepared by an officer of the
//! case, released by a head and published masked; a warning-only decision
//! not; a revoked one withdrawn; an entry past its display period gone from
//! the public list; an overdue one a warning and a task. The clock moves by
//! restarting the service "later" (`ZHIFA_CLOCK`).

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{get_ok, post_as, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_served_decision_is_published_masked_then_withdrawn_then_gone,
    an_unreleased_publication_is_a_warning_and_a_task,
    publication_endpoints_check_role_and_department,
    a_department_discloses_items_officers_procedures_and_remedies,
);

const ID_NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13800138000";

fn now() -> String {
    Utc::now().to_rfc3339()
}

async fn ok(app: &TestApp, user: &str, path: &str, body: Value) -> Value {
    let (s, b) = post_as(app, user, path, body).await;
    assert!(s.is_success(), "{path}: {s} {b}");
    b
}

/// A natural person's general-procedure case under MR-FS-007 (未取得健康
/// 证明的人员从事接触直接入口食品的工作), decided with `penalties` and
/// served: the case's id and the decision.
async fn served(app: &TestApp, penalties: Value, fine: Option<i64>) -> (String, Value) {
    let t = app.token("li.officer").await;
    let mut body = app.case_body().await;
    body["enforcement_item_code"] = json!("MR-FS-007");
    body["party"] = json!({
        "kind": "person", "name": "赵某某", "id_type": "id_card", "id_number": ID_NUMBER,
        "address": "昆明市五华区华山西路1号3栋502室", "phone": PHONE
    });
    body["facts"] = json!(format!("当事人赵某某（身份证号{ID_NUMBER}，电话{PHONE}）经营的餐馆安排未取得健康证明的人员从事接触直接入口食品的工作。"));
    let (s, c) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    app.approve_filing(&id).await;
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    ok(app, "li.officer", &format!("/cases/{id}/records/onsite"), json!({
        "started_at": (Utc::now() - Duration::hours(3)).to_rfc3339(),
        "ended_at": (Utc::now() - Duration::hours(2)).to_rfc3339(),
        "place": "昆明市五华区华山西路1号后厨", "officer_ids": [li, wang],
        "content": "执法人员出示执法证件后进行检查，后厨一名员工未取得健康证明。", "party_signed": true
    })).await;
    // The decision document explains its discretion, a warning's too.
    ok(
        app,
        "li.officer",
        &format!("/cases/{id}/discretion"),
        json!({"facts": {"refused_correction": true, "harm": "minor"}, "proposed_fine_fen": fine}),
    )
    .await;
    let mut report = json!({"findings": format!("当事人赵某某（电话{PHONE}）安排未取得健康证明的人员从事接触直接入口食品的工作，经责令改正拒不改正。"),
        "outcome": "penalty", "penalties": penalties});
    if fine.is_some() {
        report["tier"] = json!("lighter");
    }
    ok(
        app,
        "li.officer",
        &format!("/cases/{id}/investigation-report"),
        report,
    )
    .await;
    ok(
        app,
        "li.officer",
        &format!("/cases/{id}/notice"),
        json!({"served_at": now(), "method": "direct"}),
    )
    .await;
    ok(
        app,
        "li.officer",
        &format!("/cases/{id}/statements"),
        json!({"received_at": now(), "waived": true}),
    )
    .await;
    let dec = ok(
        app,
        "zhang.head",
        &format!("/cases/{id}/decision"),
        json!({"outcome": "penalty", "penalties": penalties}),
    )
    .await;
    ok(app, "li.officer", &format!("/cases/{id}/service"),
        json!({"document_id": dec["id"], "method": "direct", "served_at": dec["at"], "recipient": "赵某某"})).await;
    (id, dec)
}

pub async fn fined(app: &TestApp) -> (String, Value) {
    served(
        app,
        json!([{"type": "fine", "amount_fen": 600_000}]),
        Some(600_000),
    )
    .await
}

async fn queue(app: &TestApp, user: &str) -> Vec<Value> {
    get_ok(app, user, "/publications").await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn public(app: &TestApp, query: &str) -> (StatusCode, Value) {
    app.get(&format!("/public/decisions{query}"), None).await
}

/// Nothing that identifies the person: no ID number, phone, full name or
/// home address anywhere in the text.
fn assert_masked(text: &str) {
    for secret in [ID_NUMBER, PHONE, "赵某某", "华山西路", "502"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

async fn public_pdf_text(app: &TestApp, number: &str) -> String {
    let r = app
        .client
        .get(app.url(&format!("/public/decisions/{number}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap().to_vec();
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("text of the PDF");
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

async fn a_served_decision_is_published_masked_then_withdrawn_then_gone(app: TestApp) {
    let t0 = Utc::now();
    let (id, dec) = fined(&app).await;
    let number = dec["body"]["number"].as_str().unwrap().to_string();
    // Queued by the service, due 7 working days after the decision, with the case's deadline.
    let q = queue(&app, "li.officer").await;
    assert_eq!(q.len(), 1, "{q:?}");
    let p = q[0].clone();
    let pid = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["status"], "pending");
    assert_eq!(p["decision_number"], number.as_str());
    assert_eq!(p["summary"]["party_name"], "赵**");
    let c = get_ok(&app, "li.officer", &format!("/cases/{id}")).await;
    let deadline = c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "publication")
        .cloned()
        .expect("publication deadline");
    assert_eq!(deadline["due_on"], p["due_on"]);
    assert!(deadline["basis"].as_str().unwrap().contains("第九条"));
    // Not public before a head releases it.
    let (s, list) = public(&app, "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"], json!([]));
    let (s, b) = post_as(
        &app,
        "zhang.head",
        &format!("/publications/{pid}/release"),
        json!(null),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("transition_not_allowed")),
        "{b}"
    );
    // The officer prepares: only redactions, inside the facts.
    let (s, b) = post_as(
        &app,
        "li.officer",
        &format!("/publications/{pid}/summary"),
        json!({"redactions": [{"start": 3, "end": 9999}]}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("第六条"), "{b}");
    let (s, b) = post_as(
        &app,
        "li.officer",
        &format!("/publications/{pid}/summary"),
        json!({"redactions": [], "party_name": "赵某某"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_field")),
        "{b}"
    );
    let prepared = ok(
        &app,
        "li.officer",
        &format!("/publications/{pid}/summary"),
        json!({"redactions": [{"start": 0, "end": 3}]}),
    )
    .await;
    assert_eq!(prepared["status"], "prepared");
    assert!(
        prepared["summary"]["facts"]
            .as_str()
            .unwrap()
            .starts_with("＊＊＊"),
        "{prepared}"
    );
    // The head's task, then the release.
    let tasks = get_ok(&app, "zhang.head", "/me/tasks").await;
    assert!(
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "publication_release"),
        "{tasks}"
    );
    let released = ok(
        &app,
        "zhang.head",
        &format!("/publications/{pid}/release"),
        json!(null),
    )
    .await;
    assert_eq!(released["status"], "released");
    // A 6,000-yuan fine is below the "low" amount: displayed 3 months.
    let until: chrono::NaiveDate = released["display_until"].as_str().unwrap().parse().unwrap();
    let today = zhifa::clock::china_date(Utc::now());
    assert!(
        until > today + Duration::days(85) && until < today + Duration::days(95),
        "{until}"
    );
    let c = get_ok(&app, "li.officer", &format!("/cases/{id}")).await;
    assert!(
        c["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "publication" && d["status"] == "met"),
        "{c}"
    );
    let records = get_ok(&app, "li.officer", &format!("/cases/{id}/records")).await;
    let actions: Vec<&str> = records["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"publication.prepared") && actions.contains(&"publication.released"),
        "{actions:?}"
    );

    // Public: masked, filterable, paged.
    let (s, list) = public(&app, "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_masked(&list.to_string());
    let item = &list["items"][0];
    assert_eq!(item["summary"]["party_name"], "赵**");
    assert_eq!(item["summary"]["party_uscc"], Value::Null);
    assert_eq!(item["withdrawn"], false);
    assert!(
        item["summary"]["basis"]
            .as_str()
            .unwrap()
            .contains("第一百二十六条"),
        "{item}"
    );
    let dept = c["department_id"].as_str().unwrap();
    let other = app.department("530100-sthjj").await;
    assert_eq!(
        public(&app, &format!("?department_id={dept}")).await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        public(&app, &format!("?department_id={other}")).await.1["items"],
        json!([])
    );
    assert_eq!(
        public(&app, "?item_code=MR-FS-007").await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        public(&app, "?item_code=MR-FS-001").await.1["items"],
        json!([])
    );
    assert_eq!(
        public(&app, &format!("?from={}", today + Duration::days(1)))
            .await
            .1["items"],
        json!([])
    );
    let (s, b) = public(&app, "?limit=0").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = public(&app, "?nonsense=1").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, one) = app.get(&format!("/public/decisions/{number}"), None).await;
    assert_eq!(s, StatusCode::OK, "{one}");
    assert_masked(&one.to_string());
    let text = public_pdf_text(&app, &number).await;
    assert!(
        text.contains("行政处罚决定信息公示") && text.contains(&number),
        "{text}"
    );
    assert!(text.contains("赵**"), "{text}");
    assert_masked(&text);

    // A warning-only decision is not published (Order 45 Art 2).
    served(&app, json!([{"type": "warning"}]), None).await;
    assert_eq!(queue(&app, "li.officer").await.len(), 1);

    // Revoked on reconsideration: withdrawn with the reason, within 3 working days.
    let r = ok(
        &app,
        "li.officer",
        &format!("/cases/{id}/remedies"),
        json!({"kind": "reconsideration", "filed_at": now(), "organ": "五华区人民政府"}),
    )
    .await;
    let app = app.restart_at(t0 + Duration::days(20)).await;
    ok(
        &app,
        "li.officer",
        &format!("/cases/{id}/remedies/{}/result", r["id"].as_str().unwrap()),
        json!({"result": "revoked", "decided_at": (t0 + Duration::days(19)).to_rfc3339()}),
    )
    .await;
    let (s, one) = app.get(&format!("/public/decisions/{number}"), None).await;
    assert_eq!(s, StatusCode::OK, "{one}");
    assert_eq!(one["withdrawn"], true);
    assert!(
        one["withdrawal_reason"].as_str().unwrap().contains("撤销"),
        "{one}"
    );
    let withdrawn_on: chrono::NaiveDate = one["withdrawn_on"].as_str().unwrap().parse().unwrap();
    assert!(withdrawn_on <= zhifa::clock::china_date(t0 + Duration::days(20)));
    assert_eq!(public(&app, "").await.1["items"][0]["withdrawn"], true);
    let text = public_pdf_text(&app, &number).await;
    assert!(text.contains("已撤回"), "{text}");

    // After the display period: off the public list, kept for the department.
    let app = app.restart_at(t0 + Duration::days(100)).await;
    assert_eq!(public(&app, "").await.1["items"], json!([]));
    let (s, _) = app.get(&format!("/public/decisions/{number}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let kept = get_ok(&app, "li.officer", &format!("/publications/{pid}")).await;
    assert_eq!(kept["status"], "withdrawn");
}

async fn an_unreleased_publication_is_a_warning_and_a_task(app: TestApp) {
    let t0 = Utc::now();
    let (id, _) = fined(&app).await;
    let tasks = get_ok(&app, "li.officer", "/me/tasks").await;
    assert!(
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "publication_due" && t["case_id"] == id.as_str()),
        "{tasks}"
    );
    let app = app.restart_at(t0 + Duration::days(20)).await;
    let w = get_ok(&app, "li.officer", &format!("/cases/{id}/warnings")).await;
    let overdue = w["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "publication_overdue")
        .cloned();
    assert!(overdue.is_some(), "{w}");
    let tasks = get_ok(&app, "li.officer", "/me/tasks").await;
    assert!(
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "publication_due" && t["overdue"] == true),
        "{tasks}"
    );
}

async fn publication_endpoints_check_role_and_department(app: TestApp) {
    let (_, _) = fined(&app).await;
    let pid = queue(&app, "li.officer").await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.add_user("qian.officer", "530102-scjgj", &["officer"], None)
        .await;
    app.add_user_direct("other.head", "530100-sthjj", &[zhifa::auth::Role::Head])
        .await;
    let prepare = format!("/publications/{pid}/summary");
    let release = format!("/publications/{pid}/release");
    let body = json!({"redactions": []});
    // No token: 401 on every officer-side endpoint.
    for path in ["/publications".to_string(), format!("/publications/{pid}")] {
        assert_eq!(app.get(&path, None).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.post_json(&prepare, None, &body).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Another department: not revealed.
    for user in ["sun.officer", "other.head"] {
        let t = app.token(user).await;
        assert_eq!(
            app.get(&format!("/publications/{pid}"), Some(&t)).await.0,
            StatusCode::NOT_FOUND,
            "{user}"
        );
        assert_eq!(
            app.get("/publications", Some(&t)).await.1["items"],
            json!([]),
            "{user}"
        );
        assert_eq!(
            post_as(&app, user, &prepare, body.clone()).await.0,
            StatusCode::NOT_FOUND,
            "{user}"
        );
        assert_eq!(
            post_as(&app, user, &release, json!(null)).await.0,
            StatusCode::NOT_FOUND,
            "{user}"
        );
    }
    // Wrong role: an auxiliary, a reviewer and an admin prepare nothing; an
    // officer not on the case neither; officers release nothing.
    for user in ["zhou.aux", "chen.reviewer", "admin"] {
        assert_eq!(
            post_as(&app, user, &prepare, body.clone()).await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
        assert_eq!(
            post_as(&app, user, &release, json!(null)).await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    assert_eq!(
        app.get("/publications", Some(&app.token("admin").await))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_as(&app, "qian.officer", &prepare, body.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    ok(&app, "wang.officer", &prepare, body.clone()).await;
    assert_eq!(
        post_as(&app, "li.officer", &release, json!(null)).await.0,
        StatusCode::FORBIDDEN
    );
    // The region's supervisor reads the queue, and changes nothing.
    let sup = get_ok(&app, "zhao.supervisor", "/publications").await;
    assert_eq!(sup["items"].as_array().unwrap().len(), 1, "{sup}");
    assert_eq!(
        post_as(&app, "zhao.supervisor", &release, json!(null))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    ok(&app, "zhang.head", &release, json!(null)).await;
    let (s, b) = post_as(&app, "zhang.head", &release, json!(null)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, b) = post_as(&app, "li.officer", &prepare, body).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
}

async fn a_department_discloses_items_officers_procedures_and_remedies(app: TestApp) {
    let dept = app.department("530102-scjgj").await;
    let (s, d) = app.get(&format!("/public/departments/{dept}"), None).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["name"], "五华区市场监督管理局");
    assert!(
        d["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "MR-FS-007"),
        "{d}"
    );
    let li = d["officers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["certificate_number"] == "53010221001")
        .cloned()
        .expect("li's certificate");
    assert_eq!(
        li,
        json!({"name": "李明", "certificate_number": "53010221001", "fields": ["market_regulation"]})
    );
    // Officers only: no auxiliary, no head, no reviewer; nothing but the three fields.
    let text = d.to_string();
    for absent in ["li.officer", "zhou.aux", "user_id", "valid_until"] {
        assert!(!text.contains(absent), "{absent} in {text}");
    }
    assert!(d["procedures"].as_array().unwrap().len() >= 2);
    let remedies = d["remedy_channels"].as_array().unwrap();
    assert_eq!(remedies.len(), 2);
    assert_eq!(remedies[0]["organ"], "五华区人民政府");
    let (s, _) = app.get("/public/departments/nope", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
