//! The case workflow of the Administrative Penalty Law, end to end through
//! the API: every step, every guard refused with its code, the clock moved
//! by restarting the service "later" (`ZHIFA_CLOCK`).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    general_procedure_end_to_end,
    simplified_procedure_on_the_spot,
    first_violation_no_penalty_case,
    terminated_case_takes_no_more_steps,
    suspension_stops_the_ninety_day_clock,
    order_violations_are_refused,
    role_and_department_violations_are_refused,
    notice_statement_and_hearing_guards,
    review_and_discussion_guards,
    service_and_payment_guards,
    decision_period_and_extensions,
    parallel_approvals_one_success_and_stale_versions,
    a_case_keeps_the_rule_profile_of_its_filing_day,
    an_instalment_plan_pauses_the_surcharge,
    remedies_pause_the_surcharge_and_a_revocation_ends_it,
    recusal_and_reassignment,
    excluded_periods_are_checked_and_move_the_decision_day,
    court_enforcement_only_inside_its_window,
    on_the_spot_collection_within_its_limits,
    every_step_checks_department_and_role,
    reviews_and_services_wait_on_the_workbench,
);

/// A person, so that a 70,000-yuan fine gives a hearing right (≥ 10,000),
/// needs legality review (≥ 10,000) and collective discussion (≥ 50,000).
pub async fn person_case(app: &TestApp) -> String {
    let t = app.token("li.officer").await;
    let mut body = app.case_body().await;
    body["party"] = json!({
        "kind": "person", "name": "赵某某", "id_type": "id_card",
        "id_number": "11010519491231002X", "address": "昆明市五华区华山西路1号",
        "phone": "13800138000"
    });
    let (s, c) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    app.approve_filing(&id).await;
    id
}

async fn organization_case(app: &TestApp) -> String {
    app.file_case().await["id"].as_str().unwrap().to_string()
}

async fn post(app: &TestApp, user: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let t = app.token(user).await;
    app.post_json(path, Some(&t), body).await
}

/// `POST /cases/{id}/{step}` as `user`.
async fn step(app: &TestApp, user: &str, id: &str, what: &str, body: Value) -> (StatusCode, Value) {
    post(app, user, &format!("/cases/{id}/{what}"), &body).await
}

/// A step that must succeed.
async fn ok(app: &TestApp, user: &str, id: &str, what: &str, body: Value) -> Value {
    let (s, b) = step(app, user, id, what, body).await;
    assert_eq!(s, StatusCode::CREATED, "{what}: {b}");
    b
}

/// A refusal with its status and code (and the article where given).
fn refused(s: StatusCode, b: &Value, status: StatusCode, code: &str, article: Option<&str>) {
    assert_eq!(s, status, "{code}: {b}");
    assert_eq!(b["code"], code, "{b}");
    if let Some(a) = article {
        assert!(b["detail"].as_str().unwrap_or("").contains(a), "{a} in {b}");
    }
}

fn ago(h: i64) -> String {
    (Utc::now() - Duration::hours(h)).to_rfc3339()
}

async fn onsite(app: &TestApp, id: &str) {
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    let now = Utc::now();
    let body = json!({
        "started_at": (now - Duration::hours(3)).to_rfc3339(),
        "ended_at": (now - Duration::hours(2)).to_rfc3339(),
        "place": "昆明市五华区华山西路1号后厨",
        "officer_ids": [li, wang],
        "content": "执法人员出示执法证件后进行检查，现场未见食品经营许可证。",
        "party_opinion": "情况属实。",
        "party_signed": true
    });
    ok(app, "li.officer", id, "records/onsite", body).await;
}

async fn lookup(app: &TestApp, id: &str, fine: i64) {
    let (s, b) = step(app, "li.officer", id, "discretion", json!({"facts": {"goods_value_fen": 500_000, "harm": "ordinary"}, "proposed_fine_fen": fine})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

fn fine(amount: i64) -> Value {
    json!({"findings": "当事人未取得食品经营许可从事餐饮服务，货值5000元。", "outcome": "penalty",
        "penalties": [{"type": "fine", "amount_fen": amount}], "tier": "general"})
}

/// Filed, evidence, lookup and report of a 70,000-yuan fine.
async fn reported(app: &TestApp, person: bool) -> String {
    let id = if person {
        person_case(app).await
    } else {
        organization_case(app).await
    };
    onsite(app, &id).await;
    lookup(app, &id, 7_000_000).await;
    ok(
        app,
        "li.officer",
        &id,
        "investigation-report",
        fine(7_000_000),
    )
    .await;
    id
}

/// The shortest way to a decision: an organisation case whose violation is
/// not established, decided without penalty. The case's id and the decision.
async fn decided_not_established(app: &TestApp) -> (String, Value) {
    let id = organization_case(app).await;
    ok(
        app,
        "li.officer",
        &id,
        "investigation-report",
        json!({"findings": "违法事实不能成立", "outcome": "not_established"}),
    )
    .await;
    let dec = ok(
        app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "no_penalty", "reason": "违法事实不能成立"}),
    )
    .await;
    (id, dec)
}

/// A notice handed over now (after the report it notifies).
fn notice_now() -> Value {
    json!({"served_at": ago(0), "method": "direct"})
}

fn checklist(pass: bool) -> Value {
    let mut c = serde_json::Map::new();
    for k in [
        "subject",
        "procedure",
        "facts_evidence",
        "law_application",
        "discretion",
        "documents",
        "crime_transfer",
        "other",
    ] {
        c.insert(k.into(), json!({"passed": true, "note": null}));
    }
    if !pass {
        c.insert(
            "discretion".into(),
            json!({"passed": false, "note": "裁量说明未写明货值认定依据"}),
        );
    }
    Value::Object(c)
}

async fn opinion(
    app: &TestApp,
    user: &str,
    review_id: &str,
    outcome: &str,
    pass: bool,
) -> (StatusCode, Value) {
    let body = json!({"outcome": outcome, "checklist": checklist(pass), "opinion": if outcome == "approve" { Value::Null } else { json!("请补充货值认定依据后重新报送") }});
    post(app, user, &format!("/reviews/{review_id}/opinion"), &body).await
}

async fn case(app: &TestApp, id: &str) -> Value {
    let t = app.token("li.officer").await;
    let (s, c) = app.get(&format!("/cases/{id}"), Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    c
}

fn deadline(c: &Value, kind: &str) -> Option<NaiveDate> {
    c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind)
        .map(|d| d["due_on"].as_str().unwrap().parse().unwrap())
}

