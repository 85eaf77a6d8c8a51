//! Supervision: rubrics, the automatic pre-score, evaluation batches and
//! their evaluations, risk warnings across cases, indicators.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{get_ok, post_as, TestApp};
use crate::on_both_backends;
use zhifa::db::schema::{case_deadlines, case_steps, cases, certificates, record_entries};

on_both_backends!(
    rubrics_are_listed_from_the_fixtures,
    a_correct_file_prescores_full_marks_and_planted_defects_are_found,
    batches_draw_seeded_samples_and_evaluations_are_final,
    warnings_across_cases_are_scoped_and_filtered,
    indicators_match_the_hand_count,
    no_get_returns_a_fine_figure_per_officer,
);

const WH: &str = "530102-scjgj";

/// A simplified-procedure fine decided on the spot, served, paid and
/// closed: a correct file. Its id.
async fn closed_simplified(app: &TestApp, fine_fen: i64) -> String {
    let t = app.token("li.officer").await;
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    let (s, c) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let step = |what: &str| format!("/cases/{id}/{what}");
    let (s, dec) = post_as(app, "li.officer", &step("decision"), json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": fine_fen}], "form_number": "云市监当罚No.0012345", "party_informed": true})).await;
    assert_eq!(s, StatusCode::CREATED, "{dec}");
    let (s, b) = post_as(app, "li.officer", &step("service"), json!({"document_id": dec["id"], "method": "direct", "served_at": dec["at"], "recipient": "赵某"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = post_as(
        app,
        "li.officer",
        &step("payments"),
        json!({"amount_fen": fine_fen, "paid_at": Utc::now().to_rfc3339()}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = post_as(
        app,
        "zhang.head",
        &step("closure"),
        json!({"reason": "当场处罚，已缴纳，备案"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    id
}

fn today() -> chrono::NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// A batch over 五华区市场监督管理局 for the last days, as zhao.supervisor.
async fn batch(app: &TestApp, sample: Option<i64>, seed: Option<i64>) -> Value {
    let dept = app.department(WH).await;
    let mut body = json!({"name": "2026年第一批案卷评查", "department_id": dept,
        "period_from": (today() - Duration::days(3)).to_string(), "period_to": (today() + Duration::days(1)).to_string()});
    if let Some(n) = sample {
        body["sample_size"] = json!(n);
    }
    if let Some(s) = seed {
        body["seed"] = json!(s);
    }
    let (s, b) = post_as(app, "zhao.supervisor", "/evaluations/batches", body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

fn cases_of(batch: &Value) -> Vec<String> {
    let mut v: Vec<String> = batch["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["case_id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn item<'a>(score: &'a Value, code: &str) -> &'a Value {
    score["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no item {code} in {score}"))
}

async fn rubrics_are_listed_from_the_fixtures(app: TestApp) {
    let b = get_ok(&app, "li.officer", "/rubrics").await;
    let codes: Vec<&str> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"general_penalty") && codes.contains(&"simplified_penalty"));
    let g = get_ok(&app, "zhao.supervisor", "/rubrics/general_penalty").await;
    let r = &g["items"][0];
    assert_eq!(r["veto"], "fail");
    assert_eq!(r["grades"]["excellent"], 90);
    assert_eq!(r["grades"]["pass"], 70);
    assert_eq!(r["effective_from"], "2025-01-01");
    let t = app.token("li.officer").await;
    assert_eq!(
        app.get("/rubrics/nope", Some(&t)).await.0,
        StatusCode::NOT_FOUND
    );
    let admin = app.token("admin").await;
    assert_eq!(
        app.get("/rubrics", Some(&admin)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("/rubrics", None).await.0, StatusCode::UNAUTHORIZED);
}

async fn a_correct_file_prescores_full_marks_and_planted_defects_are_found(app: TestApp) {
    let good = closed_simplified(&app, 200_000).await;
    let bad = closed_simplified(&app, 150_000).await;
    let mut conn = app.conn();
    // Planted (as an imported paper file would carry them): a party whose
    // USCC fails its check digit (veto 3), a decision form without its
    // number (veto 7), a record entry edited after the fact.
    diesel::update(cases::table.find(&bad))
        .set(cases::party_id_number.eq("915301027000000004"))
        .execute(&mut conn)
        .unwrap();
    let (step_id, body): (String, String) = case_steps::table
        .filter(case_steps::case_id.eq(&bad))
        .filter(case_steps::kind.eq("decision"))
        .select((case_steps::id, case_steps::body))
        .first(&mut conn)
        .unwrap();
    let mut body: Value = serde_json::from_str(&body).unwrap();
    body["form_number"] = json!(" ");
    diesel::update(case_steps::table.find(&step_id))
        .set(case_steps::body.eq(body.to_string()))
        .execute(&mut conn)
        .unwrap();
    diesel::update(
        record_entries::table
            .filter(record_entries::case_id.eq(&bad))
            .filter(record_entries::seq.eq(1)),
    )
    .set(record_entries::detail.eq("{}"))
    .execute(&mut conn)
    .unwrap();

    let b = batch(&app, None, None).await;
    assert_eq!(cases_of(&b), {
        let mut v = vec![good.clone(), bad.clone()];
        v.sort();
        v
    });
    let eval_of = |case: &str| {
        b["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["case_id"] == case)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The correct file: full marks, everything decided but the facts.
    let e = get_ok(
        &app,
        "zhao.supervisor",
        &format!("/evaluations/{}", eval_of(&good)),
    )
    .await;
    let pre = &e["pre_score"];
    assert_eq!(pre["score"], 100, "{pre}");
    assert_eq!(pre["grade"], "excellent");
    assert_eq!(pre["vetoes"], json!([]));
    assert_eq!(e["rubric"], "simplified_penalty");
    for i in pre["items"].as_array().unwrap() {
        let expected = if i["code"] == "facts.characterisation" {
            "for_evaluator"
        } else {
            "automatic"
        };
        assert_eq!(i["state"], expected, "{i}");
    }
    // The planted file: each defect found, with its evidence and rule.
    let e = get_ok(
        &app,
        "zhao.supervisor",
        &format!("/evaluations/{}", eval_of(&bad)),
    )
    .await;
    let pre = &e["pre_score"];
    assert_eq!(pre["vetoes"], json!([3, 7]), "{pre}");
    assert_eq!(pre["grade"], "fail");
    assert_eq!(pre["score"], 100 - 10 - 25 - 5);
    let party = item(pre, "facts.party_identity");
    assert_eq!(party["findings"][0]["code"], "invalid_uscc", "{party}");
    let order = item(pre, "procedure.on_the_spot");
    let f = &order["findings"][0];
    assert!(f["rule"].as_str().unwrap().contains("第五十二条"), "{f}");
    assert_eq!(f["evidence"]["step"], format!("decision:{step_id}"));
    assert!(f["evidence"]["record_seq"].as_i64().unwrap() > 1, "{f}");
    let rec = item(pre, "archive.record");
    assert_eq!(rec["findings"][0]["evidence"]["record_seq"], 1, "{rec}");

    // One rule: the workflow's decision guard refuses the same file with the
    // same words the pre-score cites.
    let file = {
        let events = zhifa::cases::file::history(&mut conn, &bad).unwrap();
        let mut f = zhifa::cases::file::CaseFile::default();
        for ev in events
            .iter()
            .take_while(|ev| !matches!(ev.body, zhifa::cases::events::CaseEvent::Decision(_)))
        {
            f.apply(ev);
        }
        f
    };
    let step: zhifa::cases::events::DecisionStep = serde_json::from_value(body).unwrap();
    let request = step.request;
    let profile = zhifa::profiles::Profile::default();
    let refused = zhifa::workflow::rules::check_decision(zhifa::workflow::rules::DecisionFacts {
        procedure: zhifa::cases::rules::Procedure::Simplified,
        party_kind: zhifa::cases::rules::PartyKind::Organization,
        file: &file,
        profile: &profile,
        today: today(),
        decision_due: today(),
        request: &request,
        fine_verdict: None,
    })
    .unwrap_err();
    assert_eq!(f["code"], refused.code.as_str());
    assert_eq!(f["rule"], refused.detail);
}

async fn batches_draw_seeded_samples_and_evaluations_are_final(app: TestApp) {
    let mut all = vec![];
    for _ in 0..4 {
        all.push(closed_simplified(&app, 100_000).await);
    }
    all.sort();
    // Same seed, same sample; the seed is recorded.
    let a = batch(&app, Some(2), Some(7)).await;
    let b = batch(&app, Some(2), Some(7)).await;
    assert_eq!(a["seed"], 7);
    assert_eq!(cases_of(&a).len(), 2);
    assert_eq!(cases_of(&a), cases_of(&b));
    let mut differs = false;
    for seed in 8..30 {
        if cases_of(&batch(&app, Some(2), Some(seed)).await) != cases_of(&a) {
            differs = true;
            break;
        }
    }
    assert!(differs, "another seed draws another sample");
    // Without a seed one is chosen and recorded; without a size, all cases.
    let whole = batch(&app, None, None).await;
    assert!(whole["seed"].as_i64().is_some());
    assert_eq!(cases_of(&whole), all);
    let batch_id = a["id"].as_str().unwrap();
    let listed = get_ok(&app, "zhao.supervisor", "/evaluations/batches").await;
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == batch_id));
    let got = get_ok(
        &app,
        "zhao.supervisor",
        &format!("/evaluations/batches/{batch_id}"),
    )
    .await;
    assert_eq!(
        (got["total"].as_i64(), got["completed"].as_i64()),
        (Some(2), Some(0))
    );

    // Wrong role, wrong department.
    let li = app.token("li.officer").await;
    let dept = app.department(WH).await;
    let body = json!({"name": "x", "department_id": dept, "period_from": "2026-01-01", "period_to": "2026-12-31"});
    assert_eq!(
        app.post_json("/evaluations/batches", Some(&li), &body)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/evaluations/batches", Some(&li)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/evaluations/batches/{batch_id}"), Some(&li))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let far = app.department("530300-scjgj").await;
    let (s, _) = post_as(&app, "zhao.supervisor", "/evaluations/batches", json!({"name": "x", "department_id": far, "period_from": "2026-01-01", "period_to": "2026-12-31"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let eid = a["evaluations"][0]["id"].as_str().unwrap().to_string();
    let case_id = a["evaluations"][0]["case_id"].as_str().unwrap().to_string();
    let path = format!("/evaluations/{eid}");
    let (case_seq, case_head): (i64, String) = cases::table
        .find(&case_id)
        .select((cases::record_seq, cases::record_head))
        .first(&mut app.conn())
        .unwrap();
    // A supervisor of the evaluated department may not evaluate it.
    app.add_user("wu.supervisor", WH, &["supervisor"], None)
        .await;
    let score = json!({"items": [{"item_code": "facts.characterisation", "points": 15, "reason": "违法行为定性基本准确，但未写明违反的具体条款"}]});
    let (s, b) = post_as(
        &app,
        "wu.supervisor",
        &format!("{path}/scores"),
        score.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // Heads and officers do not score; another department's head does not see it.
    assert_eq!(
        post_as(&app, "zhang.head", &format!("{path}/scores"), score.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_as(&app, "li.officer", &format!("{path}/complete"), json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&path, Some(&li)).await.0, StatusCode::FORBIDDEN);
    app.add_user("qin.head", "530100-sthjj", &["head"], None)
        .await;
    let qin = app.token("qin.head").await;
    assert_eq!(app.get(&path, Some(&qin)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path, None).await.0, StatusCode::UNAUTHORIZED);
    // Bad scores name the field.
    let (s, b) = post_as(
        &app,
        "zhao.supervisor",
        &format!("{path}/scores"),
        json!({"items": [{"item_code": "facts.characterisation", "points": 99, "reason": "x"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "items[0].points");
    // The evaluator adjusts with a reason and completes.
    let (s, e) = post_as(
        &app,
        "zhao.supervisor",
        &format!("{path}/scores"),
        score.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["pre_score"]["score"], 100);
    assert_eq!(e["result"]["score"], 95);
    assert_eq!(e["result"]["grade"], "excellent");
    let (s, done) = post_as(
        &app,
        "zhao.supervisor",
        &format!("{path}/complete"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["result"]["score"], 95);
    // Final: 409 on both.
    let (s, b) = post_as(
        &app,
        "zhao.supervisor",
        &format!("{path}/complete"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("evaluation_completed"))
    );
    let (s, _) = post_as(&app, "zhao.supervisor", &format!("{path}/scores"), score).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // The department head sees it and answers; the result stays.
    assert_eq!(
        post_as(
            &app,
            "zhao.supervisor",
            &format!("{path}/reply"),
            json!({"reply": "x"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, r) = post_as(
        &app,
        "zhang.head",
        &format!("{path}/reply"),
        json!({"reply": "已组织办案人员学习，整改完毕"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["reply"], "已组织办案人员学习，整改完毕");
    assert_eq!(r["result"], done["result"]);
    // The evaluation's own record verifies; the case's record is untouched.
    let rec = get_ok(&app, "zhang.head", &format!("{path}/record")).await;
    assert_eq!(rec["verification"]["valid"], true, "{rec}");
    let actions: Vec<&str> = rec["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "evaluation.opened",
            "evaluation.scored",
            "evaluation.completed",
            "evaluation.replied"
        ]
    );
    let after: (i64, String) = cases::table
        .find(&case_id)
        .select((cases::record_seq, cases::record_head))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(after, (case_seq, case_head));
    // Stats: counted by hand, one evaluated, one 优秀.
    let st = get_ok(
        &app,
        "zhao.supervisor",
        &format!("/evaluations/stats?department_id={dept}"),
    )
    .await;
    assert_eq!(
        (
            st["evaluated"].as_i64(),
            st["excellent"].as_i64(),
            st["pass"].as_i64(),
            st["fail"].as_i64()
        ),
        (Some(1), Some(1), Some(0), Some(0))
    );
    assert_eq!(st["pass_rate"], 1.0);
    // The report: the same numbers as JSON, CSV, XLSX and PDF.
    let rp = format!("/evaluations/batches/{batch_id}/report");
    let r = get_ok(&app, "zhao.supervisor", &rp).await;
    assert_eq!(r["total"], 2);
    assert_eq!(
        (
            r["overall"]["evaluated"].as_i64(),
            r["overall"]["excellent"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(r["overall"]["pass_rate"], 1.0);
    assert_eq!(r["departments"][0]["department"], "五华区市场监督管理局");
    assert_eq!(r["deductions"][0]["item_code"], "facts.characterisation");
    let zt = app.token("zhao.supervisor").await;
    let bytes = |fmt: &'static str| {
        let url = app.url(&format!("{rp}?format={fmt}"));
        let client = app.client.clone();
        let zt = zt.clone();
        async move {
            let res = client.get(url).bearer_auth(zt).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.bytes().await.unwrap().to_vec()
        }
    };
    let csv = String::from_utf8(bytes("csv").await).unwrap();
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let lines: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let total = lines.last().unwrap();
    assert_eq!(
        total.iter().collect::<Vec<_>>(),
        ["合计", "1", "1", "0", "0", "100.0%"]
    );
    let x = bytes("xlsx").await;
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x)).unwrap();
    let range = book.worksheet_range("评查结果").unwrap();
    let last = range.rows().next_back().unwrap();
    assert_eq!(last[0].to_string(), "合计");
    assert_eq!(last[1].to_string(), "1");
    assert_eq!(last[5].to_string(), "1");
    let pdf = bytes("pdf").await;
    let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
    assert!(text.contains("100.0%") && text.contains("合格率"), "{text}");
    assert_eq!(app.get(&rp, Some(&li)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&format!("{rp}?format=doc"), Some(&zt)).await.0,
        StatusCode::BAD_REQUEST
    );
    let st = get_ok(&app, "zhang.head", "/evaluations/stats").await;
    assert_eq!(st["evaluated"], 1);
    assert_eq!(
        app.get("/evaluations/stats", Some(&li)).await.0,
        StatusCode::FORBIDDEN
    );
    let far_stats = format!("/evaluations/stats?department_id={far}");
    assert_eq!(
        app.get(&far_stats, Some(&app.token("zhang.head").await))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

fn kinds(b: &Value) -> Vec<(String, String)> {
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap().to_string(),
                w["case_id"]
                    .as_str()
                    .or(w["user_id"].as_str())
                    .or(w["uscc"].as_str())
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

async fn warnings_across_cases_are_scoped_and_filtered(app: TestApp) {
    // A clean open case: nothing but what others cause.
    let clean = app.file_case().await["id"].as_str().unwrap().to_string();
    let zhao = app.token("zhao.supervisor").await;
    let (s, b) = app.get("/warnings", Some(&zhao)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(kinds(&b).iter().all(|(_, c)| *c != clean), "{b}");
    // A passed deadline.
    let late = app.file_case().await["id"].as_str().unwrap().to_string();
    diesel::update(case_deadlines::table.filter(case_deadlines::case_id.eq(&late)))
        .set(case_deadlines::due_on.eq(today() - Duration::days(2)))
        .execute(&mut app.conn())
        .unwrap();
    // A report proposing a criminal transfer, with no transfer made (veto 8).
    let crime = app.file_case().await["id"].as_str().unwrap().to_string();
    let (s, b) = post_as(&app, "li.officer", &format!("/cases/{crime}/investigation-report"), json!({"findings": "货值金额达二十万元，涉嫌生产销售伪劣产品罪", "outcome": "transfer_criminal"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // li's certificate ends in ten days.
    let li_id = app.user_id("li.officer").await;
    diesel::update(certificates::table.filter(certificates::user_id.eq(&li_id)))
        .set(certificates::valid_until.eq(today() + Duration::days(10)))
        .execute(&mut app.conn())
        .unwrap();
    // A fourth case against the same enterprise in the year (> 3).
    app.file_case().await;

    let (s, b) = app.get("/warnings", Some(&zhao)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let k = kinds(&b);
    assert!(k.contains(&("deadline_passed".into(), late.clone())), "{b}");
    assert!(k.contains(&("veto_defect".into(), crime.clone())), "{b}");
    assert!(
        k.contains(&("certificate_expiring".into(), li_id.clone())),
        "{b}"
    );
    assert!(
        k.contains(&("enterprise_inspections".into(), "915301027000000003".into())),
        "{b}"
    );
    assert!(
        k.iter().all(|(_, c)| *c != clean),
        "the clean case warns of nothing: {b}"
    );
    let veto = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "veto_defect")
        .unwrap();
    assert!(
        veto["message"].as_str().unwrap().contains("第八十二条"),
        "{veto}"
    );
    assert_eq!(veto["severity"], "high");
    // The department's own staff see the same; filters narrow.
    let li = app.token("li.officer").await;
    let (_, mine) = app.get("/warnings?kind=deadline_passed", Some(&li)).await;
    assert_eq!(
        kinds(&mine),
        vec![("deadline_passed".to_string(), late.clone())]
    );
    let (_, high) = app.get("/warnings?severity=high", Some(&zhao)).await;
    assert!(high["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["severity"] == "high"));
    assert!(!kinds(&high)
        .iter()
        .any(|(k, _)| k == "certificate_expiring"));
    // Paged by cursor.
    let (_, p1) = app.get("/warnings?limit=1", Some(&zhao)).await;
    let cursor = p1["next_cursor"].as_str().unwrap().to_string();
    let (_, p2) = app
        .get(&format!("/warnings?limit=1&cursor={cursor}"), Some(&zhao))
        .await;
    assert_ne!(p1["items"][0]["id"], p2["items"][0]["id"]);
    // Another subtree's warnings never appear; wrong role, bad filter.
    let sun = app.token("sun.officer").await;
    let (s, theirs) = app.get("/warnings", Some(&sun)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(theirs["items"].as_array().unwrap().is_empty(), "{theirs}");
    let wh = app.department(WH).await;
    assert_eq!(
        app.get(&format!("/warnings?department_id={wh}"), Some(&sun))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let admin = app.token("admin").await;
    assert_eq!(
        app.get("/warnings", Some(&admin)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/warnings?kind=nope", Some(&zhao)).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.get("/warnings", None).await.0, StatusCode::UNAUTHORIZED);
    // The daily digest reaches the department's head once, through the messages.
    for _ in 0..2 {
        let m = get_ok(&app, "zhang.head", "/me/messages").await;
        let digests: Vec<&Value> = m["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["kind"] == "warnings_digest")
            .collect();
        assert_eq!(digests.len(), 1, "{m}");
        assert!(
            digests[0]["title"].as_str().unwrap().contains("高风险"),
            "{m}"
        );
    }
    let m = get_ok(&app, "li.officer", "/me/messages").await;
    assert!(!m["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "warnings_digest"));
}

async fn indicators_match_the_hand_count(app: TestApp) {
    closed_simplified(&app, 200_000).await;
    closed_simplified(&app, 50_000).await;
    app.file_case().await;
    let wh = app.department(WH).await;
    let path = format!("/indicators?department_id={wh}");
    let b = get_ok(&app, "zhao.supervisor", &path).await;
    assert_eq!(b["fines_decided_fen"], 250_000, "{b}");
    assert_eq!(b["fines_collected_fen"], 250_000);
    assert_eq!(b["served_on_time"]["numerator"], 2);
    assert_eq!(b["served_on_time"]["denominator"], 2);
    assert_eq!(b["decided_on_time"]["value"], 1.0);
    assert_eq!(b["legal_review_coverage"]["denominator"], 0);
    assert_eq!(b["legal_review_coverage"]["value"], Value::Null);
    assert_eq!(b["evaluation_pass_rate"]["target"], 0.95);
    assert_eq!(b["cases_by_status"]["closed"], 2);
    assert_eq!(b["cases_by_status"]["filed"], 1);
    assert_eq!(b["cases_by_domain"]["market_regulation"], 3);
    let r = &b["benchmark_refinement"];
    assert!(
        r["denominator"].as_i64().unwrap() > 0
            && r["numerator"].as_i64().unwrap() <= r["denominator"].as_i64().unwrap(),
        "{r}"
    );
    assert!(r["formula"].as_str().unwrap().contains("裁量基准"));
    // The head of the department sees its own; officers and other subtrees do not.
    let head = get_ok(&app, "zhang.head", "/indicators").await;
    assert_eq!(head["fines_decided_fen"], 250_000);
    let li = app.token("li.officer").await;
    assert_eq!(app.get(&path, Some(&li)).await.0, StatusCode::FORBIDDEN);
    let eco = app.department("530100-sthjj").await;
    let zhang = app.token("zhang.head").await;
    assert_eq!(
        app.get(&format!("/indicators?department_id={eco}"), Some(&zhang))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/indicators?from=2026-05-01&to=2026-04-01", Some(&zhang))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}

/// Every property name any GET answers with (the OpenAPI document's 200
/// responses, references resolved).
fn property_names(
    doc: &Value,
    schema: &Value,
    seen: &mut std::collections::BTreeSet<String>,
    out: &mut std::collections::BTreeSet<String>,
) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap().to_string();
        if seen.insert(name.clone()) {
            property_names(doc, &doc["components"]["schemas"][&name], seen, out);
        }
        return;
    }
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            out.insert(k.clone());
            property_names(doc, v, seen, out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if schema[key].is_object() {
            property_names(doc, &schema[key], seen, out);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = schema[key].as_array() {
            for s in list {
                property_names(doc, s, seen, out);
            }
        }
    }
}

async fn no_get_returns_a_fine_figure_per_officer(app: TestApp) {
    let r = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc: Value = r.json().await.unwrap();
    let mut names = std::collections::BTreeSet::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut gets = 0;
    for (_, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        gets += 1;
        for (_, resp) in get["responses"].as_object().unwrap() {
            if let Some(content) = resp["content"].as_object() {
                for (_, media) in content {
                    property_names(&doc, &media["schema"], &mut seen, &mut names);
                }
            }
        }
    }
    assert!(
        gets > 40 && names.contains("fines_decided_fen"),
        "{gets} GETs"
    );
    let bad: Vec<&String> = names
        .iter()
        .filter(|n| {
            let n = n.to_lowercase();
            n.contains("rank")
                || (n.contains("officer")
                    && (n.contains("fine") || n.contains("amount") || n.contains("fen")))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "per-officer fine figures or rankings: {bad:?}"
    );
}
