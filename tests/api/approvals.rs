//! Approvals (审批) of the head's acts on a case, the workbench (tasks and
//! messages), and "closed means closed".

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{get_ok as get, post_as as post, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_direct_filing_waits_for_the_heads_filing_approval,
    case_acts_wait_for_a_heads_approval,
    a_transfer_is_approved_or_refused_in_the_queue,
    an_approval_the_law_refuses_stays_pending,
    tasks_appear_for_the_right_person_and_go_when_done,
    messages_are_sent_once_and_marked_read,
    a_closed_case_takes_only_its_archive,
);

async fn ask(app: &TestApp, user: &str, kind: &str, case_id: &str, request: Value) -> Value {
    let (s, a) = post(
        app,
        user,
        "/approvals",
        json!({"kind": kind, "case_id": case_id, "request": request}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a
}

async fn decide(app: &TestApp, user: &str, approval: &Value, body: Value) -> (StatusCode, Value) {
    post(
        app,
        user,
        &format!("/approvals/{}/decision", approval["id"].as_str().unwrap()),
        body,
    )
    .await
}

async fn actions(app: &TestApp, case_id: &str) -> Vec<Value> {
    get(app, "li.officer", &format!("/cases/{case_id}/records")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn a_direct_filing_waits_for_the_heads_filing_approval(app: TestApp) {
    let case = app.file_case_unapproved().await;
    let id = case["id"].as_str().unwrap();
    let no = case["case_no"].as_str().unwrap();
    // The filing asked the heads: the queue, the message and the record say so.
    let queue = get(&app, "zhang.head", "/approvals?status=pending").await;
    let asked = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["case_id"] == id && a["kind"] == "filing")
        .unwrap_or_else(|| panic!("no filing approval in {queue}"))
        .clone();
    assert_eq!(asked["title"], "立案审批");
    assert!(asked["summary"].as_str().unwrap().contains(no), "{asked}");
    let inbox = get(&app, "zhang.head", "/me/messages").await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "approval_asked" && m["subject_id"] == asked["id"]),
        "{inbox}"
    );
    let recs = actions(&app, id).await;
    assert_eq!(recs[0]["action"], "case.filed");
    assert_eq!(recs[0]["detail"]["filing_approval_id"], asked["id"]);
    // The investigation does not close on an unapproved filing.
    let report = json!({"findings": "经调查，违法事实不成立。", "outcome": "not_established"});
    let path = format!("/cases/{id}/investigation-report");
    let (s, b) = post(&app, "li.officer", &path, report.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "filing_not_approved");
    assert!(b["detail"].as_str().unwrap().contains("第五十四条"), "{b}");
    // Only a head of the department approves a filing.
    let approve = format!("/cases/{id}/filing-approval");
    let (s, _) = post(&app, "li.officer", &approve, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.add_user("eco.head", "530100-sthjj", &["head"], None)
        .await;
    let (s, _) = post(&app, "eco.head", &approve, json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.post_json(&approve, None, &json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Refused: the report stays refused, and the officer may ask again.
    let (s, _) = decide(&app, "zhang.head", &asked, json!({"outcome": "reject"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a refusal names its reason");
    let (s, a) = decide(
        &app,
        "zhang.head",
        &asked,
        json!({"outcome": "reject", "opinion": "违法事实的初步证据不足"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "rejected");
    let (s, b) = post(&app, "li.officer", &path, report.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "filing_not_approved");
    assert!(b["detail"].as_str().unwrap().contains("未批准"), "{b}");
    let again = ask(
        &app,
        "li.officer",
        "filing",
        id,
        json!({"facts": "补充了现场检查笔录和照片"}),
    )
    .await;
    let (s, _) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "filing", "case_id": id, "request": {}}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "one request at a time");
    let (s, a) = decide(
        &app,
        "zhang.head",
        &again,
        json!({"outcome": "approve", "opinion": "同意立案"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "approved");
    assert_eq!(a["decided_by"], app.user_id("zhang.head").await);
    let recs = actions(&app, id).await;
    let approved = recs
        .iter()
        .find(|r| r["action"] == "case.filing_approved")
        .expect("on the record");
    assert_eq!(approved["detail"]["approval_id"], again["id"]);
    assert_eq!(approved["actor"]["role"], "head");
    // Approved once: not asked or approved again; the investigation closes.
    let (s, b) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "filing", "case_id": id, "request": {}}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("approval_decided")),
        "{b}"
    );
    let (s, b) = post(&app, "zhang.head", &approve, json!({})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("approval_decided")),
        "{b}"
    );
    let (s, b) = post(&app, "li.officer", &path, report.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // A head filing directly leaves an approved filing approval of their own.
    let (s, c) = post(&app, "zhang.head", "/cases", app.case_body().await).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let hid = c["id"].as_str().unwrap();
    let mine = get(&app, "zhang.head", &format!("/approvals?case_id={hid}")).await;
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{mine}");
    assert_eq!(
        (items[0]["kind"].as_str(), items[0]["status"].as_str()),
        (Some("filing"), Some("approved"))
    );
    assert_eq!(items[0]["decided_by"], app.user_id("zhang.head").await);
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{hid}/investigation-report"),
        report.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // The simplified procedure decides on the spot: no filing approval.
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    let (s, c) = post(&app, "li.officer", "/cases", body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let sid = c["id"].as_str().unwrap();
    let none = get(&app, "zhang.head", &format!("/approvals?case_id={sid}")).await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0, "{none}");
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{sid}/filing-approval"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("transition_not_allowed")),
        "{b}"
    );
}

async fn case_acts_wait_for_a_heads_approval(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    // An officer cannot suspend; the refusal says how to ask.
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/suspension"),
        json!({"reason": "等待检验结果"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("/approvals"), "{b}");
    let asked = ask(
        &app,
        "li.officer",
        "suspension",
        id,
        json!({"reason": "当事人下落不明，案件无法继续调查"}),
    )
    .await;
    assert_eq!(asked["title"], "案件中止审批");
    // Asking changes nothing yet, but is on the record.
    let c = get(&app, "li.officer", &format!("/cases/{id}")).await;
    assert_eq!(c["status"], "filed");
    let recs = actions(&app, id).await;
    assert_eq!(recs.last().unwrap()["action"], "approval.requested");
    // Wrong people.
    let (s, _) = decide(&app, "li.officer", &asked, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = decide(&app, "chen.reviewer", &asked, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.add_user("eco.head", "530100-sthjj", &["head"], None)
        .await;
    let (s, _) = decide(&app, "eco.head", &asked, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get(
            &format!("/approvals/{}", asked["id"].as_str().unwrap()),
            Some(&app.token("eco.head").await),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get("/approvals", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = post(
        &app,
        "eco.head",
        "/approvals",
        json!({"kind": "suspension", "case_id": id, "request": {"reason": "x"}}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = post(
        &app,
        "zhou.aux",
        "/approvals",
        json!({"kind": "suspension", "case_id": id, "request": {"reason": "x"}}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The head approves: the case is suspended by that approval.
    let (s, a) = decide(
        &app,
        "zhang.head",
        &asked,
        json!({"outcome": "approve", "opinion": "同意中止"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "approved");
    assert_eq!(a["result_kind"], "step");
    assert_eq!(a["decided_by"], app.user_id("zhang.head").await);
    assert_eq!(a["requested_by"], app.user_id("li.officer").await);
    let c = get(&app, "li.officer", &format!("/cases/{id}")).await;
    assert_eq!(c["status"], "suspended");
    let recs = actions(&app, id).await;
    let last = recs.last().unwrap();
    assert_eq!(last["action"], "case.suspended");
    assert_eq!(last["detail"]["approval_id"], asked["id"]);
    assert_eq!(last["actor"]["id"], app.user_id("zhang.head").await);
    // Twice: the same answer, no second suspension.
    let (s, again) = decide(&app, "zhang.head", &asked, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["result_id"], a["result_id"]);
    assert_eq!(actions(&app, id).await.len(), recs.len());
    // A resumption asked and rejected: recorded, the case stays suspended.
    let r = ask(
        &app,
        "wang.officer",
        "resumption",
        id,
        json!({"reason": "当事人已找到"}),
    )
    .await;
    let (s, rej) = decide(
        &app,
        "zhang.head",
        &r,
        json!({"outcome": "reject", "opinion": "中止原因尚未消除"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{rej}");
    assert_eq!(rej["status"], "rejected");
    assert_eq!(
        actions(&app, id).await.last().unwrap()["action"],
        "approval.rejected"
    );
    assert_eq!(
        get(&app, "li.officer", &format!("/cases/{id}")).await["status"],
        "suspended"
    );
    // The head resumes directly: an approval is left behind all the same.
    let (s, step) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/resumption"),
        json!({"reason": "中止原因消除"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{step}");
    let all = get(&app, "zhang.head", &format!("/approvals?case_id={id}")).await;
    let kinds: Vec<(&str, &str)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["kind"].as_str().unwrap(), a["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("filing", "approved"),
            ("suspension", "approved"),
            ("resumption", "rejected"),
            ("resumption", "approved")
        ]
    );
    let direct = &all["items"][3];
    assert_eq!(direct["requested_by"], direct["decided_by"]);
    assert_eq!(direct["result_id"], step["id"]);
    // The requesters were told of both answers.
    let li = get(&app, "li.officer", "/me/messages").await;
    assert!(li["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "approval_approved"));
    let wang = get(&app, "wang.officer", "/me/messages").await;
    assert!(
        wang["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "approval_rejected"
                && m["title"].as_str().unwrap().contains("中止原因尚未消除")),
        "{wang}"
    );
    // Body checks: unknown kind, a body the act does not take, a missing case.
    let (s, _) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "coffee", "case_id": id, "request": {}}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "extension", "case_id": id, "request": {"reason": "x"}}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "request");
    // The act's body in the shape its own endpoint requires, named as there.
    let (s, b) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "extension", "case_id": id, "request": {"days": 0, "reason": "x"}}),
    )
    .await;
    assert_eq!(
        (
            s,
            b["errors"][0]["field"].as_str(),
            b["errors"][0]["code"].as_str()
        ),
        (StatusCode::BAD_REQUEST, Some("days"), Some("required")),
        "{b}"
    );
    let (s, b) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "extension", "request": {"days": 10, "reason": "x"}}),
    )
    .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("case_id"))
    );
}

async fn a_transfer_is_approved_or_refused_in_the_queue(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let police = app.department("530100-gaj-wh").await;
    let body = json!({"kind": "criminal", "to_department_id": police, "reason": "涉嫌生产、销售不符合安全标准的食品罪"});
    let (s, r) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/transfers"),
        body.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let queue = get(&app, "zhang.head", "/approvals?status=pending").await;
    let pending = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["case_id"] == id)
        .unwrap()
        .clone();
    assert_eq!(pending["kind"], "transfer");
    assert_eq!(pending["id"], r["body"]["approval_id"]);
    // Refused: the transfer falls with it, and may be asked again.
    let (s, rej) = decide(
        &app,
        "zhang.head",
        &pending,
        json!({"outcome": "reject", "opinion": "证据尚不足以认定涉嫌犯罪"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{rej}");
    let out = get(&app, "li.officer", "/transfers?direction=outgoing").await;
    assert_eq!(out["items"][0]["status"], "refused");
    let (s, r) = post(&app, "li.officer", &format!("/cases/{id}/transfers"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let aid = r["body"]["approval_id"].clone();
    let (s, a) = decide(
        &app,
        "zhang.head",
        &json!({"id": aid}),
        json!({"outcome": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "approved");
    assert_eq!(
        get(&app, "li.officer", &format!("/cases/{id}")).await["status"],
        "transferred"
    );
    // The police are told.
    let inbox = get(&app, "liu.police", "/me/messages").await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "transfer_received"),
        "{inbox}"
    );
    // Transfers are asked for through their own endpoint.
    let other = app.file_case().await;
    let (s, b) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "transfer", "case_id": other["id"], "request": {"transfer_id": "x"}}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("approval_kind_mismatch")
        )
    );
}

async fn an_approval_the_law_refuses_stays_pending(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let asked = ask(
        &app,
        "li.officer",
        "extension",
        id,
        json!({"days": 45, "reason": "案情复杂"}),
    )
    .await;
    // Art 60 / the profile: a first extension of at most 30 days.
    let (s, b) = decide(&app, "zhang.head", &asked, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let a = get(
        &app,
        "zhang.head",
        &format!("/approvals/{}", asked["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(a["status"], "pending");
    let (s, a) = decide(
        &app,
        "zhang.head",
        &asked,
        json!({"outcome": "reject", "opinion": "首次延长不得超过三十日"}),
    )
    .await;
    assert_eq!(
        (s, a["status"].as_str()),
        (StatusCode::OK, Some("rejected"))
    );
    // Closure, termination and extension by officers: 403 with the way to ask.
    for act in [
        "termination",
        "closure",
        "extension",
        "payment-plan",
        "court-enforcement",
        "officers",
        "recusals",
    ] {
        let (s, b) = post(
            &app,
            "wang.officer",
            &format!("/cases/{id}/{act}"),
            json!({"reason": "x"}),
        )
        .await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::BAD_REQUEST,
            "{act}: {s} {b}"
        );
    }
}

async fn tasks_appear_for_the_right_person_and_go_when_done(app: TestApp) {
    let (s, clue) = post(&app, "li.officer", "/clues", json!({"source": "report", "summary": "举报某超市销售过期食品", "discovered_at": (Utc::now() - Duration::days(1)).to_rfc3339()})).await;
    assert_eq!(s, StatusCode::CREATED, "{clue}");
    let kinds = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let li = get(&app, "li.officer", "/me/tasks").await;
    assert_eq!(kinds(&li), ["clue_decision"]);
    assert_eq!(li["items"][0]["due_on"], clue["due_on"]);
    assert!(
        kinds(&get(&app, "wang.officer", "/me/tasks").await).is_empty(),
        "not wang's clue"
    );
    assert!(
        kinds(&get(&app, "zhang.head", "/me/tasks").await).contains(&"clue_decision".to_string())
    );
    assert!(kinds(&get(&app, "sun.officer", "/me/tasks").await).is_empty());
    // An approval asked: the head's task until decided.
    let (s, asked) = post(&app, "li.officer", "/approvals", json!({"kind": "clue_rejection", "clue_id": clue["id"], "request": {"ground": "not_established", "reason": "经核查该超市无过期食品"}})).await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    let head = get(&app, "zhang.head", "/me/tasks").await;
    assert!(
        head["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "approval" && t["subject_id"] == asked["id"]),
        "{head}"
    );
    let (s, _) = decide(&app, "zhang.head", &asked, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(kinds(&get(&app, "zhang.head", "/me/tasks").await).is_empty());
    assert!(
        kinds(&get(&app, "li.officer", "/me/tasks").await).is_empty(),
        "the clue is decided"
    );
    // A case: its officers must get it decided; a served fine must be paid.
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    for who in ["li.officer", "wang.officer"] {
        let t = get(&app, who, "/me/tasks").await;
        assert!(
            t["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["kind"] == "decision_due" && t["case_id"] == id),
            "{who}: {t}"
        );
    }
    assert!(kinds(&get(&app, "sun.officer", "/me/tasks").await).is_empty());
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    let (s, c) = post(&app, "li.officer", "/cases", body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let sid = c["id"].as_str().unwrap().to_string();
    let (s, dec) = post(&app, "li.officer", &format!("/cases/{sid}/decision"), json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 20_000}], "form_number": "No.7", "party_informed": true})).await;
    assert_eq!(s, StatusCode::CREATED, "{dec}");
    let (s, b) = post(&app, "li.officer", &format!("/cases/{sid}/service"), json!({"document_id": dec["id"], "method": "direct", "served_at": dec["at"], "recipient": "赵某"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let t = get(&app, "li.officer", "/me/tasks").await;
    assert!(
        t["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "payment_due" && t["case_id"] == sid.as_str()),
        "{t}"
    );
    // Weeks on, the fine is overdue; paid, the task is gone. The clock stands
    // at noon China time, so the payment a minute earlier falls on the day
    // the late fee was counted to.
    let later = (Utc::now() + Duration::days(25))
        .date_naive()
        .and_hms_opt(4, 0, 0)
        .unwrap()
        .and_utc();
    let app = app.restart_at(later).await;
    let t = get(&app, "li.officer", "/me/tasks").await;
    let overdue = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["case_id"] == sid.as_str())
        .unwrap()
        .clone();
    assert_eq!(overdue["kind"], "payment_overdue", "{t}");
    assert_eq!(overdue["overdue"], true);
    let late: Value = get(&app, "li.officer", &format!("/cases/{sid}/late-fee")).await;
    let owed = late["outstanding_fen"].as_i64().unwrap();
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{sid}/payments"),
        json!({"amount_fen": owed, "paid_at": (later - Duration::minutes(1)).to_rfc3339()}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let t = get(&app, "li.officer", "/me/tasks").await;
    assert!(
        !t["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["case_id"] == sid.as_str()),
        "{t}"
    );
}

async fn messages_are_sent_once_and_marked_read(app: TestApp) {
    // A clue due in 15 working days: nothing yet; two weeks on, a reminder, once.
    let (s, clue) = post(&app, "li.officer", "/clues", json!({"source": "media", "summary": "媒体报道某餐馆后厨卫生问题", "discovered_at": Utc::now().to_rfc3339()})).await;
    assert_eq!(s, StatusCode::CREATED, "{clue}");
    let inbox = get(&app, "li.officer", "/me/messages").await;
    assert_eq!(inbox["unread"], 0, "{inbox}");
    let app = app.restart_at(Utc::now() + Duration::days(20)).await;
    let first = get(&app, "li.officer", "/me/messages").await;
    let reminders: Vec<&Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "deadline")
        .collect();
    assert_eq!(reminders.len(), 1, "{first}");
    assert_eq!(reminders[0]["subject_id"], clue["id"]);
    assert_eq!(first["unread"], 1);
    let again = get(&app, "li.officer", "/me/messages").await;
    assert_eq!(
        again["items"].as_array().unwrap().len(),
        first["items"].as_array().unwrap().len(),
        "deduplicated"
    );
    // Read: the count drops; reading twice is harmless; others' messages are not ours.
    let mid = reminders[0]["id"].as_str().unwrap();
    let t = app.token("li.officer").await;
    for _ in 0..2 {
        let (s, _) = app
            .post_json(&format!("/me/messages/{mid}/read"), Some(&t), &json!(null))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let after = get(&app, "li.officer", "/me/messages").await;
    assert_eq!(after["unread"], 0);
    assert!(after["items"][0]["read_at"].is_string());
    let unread = get(&app, "li.officer", "/me/messages?unread=true").await;
    assert!(unread["items"].as_array().unwrap().is_empty());
    let (s, _) = app
        .post_json(
            &format!("/me/messages/{mid}/read"),
            Some(&app.token("wang.officer").await),
            &json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get("/me/messages", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.get("/me/tasks", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn a_closed_case_takes_only_its_archive(app: TestApp) {
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    let (s, c) = post(&app, "li.officer", "/cases", body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let (_, dec) = post(&app, "li.officer", &format!("/cases/{id}/decision"), json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 20_000}], "form_number": "No.8", "party_informed": true})).await;
    let now = Utc::now().to_rfc3339();
    let (s, b) = post(&app, "li.officer", &format!("/cases/{id}/service"), json!({"document_id": dec["id"], "method": "direct", "served_at": dec["at"], "recipient": "赵某"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/payments"),
        json!({"amount_fen": 20_000, "paid_at": now}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/closure"),
        json!({"reason": "已缴纳"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    let closed_writes = |stage: &'static str| {
        let (li, wang) = (li.clone(), wang.clone());
        let id = id.clone();
        let now = now.clone();
        let app = &app;
        async move {
            let writes: Vec<(&str, String, Value)> = vec![
                (
                    "li.officer",
                    format!("/cases/{id}/records/onsite"),
                    json!({"started_at": now, "ended_at": now, "place": "x", "officer_ids": [li, wang], "content": "x", "party_opinion": "x", "party_signed": true}),
                ),
                (
                    "li.officer",
                    format!("/cases/{id}/discretion"),
                    json!({"facts": {"harm": "minor"}}),
                ),
                (
                    "li.officer",
                    format!("/cases/{id}/remedies"),
                    json!({"kind": "litigation", "filed_at": now, "organ": "x"}),
                ),
                (
                    "li.officer",
                    format!("/cases/{id}/exclusions"),
                    json!({"kind": "testing", "from": "2026-01-01", "to": "2026-01-01", "reason": "x"}),
                ),
                (
                    "zhang.head",
                    format!("/cases/{id}/termination"),
                    json!({"reason": "x"}),
                ),
                (
                    "zhang.head",
                    format!("/cases/{id}/suspension"),
                    json!({"reason": "x"}),
                ),
                (
                    "zhang.head",
                    format!("/cases/{id}/closure"),
                    json!({"reason": "x"}),
                ),
                (
                    "li.officer",
                    "/approvals".to_string(),
                    json!({"kind": "termination", "case_id": id, "request": {"reason": "x"}}),
                ),
            ];
            for (who, path, body) in writes {
                let (s, b) = post(app, who, &path, body).await;
                assert_eq!(s, StatusCode::CONFLICT, "{stage} {path}: {b}");
                assert_eq!(b["code"], "case_closed", "{stage} {path}: {b}");
            }
            let docs = get(app, "zhang.head", &format!("/cases/{id}/documents")).await;
            let doc = docs["items"][0]["id"].as_str().unwrap().to_string();
            let (s, b) = post(
                app,
                "zhang.head",
                &format!("/documents/{doc}/withdrawal"),
                json!({"reason": "x"}),
            )
            .await;
            assert_eq!(
                (s, b["code"].as_str()),
                (StatusCode::CONFLICT, Some("case_closed")),
                "{stage}: {b}"
            );
        }
    };
    closed_writes("closed").await;
    // The archive is the one write left; after it, nothing.
    let (s, a) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/archive"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    closed_writes("archived").await;
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/archive"),
        json!(null),
    )
    .await;
    // Archiving an archived file: the file is final (case_closed).
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("case_closed")),
        "{b}"
    );
}