/// A simplified-procedure fine of `fine_fen`, decided on the spot and
/// served at once: the case's id.
async fn served_simplified_fine(app: &TestApp, fine_fen: i64) -> String {
    let t = app.token("li.officer").await;
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    let (s, c) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let dec = ok(app, "li.officer", &id, "decision", json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": fine_fen}], "form_number": "No.1", "party_informed": true})).await;
    ok(app, "li.officer", &id, "service", json!({"document_id": dec["id"], "method": "direct", "served_at": dec["at"], "recipient": "赵某"})).await;
    id
}

async fn second_head(app: &TestApp) -> String {
    app.add_user("qian.head", "530102-scjgj", &["head"], None)
        .await
}

async fn general_procedure_end_to_end(app: TestApp) {
    let t0: DateTime<Utc> = Utc::now();
    let id = person_case(&app).await;
    // Evidence (Art 46) and an on-site record (Art 55).
    let form = reqwest::multipart::Form::new()
        .part("meta", reqwest::multipart::Part::text(json!({"kind": "documentary", "title": "营业场所照片及菜单", "collected_at": ago(2), "location": "昆明市五华区华山西路1号"}).to_string()).mime_str("application/json").unwrap())
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4 menu".to_vec()).file_name("menu.pdf").mime_str("application/pdf").unwrap());
    let r = app
        .client
        .post(app.url(&format!("/cases/{id}/evidence")))
        .bearer_auth(app.token("li.officer").await)
        .multipart(form);
    let (s, e) = app.send(r).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    onsite(&app, &id).await;
    lookup(&app, &id, 7_000_000).await;
    let r = ok(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        fine(7_000_000),
    )
    .await;
    assert_eq!(r["case_status"], "report_submitted");
    assert_eq!(r["body"]["assessment"]["verdict"], "within_tier");
    assert!(!r["body"]["assessment"]["hearing_reasons"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!r["body"]["assessment"]["legal_review_reasons"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!r["body"]["assessment"]["collective_discussion_reasons"]
        .as_array()
        .unwrap()
        .is_empty());
    // Notice (Art 44): the statement and hearing-request deadlines appear.
    let n = ok(&app, "li.officer", &id, "notice", notice_now()).await;
    assert_eq!(n["body"]["hearing_right"], true);
    let c = case(&app, &id).await;
    assert!(
        deadline(&c, "statement").is_some() && deadline(&c, "hearing_request").is_some(),
        "{c}"
    );
    ok(
        &app,
        "li.officer",
        &id,
        "hearing-request",
        json!({"requested_at": ago(0)}),
    )
    .await;

    // Three weeks later: the hearing, notified more than 7 working days before.
    let app = app.restart_at(t0 + Duration::days(30)).await;
    let head = app.user_id("zhang.head").await;
    let li_id = app.user_id("li.officer").await;
    // The hearing notice: 7 working days ahead, a non-investigator presiding.
    let (s, b) = step(&app, "li.officer", &id, "hearing/notice", json!({
        "served_at": (t0 + Duration::days(1)).to_rfc3339(), "hearing_at": (t0 + Duration::days(4)).to_rfc3339(),
        "place": "五华区市场监管局听证室", "presiding_officer_id": head
    })).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "hearing_notice_too_short",
        Some("第六十四条"),
    );
    let (s, b) = step(&app, "li.officer", &id, "hearing/notice", json!({
        "served_at": (t0 + Duration::days(1)).to_rfc3339(), "hearing_at": (t0 + Duration::days(28)).to_rfc3339(),
        "place": "五华区市场监管局听证室", "presiding_officer_id": li_id
    })).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "presiding_officer_is_investigator",
        None,
    );
    ok(&app, "li.officer", &id, "hearing/notice", json!({
        "served_at": (t0 + Duration::days(1)).to_rfc3339(), "hearing_at": (t0 + Duration::days(28)).to_rfc3339(),
        "place": "五华区市场监管局听证室", "presiding_officer_id": head
    })).await;
    let h = ok(&app, "li.officer", &id, "hearing", json!({
        "notified_at": (t0 + Duration::days(1)).to_rfc3339(), "held_at": (t0 + Duration::days(28)).to_rfc3339(),
        "place": "五华区市场监管局听证室", "presiding_officer_id": head, "public": true, "party_attended": true
    })).await;
    assert_eq!(h["case_status"], "hearing_held");
    ok(
        &app,
        "li.officer",
        &id,
        "hearing/transcript",
        json!({"text": "听证笔录：当事人对违法事实无异议，请求从轻处罚。", "party_signed": true}),
    )
    .await;

    // Legality review, returned once.
    let sub = ok(&app, "li.officer", &id, "legal-review", json!(null)).await;
    let rid = sub["body"]["review_id"].as_str().unwrap().to_string();
    let chen = app.token("chen.reviewer").await;
    let (s, q) = app.get("/reviews?status=pending", Some(&chen)).await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let queued = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == rid.as_str())
        .expect("in the queue");
    assert_eq!(
        queued["proposal"]["report"]["penalties"][0]["amount_fen"],
        7_000_000
    );
    assert!(
        queued["proposal"]["discretion"]["explanation"].is_array(),
        "{queued}"
    );
    let (s, b) = opinion(&app, "chen.reviewer", &rid, "return", false).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["case_status"], "investigating");
    // A decision on the returned review is refused by Art 58 ¶1 (未经法制审核
    // 或者审核未通过的，不得作出决定), not by the state machine.
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "legal_review_required",
        Some("第五十八条"),
    );
    // A new report (lower fine) needs a new review; the diff shows the change.
    lookup(&app, &id, 6_800_000).await;
    ok(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        fine(6_800_000),
    )
    .await;
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 6_800_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "legal_review_required",
        Some("第五十八条"),
    );
    let sub = ok(&app, "li.officer", &id, "legal-review", json!(null)).await;
    let rid2 = sub["body"]["review_id"].as_str().unwrap().to_string();
    let (s, r2) = app.get(&format!("/reviews/{rid2}"), Some(&chen)).await;
    assert_eq!(s, StatusCode::OK, "{r2}");
    assert!(
        r2["diff"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["path"] == "report.penalties"
                && d["before"][0]["amount_fen"] == 7_000_000
                && d["after"][0]["amount_fen"] == 6_800_000),
        "{r2}"
    );
    let (s, b) = opinion(&app, "chen.reviewer", &rid2, "approve", true).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // Collective discussion: two heads, each confirming with their own account.
    let qian = second_head(&app).await;
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 6_800_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "collective_discussion_required",
        Some("第五十七条"),
    );
    let d = ok(
        &app,
        "zhang.head",
        &id,
        "collective-discussion",
        json!({
            "held_at": ago(-24 * 29), "attendee_ids": [head, qian], "conclusion": "同意罚款68000元",
            "dissent": [{"user_id": qian, "opinion": "建议按一般阶次中线处罚"}]
        }),
    )
    .await;
    let did = d["id"].as_str().unwrap();
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 6_800_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "collective_discussion_required",
        None,
    );
    ok(
        &app,
        "qian.head",
        &id,
        &format!("collective-discussion/{did}/confirmation"),
        json!({}),
    )
    .await;

    // The decision, by a head, with If-Match.
    let version = case(&app, &id).await["version"].as_i64().unwrap();
    let r = app.client.post(app.url(&format!("/cases/{id}/decision"))).bearer_auth(app.token("zhang.head").await)
        .header("If-Match", format!("\"{version}\"")).json(&json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 6_800_000}]}));
    let (s, dec) = app.send(r).await;
    assert_eq!(s, StatusCode::CREATED, "{dec}");
    assert_eq!(dec["case_version"], version + 1);
    let number = dec["body"]["number"].as_str().unwrap();
    assert!(
        number.starts_with("五市监罚〔") && number.ends_with("〕1号"),
        "{number}"
    );
    assert_eq!(dec["body"]["legal_review_id"], rid2.as_str());

    // Service (Art 61); the fine is due 15 days later (Art 67).
    // Handed over when it was pronounced (the service clock is 30 days on).
    let served_at: DateTime<Utc> = dec["at"].as_str().unwrap().parse().unwrap();
    ok(&app, "li.officer", &id, "service", json!({"document_id": dec["id"], "method": "direct", "served_at": served_at.to_rfc3339(), "recipient": "赵某某"})).await;
    let c = case(&app, &id).await;
    assert_eq!(c["status"], "served");
    let due = deadline(&c, "payment").expect("payment deadline");
    assert!(due >= served_at.date_naive() + Duration::days(15));

    // Forty days on: paid four days late, with the exact surcharge.
    let app = app.restart_at(t0 + Duration::days(75)).await;
    let late = due + Duration::days(4);
    let li = app.token("li.officer").await;
    let (s, fee) = app
        .get(&format!("/cases/{id}/late-fee?on={late}"), Some(&li))
        .await;
    assert_eq!(s, StatusCode::OK, "{fee}");
    // 3 % of 68,000 yuan a day = 2,040 yuan; 4 days = 8,160 yuan.
    assert_eq!(
        (fee["late_days"].as_i64(), fee["late_fee_fen"].as_i64()),
        (Some(4), Some(816_000)),
        "{fee}"
    );
    let paid_at = format!("{late}T02:00:00Z");
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "closure",
        json!({"reason": "未缴清"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_not_performed",
        None,
    );
    let p = ok(
        &app,
        "li.officer",
        &id,
        "payments",
        json!({"amount_fen": 6_800_000, "paid_at": paid_at, "receipt_number": "ZS-0001"}),
    )
    .await;
    assert_eq!(p["case_status"], "executing");
    let (s, fee) = app
        .get(
            &format!("/cases/{id}/late-fee?on={}", late + Duration::days(10)),
            Some(&li),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        fee["late_fee_fen"], 816_000,
        "the surcharge stops when the fine is paid: {fee}"
    );
    assert_eq!(fee["outstanding_fen"], 816_000);
    ok(
        &app,
        "li.officer",
        &id,
        "payments",
        json!({"amount_fen": 816_000, "paid_at": paid_at, "receipt_number": "ZS-0002"}),
    )
    .await;
    let c = ok(
        &app,
        "zhang.head",
        &id,
        "closure",
        json!({"reason": "罚款及加处罚款已缴清"}),
    )
    .await;
    assert_eq!(c["case_status"], "closed");
    let (s, a) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/archive"),
        &json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["case_status"], "archived");
    // Archived: every write refused.
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "statements",
        json!({"received_at": ago(0), "waived": true}),
    )
    .await;
    refused(s, &b, StatusCode::CONFLICT, "case_closed", None);
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "discretion",
        json!({"facts": {"goods_value_fen": 1}}),
    )
    .await;
    refused(s, &b, StatusCode::CONFLICT, "case_closed", None);
    // Archiving it again: the file is final (case_closed), not a path question.
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/archive"),
        &json!(null),
    )
    .await;
    refused(s, &b, StatusCode::CONFLICT, "case_closed", None);

    // The chain verifies, one entry per step.
    let (s, v) = app
        .get(&format!("/cases/{id}/records/verify"), Some(&li))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["valid"], true, "{v}");
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
            "evidence.added",
            "record.onsite",
            "discretion.attached",
            "case.report_submitted",
            "case.notified",
            "case.hearing_requested",
            "case.hearing_notified",
            "case.hearing_held",
            "case.hearing_transcript",
            "case.legal_review_submitted",
            "case.legal_review_decided",
            "discretion.attached",
            "case.report_submitted",
            "case.legal_review_submitted",
            "case.legal_review_decided",
            "case.collective_discussion",
            "case.collective_discussion_confirmed",
            "case.decided",
            "case.served",
            "case.payment",
            "case.payment",
            "case.closed",
            "case.archived",
        ]
    );
    assert_eq!(v["entries"], actions.len());

    // The documents the law needs, issued with their steps.
    let (_, docs) = app.get(&format!("/cases/{id}/documents"), Some(&li)).await;
    let docs = docs["items"].as_array().unwrap().clone();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            // Pending at filing, completed by the head's approval.
            "filing_approval",
            "filing_approval",
            "onsite_record",
            "penalty_notice",
            "hearing_notice",
            "hearing_transcript",
            "review_opinion",
            "review_opinion",
            "discussion_record",
            "penalty_decision",
            "service_receipt",
            "closure_approval",
        ]
    );
    for (i, needles) in [
        (4, vec!["听证通知书", "五华区市场监管局听证室", "张"]),
        (5, vec!["听证笔录", "当事人对违法事实无异议"]),
        (6, vec!["退回补充调查", "裁量说明未写明货值认定依据"]),
        (
            8,
            vec!["集体讨论记录", "同意罚款68000元", "建议按一般阶次中线处罚"],
        ),
        (9, vec!["人民币陆万捌仟元整", "68,000元", "依法举行了听证"]),
        (
            11,
            vec![
                "结案审批表",
                "已缴纳罚款68,000元、加处罚款8,160元",
                "负责人意见：",
                "负责人：张伟",
            ],
        ),
    ] {
        let r = app
            .client
            .get(app.url(&format!(
                "/documents/{}/pdf",
                docs[i]["id"].as_str().unwrap()
            )))
            .bearer_auth(&li)
            .send()
            .await
            .unwrap();
        let bytes = r.bytes().await.unwrap();
        let text: String = pdf_extract::extract_text_from_mem(&bytes)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for n in needles {
            assert!(text.contains(n), "{n} not in {}: {text}", kinds[i]);
        }
    }
}

