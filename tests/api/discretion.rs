//! Discretion benchmarks: lookup, import/export with row-level rejections,
//! publication, lookups attached to cases, consistency, public pages.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    lookup_follows_the_contract,
    lookup_refuses_bad_input_naming_the_field,
    public_benchmarks_and_refinement_need_no_token,
    good_csv_imports_and_exports_round_trip,
    xlsx_and_toml_round_trip,
    bad_rows_are_all_reported_and_nothing_is_imported,
    import_and_publish_need_admin,
    publishing_a_draft_changes_what_lookups_use,
    lookup_attached_to_a_case_is_judged_and_recorded,
    attaching_is_scoped_to_the_case_department,
    consistency_shows_too_light_and_too_heavy_cases,
    tier_generation_and_export_follow_roles,
);

const CSV_HEADER: &str = "item_code,version,effective_from,effective_until,published,convention,clause,tier,conditions,min,max,unit,basis,description\n";
const FS124: &str = "《中华人民共和国食品安全法》第一百二十四条第一款";

async fn lookup(app: &TestApp, user: &str, body: Value) -> (StatusCode, Value) {
    let t = app.token(user).await;
    app.post_json("/discretion/lookup", Some(&t), &body).await
}

async fn upload(
    app: &TestApp,
    user: Option<&str>,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut r = app
        .client
        .post(app.url(&format!("/discretion/benchmarks:import{query}")))
        .header("content-type", content_type)
        .body(body);
    if let Some(u) = user {
        r = r.bearer_auth(app.token(u).await);
    }
    app.send(r).await
}

async fn download(app: &TestApp, user: &str, query: &str) -> Vec<u8> {
    let t = app.token(user).await;
    let resp = app
        .client
        .get(app.url(&format!("/discretion/benchmarks/export{query}")))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.bytes().await.unwrap().to_vec()
}

async fn versions(app: &TestApp, user: &str, item: &str) -> Vec<String> {
    let t = app.token(user).await;
    let (s, b) = app
        .get(&format!("/discretion/benchmarks?item={item}"), Some(&t))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().to_string())
        .collect()
}

/// One stored version of an item's benchmark, as an admin sees it.
async fn version_view(app: &TestApp, item: &str, label: &str) -> Value {
    let t = app.token("admin").await;
    let (s, b) = app
        .get(&format!("/discretion/benchmarks?item={item}"), Some(&t))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == label)
        .unwrap_or_else(|| panic!("{item} {label} not stored: {b}"))
        .clone()
}

