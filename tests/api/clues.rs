//! Clues (线索) before filing: registered with the day of discovery, the
//! filing decision due 15 working days later, extended once with a head's
//! approval, filed (the case linked), not filed with its ground, or
//! transferred; bulk import from monitoring CSVs; approvals for every
//! head's act.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{get_ok as get, post_as as post, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_clue_is_filed_through_an_approval,
    a_clue_extended_once_then_refused,
    a_clue_not_filed_on_each_ground,
    a_clue_transferred_out,
    clue_import_is_all_or_nothing,
    clue_endpoints_check_role_and_department,
    an_inspection_that_finds_a_violation_becomes_a_clue,
);

fn days_ago(d: i64) -> String {
    (Utc::now() - Duration::days(d)).to_rfc3339()
}

async fn new_clue(app: &TestApp, user: &str, body: Value) -> Value {
    let (s, c) = post(app, user, "/clues", body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c
}

fn clue_body() -> Value {
    json!({
        "source": "complaint",
        "summary": "群众投诉某餐馆无证经营",
        "enforcement_item_code": "MR-FS-001",
        "party_name": "昆明某某餐饮管理有限公司",
        "location": "昆明市五华区华山西路1号",
        "occurred_at": days_ago(20),
        "discovered_at": days_ago(2),
    })
}

async fn decide(app: &TestApp, user: &str, approval: &str, body: Value) -> (StatusCode, Value) {
    post(app, user, &format!("/approvals/{approval}/decision"), body).await
}

async fn a_clue_is_filed_through_an_approval(app: TestApp) {
    let clue = new_clue(&app, "li.officer", clue_body()).await;
    let id = clue["id"].as_str().unwrap();
    assert_eq!(clue["status"], "pending");
    assert!(clue["clue_no"].as_str().unwrap().contains("线〔"), "{clue}");
    assert!(clue["due_basis"].as_str().unwrap().contains("第十八条"));
    let due: chrono::NaiveDate = clue["due_on"].as_str().unwrap().parse().unwrap();
    // 15 working days: at least three weeks of calendar after discovery.
    assert!(
        due >= (Utc::now() - Duration::days(2)).date_naive() + Duration::days(20),
        "{due}"
    );

    // An officer may not file on their own: the act needs a head.
    let mut intake = app.case_body().await;
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/clues/{id}/filing"),
        intake.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // They ask; the request is checked as the act's body.
    let (s, b) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "clue_filing", "clue_id": id, "request": {"facts": 1}}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    intake["discovered_at"] = json!(Utc::now().to_rfc3339());
    let (s, asked) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "clue_filing", "clue_id": id, "request": intake}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    assert_eq!(asked["status"], "pending");
    assert_eq!(asked["title"], "立案审批");
    let aid = asked["id"].as_str().unwrap();
    // One pending request per act.
    let (s, b) = post(
        &app,
        "wang.officer",
        "/approvals",
        json!({"kind": "clue_filing", "clue_id": id, "request": intake}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("approval_pending"))
    );
    // The head's queue holds it; the officer sees what they asked.
    let q = get(&app, "zhang.head", "/approvals?status=pending").await;
    assert!(
        q["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == aid),
        "{q}"
    );
    let mine = get(&app, "li.officer", "/approvals").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    // A non-head may not decide; another department does not see it.
    let (s, _) = decide(&app, "wang.officer", aid, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = decide(&app, "sun.officer", aid, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The head approves: the case is filed, linked, and judged from the clue's discovery.
    let (s, a) = decide(
        &app,
        "zhang.head",
        aid,
        json!({"outcome": "approve", "opinion": "同意立案"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "approved");
    assert_eq!(a["opinion"], "同意立案");
    assert_eq!(a["result_kind"], "case");
    let case_id = a["result_id"].as_str().unwrap();
    let case = get(&app, "li.officer", &format!("/cases/{case_id}")).await;
    assert_eq!(case["status"], "filed");
    assert_eq!(case["source"], "complaint");
    assert_eq!(
        case["discovered_at"].as_str().unwrap()[..10],
        clue["discovered_at"].as_str().unwrap()[..10]
    );
    let records = get(&app, "li.officer", &format!("/cases/{case_id}/records")).await;
    assert_eq!(
        records["items"][0]["detail"]["from"]["clue_id"], id,
        "{records}"
    );
    let clue = get(&app, "li.officer", &format!("/clues/{id}")).await;
    assert_eq!(clue["status"], "filed");
    assert_eq!(clue["case_id"], case_id);
    let actions: Vec<&str> = clue["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["clue.registered", "approval.requested", "clue.filed"]
    );
    // Approving twice changes nothing; rejecting now is a conflict.
    let (s, again) = decide(&app, "zhang.head", aid, json!({"outcome": "approve"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["result_id"], case_id);
    let (_, cases) = app
        .get("/cases", Some(&app.token("li.officer").await))
        .await;
    assert_eq!(cases["items"].as_array().unwrap().len(), 1);
    let (s, b) = decide(
        &app,
        "zhang.head",
        aid,
        json!({"outcome": "reject", "opinion": "x"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("approval_decided"))
    );
    // A decided clue takes no other decision.
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/clues/{id}/rejection"),
        json!({"ground": "not_established", "reason": "x"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("clue_decided"))
    );
    // The requester was told.
    let inbox = get(&app, "li.officer", "/me/messages").await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "approval_approved"),
        "{inbox}"
    );
}

async fn a_clue_extended_once_then_refused(app: TestApp) {
    let clue = new_clue(&app, "li.officer", clue_body()).await;
    let id = clue["id"].as_str().unwrap();
    let due0: chrono::NaiveDate = clue["due_on"].as_str().unwrap().parse().unwrap();
    // Asked by an officer, rejected by the head with an opinion.
    let (s, asked) = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "clue_extension", "clue_id": id, "request": {"reason": "需进一步核查"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    let aid = asked["id"].as_str().unwrap();
    let (s, b) = decide(&app, "zhang.head", aid, json!({"outcome": "reject"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "an opinion is required: {b}");
    let (s, r) = decide(
        &app,
        "zhang.head",
        aid,
        json!({"outcome": "reject", "opinion": "期限内可以核查完毕"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "rejected");
    let same = get(&app, "li.officer", &format!("/clues/{id}")).await;
    assert_eq!(same["due_on"], clue["due_on"]);
    assert_eq!(same["extensions"], 0);
    // The head extends directly: 15 more working days, an approval left behind.
    let (s, c) = post(
        &app,
        "zhang.head",
        &format!("/clues/{id}/extension"),
        json!({"reason": "涉及多个门店，需调取监控"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let due1: chrono::NaiveDate = c["due_on"].as_str().unwrap().parse().unwrap();
    assert!(due1 >= due0 + Duration::days(20), "{due0} → {due1}");
    assert!(c["due_basis"].as_str().unwrap().contains("延长"));
    let list = get(
        &app,
        "zhang.head",
        &format!("/approvals?clue_id={id}&status=approved"),
    )
    .await;
    let direct = &list["items"][0];
    assert_eq!(direct["kind"], "clue_extension");
    assert_eq!(direct["requested_by"], direct["decided_by"]);
    // A second extension is refused, named by its rule.
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/clues/{id}/extension"),
        json!({"reason": "再延"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("clue_extension_used")
        )
    );
    assert!(b["detail"].as_str().unwrap().contains("第十八条"));
    // Testing days do not count; a period before discovery is refused.
    let from = (Utc::now() - Duration::days(1)).date_naive();
    let (s, c) = post(
        &app,
        "li.officer",
        &format!("/clues/{id}/exclusions"),
        json!({"kind": "testing", "from": from, "to": from, "reason": "送检"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let due2: chrono::NaiveDate = c["due_on"].as_str().unwrap().parse().unwrap();
    assert!(due2 >= due1, "{due1} → {due2}");
    let early = (Utc::now() - Duration::days(30)).date_naive();
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/clues/{id}/exclusions"),
        json!({"kind": "testing", "from": early, "to": early, "reason": "x"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("dates_out_of_order"))
    );
}

async fn a_clue_not_filed_on_each_ground(app: TestApp) {
    for ground in [
        "not_established",
        "minor_and_corrected",
        "first_violation",
        "no_fault",
        "underage",
        "mental_incapacity",
        "no_jurisdiction",
    ] {
        let clue = new_clue(&app, "li.officer", clue_body()).await;
        let id = clue["id"].as_str().unwrap();
        let (s, c) = post(
            &app,
            "zhang.head",
            &format!("/clues/{id}/rejection"),
            json!({"ground": ground, "reason": "经核查"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{ground}: {c}");
        assert_eq!(c["status"], "rejected");
        assert_eq!(c["ground"], ground);
        let full = get(&app, "li.officer", &format!("/clues/{id}")).await;
        let last = full["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "clue.rejected");
        assert!(
            last["detail"]["basis"]
                .as_str()
                .unwrap()
                .contains("行政处罚法"),
            "{last}"
        );
    }
    // Time-barred: judged at discovery, not at today; five years only for
    // an item of life, health or financial security AND harm (Art 36 ¶1).
    let mut body = clue_body();
    body["occurred_at"] = json!((Utc::now() - Duration::days(1000)).to_rfc3339());
    body["discovered_at"] = json!((Utc::now() - Duration::days(100)).to_rfc3339());
    body["harm_resulted"] = json!(true);
    body["harm_description"] = json!("2名消费者就医");
    let harmed = new_clue(&app, "li.officer", body.clone()).await;
    assert_eq!(harmed["harm_resulted"], true, "{harmed}");
    assert_eq!(harmed["harm_description"], "2名消费者就医");
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/clues/{}/rejection", harmed["id"].as_str().unwrap()),
        json!({"ground": "time_barred", "reason": "超过两年"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("clue_ground_not_met")
        ),
        "{b}"
    );
    let detail = b["detail"].as_str().unwrap();
    assert!(
        detail.contains("第三十六条") && detail.contains("5年"),
        "{detail}"
    );
    // The same dates without harm: two years, so time-barred.
    body["harm_resulted"] = json!(false);
    body.as_object_mut().unwrap().remove("harm_description");
    let unharmed = new_clue(&app, "li.officer", body).await;
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/clues/{}/rejection", unharmed["id"].as_str().unwrap()),
        json!({"ground": "time_barred", "reason": "超过两年"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Harm without its description is refused, naming the field.
    let mut bad = clue_body();
    bad["harm_resulted"] = json!(true);
    let (s, b) = post(&app, "li.officer", "/clues", bad).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "harm_description", "{b}");
    let mut body = clue_body();
    body["occurred_at"] = json!((Utc::now() - Duration::days(6 * 366)).to_rfc3339());
    body["discovered_at"] = json!((Utc::now() - Duration::days(3)).to_rfc3339());
    let old = new_clue(&app, "li.officer", body).await;
    let oid = old["id"].as_str().unwrap();
    // Filing it is refused by the intake's own Art 36 check, at the clue's discovery.
    let mut intake = app.case_body().await;
    intake["occurred_at"] = old["occurred_at"].clone();
    let (s, b) = post(&app, "zhang.head", &format!("/clues/{oid}/filing"), intake).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("limitation_period_expired")
        ),
        "{b}"
    );
    let (s, c) = post(
        &app,
        "zhang.head",
        &format!("/clues/{oid}/rejection"),
        json!({"ground": "time_barred", "reason": "超过追责期限"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    // Bad input: unknown ground, missing reason.
    let fresh = new_clue(&app, "li.officer", clue_body()).await;
    let fid = fresh["id"].as_str().unwrap();
    let (s, _) = post(
        &app,
        "zhang.head",
        &format!("/clues/{fid}/rejection"),
        json!({"ground": "bored", "reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = post(
        &app,
        "zhang.head",
        &format!("/clues/{fid}/rejection"),
        json!({"ground": "no_fault", "reason": " "}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "reason");
    // Registration: discovery in the future, violation after discovery.
    let mut body = clue_body();
    body["discovered_at"] = json!((Utc::now() + Duration::days(1)).to_rfc3339());
    let (s, b) = post(&app, "li.officer", "/clues", body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "discovered_at");
    let mut body = clue_body();
    body["enforcement_item_code"] = json!("EE-AP-001");
    let (s, b) = post(&app, "li.officer", "/clues", body).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("item_not_held_by_department")
        ),
        "{b}"
    );
}

async fn a_clue_transferred_out(app: TestApp) {
    let clue = new_clue(&app, "li.officer", clue_body()).await;
    let id = clue["id"].as_str().unwrap();
    let ecology = app.department("530100-sthjj").await;
    let (s, asked) = post(&app, "li.officer", "/approvals", json!({"kind": "clue_transfer", "clue_id": id, "request": {"to_department_id": ecology, "reason": "属大气污染防治，生态环境部门管辖"}})).await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    let (s, a) = decide(
        &app,
        "zhang.head",
        asked["id"].as_str().unwrap(),
        json!({"outcome": "approve"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let c = get(&app, "li.officer", &format!("/clues/{id}")).await;
    assert_eq!(c["status"], "transferred");
    assert_eq!(c["transferred_to"], ecology);
    // The receiving department is told.
    let inbox = get(&app, "sun.officer", "/me/messages").await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "clue_received"),
        "{inbox}"
    );
}

async fn clue_import_is_all_or_nothing(app: TestApp) {
    let t = app.token("li.officer").await;
    let day = (Utc::now() - Duration::days(1)).date_naive();
    let bad = format!("summary,discovered_at,occurred_at,enforcement_item_code\n颗粒物超标,{day},,\n,{day},,\n噪声,{day},,NO-SUCH\n");
    let resp = app
        .send(
            reqwest::Client::new()
                .post(app.url("/clues:import"))
                .bearer_auth(&t)
                .header("content-type", "text/csv")
                .body(bad),
        )
        .await;
    assert_eq!(resp.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", resp.1);
    assert_eq!(resp.1["code"], "import_failed");
    let errs: Vec<(u64, &str)> = resp.1["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(errs, vec![(3, "summary")]);
    let bad_item = format!("summary,discovered_at,enforcement_item_code\n噪声,{day},NO-SUCH\n");
    let resp = app
        .send(
            reqwest::Client::new()
                .post(app.url("/clues:import"))
                .bearer_auth(&t)
                .body(bad_item),
        )
        .await;
    assert_eq!(resp.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", resp.1);
    assert_eq!(resp.1["errors"][0]["line"], 2);
    assert_eq!(resp.1["errors"][0]["field"], "enforcement_item_code");
    let (_, none) = app.get("/clues", Some(&t)).await;
    assert!(
        none["items"].as_array().unwrap().is_empty(),
        "nothing imported: {none}"
    );
    let good = format!("summary,discovered_at,occurred_at,party_name,location\n在线监测颗粒物超标,{day},{day},某建材厂,五华区\n在线监测二氧化硫超标,{day},,某化工厂,五华区\n");
    let dry = app
        .send(
            reqwest::Client::new()
                .post(app.url("/clues:import?dry_run=true"))
                .bearer_auth(&t)
                .body(good.clone()),
        )
        .await;
    assert_eq!(dry.0, StatusCode::OK, "{}", dry.1);
    assert_eq!(dry.1["rows"], 2);
    assert!(dry.1["clue_ids"].as_array().unwrap().is_empty());
    let done = app
        .send(
            reqwest::Client::new()
                .post(app.url("/clues:import"))
                .bearer_auth(&t)
                .body(good),
        )
        .await;
    assert_eq!(done.0, StatusCode::OK, "{}", done.1);
    assert_eq!(done.1["clue_ids"].as_array().unwrap().len(), 2);
    let (_, list) = app.get("/clues?status=pending", Some(&t)).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|c| c["source"] == "monitoring"));
    // Auxiliaries and readers may not import.
    let aux = app.token("zhou.aux").await;
    let resp = app
        .send(
            reqwest::Client::new()
                .post(app.url("/clues:import"))
                .bearer_auth(&aux)
                .body("summary,discovered_at\nx,2026-01-01\n"),
        )
        .await;
    assert_eq!(resp.0, StatusCode::FORBIDDEN);
}

async fn clue_endpoints_check_role_and_department(app: TestApp) {
    let clue = new_clue(&app, "li.officer", clue_body()).await;
    let id = clue["id"].as_str().unwrap();
    // No token.
    let (s, _) = app.get("/clues", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.post_json("/clues", None, &clue_body()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Another department sees nothing and touches nothing.
    let (s, _) = app
        .get(
            &format!("/clues/{id}"),
            Some(&app.token("sun.officer").await),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let list = get(&app, "sun.officer", "/clues").await;
    assert!(list["items"].as_array().unwrap().is_empty());
    for (act, body) in [
        ("extension", json!({"reason": "x"})),
        ("rejection", json!({"ground": "no_fault", "reason": "x"})),
        (
            "exclusions",
            json!({"kind": "testing", "from": "2026-01-01", "to": "2026-01-01", "reason": "x"}),
        ),
    ] {
        let (s, b) = post(
            &app,
            "sun.officer",
            &format!("/clues/{id}/{act}"),
            body.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{act}: {b}");
        // An officer of the department may not take a head's decision.
        if act != "exclusions" {
            let (s, b) = post(&app, "li.officer", &format!("/clues/{id}/{act}"), body).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{act}: {b}");
            assert!(b["detail"].as_str().unwrap().contains("/approvals"));
        }
    }
    let (s, _) = post(
        &app,
        "sun.officer",
        "/approvals",
        json!({"kind": "clue_extension", "clue_id": id, "request": {"reason": "x"}}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Auxiliaries do not register clues; readers do not either.
    for who in ["zhou.aux", "chen.reviewer", "zhao.supervisor", "admin"] {
        let (s, _) = post(&app, who, "/clues", clue_body()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
    }
    // The supervisor of the region reads it.
    let (s, _) = app
        .get(
            &format!("/clues/{id}"),
            Some(&app.token("zhao.supervisor").await),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn an_inspection_that_finds_a_violation_becomes_a_clue(app: TestApp) {
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    let today = Utc::now().date_naive();
    let plan = |ids: Vec<String>| json!({"enforcement_item_code": "MR-FS-001", "subject": "昆明某某餐饮管理有限公司", "location": "昆明市五华区华山西路1号", "purpose": "双随机抽查", "planned_on": today, "officer_ids": ids});
    // Two certified officers (Art 42).
    let (s, b) = post(&app, "li.officer", "/inspections", plan(vec![li.clone()])).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("too_few_officers")),
        "{b}"
    );
    let (s, b) = post(
        &app,
        "zhou.aux",
        "/inspections",
        plan(vec![li.clone(), wang.clone()]),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, found) = post(
        &app,
        "li.officer",
        "/inspections",
        plan(vec![li.clone(), wang.clone()]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{found}");
    assert_eq!(found["status"], "planned");
    assert_eq!(found["officers"].as_array().unwrap().len(), 2);
    let (_, clean) = post(
        &app,
        "wang.officer",
        "/inspections",
        plan(vec![li.clone(), wang.clone()]),
    )
    .await;
    let fid = found["id"].as_str().unwrap();
    let cid = clean["id"].as_str().unwrap();
    // No token, no inspections.
    let (s, _) = app.get("/inspections", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .post_json("/inspections", None, &plan(vec![li.clone(), wang.clone()]))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Another department sees none of it.
    assert!(get(&app, "sun.officer", "/inspections").await["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let (s, _) = post(
        &app,
        "sun.officer",
        &format!("/inspections/{fid}/findings"),
        json!({"inspected_at": Utc::now().to_rfc3339(), "findings": "x", "violation_found": true}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = post(
        &app,
        "sun.officer",
        &format!("/inspections/{fid}/clue"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Findings, once.
    let (s, done) = post(&app, "li.officer", &format!("/inspections/{fid}/findings"), json!({"inspected_at": Utc::now().to_rfc3339(), "findings": "后厨未见食品经营许可证", "violation_found": true})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "done");
    let (s, _) = post(
        &app,
        "li.officer",
        &format!("/inspections/{fid}/findings"),
        json!({"inspected_at": Utc::now().to_rfc3339(), "findings": "x", "violation_found": false}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = post(&app, "wang.officer", &format!("/inspections/{cid}/findings"), json!({"inspected_at": Utc::now().to_rfc3339(), "findings": "未发现问题", "violation_found": false})).await;
    assert_eq!(s, StatusCode::OK);
    // The violation becomes a clue in one step; the clean one does not.
    let (s, clue) = post(
        &app,
        "li.officer",
        &format!("/inspections/{fid}/clue"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{clue}");
    assert_eq!(clue["source"], "inspection");
    assert_eq!(clue["status"], "pending");
    assert!(clue["summary"].as_str().unwrap().contains("食品经营许可证"));
    let (s, _) = post(
        &app,
        "li.officer",
        &format!("/inspections/{fid}/clue"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, b) = post(
        &app,
        "li.officer",
        &format!("/inspections/{cid}/clue"),
        json!(null),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let list = get(&app, "li.officer", "/inspections?status=done").await;
    let linked = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == fid)
        .unwrap()
        .clone();
    assert_eq!(linked["clue_id"], clue["id"]);
}