async fn simplified_procedure_on_the_spot(app: TestApp) {
    let t = app.token("li.officer").await;
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    body["intended_fine_fen"] = json!(200_000);
    let (s, c) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap();
    let d = json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 200_000}], "form_number": "云市监当罚No.0012345", "party_informed": true});
    // Beyond Art 51 (3,000 yuan for an organisation): refused.
    let mut big = d.clone();
    big["penalties"][0]["amount_fen"] = json!(300_001);
    let (s, b) = step(&app, "li.officer", id, "decision", big).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "simplified_procedure_limit_exceeded",
        Some("第五十一条"),
    );
    let mut untold = d.clone();
    untold["party_informed"] = json!(false);
    let (s, b) = step(&app, "li.officer", id, "decision", untold).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "notice_required",
        Some("第四十四条"),
    );
    // An officer of the case decides on the spot, on the pre-numbered form.
    let dec = ok(&app, "li.officer", id, "decision", d).await;
    assert_eq!(dec["body"]["number"], "云市监当罚No.0012345");
    ok(&app, "li.officer", id, "service", json!({"document_id": dec["id"], "method": "direct", "served_at": ago(0), "recipient": "赵某"})).await;
    ok(
        &app,
        "li.officer",
        id,
        "payments",
        json!({"amount_fen": 200_000, "paid_at": ago(0)}),
    )
    .await;
    // Filed with the agency (备案) by the head's closure.
    ok(
        &app,
        "zhang.head",
        id,
        "closure",
        json!({"reason": "当场处罚，已缴纳，备案"}),
    )
    .await;
    assert_eq!(case(&app, id).await["status"], "closed");
}

async fn first_violation_no_penalty_case(app: TestApp) {
    let id = organization_case(&app).await;
    onsite(&app, &id).await;
    // 首违不罚: the lookup offers no penalty as an option.
    let (s, l) = step(&app, "li.officer", &id, "discretion", json!({"facts": {"goods_value_fen": 30_000, "harm": "minor", "first_violation": true, "corrected_promptly": true}})).await;
    assert_eq!(s, StatusCode::CREATED, "{l}");
    assert_eq!(l["result"]["outcome"], "no_penalty_optional", "{l}");
    ok(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        json!({"findings": "初次违法，货值300元，已当场改正。", "outcome": "no_penalty"}),
    )
    .await;
    // No notice of a penalty is needed; a head decides not to penalise.
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "decision",
        json!({"outcome": "no_penalty", "reason": "首违不罚"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an officer does not decide: {b}");
    let dec = ok(&app, "zhang.head", &id, "decision", json!({"outcome": "no_penalty", "reason": "符合首违不罚清单，依据行政处罚法第三十三条第一款不予行政处罚"})).await;
    assert!(
        dec["body"]["number"].as_str().unwrap().contains("不罚〔"),
        "{dec}"
    );
    ok(&app, "li.officer", &id, "service", json!({"document_id": dec["id"], "method": "direct", "served_at": ago(0), "recipient": "赵某"})).await;
    let c = ok(
        &app,
        "zhang.head",
        &id,
        "closure",
        json!({"reason": "不予处罚决定已送达"}),
    )
    .await;
    assert_eq!(c["case_status"], "closed");
}

async fn terminated_case_takes_no_more_steps(app: TestApp) {
    let id = reported(&app, false).await;
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "termination",
        json!({"reason": "当事人已注销"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let t = ok(
        &app,
        "zhang.head",
        &id,
        "termination",
        json!({"reason": "当事人营业执照已注销，主体资格消灭"}),
    )
    .await;
    assert_eq!(t["case_status"], "terminated");
    let (s, b) = step(&app, "li.officer", &id, "notice", notice_now()).await;
    refused(s, &b, StatusCode::CONFLICT, "case_closed", None);
    let c = case(&app, &id).await;
    let decision = c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "decision")
        .unwrap();
    assert_eq!(decision["status"], "cancelled");
    let (s, a) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/archive"),
        &json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
}

async fn suspension_stops_the_ninety_day_clock(app: TestApp) {
    let t0 = Utc::now();
    let id = reported(&app, false).await;
    let before = deadline(&case(&app, &id).await, "decision").unwrap();
    let s1 = ok(
        &app,
        "zhang.head",
        &id,
        "suspension",
        json!({"reason": "等待检验结果"}),
    )
    .await;
    assert_eq!(s1["case_status"], "suspended");
    // Suspended: no step but resumption or termination.
    let (s, b) = step(&app, "li.officer", &id, "notice", notice_now()).await;
    refused(s, &b, StatusCode::CONFLICT, "transition_not_allowed", None);
    // Twenty days later it resumes where it stood; the decision day moves by them.
    let app = app.restart_at(t0 + Duration::days(20)).await;
    let r = ok(
        &app,
        "zhang.head",
        &id,
        "resumption",
        json!({"reason": "检验报告已出具"}),
    )
    .await;
    assert_eq!(r["case_status"], "report_submitted");
    let after = deadline(&case(&app, &id).await, "decision").unwrap();
    let moved = (after - before).num_days();
    // 20 suspended days (a rest-day end may add one or two).
    assert!((20..=23).contains(&moved), "{before} → {after}");
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "resumption",
        json!({"reason": "again"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_suspended",
        None,
    );
}

async fn order_violations_are_refused(app: TestApp) {
    let id = organization_case(&app).await;
    // Decision straight after filing.
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::CONFLICT,
        "transition_not_allowed",
        Some("第四十四条"),
    );
    // A penalty report without evidence (Art 40), without a lookup, outside the law.
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        fine(7_000_000),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "evidence_missing",
        Some("第四十条"),
    );
    onsite(&app, &id).await;
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        fine(7_000_000),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "discretion_not_applied",
        None,
    );
    lookup(&app, &id, 7_000_000).await;
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        fine(20_000_000),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "fine_outside_law",
        Some("第七十六条"),
    );
    let mut revoke = fine(7_000_000);
    revoke["penalties"] =
        json!([{"type": "fine", "amount_fen": 7_000_000}, {"type": "revoke_license"}]);
    let (s, b) = step(&app, "li.officer", &id, "investigation-report", revoke).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "penalty_type_not_provided",
        Some("第三十八条"),
    );
    ok(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        fine(7_000_000),
    )
    .await;
    // Decision before the notice (Art 44, 62).
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "notice_required",
        Some("第六十二条"),
    );
    // Service before the decision.
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "service",
        json!({"document_id": "x", "method": "direct", "served_at": ago(0), "recipient": "赵某"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::CONFLICT,
        "transition_not_allowed",
        Some("第六十一条"),
    );
    // Closure and archive of an open case.
    let (s, b) = step(&app, "zhang.head", &id, "closure", json!({"reason": "x"})).await;
    refused(s, &b, StatusCode::CONFLICT, "transition_not_allowed", None);
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/archive"),
        &json!(null),
    )
    .await;
    refused(s, &b, StatusCode::CONFLICT, "transition_not_allowed", None);
    // Payment before service.
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "payments",
        json!({"amount_fen": 100, "paid_at": ago(0)}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_not_served",
        None,
    );
    // Nothing half-written: the refused steps left no trace in the chain.
    let li = app.token("li.officer").await;
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&li)).await;
    assert_eq!(rec["items"].as_array().unwrap().len(), 5, "{rec}");
}