async fn lookup_follows_the_contract(app: TestApp) {
    let body = json!({"item_code": "MR-FS-001", "party_kind": "organization",
        "facts": {"goods_value_fen": 1_500_000, "harm": "ordinary", "first_violation": false,
                  "corrected_promptly": false, "mitigating": [], "aggravating": [],
                  "no_fault_proven": false, "illegal_gains_fen": 0}});
    let (s, b) = lookup(&app, "li.officer", body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["outcome"], "penalty");
    assert_eq!(b["tier"], "general");
    // 13–17 × 15,000 yuan (REFERENCE §3.3 (a)).
    assert_eq!(b["fine_min_fen"], 19_500_000);
    assert_eq!(b["fine_max_fen"], 25_500_000);
    assert_eq!(b["multiple_min"], 13.0);
    assert_eq!(b["benchmark_version"]["version"], "2026");
    assert_eq!(b["hearing_right"], true);
    assert_eq!(b["legal_review_required"], true);
    assert!(b["exemption_list_entry"].is_null());
    let explanation: Vec<&str> = b["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(explanation[0].contains("MR-FS-001"));
    assert!(explanation
        .iter()
        .any(|e| e.contains("《中华人民共和国食品安全法》第一百二十二条第一款")));
    assert!(explanation.iter().any(|e| e.contains("第六十三条")));
    assert!(!b["basis"].as_array().unwrap().is_empty());
    // The version in force on the day asked for: 2024 in 2025, none before 2024.
    let mut old = body.clone();
    old["on_date"] = json!("2025-06-01");
    let (s, b) = lookup(&app, "li.officer", old.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["benchmark_version"]["version"], "2024");
    old["on_date"] = json!("2023-06-01");
    let (s, b) = lookup(&app, "li.officer", old).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "benchmark_missing");
    // A proposed fine is judged.
    let mut p = body.clone();
    p["proposed_fine_fen"] = json!(30_000_001);
    let (_, b) = lookup(&app, "li.officer", p).await;
    assert_eq!(b["judgement"]["verdict"], "outside_law");
    // A minor violation corrected without harm: no penalty (Art 33 ¶1).
    let (_, b) = lookup(
        &app,
        "zhang.head",
        json!({"item_code": "MR-RG-002", "party_kind": "individual_business",
               "facts": {"minor": true, "corrected_promptly": true, "harm": "none"}}),
    )
    .await;
    assert_eq!(b["outcome"], "no_penalty", "{b}");
    assert!(b["basis"][0].as_str().unwrap().contains("第三十三条第一款"));
    // Not corrected: the law fines only a refusal to correct (市场主体登记管理条例): correction only.
    let (_, b) = lookup(
        &app,
        "li.officer",
        json!({"item_code": "MR-RG-002", "party_kind": "organization", "facts": {"harm": "ordinary"}}),
    )
    .await;
    assert_eq!(b["outcome"], "correction_only", "{b}");
    assert!(b["fine_max_fen"].is_null());
    // Every case role may ask; an admin and a stranger may not.
    for user in [
        "wang.officer",
        "chen.reviewer",
        "zhao.supervisor",
        "zhou.aux",
    ] {
        assert_eq!(
            lookup(&app, user, body.clone()).await.0,
            StatusCode::OK,
            "{user}"
        );
    }
    assert_eq!(
        lookup(&app, "admin", body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, b) = app.post_json("/discretion/lookup", None, &body).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
}

async fn lookup_refuses_bad_input_naming_the_field(app: TestApp) {
    let cases = [
        (
            json!({"item_code": "NOPE", "party_kind": "person", "facts": {}}),
            422,
            "enforcement_item_unknown",
            "item_code",
        ),
        (
            json!({"item_code": "MR-FS-001", "party_kind": "person", "facts": {"harm": "minor"}}),
            422,
            "lookup_fact_invalid",
            "facts.goods_value_fen",
        ),
        (
            json!({"item_code": "MR-FS-001", "party_kind": "organization", "facts": {"party_age": 15, "goods_value_fen": 1}}),
            422,
            "lookup_fact_invalid",
            "facts.party_age",
        ),
        (
            json!({"item_code": "MR-FS-001", "party_kind": "person", "facts": {"goods_value_fen": -1}}),
            422,
            "lookup_fact_invalid",
            "facts.goods_value_fen",
        ),
        (
            json!({"item_code": "MR-FS-001", "party_kind": "person", "facts": {"colour": "red"}}),
            400,
            "unknown_field",
            "facts.colour",
        ),
        (
            json!({"item_code": "MR-FS-001", "party_kind": "person", "facts": {"harm": "awful"}}),
            400,
            "",
            "facts.harm",
        ),
        (
            json!({"item_code": "MR-FS-001", "party_kind": "robot", "facts": {}}),
            400,
            "",
            "party_kind",
        ),
    ];
    for (body, status, code, field) in cases {
        let (s, b) = lookup(&app, "li.officer", body.clone()).await;
        assert_eq!(s.as_u16(), status, "{body} → {b}");
        if !code.is_empty() {
            assert_eq!(b["code"], code, "{b}");
        }
        assert!(b.to_string().contains(field), "{field} not named in {b}");
    }
}

async fn public_benchmarks_and_refinement_need_no_token(app: TestApp) {
    let (s, b) = app.get("/public/benchmarks", None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let items = b["items"].as_array().unwrap();
    assert!(items.len() >= 20, "{}", items.len());
    let domains: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|i| i["item_code"].as_str().unwrap().split('-').next().unwrap())
        .collect();
    assert!(domains.len() >= 4, "{domains:?}");
    let fs = items
        .iter()
        .find(|i| i["item_code"] == "MR-FS-001")
        .unwrap();
    assert_eq!(fs["version"], "2026", "the version in force, not 2024");
    assert_eq!(fs["published"], true);
    let tier = &fs["clauses"][0]["tiers"][0];
    assert!(tier["basis_text"].as_str().unwrap().starts_with("《"));
    assert!(items.iter().all(|i| i["published"] == true));
    // The 2027 draft of MR-RG-002 is not public.
    let rg = items
        .iter()
        .find(|i| i["item_code"] == "MR-RG-002")
        .unwrap();
    assert_eq!(rg["version"], "2026");
    // Lenient lists are published with the benchmark.
    assert!(items.iter().any(|i| i["lenient"]
        .as_array()
        .is_some_and(|l| l.iter().any(|e| e["list"] == "first_violation"))));
    let (s, b) = app.get("/public/benchmarks?item=TR-RT-001", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["items"].as_array().unwrap().len(), 1);

    let (s, b) = app.get("/public/benchmarks/refinement", None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let rows = b["items"].as_array().unwrap();
    let by_name = |n: &str| {
        rows.iter()
            .find(|r| r["department_name"] == n)
            .unwrap()
            .clone()
    };
    let mr = by_name("五华区市场监督管理局");
    assert_eq!(mr["share_percent"], 100.0, "{mr}");
    // Urban management: the statute sets no amount for several high-frequency items.
    let um = by_name("五华区城市管理综合行政执法局");
    assert!(um["share_percent"].as_f64().unwrap() < 100.0, "{um}");
    assert!(um["missing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "UM-SR-001"));
}

/// A new draft version of MR-FS-005 (Food Safety Law Art 124 ¶1 (3)? no:
/// the item's clause is Art 124) in the CSV format: statutory rows, tiers,
/// an other penalty and a first-violation list entry.
fn good_csv(version: &str) -> String {
    let mut s = CSV_HEADER.to_string();
    let rows = [
        format!("MR-FS-005,{version},2027-01-01,,false,split_30_40_30,low,statutory,goods_value < 10000,50000,100000,yuan,{FS124},"),
        format!("MR-FS-005,{version},,,,,low,lighter,harm = none|minor,50000,65000,yuan,{FS124},情节较轻"),
        format!("MR-FS-005,{version},,,,,low,general,,65000,85000,yuan,{FS124},"),
        format!("MR-FS-005,{version},,,,,low,heavier,harm = serious,85000,100000,yuan,{FS124},情节较重"),
        format!("MR-FS-005,{version},,,,,high,statutory,goods_value >= 10000,10,20,times_goods_value,{FS124},"),
        format!("MR-FS-005,{version},,,,,high,lighter,harm = none|minor,10,13,times_goods_value,{FS124},"),
        format!("MR-FS-005,{version},,,,,high,general,,13,17,times_goods_value,{FS124},"),
        format!("MR-FS-005,{version},,,,,high,heavier,harm = serious,17,20,times_goods_value,{FS124},"),
        format!("MR-FS-005,{version},,,,,,other,,,,confiscate_illegal_gains,{FS124},没收违法所得"),
        format!("MR-FS-005,{version},,,,,,list:first_violation,goods_value < 500,,,,《中华人民共和国行政处罚法》第三十三条第一款,首次违法且货值不足500元"),
        // A made-up statute standing for one that excludes the no-fault defence (Art 33 ¶2).
        format!("MR-FS-005,{version},,,,,,exception:no_fault,,,,,《测试用严格责任法》第三条,"),
    ];
    for r in rows {
        s.push_str(&r);
        s.push('\n');
    }
    s
}

async fn good_csv_imports_and_exports_round_trip(app: TestApp) {
    let csv = good_csv("2027");
    // A dry run checks and writes nothing.
    let (s, b) = upload(
        &app,
        Some("admin"),
        "?dry_run=true",
        "text/csv",
        csv.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["dry_run"], true);
    assert_eq!(b["versions"][0]["change"], "added");
    assert!(!versions(&app, "admin", "MR-FS-005")
        .await
        .contains(&"2027".to_string()));
    // The real import.
    let (s, b) = upload(
        &app,
        Some("admin"),
        "",
        "text/csv",
        csv.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["versions"][0]["change"], "added");
    assert!(versions(&app, "admin", "MR-FS-005")
        .await
        .contains(&"2027".to_string()));
    // A draft: an officer does not see it; the reviewer does.
    assert!(!versions(&app, "li.officer", "MR-FS-005")
        .await
        .contains(&"2027".to_string()));
    assert!(versions(&app, "chen.reviewer", "MR-FS-005")
        .await
        .contains(&"2027".to_string()));
    let v = version_view(&app, "MR-FS-005", "2027").await;
    assert_eq!(v["clauses"][1]["tiers"][1]["multiple_min"], 13.0);
    assert_eq!(v["clauses"][0]["tiers"][0]["fine_max_fen"], 6_500_000);
    assert_eq!(v["lenient"][0]["list_name"], "首违不罚清单");
    assert_eq!(v["no_fault_exception"], "《测试用严格责任法》第三条");
    // Importing the same file again changes nothing.
    let (_, b) = upload(&app, Some("admin"), "", "text/csv", csv.into_bytes()).await;
    assert_eq!(b["versions"][0]["change"], "unchanged");
    // Export → import: every stored version is unchanged.
    let exported = download(&app, "admin", "?format=csv").await;
    let text = String::from_utf8(exported.clone()).unwrap();
    assert!(text.starts_with("item_code,version,"));
    let (s, b) = upload(
        &app,
        Some("admin"),
        "?dry_run=true&format=csv",
        "application/octet-stream",
        exported,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let vs = b["versions"].as_array().unwrap();
    assert!(vs.len() >= 55, "{}", vs.len());
    assert!(vs.iter().all(|v| v["change"] == "unchanged"), "{b}");
    // The import is audited with the admin's name.
    let mut conn = app.conn();
    use diesel::prelude::*;
    use zhifa::db::schema::audit_events;
    let n: i64 = audit_events::table
        .filter(audit_events::action.eq("benchmark.created"))
        .filter(audit_events::actor_username.eq("admin"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(n, 1);
}

async fn xlsx_and_toml_round_trip(app: TestApp) {
    for (format, ct) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("toml", "application/toml"),
    ] {
        let bytes = download(&app, "admin", &format!("?format={format}&item=MR-FS-001")).await;
        if format == "xlsx" {
            assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip");
        }
        let (s, b) = upload(&app, Some("admin"), "?dry_run=true", ct, bytes).await;
        assert_eq!(s, StatusCode::OK, "{format}: {b}");
        let vs = b["versions"].as_array().unwrap();
        assert_eq!(vs.len(), 2, "{format}: 2024 and 2026");
        assert!(
            vs.iter().all(|v| v["change"] == "unchanged"),
            "{format}: {b}"
        );
    }
    // An XLSX with a bad row names its row.
    let csv = good_csv("2028").replace("50000,65000,yuan", "50000,65000,dollars");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in csv.lines().enumerate() {
        for (c, v) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let (s, b) = upload(
        &app,
        Some("admin"),
        "?format=xlsx&file_name=mr.xlsx",
        "application/octet-stream",
        bytes,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["line"], 3, "{b}");
    assert_eq!(b["errors"][0]["field"], "unit");
    assert_eq!(b["errors"][0]["file"], "mr.xlsx");
}

async fn bad_rows_are_all_reported_and_nothing_is_imported(app: TestApp) {
    let v = "2029";
    let mut csv = good_csv(v);
    // Line numbers: header = 1, the good rows are 2–12; bad rows follow.
    let bad = [
        // 13: a tier above the statutory maximum (Art 76)
        format!("MR-FS-006,x,2027-01-01,,false,custom,c,statutory,,50000,100000,yuan,{FS124},"),
        format!("MR-FS-006,x,,,,,c,lighter,,50000,65000,yuan,{FS124},"),
        format!("MR-FS-006,x,,,,,c,general,,65000,85000,yuan,{FS124},"),
        format!("MR-FS-006,x,,,,,c,heavier,,85000,120000,yuan,{FS124},"),
        // 17–20: overlapping tiers
        format!("MR-FS-003,y,2027-01-01,,false,custom,c,statutory,,50000,100000,yuan,{FS124},"),
        format!("MR-FS-003,y,,,,,c,lighter,,50000,70000,yuan,{FS124},"),
        format!("MR-FS-003,y,,,,,c,general,,65000,85000,yuan,{FS124},"),
        format!("MR-FS-003,y,,,,,c,heavier,,85000,100000,yuan,{FS124},"),
        // 21–24: a gap, and a tier without a citation
        format!("MR-FS-004,z,2027-01-01,,false,custom,c,statutory,,50000,100000,yuan,{FS124},"),
        "MR-FS-004,z,,,,,c,lighter,,50000,60000,yuan,,".to_string(),
        format!("MR-FS-004,z,,,,,c,general,,65000,85000,yuan,{FS124},"),
        format!("MR-FS-004,z,,,,,c,heavier,,85000,100000,yuan,{FS124},"),
        // 25: 减轻 above the statutory minimum
        "MR-FS-004,z,,,,,c,mitigated,mitigating >= 1,0,55000,yuan,《中华人民共和国行政处罚法》第三十二条,".to_string(),
        // 26: an unknown item; 27: an unreadable condition
        format!("XX-000,w,2027-01-01,,false,split_30_40_30,c,statutory,,1000,2000,yuan,{FS124},"),
        format!("MR-FS-002,q,2027-01-01,,false,split_30_40_30,c,statutory,harm = awful,1000,2000,yuan,{FS124},"),
    ];
    for r in &bad {
        csv.push_str(r);
        csv.push('\n');
    }
    let before = versions(&app, "admin", "MR-FS-005").await;
    let (s, b) = upload(
        &app,
        Some("admin"),
        "?file_name=bad.csv",
        "text/csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "import_failed");
    let errors = b["errors"].as_array().unwrap();
    let has = |line: i64, field: &str, text: &str| {
        errors.iter().any(|e| {
            e["line"] == line
                && e["field"] == field
                && e["message"].as_str().unwrap().contains(text)
        })
    };
    assert!(has(27, "conditions", "harm"), "{b}");
    // Row-level parse problems come first; fix it and the rules are checked.
    let csv2: String = {
        let mut c = good_csv(v);
        for r in &bad[..bad.len() - 1] {
            c.push_str(r);
            c.push('\n');
        }
        c
    };
    let (s, b) = upload(
        &app,
        Some("admin"),
        "?file_name=bad.csv",
        "text/csv",
        csv2.into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let errors = b["errors"].as_array().unwrap();
    let has = |line: i64, field: &str, text: &str| {
        errors.iter().any(|e| {
            e["line"] == line
                && e["field"] == field
                && e["message"].as_str().unwrap().contains(text)
                && e["file"] == "bad.csv"
        })
    };
    assert!(has(16, "max", "第七十六条"), "{b}");
    assert!(has(19, "min", "overlap"), "{b}");
    assert!(has(23, "min", "gap"), "{b}");
    assert!(has(22, "basis", "missing citation"), "{b}");
    assert!(has(25, "max", "减轻"), "{b}");
    assert!(has(26, "item_code", "unknown enforcement item"), "{b}");
    assert_eq!(errors.len(), 6, "exactly the bad rows: {b}");
    // Nothing was imported, not even the good version in the same file.
    assert_eq!(versions(&app, "admin", "MR-FS-005").await, before);
    assert!(versions(&app, "admin", "MR-FS-006")
        .await
        .iter()
        .all(|x| x != "x"));
}

async fn import_and_publish_need_admin(app: TestApp) {
    let csv = good_csv("2030").into_bytes();
    for user in [
        "li.officer",
        "zhang.head",
        "chen.reviewer",
        "zhao.supervisor",
    ] {
        let (s, b) = upload(&app, Some(user), "", "text/csv", csv.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{user}: {b}");
    }
    let (s, _) = upload(&app, None, "", "text/csv", csv.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, b) = upload(&app, Some("admin"), "", "application/pdf", csv).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{b}");
    let draft = version_view(&app, "MR-RG-002", "2027-draft").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for user in ["li.officer", "zhang.head", "chen.reviewer"] {
        let t = app.token(user).await;
        let (s, _) = app
            .post_json(
                &format!("/discretion/benchmarks/{draft}/publish"),
                Some(&t),
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{user}");
    }
    let (s, _) = app
        .post_json(
            &format!("/discretion/benchmarks/{draft}/publish"),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.get("/discretion/benchmarks?item=MR-RG-002", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.get("/discretion/benchmarks/export", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn publishing_a_draft_changes_what_lookups_use(app: TestApp) {
    let admin = app.token("admin").await;
    let draft = version_view(&app, "MR-RG-002", "2027-draft").await;
    assert_eq!(draft["published"], false);
    let ask = json!({"item_code": "MR-RG-002", "party_kind": "organization", "facts": {"harm": "ordinary", "refused_correction": true}, "on_date": "2027-03-01"});
    let (_, b) = lookup(&app, "li.officer", ask.clone()).await;
    assert_eq!(b["benchmark_version"]["version"], "2026", "{b}");
    let (s, b) = app
        .post_json(
            &format!(
                "/discretion/benchmarks/{}/publish",
                draft["id"].as_str().unwrap()
            ),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["published"], true);
    assert!(b["published_at"].is_string());
    let (_, b) = lookup(&app, "li.officer", ask).await;
    assert_eq!(b["benchmark_version"]["version"], "2027-draft", "{b}");
    // A published version no longer changes by import.
    let toml =
        String::from_utf8(download(&app, "admin", "?format=toml&item=MR-RG-002").await).unwrap();
    let changed = toml.replacen(
        "version = \"2027-draft\"\neffective_from = 2027-01-01",
        "version = \"2027-draft\"\neffective_from = 2027-02-01",
        1,
    );
    assert_ne!(toml, changed);
    let (s, b) = upload(
        &app,
        Some("admin"),
        "",
        "application/toml",
        changed.into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("published and cannot change"),
        "{b}"
    );
}

async fn attach(app: &TestApp, user: &str, case_id: &str, body: Value) -> (StatusCode, Value) {
    let t = app.token(user).await;
    app.post_json(&format!("/cases/{case_id}/discretion"), Some(&t), &body)
        .await
}

fn facts() -> Value {
    json!({"goods_value_fen": 500_000, "harm": "ordinary"})
}

async fn lookup_attached_to_a_case_is_judged_and_recorded(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    // General tier of Art 122 below 10,000 yuan: 65,000–85,000 yuan.
    let (s, a) = attach(
        &app,
        "li.officer",
        id,
        json!({"facts": facts(), "proposed_fine_fen": 7_000_000}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["verdict"], "within_tier");
    assert_eq!(a["flagged"], false);
    assert_eq!(a["result"]["tier"], "general");
    assert_eq!(a["benchmark_version"]["version"], "2026");
    // Outside the tier without a reason: refused, nothing stored.
    let (s, b) = attach(
        &app,
        "li.officer",
        id,
        json!({"facts": facts(), "proposed_fine_fen": 6_499_999}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "deviation_reason_required");
    assert_eq!(b["errors"][0]["field"], "deviation_reason");
    // With a written reason: allowed, flagged, review required.
    let (s, b) = attach(&app, "wang.officer", id, json!({"facts": facts(), "proposed_fine_fen": 5_000_000, "deviation_reason": "当事人主动停止经营，违法时间短"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["verdict"], "deviation");
    assert_eq!(b["flagged"], true);
    // Outside the law: refused citing Art 76.
    for fine in [4_999_999, 10_000_001] {
        let (s, b) = attach(
            &app,
            "li.officer",
            id,
            json!({"facts": facts(), "proposed_fine_fen": fine, "deviation_reason": "x"}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["code"], "fine_outside_law");
        assert!(b["detail"].as_str().unwrap().contains("第七十六条"));
    }
    // No penalty where the law says so: a fine is refused.
    let (s, b) = attach(&app, "li.officer", id, json!({"facts": {"goods_value_fen": 500_000, "no_fault_proven": true}, "proposed_fine_fen": 100})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "penalty_barred");
    // The two accepted lookups are on the case, in order.
    let li = app.token("li.officer").await;
    let (s, b) = app.get(&format!("/cases/{id}/discretion"), Some(&li)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let list = b["items"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[1]["deviation_reason"],
        "当事人主动停止经营，违法时间短"
    );
    assert_eq!(list[1]["result"]["fine_min_fen"], 6_500_000);
    // ... and in the record chain, which still verifies.
    let (_, b) = app.get(&format!("/cases/{id}/records"), Some(&li)).await;
    let entries: Vec<&Value> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "discretion.attached")
        .collect();
    assert_eq!(entries.len(), 2, "{b}");
    let detail = &entries[1]["detail"];
    let detail: Value = if detail.is_string() {
        serde_json::from_str(detail.as_str().unwrap()).unwrap()
    } else {
        detail.clone()
    };
    assert_eq!(detail["verdict"], "deviation");
    assert_eq!(detail["legal_review_required"], true);
    assert_eq!(detail["benchmark_version"], "2026");
    let (_, v) = app
        .get(&format!("/cases/{id}/records/verify"), Some(&li))
        .await;
    assert_eq!(v["valid"], true, "{v}");
}

async fn attaching_is_scoped_to_the_case_department(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let body = json!({"facts": facts()});
    // Another department's officer does not learn the case exists.
    assert_eq!(
        attach(&app, "sun.officer", id, body.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    // Those who only read may not change it.
    for user in ["zhao.supervisor", "chen.reviewer"] {
        assert_eq!(
            attach(&app, user, id, body.clone()).await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    assert_eq!(
        attach(&app, "admin", id, body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, _) = app
        .post_json(&format!("/cases/{id}/discretion"), None, &body)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // The head of the department may.
    assert_eq!(
        attach(&app, "zhang.head", id, body.clone()).await.0,
        StatusCode::CREATED
    );
    // Reading the attachments follows the case's read scope.
    let sun = app.token("sun.officer").await;
    assert_eq!(
        app.get(&format!("/cases/{id}/discretion"), Some(&sun))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let zhao = app.token("zhao.supervisor").await;
    assert_eq!(
        app.get(&format!("/cases/{id}/discretion"), Some(&zhao))
            .await
            .0,
        StatusCode::OK
    );
    let (s, _) = app.get(&format!("/cases/{id}/discretion"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // An unknown case is 404, an unknown field 400.
    assert_eq!(
        attach(&app, "li.officer", "nope", body).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, b) = attach(&app, "li.officer", id, json!({"facts": facts(), "fine": 1})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
}

async fn consistency_shows_too_light_and_too_heavy_cases(app: TestApp) {
    let mut ids = vec![];
    for (fine, reason) in [
        (7_000_000, None),
        (7_200_000, None),
        (7_400_000, None),
        (8_400_000, None),
        (5_500_000, Some("当事人经营困难")),
    ] {
        let case = app.file_case().await;
        let id = case["id"].as_str().unwrap().to_string();
        let mut body = json!({"facts": facts(), "proposed_fine_fen": fine});
        if let Some(r) = reason {
            body["deviation_reason"] = json!(r);
        }
        let (s, b) = attach(&app, "li.officer", &id, body).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        ids.push(id);
    }
    let head = app.token("zhang.head").await;
    let (s, b) = app
        .get(
            "/discretion/consistency?item=MR-FS-001&tolerance_percent=10",
            Some(&head),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["count"], 5);
    assert_eq!(b["tiers"][0]["tier"], "general");
    assert_eq!(b["tiers"][0]["count"], 5);
    let outliers = b["outliers"].as_array().unwrap();
    let light = outliers
        .iter()
        .find(|o| o["case_id"] == ids[4].as_str())
        .expect("5,500 yuan is flagged");
    assert_eq!(light["direction"], "too_light");
    let heavy = outliers
        .iter()
        .find(|o| o["case_id"] == ids[3].as_str())
        .expect("84,000 yuan is flagged");
    assert_eq!(heavy["direction"], "too_heavy");
    assert!(outliers.iter().all(|o| o["case_id"] != ids[1].as_str()));
    // The supervisor of the region sees the same; officers may not ask.
    let zhao = app.token("zhao.supervisor").await;
    let (s, b) = app
        .get("/discretion/consistency?item=MR-FS-001", Some(&zhao))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["count"], 5);
    let li = app.token("li.officer").await;
    assert_eq!(
        app.get("/discretion/consistency?item=MR-FS-001", Some(&li))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/discretion/consistency?item=MR-FS-001", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // A head of another department sees none of these cases.
    app.add_user_direct("pan.head", "530103-scjgj", &[zhifa::auth::Role::Head])
        .await;
    let pan = app.token("pan.head").await;
    let (s, b) = app
        .get("/discretion/consistency?item=MR-FS-001", Some(&pan))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["count"], 0);
}

async fn tier_generation_and_export_follow_roles(app: TestApp) {
    let body =
        json!({"convention": "split_30_40_30", "unit": "yuan", "min": "5000", "max": "50000"});
    let t = app.token("chen.reviewer").await;
    let (s, b) = app
        .post_json("/discretion/tiers:generate", Some(&t), &body)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let ranges: Vec<(String, String)> = b
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["min"].as_str().unwrap().into(),
                t["max"].as_str().unwrap().into(),
            )
        })
        .collect();
    // Food Safety Law Art 126 split 30/40/30 (REFERENCE §3.3).
    assert_eq!(
        ranges,
        vec![
            ("5000".to_string(), "18500".to_string()),
            ("18500".into(), "36500".into()),
            ("36500".into(), "50000".into())
        ]
    );
    let (s, b) = app
        .post_json(
            "/discretion/tiers:generate",
            Some(&t),
            &json!({"convention": "max_only_samr", "unit": "yuan", "min": "5000", "max": "50000"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "convention");
    let (s, b) = app
        .post_json(
            "/discretion/tiers:generate",
            Some(&t),
            &json!({"convention": "midpoint", "unit": "times_goods_value", "min": "1.0001", "max": "3"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "min");
    assert_eq!(
        app.post_json("/discretion/tiers:generate", None, &body)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // Drafts leave only with those who may see them.
    let officer =
        String::from_utf8(download(&app, "li.officer", "?format=csv&item=MR-RG-002").await)
            .unwrap();
    assert!(
        officer.contains("MR-RG-002,2026,") && !officer.contains("2027-draft"),
        "{officer}"
    );
    let reviewer =
        String::from_utf8(download(&app, "chen.reviewer", "?format=csv&item=MR-RG-002").await)
            .unwrap();
    assert!(reviewer.contains("2027-draft"));
    let admin = app.token("admin").await;
    let (s, _) = app
        .get("/discretion/benchmarks/export?format=pdf", Some(&admin))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app
        .get("/discretion/benchmarks?item=NOPE", Some(&admin))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
