//! 柔性执法 and 行政执法案例指导: a warning talk on a clue with its document
//! and follow-up task; a clue on the exemption list closed by a measure; a
//! measure on a case in its record; a guiding case proposed by a head,
//! published masked by the supervisor and gone when withdrawn.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{get_ok, post_as, TestApp};
use crate::disclosure::fined;
use crate::on_both_backends;

on_both_backends!(
    a_warning_talk_on_a_clue_has_its_document_and_a_follow_up_task,
    a_measure_on_a_case_is_in_its_record,
    a_guiding_case_is_published_masked_and_withdrawn,
);

fn today() -> chrono::NaiveDate {
    zhifa::clock::china_date(Utc::now())
}

async fn clue(app: &TestApp, item: &str) -> String {
    let (s, c) = post_as(app, "li.officer", "/clues", json!({
        "source": "inspection", "summary": "日常检查发现营业执照未置于醒目位置", "enforcement_item_code": item,
        "party_name": "赵某某", "discovered_at": Utc::now().to_rfc3339()
    })).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

fn talk(close: bool) -> Value {
    json!({"kind": "interview", "content": "约谈当事人，告知其应将营业执照置于主要经营场所醒目位置。",
        "follow_up_on": today() + Duration::days(14), "close_clue": close})
}

async fn pdf_text(app: &TestApp, user: &str, path: &str) -> (StatusCode, String) {
    let r = app
        .client
        .get(app.url(path))
        .bearer_auth(app.token(user).await)
        .send()
        .await
        .unwrap();
    let s = r.status();
    if s != StatusCode::OK {
        return (s, r.text().await.unwrap_or_default());
    }
    let bytes = r.bytes().await.unwrap().to_vec();
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("text of the PDF");
    (s, text.chars().filter(|c| !c.is_whitespace()).collect())
}

async fn a_warning_talk_on_a_clue_has_its_document_and_a_follow_up_task(app: TestApp) {
    let id = clue(&app, "MR-RG-002").await;
    let path = format!("/clues/{id}/measures");
    // Wrong role, wrong department, an officer closing a clue: refused, nothing kept.
    for user in ["zhou.aux", "zhao.supervisor", "admin"] {
        assert_eq!(
            post_as(&app, user, &path, talk(false)).await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    assert_eq!(
        post_as(&app, "sun.officer", &path, talk(false)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_as(&app, "li.officer", &path, talk(true)).await.0,
        StatusCode::FORBIDDEN
    );
    let mut past = talk(false);
    past["follow_up_on"] = json!(today());
    assert_eq!(
        post_as(&app, "li.officer", &path, past).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get_ok(&app, "li.officer", "/measures").await["items"],
        json!([])
    );
    // The talk: its numbered document and the follow-up task.
    let (s, m) = post_as(&app, "li.officer", &path, talk(false)).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let number = m["number"].as_str().unwrap().to_string();
    assert!(number.contains("约〔"), "{m}");
    let (s, text) = pdf_text(
        &app,
        "li.officer",
        m["pdf"].as_str().unwrap().trim_start_matches("/api/v1"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{text}");
    assert!(
        text.contains("约谈通知书")
            && text.contains(&number)
            && text.contains("营业执照置于主要经营场所醒目位置"),
        "{text}"
    );
    assert_eq!(
        pdf_text(
            &app,
            "sun.officer",
            m["pdf"].as_str().unwrap().trim_start_matches("/api/v1")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let tasks = get_ok(&app, "li.officer", "/me/tasks").await;
    let task = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "measure_follow_up")
        .cloned()
        .expect("a follow-up task");
    assert_eq!(task["due_on"], m["follow_up_on"]);
    let c = get_ok(&app, "li.officer", &format!("/clues/{id}")).await;
    assert!(
        c["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "clue.measure"),
        "{c}"
    );
    assert_eq!(c["status"], "pending");
    // Followed up: the task is done.
    let mid = m["id"].as_str().unwrap();
    assert_eq!(
        post_as(
            &app,
            "sun.officer",
            &format!("/measures/{mid}/follow-up"),
            json!({"note": "x"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_as(
            &app,
            "zhou.aux",
            &format!("/measures/{mid}/follow-up"),
            json!({"note": "x"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, f) = post_as(
        &app,
        "li.officer",
        &format!("/measures/{mid}/follow-up"),
        json!({"note": "回访：营业执照已悬挂于收银台上方"}),
    )
    .await;
    assert_eq!(
        (s, f["status"].as_str()),
        (StatusCode::OK, Some("followed_up")),
        "{f}"
    );
    assert_eq!(
        post_as(
            &app,
            "li.officer",
            &format!("/measures/{mid}/follow-up"),
            json!({"note": "x"})
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let tasks = get_ok(&app, "li.officer", "/me/tasks").await;
    assert!(
        !tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "measure_follow_up"),
        "{tasks}"
    );

    // A head closes a clue on the exemption list this way, with its basis.
    let (s, m) = post_as(&app, "zhang.head", &path, talk(true)).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert!(m["basis"].as_str().unwrap().contains("第三十三条"), "{m}");
    let c = get_ok(&app, "li.officer", &format!("/clues/{id}")).await;
    assert_eq!(c["status"], "rejected");
    assert!(
        c["outcome_reason"].as_str().unwrap().contains("免罚清单"),
        "{c}"
    );
    // Not on the list: no.
    let other = clue(&app, "MR-FS-007").await;
    let (s, b) = post_as(
        &app,
        "zhang.head",
        &format!("/clues/{other}/measures"),
        talk(true),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        get_ok(&app, "li.officer", &format!("/clues/{other}")).await["status"],
        "pending"
    );
}

async fn a_measure_on_a_case_is_in_its_record(app: TestApp) {
    let id = app.file_case().await["id"].as_str().unwrap().to_string();
    let path = format!("/cases/{id}/measures");
    let body = json!({"kind": "written_warning", "content": "告诫当事人不得再从事无证经营。", "follow_up_on": today() + Duration::days(30)});
    assert_eq!(
        post_as(&app, "sun.officer", &path, body.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    for user in ["zhao.supervisor", "chen.reviewer", "admin"] {
        assert_eq!(
            post_as(&app, user, &path, body.clone()).await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    let (s, m) = post_as(&app, "li.officer", &path, body).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert!(m["number"].as_str().unwrap().contains("诫〔"));
    let records = get_ok(&app, "li.officer", &format!("/cases/{id}/records")).await;
    assert!(
        records["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "measure.recorded"),
        "{records}"
    );
    let listed = get_ok(&app, "li.officer", &format!("/measures?case_id={id}")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        get_ok(&app, "sun.officer", "/measures").await["items"],
        json!([])
    );
}

async fn a_guiding_case_is_published_masked_and_withdrawn(app: TestApp) {
    let (id, _) = fined(&app).await;
    let propose = format!("/cases/{id}/guiding-case");
    let body = json!({"title": "安排无健康证明人员从事直接入口食品工作案",
        "reasoning": "当事人赵某某（电话13800138000）经责令改正拒不改正，依法从轻处罚。本案明确了……", "redactions": []});
    // Only a closed case, only by a head of its department.
    let (s, b) = post_as(&app, "zhang.head", &propose, body.clone()).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("transition_not_allowed")),
        "{b}"
    );
    let (s, b) = post_as(
        &app,
        "li.officer",
        &format!("/cases/{id}/payments"),
        json!({"amount_fen": 600_000, "paid_at": Utc::now().to_rfc3339()}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = post_as(
        &app,
        "zhang.head",
        &format!("/cases/{id}/closure"),
        json!({"reason": "罚款已缴清"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        post_as(&app, "li.officer", &propose, body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_as(&app, "zhao.supervisor", &propose, body.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    app.add_user_direct("other.head", "530100-sthjj", &[zhifa::auth::Role::Head])
        .await;
    assert_eq!(
        post_as(&app, "other.head", &propose, body.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, g) = post_as(&app, "zhang.head", &propose, body).await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    assert_eq!(g["status"], "proposed");
    let gid = g["id"].as_str().unwrap().to_string();
    let (s, list) = app.get("/public/guiding-cases", None).await;
    assert_eq!((s, list["items"].clone()), (StatusCode::OK, json!([])));
    // The supervisor of the region publishes; nobody else.
    let publish = format!("/guiding-cases/{gid}/publication");
    for user in ["zhang.head", "li.officer"] {
        assert_eq!(
            post_as(&app, user, &publish, json!(null)).await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    assert_eq!(
        post_as(&app, "other.head", &publish, json!(null)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_as(&app, "admin", &publish, json!(null)).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, p) = post_as(&app, "zhao.supervisor", &publish, json!(null)).await;
    assert_eq!(
        (s, p["status"].as_str()),
        (StatusCode::OK, Some("published")),
        "{p}"
    );
    let (_, list) = app
        .get("/public/guiding-cases?domain=market_regulation", None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let text = list.to_string();
    for secret in ["11010519491231002X", "13800138000", "赵某某", "华山西路"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(list["items"][0]["summary"]["party_name"], "赵**");
    assert_eq!(
        app.get("/public/guiding-cases?domain=ecology_environment", None)
            .await
            .1["items"],
        json!([])
    );
    assert_eq!(
        app.get("/public/guiding-cases?item_code=MR-FS-007", None)
            .await
            .1["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get(&format!("/public/guiding-cases/{gid}"), None)
            .await
            .0,
        StatusCode::OK
    );
    // Withdrawn: gone from the public side.
    let withdraw = format!("/guiding-cases/{gid}/withdrawal");
    assert_eq!(
        post_as(&app, "zhang.head", &withdraw, json!({"reason": "x"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, w) = post_as(
        &app,
        "zhao.supervisor",
        &withdraw,
        json!({"reason": "所依据的规定已修改"}),
    )
    .await;
    assert_eq!(
        (s, w["status"].as_str()),
        (StatusCode::OK, Some("withdrawn")),
        "{w}"
    );
    assert_eq!(
        app.get("/public/guiding-cases", None).await.1["items"],
        json!([])
    );
    assert_eq!(
        app.get(&format!("/public/guiding-cases/{gid}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_ok(&app, "zhang.head", "/guiding-cases").await["items"][0]["status"],
        "withdrawn"
    );
}