async fn role_and_department_violations_are_refused(app: TestApp) {
    let id = reported(&app, false).await;
    ok(&app, "li.officer", &id, "notice", notice_now()).await;
    // An unattached auxiliary does not see the case.
    let (s, _) = step(
        &app,
        "zhou.aux",
        &id,
        "decision",
        json!({"outcome": "no_penalty"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Officer deciding; reviewer and supervisor writing.
    for user in ["li.officer", "chen.reviewer", "zhao.supervisor"] {
        let (s, b) = step(
            &app,
            user,
            &id,
            "decision",
            json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{user}: {b}");
    }
    // Another department's officers do not see the case.
    let (s, _) = step(
        &app,
        "sun.officer",
        &id,
        "statements",
        json!({"received_at": ago(0), "waived": true}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = step(
        &app,
        "sun.officer",
        &id,
        "termination",
        json!({"reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let sun = app.token("sun.officer").await;
    let (s, _) = app.get(&format!("/cases/{id}/late-fee"), Some(&sun)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&format!("/cases/{id}/steps"), Some(&sun)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Heads only: collective discussion, extension, suspension, termination.
    let head = app.user_id("zhang.head").await;
    for (what, body) in [
        ("suspension", json!({"reason": "x"})),
        ("termination", json!({"reason": "x"})),
        ("extension", json!({"days": 10, "reason": "x"})),
        (
            "collective-discussion",
            json!({"held_at": ago(0), "attendee_ids": [head], "conclusion": "x"}),
        ),
    ] {
        let (s, b) = step(&app, "li.officer", &id, what, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{what}: {b}");
    }
    // The review queue: reviewers and heads only.
    let li = app.token("li.officer").await;
    assert_eq!(
        app.get("/reviews", Some(&li)).await.0,
        StatusCode::FORBIDDEN
    );
    let sub = ok(&app, "li.officer", &id, "legal-review", json!(null)).await;
    let rid = sub["body"]["review_id"].as_str().unwrap().to_string();
    // An officer gives no opinion; a reviewer of another department does not see it.
    let (s, _) = opinion(&app, "li.officer", &rid, "approve", true).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.add_user_direct(
        "pl.reviewer",
        "530103-scjgj",
        &[zhifa::auth::Role::LegalReviewer],
    )
    .await;
    let (s, _) = opinion(&app, "pl.reviewer", &rid, "approve", true).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let pl = app.token("pl.reviewer").await;
    let (_, q) = app.get("/reviews?status=pending", Some(&pl)).await;
    assert!(q["items"].as_array().unwrap().is_empty(), "{q}");
    let (s, _) = app.get(&format!("/reviews/{rid}"), Some(&pl)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // An unqualified reviewer's first review (Art 58 ¶2).
    app.add_user("new.reviewer", "530102-scjgj", &["legal_reviewer"], None)
        .await;
    let (s, b) = opinion(&app, "new.reviewer", &rid, "approve", true).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reviewer_not_qualified",
        Some("第五十八条第二款"),
    );
    // An investigator of the case reviewing: a reviewer who is also an officer on it.
    let area = app.department("530102").await;
    let dual = app.add_user("dual.reviewer", "530102-scjgj", &["officer", "legal_reviewer"], Some(json!({"number": "D1", "fields": ["market_regulation"], "area_department_id": area, "valid_from": "2024-01-01", "valid_until": "2035-12-31"}))).await;
    let li_id = app.user_id("li.officer").await;
    let mut body = app.case_body().await;
    body["officer_ids"] = json!([li_id, dual]);
    let (s, c2) = post(&app, "li.officer", "/cases", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c2}");
    let id2 = c2["id"].as_str().unwrap();
    app.approve_filing(id2).await;
    onsite(&app, id2).await;
    lookup(&app, id2, 7_000_000).await;
    ok(
        &app,
        "li.officer",
        id2,
        "investigation-report",
        fine(7_000_000),
    )
    .await;
    let sub = ok(&app, "li.officer", id2, "legal-review", json!(null)).await;
    let (s, b) = opinion(
        &app,
        "dual.reviewer",
        sub["body"]["review_id"].as_str().unwrap(),
        "approve",
        true,
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reviewer_is_investigator",
        None,
    );
}

async fn notice_statement_and_hearing_guards(app: TestApp) {
    let t0 = Utc::now();
    // An organisation fined 70,000 yuan: no hearing right (100,000).
    let org = reported(&app, false).await;
    ok(&app, "li.officer", &org, "notice", notice_now()).await;
    let (s, b) = step(
        &app,
        "li.officer",
        &org,
        "hearing-request",
        json!({"requested_at": ago(0)}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_hearing_right",
        Some("第六十三条"),
    );
    // Decision while the statement period runs (Art 62), then after a waiver.
    let (s, b) = step(
        &app,
        "zhang.head",
        &org,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "deadline_not_reached",
        Some("第六十二条"),
    );
    let (s, b) = step(
        &app,
        "li.officer",
        &org,
        "statements",
        json!({"received_at": ago(0)}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a statement has content: {b}");
    let (s, b) = step(
        &app,
        "li.officer",
        &org,
        "statements",
        json!({"received_at": ago(5), "content": "陈述意见"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "dates_out_of_order",
        None,
    );
    ok(
        &app,
        "li.officer",
        &org,
        "statements",
        json!({"received_at": ago(0), "waived": true}),
    )
    .await;
    // Heavier than notified (Art 45 ¶2); a new, heavier notice needs a reason.
    let (s, b) = step(
        &app,
        "zhang.head",
        &org,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_500_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "heavier_than_notified",
        Some("第四十五条"),
    );
    lookup(&app, &org, 7_500_000).await;
    ok(
        &app,
        "li.officer",
        &org,
        "investigation-report",
        fine(7_500_000),
    )
    .await;
    let (s, b) = step(&app, "li.officer", &org, "notice", notice_now()).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "heavier_penalty_needs_reason",
        Some("第四十五条"),
    );

    // A person: hearing right; the hearing's own guards.
    let id = reported(&app, true).await;
    ok(&app, "li.officer", &id, "notice", notice_now()).await;
    ok(
        &app,
        "li.officer",
        &id,
        "hearing-request",
        json!({"requested_at": ago(0)}),
    )
    .await;
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]}),
    )
    .await;
    // The rule that refuses is the hearing's (Art 63–65), not the path's.
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "hearing_pending",
        Some("第六十三条"),
    );
    // The party's case re-opens the investigation; a new, lighter notice
    // keeps the hearing request: the case still waits for the hearing.
    lookup(&app, &id, 6_800_000).await;
    ok(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        fine(6_800_000),
    )
    .await;
    let n = ok(&app, "li.officer", &id, "notice", notice_now()).await;
    assert_eq!(n["case_status"], "hearing_requested", "{n}");
    let late = reported(&app, true).await;
    ok(&app, "li.officer", &late, "notice", notice_now()).await;
    let app = app.restart_at(t0 + Duration::days(30)).await;
    let head = app.user_id("zhang.head").await;
    let li = app.user_id("li.officer").await;
    // Requested after 5 working days (Art 64 (1)).
    let (s, b) = step(
        &app,
        "li.officer",
        &late,
        "hearing-request",
        json!({"requested_at": ago(-24 * 29)}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "hearing_request_late",
        Some("第六十四条"),
    );
    let hearing = |notified: i64, held: i64, presiding: &str| {
        json!({
            "notified_at": (t0 + Duration::days(notified)).to_rfc3339(), "held_at": (t0 + Duration::days(held)).to_rfc3339(),
            "place": "听证室", "presiding_officer_id": presiding, "party_attended": true
        })
    };
    // Notified 3 days before.
    let (s, b) = step(&app, "li.officer", &id, "hearing", hearing(20, 23, &head)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "hearing_notice_too_short",
        Some("第六十四条"),
    );
    // Presided by an investigator.
    let (s, b) = step(&app, "li.officer", &id, "hearing", hearing(1, 28, &li)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "presiding_officer_is_investigator",
        Some("第六十四条"),
    );
    // Held in the future.
    let (s, b) = step(&app, "li.officer", &id, "hearing", hearing(1, 40, &head)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "date_in_future",
        None,
    );
    ok(&app, "li.officer", &id, "hearing", hearing(1, 28, &head)).await;
    // No decision without the transcript (Art 65).
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 6_800_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "transcript_missing",
        Some("第六十五条"),
    );
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "hearing/transcript",
        json!({"text": "笔录", "party_signed": false}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "refusal_note");
    ok(
        &app,
        "li.officer",
        &id,
        "hearing/transcript",
        json!({"text": "笔录", "party_signed": false, "refusal_note": "当事人拒绝签字"}),
    )
    .await;
    // Now the review (Art 58) is what is missing.
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 6_800_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "legal_review_required",
        Some("第五十八条"),
    );
}

async fn review_and_discussion_guards(app: TestApp) {
    let id = reported(&app, false).await;
    ok(&app, "li.officer", &id, "notice", notice_now()).await;
    ok(
        &app,
        "li.officer",
        &id,
        "statements",
        json!({"received_at": ago(0), "waived": true}),
    )
    .await;
    let sub = ok(&app, "li.officer", &id, "legal-review", json!(null)).await;
    let rid = sub["body"]["review_id"].as_str().unwrap().to_string();
    // A second submission while one is pending.
    let (s, b) = step(&app, "li.officer", &id, "legal-review", json!(null)).await;
    assert!(s == StatusCode::CONFLICT, "{b}");
    // The checklist: every item, failed items explained, approval only when all pass.
    let (s, b) = post(
        &app,
        "chen.reviewer",
        &format!("/reviews/{rid}/opinion"),
        &json!({"outcome": "approve", "checklist": {"subject": {"passed": true}}}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(
        b["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "checklist.procedure"),
        "{b}"
    );
    let (s, b) = opinion(&app, "chen.reviewer", &rid, "approve", false).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "checklist_incomplete",
        None,
    );
    let (s, b) = opinion(&app, "chen.reviewer", &rid, "reject", false).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // Rejected: the decision is refused; the case is back in investigation.
    assert_eq!(case(&app, &id).await["status"], "investigating");
    let (s, b) = opinion(&app, "chen.reviewer", &rid, "approve", true).await;
    refused(s, &b, StatusCode::CONFLICT, "review_not_pending", None);
    // Collective discussion: heads of the department only, enough of them, the recorder among them.
    ok(
        &app,
        "li.officer",
        &id,
        "investigation-report",
        fine(7_000_000),
    )
    .await;
    let head = app.user_id("zhang.head").await;
    let li = app.user_id("li.officer").await;
    let qian = second_head(&app).await;
    let disc = |att: Value| json!({"held_at": ago(0), "attendee_ids": att, "conclusion": "同意"});
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "collective-discussion",
        disc(json!([head, li])),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "attendee_not_head",
        Some("第五十七条"),
    );
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "collective-discussion",
        disc(json!([head])),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_few_attendees",
        None,
    );
    let (s, b) = step(
        &app,
        "qian.head",
        &id,
        "collective-discussion",
        disc(json!([head])),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_an_attendee",
        None,
    );
    let d = ok(
        &app,
        "zhang.head",
        &id,
        "collective-discussion",
        disc(json!([head, qian])),
    )
    .await;
    let did = d["id"].as_str().unwrap();
    // Only an attendee confirms, once.
    app.add_user("sun.head", "530102-scjgj", &["head"], None)
        .await;
    let (s, b) = step(
        &app,
        "sun.head",
        &id,
        &format!("collective-discussion/{did}/confirmation"),
        json!({}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_an_attendee",
        None,
    );
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        &format!("collective-discussion/{did}/confirmation"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
}

async fn service_and_payment_guards(app: TestApp) {
    let (id, dec) = decided_not_established(&app).await;
    let serve = |extra: Value| {
        let mut b = json!({"document_id": dec["id"], "method": "direct", "served_at": ago(0), "recipient": "赵某"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "service",
        serve(json!({"method": "electronic"})),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "service_method_not_allowed",
        Some("第六十一条"),
    );
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "service",
        serve(json!({"method": "left_at_residence", "witnesses": ["居委会王某"]})),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "service_method_not_allowed",
        None,
    );
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "service",
        serve(json!({"served_at": ago(24)})),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "dates_out_of_order",
        None,
    );
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "service",
        serve(json!({"served_at": ago(-2)})),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "date_in_future",
        None,
    );
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "service",
        serve(json!({"document_id": "not-the-decision"})),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong_document",
        None,
    );
    ok(
        &app,
        "li.officer",
        &id,
        "service",
        serve(json!({"method": "electronic", "electronic_consent": true})),
    )
    .await;
    // No fine: nothing to pay, no late fee.
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "payments",
        json!({"amount_fen": 100, "paid_at": ago(0)}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_fine_to_pay",
        None,
    );
    let li = app.token("li.officer").await;
    let (s, b) = app.get(&format!("/cases/{id}/late-fee"), Some(&li)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_fine_to_pay",
        None,
    );

    // A simplified fine: overpayment and payment dates.
    let sid = &served_simplified_fine(&app, 100_000).await;
    let (s, b) = step(
        &app,
        "li.officer",
        sid,
        "payments",
        json!({"amount_fen": 100_001, "paid_at": ago(0)}),
    )
    .await;
    refused(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "overpayment", None);
    let (s, b) = step(
        &app,
        "li.officer",
        sid,
        "payments",
        json!({"amount_fen": 0, "paid_at": ago(0)}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = step(
        &app,
        "li.officer",
        sid,
        "payments",
        json!({"amount_fen": 100, "paid_at": ago(-3)}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "date_in_future",
        None,
    );
}

async fn decision_period_and_extensions(app: TestApp) {
    let t0 = Utc::now();
    let id = reported(&app, false).await;
    ok(&app, "li.officer", &id, "notice", notice_now()).await;
    ok(
        &app,
        "li.officer",
        &id,
        "statements",
        json!({"received_at": ago(0), "waived": true}),
    )
    .await;
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "extension",
        json!({"days": 31, "reason": "案情复杂"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "extension_too_long",
        Some("第六十条"),
    );
    let before = deadline(&case(&app, &id).await, "decision").unwrap();
    ok(
        &app,
        "zhang.head",
        &id,
        "extension",
        json!({"days": 30, "reason": "案情复杂，需补充调查"}),
    )
    .await;
    let after = deadline(&case(&app, &id).await, "decision").unwrap();
    assert!((after - before).num_days() >= 28, "{before} → {after}");
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "extension",
        json!({"days": 10, "reason": "再次延长"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "extension_needs_collective_discussion",
        Some("集体讨论"),
    );
    // After a collective discussion: a further extension, within the cap (90 days in all).
    let head = app.user_id("zhang.head").await;
    let qian = second_head(&app).await;
    let d = ok(&app, "zhang.head", &id, "collective-discussion", json!({"held_at": ago(0), "attendee_ids": [head, qian], "conclusion": "同意再次延长办案期限"})).await;
    ok(
        &app,
        "qian.head",
        &id,
        &format!(
            "collective-discussion/{}/confirmation",
            d["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "extension",
        json!({"days": 61, "reason": "需等待鉴定结论"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "extension_too_long",
        Some("累计延长"),
    );
    ok(
        &app,
        "zhang.head",
        &id,
        "extension",
        json!({"days": 60, "reason": "需等待鉴定结论"}),
    )
    .await;
    // Past the extended period (90 + 30 + 60 days): no decision (Art 60), no extension.
    let app = app.restart_at(t0 + Duration::days(200)).await;
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "decision",
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_period_expired",
        Some("第六十条"),
    );
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "extension",
        json!({"days": 10, "reason": "x"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_period_expired",
        None,
    );
}

async fn parallel_approvals_one_success_and_stale_versions(app: TestApp) {
    let id = reported(&app, false).await;
    let v = case(&app, &id).await["version"].as_i64().unwrap();
    // A stale If-Match: 412, nothing written.
    let t = app.token("li.officer").await;
    let r = app
        .client
        .post(app.url(&format!("/cases/{id}/notice")))
        .bearer_auth(&t)
        .header("If-Match", format!("\"{}\"", v - 1))
        .json(&notice_now());
    let (s, b) = app.send(r).await;
    refused(
        s,
        &b,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        None,
    );
    let r = app
        .client
        .post(app.url(&format!("/cases/{id}/notice")))
        .bearer_auth(&t)
        .header("If-Match", "banana")
        .json(&notice_now());
    assert_eq!(app.send(r).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(case(&app, &id).await["version"].as_i64().unwrap(), v);
    // Every other case write takes If-Match too.
    for (what, body) in [
        ("discretion", json!({"facts": {"goods_value_fen": 500_000}})),
        (
            "records/onsite",
            json!({"started_at": ago(2), "ended_at": ago(1), "place": "x", "officer_ids": [], "content": "x", "party_signed": true}),
        ),
    ] {
        let r = app
            .client
            .post(app.url(&format!("/cases/{id}/{what}")))
            .bearer_auth(&t)
            .header("If-Match", "\"1\"")
            .json(&body);
        let (s, b) = app.send(r).await;
        refused(
            s,
            &b,
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            None,
        );
    }
    let sub = ok(&app, "li.officer", &id, "legal-review", json!(null)).await;
    let rid = sub["body"]["review_id"].as_str().unwrap().to_string();
    let chen = app.token("chen.reviewer").await;
    let body = json!({"outcome": "approve", "checklist": checklist(true)});
    let mut tasks = vec![];
    for _ in 0..20 {
        let req = app
            .client
            .post(app.url(&format!("/reviews/{rid}/opinion")))
            .bearer_auth(&chen)
            .json(&body);
        tasks.push(tokio::spawn(async move {
            let r = req.send().await.unwrap();
            r.status()
        }));
    }
    let mut created = 0;
    for t in tasks {
        let s = t.await.unwrap();
        if s == StatusCode::CREATED {
            created += 1;
        } else {
            assert!(
                s == StatusCode::CONFLICT || s == StatusCode::PRECONDITION_FAILED,
                "{s}"
            );
        }
    }
    assert_eq!(created, 1);
    let (_, r) = app.get(&format!("/reviews/{rid}"), Some(&chen)).await;
    assert_eq!(r["status"], "approved");
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&t)).await;
    let decided = rec["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "case.legal_review_decided")
        .count();
    assert_eq!(decided, 1);
    // Two heads deciding at once: one decision.
    ok(&app, "li.officer", &id, "notice", notice_now()).await;
    ok(
        &app,
        "li.officer",
        &id,
        "statements",
        json!({"received_at": ago(0), "waived": true}),
    )
    .await;
    second_head(&app).await;
    let mut tasks = vec![];
    for user in ["zhang.head", "qian.head", "zhang.head", "qian.head"] {
        let req = app.client.post(app.url(&format!("/cases/{id}/decision"))).bearer_auth(app.token(user).await)
            .json(&json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]}));
        tasks.push(tokio::spawn(
            async move { req.send().await.unwrap().status() },
        ));
    }
    let mut ok_count = 0;
    for t in tasks {
        let s = t.await.unwrap();
        if s == StatusCode::CREATED {
            ok_count += 1;
        } else {
            assert!(s == StatusCode::CONFLICT, "{s}");
        }
    }
    assert_eq!(ok_count, 1);
}

async fn a_case_keeps_the_rule_profile_of_its_filing_day(app: TestApp) {
    let t0 = Utc::now();
    let today = zhifa::clock::china_date(t0);
    // From ten days on, the bureau sets the citizen's "large amount" at 100,000 yuan.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("profiles.toml");
    let t = "{ person_fen = 10000000, organization_fen = 100000000, individual_business_fen = 10000000 }";
    std::fs::write(&file, format!(
        "[[profiles]]\ndepartment = \"530102-scjgj\"\neffective_from = {}\nhearing_fine = {t}\nhearing_confiscation = {t}\nlegal_review_fine = {t}\nlegal_review_on_revocation_or_suspension = true\nlegal_review_on_hearing = true\nlegal_review_on_benchmark_deviation = true\n",
        today + Duration::days(10)
    )).unwrap();
    let n = zhifa::profiles::import_file(&mut app.conn(), &file, t0.naive_utc(), today).unwrap();
    assert_eq!(n, 1);
    let before = person_case(&app).await;
    let app = app.restart_at(t0 + Duration::days(12)).await;
    let after = person_case(&app).await;
    let mut hearing = vec![];
    for id in [&before, &after] {
        onsite(&app, id).await;
        lookup(&app, id, 7_000_000).await;
        let r = ok(
            &app,
            "li.officer",
            id,
            "investigation-report",
            fine(7_000_000),
        )
        .await;
        hearing.push(
            !r["body"]["assessment"]["hearing_reasons"]
                .as_array()
                .unwrap()
                .is_empty(),
        );
    }
    // Filed under the old profile: still a hearing right; filed later: none.
    assert_eq!(hearing, [true, false]);
}

async fn an_instalment_plan_pauses_the_surcharge(app: TestApp) {
    let t0 = Utc::now();
    let today = zhifa::clock::china_date(t0);
    let id = served_simplified_fine(&app, 300_000).await;
    let plan = |a: i64, b: i64| {
        json!({"kind": "instalments", "reason": "经营困难，申请分两期缴纳", "applied_at": ago(0),
        "instalments": [{"due_on": today + Duration::days(10), "amount_fen": a}, {"due_on": today + Duration::days(40), "amount_fen": b}]})
    };
    // Only a head approves (Art 66 ¶2); the instalments add up to the fine.
    let (s, _) = step(
        &app,
        "li.officer",
        &id,
        "payment-plan",
        plan(100_000, 200_000),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "payment-plan",
        plan(100_000, 100_000),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "instalments");
    ok(
        &app,
        "zhang.head",
        &id,
        "payment-plan",
        plan(100_000, 200_000),
    )
    .await;
    let c = case(&app, &id).await;
    assert_eq!(deadline(&c, "payment"), Some(today + Duration::days(40)));
    // Nothing paid by day 45: only the 5 days after the plan count.
    let app = app.restart_at(t0 + Duration::days(60)).await;
    let li = app.token("li.officer").await;
    let (s, fee) = app
        .get(
            &format!("/cases/{id}/late-fee?on={}", today + Duration::days(45)),
            Some(&li),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{fee}");
    assert_eq!(
        (fee["late_days"].as_i64(), fee["late_fee_fen"].as_i64()),
        (Some(5), Some(45_000)),
        "{fee}"
    );
}

async fn remedies_pause_the_surcharge_and_a_revocation_ends_it(app: TestApp) {
    let t0 = Utc::now();
    let today = zhifa::clock::china_date(t0);
    let mut ids = vec![];
    for _ in 0..2 {
        let id = served_simplified_fine(&app, 100_000).await;
        let r = ok(
            &app,
            "li.officer",
            &id,
            "remedies",
            json!({"kind": "reconsideration", "filed_at": ago(0), "organ": "五华区人民政府"}),
        )
        .await;
        let (s, b) = step(
            &app,
            "li.officer",
            &id,
            "remedies",
            json!({"kind": "litigation", "filed_at": ago(0), "organ": "五华区人民法院"}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "one pending remedy: {b}");
        ids.push((id, r["id"].as_str().unwrap().to_string()));
    }
    // Forty days later: nothing accrued while pending.
    let app = app.restart_at(t0 + Duration::days(40)).await;
    let li = app.token("li.officer").await;
    let on = today + Duration::days(40);
    let (_, fee) = app
        .get(&format!("/cases/{}/late-fee?on={on}", ids[0].0), Some(&li))
        .await;
    assert_eq!(fee["late_days"], 0, "{fee}");
    // Upheld on day 30: the surcharge runs again from the day after.
    let decided = (t0 + Duration::days(30)).to_rfc3339();
    ok(
        &app,
        "li.officer",
        &ids[0].0,
        &format!("remedies/{}/result", ids[0].1),
        json!({"result": "upheld", "decided_at": decided}),
    )
    .await;
    let (_, fee) = app
        .get(&format!("/cases/{}/late-fee?on={on}", ids[0].0), Some(&li))
        .await;
    assert_eq!(fee["late_days"], 10, "{fee}");
    assert_eq!(fee["late_fee_fen"], 30_000);
    // Revoked: nothing is owed, the published decision is to be withdrawn in 3 working days, the case may close.
    ok(
        &app,
        "li.officer",
        &ids[1].0,
        &format!("remedies/{}/result", ids[1].1),
        json!({"result": "revoked", "decided_at": decided}),
    )
    .await;
    let (s, b) = app
        .get(&format!("/cases/{}/late-fee?on={on}", ids[1].0), Some(&li))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("no_fine_to_pay"))
    );
    let c = case(&app, &ids[1].0).await;
    let w = c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "disclosure_withdrawal")
        .expect("withdrawal deadline")
        .clone();
    assert!(w["basis"].as_str().unwrap().contains("第四十八条"));
    let (s, b) = step(
        &app,
        "li.officer",
        &ids[1].0,
        &format!("remedies/{}/result", ids[1].1),
        json!({"result": "upheld", "decided_at": decided}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    ok(
        &app,
        "zhang.head",
        &ids[1].0,
        "closure",
        json!({"reason": "处罚决定经复议撤销"}),
    )
    .await;
}

async fn recusal_and_reassignment(app: TestApp) {
    let id = organization_case(&app).await;
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    let recusal = |officer: &str, approved: bool| json!({"officer_id": officer, "source": "party", "reason": "当事人称执法人员与其有利害关系", "approved": approved});
    // Only a head decides; two valid officers must remain.
    let (s, _) = step(&app, "li.officer", &id, "recusals", recusal(&wang, true)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = step(&app, "zhang.head", &id, "recusals", recusal(&wang, true)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_few_officers",
        Some("第四十三条"),
    );
    ok(&app, "zhang.head", &id, "recusals", recusal(&wang, false)).await;
    // A third officer joins (reassignment checks certificates as intake does).
    let area = app.department("530102").await;
    let third = app.add_user("zhao.officer", "530102-scjgj", &["officer"], Some(json!({"number": "Z1", "fields": ["market_regulation"], "area_department_id": area, "valid_from": "2024-01-01", "valid_until": "2035-12-31"}))).await;
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "officers",
        json!({"officer_ids": [li], "reason": "人员调整"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_few_officers",
        Some("第四十二条"),
    );
    let r = ok(
        &app,
        "zhang.head",
        &id,
        "officers",
        json!({"officer_ids": [li, wang, third], "reason": "案情复杂，增加承办人"}),
    )
    .await;
    assert_eq!(r["kind"], "reassignment");
    let w = app.token("wang.officer").await;
    assert_eq!(
        app.get(&format!("/cases/{id}"), Some(&w)).await.0,
        StatusCode::OK
    );
    ok(&app, "zhang.head", &id, "recusals", recusal(&wang, true)).await;
    // The withdrawn officer loses all access at once; the case goes on with the others.
    let (s, _) = app.get(&format!("/cases/{id}"), Some(&w)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/cases", Some(&w)).await;
    assert!(
        !list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str()),
        "{list}"
    );
    let (s, _) = step(
        &app,
        "wang.officer",
        &id,
        "discretion",
        json!({"facts": {"goods_value_fen": 500_000}}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let now = Utc::now();
    let record = |officers: Value| {
        json!({
            "started_at": (now - Duration::hours(3)).to_rfc3339(), "ended_at": (now - Duration::hours(2)).to_rfc3339(),
            "place": "后厨", "officer_ids": officers, "content": "现场检查。", "party_signed": true
        })
    };
    let (s, b) = step(
        &app,
        "li.officer",
        &id,
        "records/onsite",
        record(json!([li, wang])),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "officer_recused",
        Some("第四十三条"),
    );
    ok(
        &app,
        "li.officer",
        &id,
        "records/onsite",
        record(json!([li, third])),
    )
    .await;
    let (s, b) = step(
        &app,
        "zhang.head",
        &id,
        "officers",
        json!({"officer_ids": [li, wang], "reason": "x"}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "officer_recused",
        Some("第四十三条"),
    );
    let c = case(&app, &id).await;
    let roles: Vec<(&str, &str)> = c["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["user_id"].as_str().unwrap(), o["role"].as_str().unwrap()))
        .collect();
    assert!(
        roles.contains(&(wang.as_str(), "recused")) && roles.contains(&(third.as_str(), "officer")),
        "{roles:?}"
    );
}

async fn excluded_periods_are_checked_and_move_the_decision_day(app: TestApp) {
    let t0 = Utc::now();
    let filed = zhifa::clock::china_date(t0);
    let id = organization_case(&app).await;
    let before = deadline(&case(&app, &id).await, "decision").unwrap();
    let app = app.restart_at(t0 + Duration::days(200)).await;
    let ex = |from: i64, to: i64| json!({"kind": "testing", "from": filed + Duration::days(from), "to": filed + Duration::days(to), "reason": "送检样品检验"});
    for (body, code, status) in [
        (
            ex(-1, 5),
            "dates_out_of_order",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            ex(10, 5),
            "dates_out_of_order",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            ex(190, 201),
            "date_in_future",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            ex(1, 190),
            "exclusion_too_long",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (s, b) = step(&app, "li.officer", &id, "exclusions", body).await;
        refused(s, &b, status, code, None);
    }
    ok(&app, "li.officer", &id, "exclusions", ex(1, 10)).await;
    let (s, b) = step(&app, "li.officer", &id, "exclusions", ex(5, 12)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "exclusion_overlap",
        None,
    );
    let after = deadline(&case(&app, &id).await, "decision").unwrap();
    // Ten excluded days (a rest-day end may move it a day or two more or less).
    assert!(
        (8..=12).contains(&(after - before).num_days()),
        "{before} → {after}"
    );
}

async fn court_enforcement_only_inside_its_window(app: TestApp) {
    let t0 = Utc::now();
    let mut ids = vec![];
    for _ in 0..2 {
        let id = served_simplified_fine(&app, 200_000).await;
        ids.push(id);
    }
    let apply = |days: i64| json!({"applied_at": (t0 + Duration::days(days) - Duration::hours(1)).to_rfc3339(), "court": "五华区人民法院", "accepted": true});
    let app = app.restart_at(t0 + Duration::days(25)).await;
    // No demand yet (Compulsion Law Art 54).
    let (s, b) = step(&app, "zhang.head", &ids[0], "court-enforcement", apply(25)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "deadline_not_reached",
        Some("第五十四条"),
    );
    for id in &ids {
        ok(&app, "li.officer", id, "enforcement-demand", json!({"served_at": (t0 + Duration::days(25) - Duration::hours(2)).to_rfc3339(), "method": "direct"})).await;
    }
    // The remedy periods still run (6 months of litigation).
    let app = app.restart_at(t0 + Duration::days(100)).await;
    let (s, b) = step(&app, "zhang.head", &ids[0], "court-enforcement", apply(100)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "deadline_not_reached",
        Some("第五十三条"),
    );
    // Inside the window: a head applies; the court's acceptance lets the case close.
    let app = app.restart_at(t0 + Duration::days(200)).await;
    let (s, _) = step(&app, "li.officer", &ids[0], "court-enforcement", apply(200)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    ok(&app, "zhang.head", &ids[0], "court-enforcement", apply(200)).await;
    ok(
        &app,
        "zhang.head",
        &ids[0],
        "closure",
        json!({"reason": "人民法院已受理强制执行申请"}),
    )
    .await;
    // Three months after the remedy periods: too late.
    let app = app.restart_at(t0 + Duration::days(300)).await;
    let (s, b) = step(&app, "zhang.head", &ids[1], "court-enforcement", apply(300)).await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "enforcement_period_expired",
        Some("三个月"),
    );
}

async fn on_the_spot_collection_within_its_limits(app: TestApp) {
    let mut ids = vec![];
    for fine in [5_000, 20_000] {
        let id = served_simplified_fine(&app, fine).await;
        ids.push(id);
    }
    let pay = |amount: i64, ground: &str, receipt: Option<&str>| json!({"amount_fen": amount, "paid_at": ago(0), "on_the_spot": ground, "receipt_number": receipt});
    // 200 yuan is above the 100-yuan limit of Art 68 (1).
    let (s, b) = step(
        &app,
        "li.officer",
        &ids[1],
        "payments",
        pay(20_000, "small_fine", Some("云财01")),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "on_the_spot_not_allowed",
        Some("第六十八条"),
    );
    // Without the finance department's receipt (Art 70).
    let (s, b) = step(
        &app,
        "li.officer",
        &ids[0],
        "payments",
        pay(5_000, "small_fine", None),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "on_the_spot_not_allowed",
        Some("第七十条"),
    );
    let (s, b) = step(
        &app,
        "li.officer",
        &ids[0],
        "hand-in",
        json!({"handed_in_at": ago(0)}),
    )
    .await;
    refused(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "on_the_spot_not_allowed",
        None,
    );
    ok(
        &app,
        "li.officer",
        &ids[0],
        "payments",
        pay(5_000, "small_fine", Some("云财0000123")),
    )
    .await;
    let c = case(&app, &ids[0]).await;
    let d = c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "hand_in")
        .expect("hand-in deadline")
        .clone();
    assert!(
        d["basis"].as_str().unwrap().contains("第七十一条") && d["status"] == "open",
        "{d}"
    );
    ok(
        &app,
        "li.officer",
        &ids[0],
        "hand-in",
        json!({"handed_in_at": ago(0)}),
    )
    .await;
    let c = case(&app, &ids[0]).await;
    let d = c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "hand_in")
        .unwrap()
        .clone();
    assert_eq!(d["status"], "met");
    // Hard to enforce afterwards: allowed above 100 yuan (Art 68 (2)).
    ok(
        &app,
        "li.officer",
        &ids[1],
        "payments",
        pay(20_000, "hard_to_enforce", Some("云财0000124")),
    )
    .await;
}

/// Every workflow endpoint: another department's officer gets 404, a
/// supervisor or reviewer (who may read) 403, an officer on a head's step 403.
async fn every_step_checks_department_and_role(app: TestApp) {
    let id = organization_case(&app).await;
    let now = ago(0);
    let someone = app.user_id("li.officer").await;
    let steps: Vec<(&str, Value, bool)> = vec![
        (
            "investigation-report",
            json!({"findings": "x", "outcome": "not_established"}),
            false,
        ),
        (
            "notice",
            json!({"served_at": now, "method": "direct"}),
            false,
        ),
        (
            "statements",
            json!({"received_at": now, "waived": true}),
            false,
        ),
        ("hearing-request", json!({"requested_at": now}), false),
        (
            "hearing/notice",
            json!({"served_at": now, "hearing_at": now, "place": "x", "presiding_officer_id": someone}),
            false,
        ),
        (
            "hearing",
            json!({"notified_at": now, "held_at": now, "place": "x", "presiding_officer_id": someone, "party_attended": true}),
            false,
        ),
        (
            "hearing/transcript",
            json!({"text": "x", "party_signed": true}),
            false,
        ),
        ("legal-review", json!(null), false),
        (
            "service",
            json!({"document_id": "x", "method": "direct", "served_at": now, "recipient": "x"}),
            false,
        ),
        ("payments", json!({"amount_fen": 1, "paid_at": now}), false),
        ("hand-in", json!({"handed_in_at": now}), false),
        (
            "enforcement-demand",
            json!({"served_at": now, "method": "direct"}),
            false,
        ),
        (
            "remedies",
            json!({"kind": "litigation", "filed_at": now, "organ": "x"}),
            false,
        ),
        (
            "exclusions",
            json!({"kind": "testing", "from": "2026-01-01", "to": "2026-01-02", "reason": "x"}),
            false,
        ),
        (
            "transfers",
            json!({"kind": "criminal", "to_department_id": "x", "reason": "x"}),
            false,
        ),
        ("decision", json!({"outcome": "no_penalty"}), true),
        (
            "collective-discussion",
            json!({"held_at": now, "attendee_ids": [someone], "conclusion": "x"}),
            true,
        ),
        ("closure", json!({"reason": "x"}), true),
        ("archive", json!(null), true),
        ("suspension", json!({"reason": "x"}), true),
        ("resumption", json!({"reason": "x"}), true),
        ("termination", json!({"reason": "x"}), true),
        ("extension", json!({"days": 1, "reason": "x"}), true),
        (
            "payment-plan",
            json!({"kind": "deferral", "reason": "x", "applied_at": now, "deferred_until": "2027-01-01"}),
            true,
        ),
        (
            "court-enforcement",
            json!({"applied_at": now, "court": "x"}),
            true,
        ),
        (
            "officers",
            json!({"officer_ids": [someone], "reason": "x"}),
            true,
        ),
        (
            "recusals",
            json!({"officer_id": someone, "source": "party", "reason": "x", "approved": false}),
            true,
        ),
    ];
    for (what, body, head_only) in steps {
        let (s, b) = step(&app, "sun.officer", &id, what, body.clone()).await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "{what} from another department: {b}"
        );
        for reader in ["zhao.supervisor", "chen.reviewer"] {
            let (s, b) = step(&app, reader, &id, what, body.clone()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{what} by {reader}: {b}");
        }
        if head_only {
            let (s, b) = step(&app, "li.officer", &id, what, body.clone()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{what} by an officer: {b}");
        }
    }
    // Nothing any of them tried was written.
    let li = app.token("li.officer").await;
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&li)).await;
    assert_eq!(rec["items"].as_array().unwrap().len(), 2, "{rec}");
}

/// The kinds of `user`'s tasks on case `id`.
async fn tasks_on(app: &TestApp, user: &str, id: &str) -> Vec<String> {
    let t = app.token(user).await;
    let (s, b) = app.get("/me/tasks", Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["case_id"] == id)
        .map(|t| t["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn reviews_and_services_wait_on_the_workbench(app: TestApp) {
    // A filing waits for the head's approval, on the head's workbench.
    let t = app.token("li.officer").await;
    let (s, c) = app
        .post_json("/cases", Some(&t), &app.case_body().await)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let filed = c["id"].as_str().unwrap();
    assert!(tasks_on(&app, "zhang.head", filed)
        .await
        .contains(&"approval".to_string()));
    app.approve_filing(filed).await;
    assert!(!tasks_on(&app, "zhang.head", filed)
        .await
        .contains(&"approval".to_string()));

    // A report sent for legality review: the reviewer's task until the opinion.
    let id = reported(&app, false).await;
    let sub = ok(&app, "li.officer", &id, "legal-review", json!(null)).await;
    assert!(tasks_on(&app, "chen.reviewer", &id)
        .await
        .contains(&"legal_review".to_string()));
    assert!(!tasks_on(&app, "li.officer", &id)
        .await
        .contains(&"legal_review".to_string()));
    let (s, b) = opinion(
        &app,
        "chen.reviewer",
        sub["body"]["review_id"].as_str().unwrap(),
        "approve",
        true,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert!(tasks_on(&app, "chen.reviewer", &id).await.is_empty());

    // A decision to serve: its officers' task until served (Art 61).
    let (id, dec) = decided_not_established(&app).await;
    for who in ["li.officer", "wang.officer"] {
        assert!(
            tasks_on(&app, who, &id)
                .await
                .contains(&"service_due".to_string()),
            "{who}"
        );
    }
    assert!(tasks_on(&app, "sun.officer", &id).await.is_empty());
    ok(&app, "li.officer", &id, "service", json!({"document_id": dec["id"], "method": "direct", "served_at": ago(0), "recipient": "赵某"})).await;
    assert!(!tasks_on(&app, "li.officer", &id)
        .await
        .contains(&"service_due".to_string()));
}
