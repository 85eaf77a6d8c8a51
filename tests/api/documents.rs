//! Documents the system writes: generated with the step that needs them,
//! numbered without gaps, real PDFs whose text says what the law needs,
//! checkable by a citizen without revealing their content.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    decision_notice_and_receipt_are_issued_with_their_steps,
    no_penalty_and_on_the_spot_decisions,
    concurrent_decisions_get_consecutive_numbers,
    the_case_file_exports_and_verifies_offline,
    numbers_restart_each_year_and_withdrawn_documents_say_so,
    a_department_sets_its_own_kind_codes,
    an_overdue_fine_gets_a_written_demand,
    drafts_on_demand_and_the_inquiry_record,
    a_party_named_with_a_rare_character_is_filed_and_decided,
    a_character_no_face_has_is_a_placeholder_and_a_warning,
    approval_forms_carry_the_heads_opinion_name_and_date,
    a_department_prints_with_its_own_face,
);

async fn post(app: &TestApp, user: &str, path: &str, body: Value) -> Value {
    let t = app.token(user).await;
    let (s, b) = app.post_json(path, Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{path}: {b}");
    b
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

async fn documents(app: &TestApp, case_id: &str) -> Vec<Value> {
    let t = app.token("li.officer").await;
    let (s, b) = app
        .get(&format!("/cases/{case_id}/documents"), Some(&t))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().unwrap().clone()
}

/// The PDF of a document and its text.
async fn pdf_text(app: &TestApp, doc: &Value) -> (Vec<u8>, String) {
    let t = app.token("li.officer").await;
    let r = app
        .client
        .get(app.url(&format!("/documents/{}/pdf", doc["id"].as_str().unwrap())))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"));
    // For the README's page images: ZHIFA_TEST_SAVE_PDFS=<dir> keeps them.
    if let Ok(dir) = std::env::var("ZHIFA_TEST_SAVE_PDFS") {
        let name = format!(
            "{}-{}.pdf",
            doc["kind"].as_str().unwrap_or("doc"),
            doc["id"].as_str().unwrap_or("")
        );
        std::fs::write(std::path::Path::new(&dir).join(name), &bytes).unwrap();
    }
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("text of the PDF");
    // Lines wrap anywhere: compare without whitespace.
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (bytes, text)
}

async fn decision_notice_and_receipt_are_issued_with_their_steps(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    post(&app, "li.officer", &format!("/cases/{id}/records/onsite"), json!({
        "started_at": (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339(),
        "ended_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
        "place": "后厨", "officer_ids": [li, wang], "content": "现场未见食品经营许可证。", "party_signed": true
    })).await;
    post(&app, "li.officer", &format!("/cases/{id}/discretion"), json!({"facts": {"goods_value_fen": 500_000, "harm": "ordinary"}, "proposed_fine_fen": 5_000_000, "deviation_reason": "当事人积极配合调查"})).await;
    post(&app, "li.officer", &format!("/cases/{id}/investigation-report"), json!({
        "findings": "当事人未取得食品经营许可从事餐饮服务，货值5000元。", "outcome": "penalty",
        "penalties": [{"type": "fine", "amount_fen": 5_000_000}], "deviation_reason": "当事人积极配合调查"
    })).await;
    // A deviation needs review: approve it.
    let sub = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/legal-review"),
        json!(null),
    )
    .await;
    let checklist: serde_json::Map<String, Value> = [
        "subject",
        "procedure",
        "facts_evidence",
        "law_application",
        "discretion",
        "documents",
        "crime_transfer",
        "other",
    ]
    .iter()
    .map(|k| (k.to_string(), json!({"passed": true})))
    .collect();
    post(
        &app,
        "chen.reviewer",
        &format!(
            "/reviews/{}/opinion",
            sub["body"]["review_id"].as_str().unwrap()
        ),
        json!({"outcome": "approve", "checklist": checklist}),
    )
    .await;
    let n = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/notice"),
        json!({"served_at": now(), "method": "direct"}),
    )
    .await;
    post(
        &app,
        "li.officer",
        &format!("/cases/{id}/statements"),
        json!({"received_at": now(), "waived": true}),
    )
    .await;
    let d = post(&app, "zhang.head", &format!("/cases/{id}/decision"), json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 5_000_000}], "deviation_reason": "当事人积极配合调查"})).await;
    post(&app, "li.officer", &format!("/cases/{id}/service"), json!({"document_id": d["id"], "method": "direct", "served_at": d["at"], "recipient": "赵某"})).await;

    let docs = documents(&app, id).await;
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            // Issued pending at filing, then completed by the head's approval.
            "filing_approval",
            "filing_approval",
            "onsite_record",
            "review_opinion",
            "penalty_notice",
            "penalty_decision",
            "service_receipt"
        ]
    );
    let (_, text) = pdf_text(&app, &docs[0]).await;
    assert!(
        text.contains("立案审批表")
            && text.contains(case["case_no"].as_str().unwrap())
            && text.contains("监督检查"),
        "{text}"
    );
    let (_, text) = pdf_text(&app, &docs[2]).await;
    assert!(
        text.contains("现场笔录")
            && text.contains("现场未见食品经营许可证")
            && text.contains("执法证号"),
        "{text}"
    );
    let (_, text) = pdf_text(&app, &docs[3]).await;
    assert!(
        text.contains("法制审核意见书")
            && text.contains("裁量基准运用是否适当")
            && text.contains("同意"),
        "{text}"
    );
    let docs: Vec<Value> = docs[4..].to_vec();
    assert_eq!(n["body"]["document_number"], docs[0]["number"]);
    let year = chrono::Datelike::year(&chrono::Utc::now());
    assert_eq!(docs[0]["number"], format!("五市监罚告〔{year}〕1号"));
    assert_eq!(docs[1]["number"], d["body"]["number"]);

    // The decision says what Art 59 requires.
    let (bytes, text) = pdf_text(&app, &docs[1]).await;
    for needle in [
        "行政处罚决定书",
        d["body"]["number"].as_str().unwrap(),
        "昆明某某餐饮管理有限公司",
        "昆明市五华区华山西路1号",
        "人民币伍万元整",
        "50,000元",
        "《中华人民共和国食品安全法》第一百二十二条第一款",
        "五华区人民政府申请行政复议",
        "五华区人民法院提起行政诉讼",
        "六十", // 60 days of reconsideration, written out or as digits
    ] {
        let needle: String = needle.chars().filter(|c| !c.is_whitespace()).collect();
        if needle == "六十" {
            assert!(text.contains("60日内"), "60 days in {text}");
            continue;
        }
        assert!(text.contains(&needle), "{needle} not in {text}");
    }
    // The 宋体 (AR PL SungtiL GB) has heavier outlines than the former sans
    // face: a decision's subset is larger, still far below the 5 MB face.
    assert!(bytes.len() < 120_000, "a decision of {} bytes", bytes.len());
    eprintln!("decision PDF: {} bytes", bytes.len());
    // The record entry of the step names the document's hash.
    let t = app.token("li.officer").await;
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&t)).await;
    let decided = rec["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "case.decided")
        .unwrap();
    let detail: Value = match &decided["detail"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        v => v.clone(),
    };
    assert_eq!(detail["documents"][0]["sha256"], docs[1]["sha256"]);
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    assert_eq!(sha, docs[1]["sha256"].as_str().unwrap());

    // The notice names the rights; the receipt the service.
    let (_, text) = pdf_text(&app, &docs[0]).await;
    assert!(
        text.contains("陈述和申辩") && text.contains("5个工作日内"),
        "{text}"
    );
    assert!(
        !text.contains("要求听证。如要求听证"),
        "no hearing right for 50,000 yuan: {text}"
    );
    let (_, text) = pdf_text(&app, &docs[2]).await;
    assert!(
        text.contains("送达回证") && text.contains("直接送达") && text.contains("赵某"),
        "{text}"
    );

    // A citizen checks the number and code; a wrong code is not confirmed.
    let number = docs[1]["number"].as_str().unwrap();
    let code = docs[1]["verification_code"].as_str().unwrap();
    assert!(text.len() > 10);
    let url =
        |n: &str, c: &str| format!("/public/documents/verify?number={}&code={c}", urlencode(n));
    let (s, v) = app.get(&url(number, code), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["issued"], true);
    assert_eq!(v["title"], "行政处罚决定书");
    assert_eq!(v["withdrawn"], false);
    assert!(v.get("sha256").is_none() && v.get("content").is_none());
    let (_, v) = app.get(&url(number, "ZZZZZZZZ"), None).await;
    assert_eq!(v["issued"], false);
    // Another department's officer does not get the PDF.
    let sun = app.token("sun.officer").await;
    let (s, _) = app
        .get(
            &format!("/documents/{}/pdf", docs[1]["id"].as_str().unwrap()),
            Some(&sun),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&format!("/cases/{id}/documents"), Some(&sun)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get(
            &format!("/documents/{}", docs[1]["id"].as_str().unwrap()),
            Some(&sun),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let t = app.token("li.officer").await;
    let (s, m) = app
        .get(
            &format!("/documents/{}", docs[1]["id"].as_str().unwrap()),
            Some(&t),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(m["number"], docs[1]["number"]);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn no_penalty_and_on_the_spot_decisions(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    post(&app, "li.officer", &format!("/cases/{id}/investigation-report"), json!({"findings": "经调查，现有证据不能证明当事人实施了违法行为。", "outcome": "not_established"})).await;
    let d = post(&app, "zhang.head", &format!("/cases/{id}/decision"), json!({"outcome": "no_penalty", "reason": "违法事实不能成立，依据《中华人民共和国行政处罚法》第五十七条第一款第（三）项"})).await;
    // Past the two 立案审批表 (pending, then completed by the head).
    let docs = documents(&app, id).await[2..].to_vec();
    assert_eq!(docs[0]["kind"], "no_penalty_decision");
    assert_eq!(docs[0]["number"], d["body"]["number"]);
    let (_, text) = pdf_text(&app, &docs[0]).await;
    assert!(
        text.contains("不予行政处罚决定书")
            && text.contains("违法事实不能成立")
            && text.contains("决定不予行政处罚"),
        "{text}"
    );

    let t = app.token("li.officer").await;
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    let (_, c) = app.post_json("/cases", Some(&t), &body).await;
    let sid = c["id"].as_str().unwrap();
    post(&app, "li.officer", &format!("/cases/{sid}/decision"), json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 200_000}], "form_number": "云市监当罚No.0000123", "party_informed": true})).await;
    let docs = documents(&app, sid).await[1..].to_vec();
    assert_eq!(docs[0]["kind"], "on_the_spot_decision");
    assert_eq!(docs[0]["number"], "云市监当罚No.0000123");
    let (_, text) = pdf_text(&app, &docs[0]).await;
    for needle in [
        "当场行政处罚决定书",
        "云市监当罚No.0000123",
        "人民币贰仟元整",
        "2,000元",
        "执法证号",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
}

async fn concurrent_decisions_get_consecutive_numbers(app: TestApp) {
    let n = 100;
    let mut ids = vec![];
    for _ in 0..n {
        let case = app.file_case().await;
        let id = case["id"].as_str().unwrap().to_string();
        post(
            &app,
            "li.officer",
            &format!("/cases/{id}/investigation-report"),
            json!({"findings": "违法事实不能成立。", "outcome": "not_established"}),
        )
        .await;
        ids.push(id);
    }
    let head = app.token("zhang.head").await;
    let mut tasks = vec![];
    for id in &ids {
        let req = app
            .client
            .post(app.url(&format!("/cases/{id}/decision")))
            .bearer_auth(&head)
            .json(&json!({"outcome": "no_penalty", "reason": "违法事实不能成立"}));
        tasks.push(tokio::spawn(async move {
            let r = req.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut numbers = vec![];
    for t in tasks {
        let (s, b) = t.await.unwrap();
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let number = b["body"]["number"].as_str().unwrap().to_string();
        let n: u32 = number
            .split('〕')
            .nth(1)
            .unwrap()
            .trim_end_matches('号')
            .parse()
            .unwrap();
        numbers.push(n);
    }
    numbers.sort();
    assert_eq!(
        numbers,
        (1..=n as u32).collect::<Vec<_>>(),
        "no gaps, no reuse"
    );
}

async fn the_case_file_exports_and_verifies_offline(app: TestApp) {
    use std::io::{Read, Write};
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let t = app.token("li.officer").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "meta",
            reqwest::multipart::Part::text(
                json!({"kind": "documentary", "title": "营业执照复印件", "collected_at": now()})
                    .to_string(),
            )
            .mime_str("application/json")
            .unwrap(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 licence".to_vec())
                .file_name("licence.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let (s, e) = app
        .send(
            app.client
                .post(app.url(&format!("/cases/{id}/evidence")))
                .bearer_auth(&t)
                .multipart(form),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    post(
        &app,
        "li.officer",
        &format!("/cases/{id}/investigation-report"),
        json!({"findings": "违法事实不能成立。", "outcome": "not_established"}),
    )
    .await;
    let d = post(
        &app,
        "zhang.head",
        &format!("/cases/{id}/decision"),
        json!({"outcome": "no_penalty", "reason": "违法事实不能成立"}),
    )
    .await;
    post(&app, "li.officer", &format!("/cases/{id}/service"), json!({"document_id": d["id"], "method": "direct", "served_at": d["at"], "recipient": "赵某"})).await;

    let r = app
        .client
        .get(app.url(&format!("/cases/{id}/archive.zip")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    for n in [
        "00-卷宗封面.pdf",
        "01-卷内文件目录.pdf",
        "records.json",
        "manifest.json",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    // Documents in legal order: filing, decision, service; then the evidence.
    let docs: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("documents/"))
        .collect();
    assert!(
        docs[0].contains("立案审批表")
            && docs[1].contains("立案审批表")
            && docs[2].contains("不予行政处罚决定书")
            && docs[3].contains("送达回证"),
        "{docs:?}"
    );
    assert!(names
        .iter()
        .any(|n| n.starts_with("evidence/") && n.ends_with(".pdf")));
    let mut index = vec![];
    zip.by_name("01-卷内文件目录.pdf")
        .unwrap()
        .read_to_end(&mut index)
        .unwrap();
    let text = pdf_extract::extract_text_from_mem(&index).unwrap();
    assert!(
        text.contains("营业执照复印件") && text.contains("不予行政处罚决定书"),
        "{text}"
    );
    // Verifies offline, with and without the record key; the same case gives the same archive.
    let report = zhifa::documents::archive::verify_zip(
        std::io::Cursor::new(bytes.clone()),
        Some(b"test-record-key-0123456789abcdef0123456789"),
    )
    .unwrap();
    assert!(report.ok, "{report:?}");
    let again = app
        .client
        .get(app.url(&format!("/cases/{id}/archive.zip")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(again, bytes, "deterministic");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.zip");
    std::fs::write(&good, &bytes).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .args(["archive", "verify"])
        .arg(&good)
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Tamper with one document: verification fails naming it.
    let tampered = dir.path().join("bad.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&tampered).unwrap());
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().to_string();
            let mut buf = vec![];
            f.read_to_end(&mut buf).unwrap();
            if name == *docs[2] {
                let last = buf.len() - 10;
                buf[last] ^= 0x20;
            }
            w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&buf).unwrap();
        }
        w.finish().unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .args(["archive", "verify"])
        .arg(&tampered)
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("不予行政处罚决定书") && said.contains("BROKEN"),
        "{said}"
    );
    // Another department does not get the file.
    let sun = app.token("sun.officer").await;
    let (s, _) = app
        .get(&format!("/cases/{id}/archive.zip"), Some(&sun))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn no_penalty_decision(app: &TestApp) -> Value {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    post(
        app,
        "li.officer",
        &format!("/cases/{id}/investigation-report"),
        json!({"findings": "违法事实不能成立。", "outcome": "not_established"}),
    )
    .await;
    post(
        app,
        "zhang.head",
        &format!("/cases/{id}/decision"),
        json!({"outcome": "no_penalty", "reason": "违法事实不能成立"}),
    )
    .await
}

async fn numbers_restart_each_year_and_withdrawn_documents_say_so(app: TestApp) {
    use chrono::Datelike;
    let year = chrono::Utc::now().year();
    let first = no_penalty_decision(&app).await;
    assert_eq!(first["body"]["number"], format!("五市监不罚〔{year}〕1号"));
    let second = no_penalty_decision(&app).await;
    assert_eq!(second["body"]["number"], format!("五市监不罚〔{year}〕2号"));
    // Withdrawal: a head only, once; the number stays taken.
    let docs = documents(&app, first["case_id"].as_str().unwrap()).await;
    let doc = docs
        .iter()
        .find(|d| d["kind"] == "no_penalty_decision")
        .unwrap();
    let path = format!("/documents/{}/withdrawal", doc["id"].as_str().unwrap());
    let sun = app.token("sun.officer").await;
    let (s, _) = app
        .post_json(&path, Some(&sun), &json!({"reason": "文书有误"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another department");
    let admin = app.token("admin").await;
    let (s, _) = app
        .get(
            &format!("/cases/{}/documents", first["case_id"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no case role");
    let li = app.token("li.officer").await;
    let (s, _) = app
        .post_json(&path, Some(&li), &json!({"reason": "文书有误"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let head = app.token("zhang.head").await;
    let (s, b) = app
        .post_json(
            &path,
            Some(&head),
            &json!({"reason": "决定书当事人地址有误，予以撤回"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["withdrawn_at"].is_string());
    let (s, _) = app
        .post_json(&path, Some(&head), &json!({"reason": "again"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, v) = app
        .get(
            &format!(
                "/public/documents/verify?number={}&code={}",
                urlencode(doc["number"].as_str().unwrap()),
                doc["verification_code"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(
        (v["issued"].as_bool(), v["withdrawn"].as_bool()),
        (Some(true), Some(true)),
        "{v}"
    );
    // The new year starts at 1 again.
    let next = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 5)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = app.restart_at(next).await;
    let third = no_penalty_decision(&app).await;
    assert_eq!(
        third["body"]["number"],
        format!("五市监不罚〔{}〕1号", year + 1)
    );
}

async fn a_department_sets_its_own_kind_codes(app: TestApp) {
    let today = zhifa::clock::china_date(chrono::Utc::now());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("profiles.toml");
    let t =
        "{ person_fen = 1000000, organization_fen = 10000000, individual_business_fen = 1000000 }";
    std::fs::write(&file, format!(
        "[[profiles]]\ndepartment = \"530102-scjgj\"\neffective_from = {today}\nhearing_fine = {t}\nhearing_confiscation = {t}\nlegal_review_fine = {t}\nlegal_review_on_revocation_or_suspension = true\nlegal_review_on_hearing = true\nlegal_review_on_benchmark_deviation = true\ndocument_codes = {{ no_penalty_decision = \"不予罚\" }}\n"
    )).unwrap();
    zhifa::profiles::import_file(
        &mut app.conn(),
        &file,
        chrono::Utc::now().naive_utc(),
        today,
    )
    .unwrap();
    app.state.discretion.invalidate();
    let d = no_penalty_decision(&app).await;
    use chrono::Datelike;
    assert_eq!(
        d["body"]["number"],
        format!("五市监不予罚〔{}〕1号", today.year())
    );
}

async fn an_overdue_fine_gets_a_written_demand(app: TestApp) {
    let t0 = chrono::Utc::now();
    let t = app.token("li.officer").await;
    let mut body = app.case_body().await;
    body["procedure"] = json!("simplified");
    let (_, c) = app.post_json("/cases", Some(&t), &body).await;
    let id = c["id"].as_str().unwrap().to_string();
    let d = post(&app, "li.officer", &format!("/cases/{id}/decision"), json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 200_000}], "form_number": "No.9", "party_informed": true})).await;
    post(&app, "li.officer", &format!("/cases/{id}/service"), json!({"document_id": d["id"], "method": "direct", "served_at": d["at"], "recipient": "赵某"})).await;
    // Before the payment deadline: no demand (Compulsion Law Art 54).
    let (s, b) = app
        .post_json(
            &format!("/cases/{id}/enforcement-demand"),
            Some(&t),
            &json!({"served_at": now(), "method": "direct"}),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("deadline_not_reached")
        ),
        "{b}"
    );
    let app = app.restart_at(t0 + chrono::Duration::days(25)).await;
    let t = app.token("li.officer").await;
    let (_, owed) = app.get(&format!("/cases/{id}/late-fee"), Some(&t)).await;
    let outstanding = owed["outstanding_fen"].as_i64().unwrap();
    assert!(outstanding > 200_000, "{owed}");
    let served = (t0 + chrono::Duration::days(25) - chrono::Duration::hours(1)).to_rfc3339();
    let r = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/enforcement-demand"),
        json!({"served_at": served, "method": "direct"}),
    )
    .await;
    assert_eq!(r["kind"], "enforcement_demand");
    let docs = documents(&app, &id).await;
    let demand = docs
        .iter()
        .find(|d| d["kind"] == "payment_demand")
        .expect("罚款催告书");
    let (_, text) = pdf_text(&app, demand).await;
    for n in [
        "罚款催告书".to_string(),
        "人民币贰仟元整（2,000元）".to_string(),
        zhifa::documents::rules::amount_in_figures(outstanding),
        "第五十四条".to_string(),
        "陈述和申辩".to_string(),
    ] {
        assert!(text.contains(&n), "{n} not in {text}");
    }
    let (_, c) = app.get(&format!("/cases/{id}"), Some(&t)).await;
    assert!(
        c["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "enforcement_demand"),
        "{c}"
    );
}

async fn drafts_on_demand_and_the_inquiry_record(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let t = app.token("li.officer").await;
    let before = documents(&app, id).await.len();
    // A 现场笔录 to print and fill in on site: the case's data, blanks for the rest.
    let r = app.client.post(app.url(&format!("/cases/{id}/documents/draft"))).bearer_auth(&t)
        .json(&json!({"kind": "onsite_record", "fields": {"record": {"place": "昆明市五华区华山西路1号"}}})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text: String = pdf_extract::extract_text_from_mem(&r.bytes().await.unwrap())
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains("现场笔录")
            && text.contains("（草稿）")
            && text.contains("昆明某某餐饮管理有限公司")
            && text.contains("华山西路1号")
            && text.contains("＿＿＿"),
        "{text}"
    );
    assert_eq!(
        documents(&app, id).await.len(),
        before,
        "a draft is not kept"
    );
    let (s, b) = app
        .post_json(
            &format!("/cases/{id}/documents/draft"),
            Some(&t),
            &json!({"kind": "no_such_kind"}),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_template_missing")
        ),
        "{b}"
    );
    let (s, _) = app
        .post_json(
            &format!("/cases/{id}/documents/draft"),
            Some(&t),
            &json!({"kind": "../../etc"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let sun = app.token("sun.officer").await;
    let (s, _) = app
        .post_json(
            &format!("/cases/{id}/documents/draft"),
            Some(&sun),
            &json!({"kind": "onsite_record"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The 询问笔录 issued with the record, with its questions and answers.
    let li = app.user_id("li.officer").await;
    let wang = app.user_id("wang.officer").await;
    let now = chrono::Utc::now();
    post(&app, "li.officer", &format!("/cases/{id}/records/inquiry"), json!({
        "started_at": (now - chrono::Duration::hours(2)).to_rfc3339(), "ended_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
        "place": "五华区市场监管局询问室", "officer_ids": [li, wang],
        "interviewee": {"name": "赵某", "relation": "法定代表人", "id_number": "53010219900101001X"},
        "rights_notified": true, "questions": [{"q": "你单位是否取得食品经营许可证？", "a": "没有。"}], "interviewee_signed": true
    })).await;
    let docs = documents(&app, id).await;
    let inquiry = docs
        .iter()
        .find(|d| d["kind"] == "inquiry_record")
        .expect("询问笔录");
    let (_, text) = pdf_text(&app, inquiry).await;
    for n in [
        "询问笔录",
        "赵某（法定代表人）",
        "你单位是否取得食品经营许可证？",
        "没有。",
        "已核对笔录并签名",
    ] {
        assert!(text.contains(n), "{n} not in {text}");
    }
}

/// Runs a poppler tool (`pdftotext`, `pdffonts`) on a PDF and answers what
/// it prints: what a reader of the document sees, not what we wrote.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) must be installed: {e}"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The PDF of document `doc` as `pdftotext` reads it, whitespace removed.
async fn pdftotext(app: &TestApp, doc: &Value) -> (Vec<u8>, String) {
    let (bytes, _) = pdf_text(app, doc).await;
    let text = poppler("pdftotext", &["-enc", "UTF-8"], &bytes);
    (bytes, text.chars().filter(|c| !c.is_whitespace()).collect())
}

/// An intake body for a person named `name` (simplified procedure).
async fn person_named(app: &TestApp, name: &str, procedure: &str) -> Value {
    let mut body = app.case_body().await;
    body["procedure"] = json!(procedure);
    body["party"] = json!({
        "kind": "person", "name": name, "id_type": "id_card",
        "id_number": "11010519491231002X", "address": "昆明市五华区华山西路1号",
        "phone": "13800138000"
    });
    body
}

async fn a_party_named_with_a_rare_character_is_filed_and_decided(app: TestApp) {
    // 𠀾 (U+2003E) is in CJK Extension B: the body face lacks it, the
    // fallback chain draws it, and the text layer keeps it.
    let body = person_named(&app, "张𠀾", "simplified").await;
    let case = post(&app, "li.officer", "/cases", body).await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(case["party"]["name"], "张𠀾");
    let dec = post(
        &app,
        "li.officer",
        &format!("/cases/{id}/decision"),
        json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 10_000}], "form_number": "No.8", "party_informed": true}),
    )
    .await;
    assert_eq!(dec["case_status"], "decided", "{dec}");
    let docs = documents(&app, id).await;
    for kind in ["filing_approval", "on_the_spot_decision"] {
        let doc = docs.iter().find(|d| d["kind"] == kind).expect(kind);
        let (bytes, text) = pdftotext(&app, doc).await;
        assert!(text.contains("张𠀾"), "{kind}: {text}");
        let fonts = poppler("pdffonts", &[], &bytes);
        assert!(fonts.contains("HanaMinB"), "{kind}: {fonts}");
        if kind == "on_the_spot_decision" {
            // The issuing organ above the title, as the SAMR formats print it.
            assert!(
                text.starts_with("五华区市场监督管理局当场行政处罚决定书"),
                "{text}"
            );
        }
    }
    // Nothing was missing: no warning in the record.
    let t = app.token("li.officer").await;
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&t)).await;
    assert!(!rec.to_string().contains("glyph_placeholder"), "{rec}");
}

async fn a_character_no_face_has_is_a_placeholder_and_a_warning(app: TestApp) {
    // 𰀀 (U+30000, CJK Extension G) is in no face of the default chain: the
    // act is not refused; the document shows a framed placeholder with the
    // code point, and the case's record carries the warning.
    let body = person_named(&app, "王𰀀", "simplified").await;
    let case = post(&app, "li.officer", "/cases", body).await;
    let id = case["id"].as_str().unwrap();
    let docs = documents(&app, id).await;
    let (_, text) = pdftotext(&app, &docs[0]).await;
    assert!(text.contains("U+30000"), "{text}");
    let t = app.token("li.officer").await;
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&t)).await;
    let filed = &rec["items"][0];
    assert_eq!(filed["action"], "case.filed");
    let warning = &filed["detail"]["documents"][0]["warning"];
    assert_eq!(warning["code"], "glyph_placeholder", "{filed}");
    assert_eq!(warning["characters"][0], "U+30000");
}

async fn approval_forms_carry_the_heads_opinion_name_and_date(app: TestApp) {
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let date = format!(
        "{}年{}月{}日",
        chrono::Datelike::year(&today),
        chrono::Datelike::month(&today),
        chrono::Datelike::day(&today)
    );
    // An officer files: the 立案审批表 says the head's approval is pending.
    let case = app.file_case_unapproved().await;
    let id = case["id"].as_str().unwrap();
    let docs = documents(&app, id).await;
    assert_eq!(docs.len(), 1);
    let (bytes, pending) = pdftotext(&app, &docs[0]).await;
    assert!(pending.contains("待负责人审批"), "{pending}");
    // The body face is the serif 宋体 (AR PL SungtiL GB), embedded as a subset.
    let fonts = poppler("pdffonts", &[], &bytes);
    assert!(fonts.contains("+BousungEG-Light-GB"), "{fonts}");
    // The head approves: a completed 立案审批表 supersedes the pending one;
    // both stay in the file, numbered.
    app.approve_filing(id).await;
    let docs = documents(&app, id).await;
    let forms: Vec<&Value> = docs
        .iter()
        .filter(|d| d["kind"] == "filing_approval")
        .collect();
    assert_eq!(forms.len(), 2, "{docs:?}");
    assert_ne!(forms[0]["number"], forms[1]["number"]);
    let mut texts = vec![];
    for f in &forms {
        texts.push(pdftotext(&app, f).await.1);
    }
    assert_eq!(
        texts.iter().filter(|t| t.contains("待负责人审批")).count(),
        1
    );
    let text = texts
        .iter()
        .find(|t| !t.contains("待负责人审批"))
        .unwrap()
        .clone();
    assert!(text.contains("负责人意见：同意"), "{text}");
    assert!(text.contains("负责人：张伟"), "{text}");
    assert!(text.contains(&format!("日期：{date}")), "{text}");
    assert!(text.contains("承办人意见："), "{text}");
    assert!(text.contains("替代待审批的立案审批表"), "{text}");
    // An act asked by an officer and approved with an opinion: its 审批表.
    let asked = post(
        &app,
        "li.officer",
        "/approvals",
        json!({"kind": "suspension", "case_id": id, "request": {"reason": "等待检验结果"}}),
    )
    .await;
    let t = app.token("zhang.head").await;
    let (s, a) = app
        .post_json(
            &format!("/approvals/{}/decision", asked["id"].as_str().unwrap()),
            Some(&t),
            &json!({"outcome": "approve", "opinion": "同意中止调查"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let docs = documents(&app, id).await;
    let form = docs
        .iter()
        .find(|d| d["kind"] == "approval_form")
        .expect("the suspension's 审批表");
    assert_eq!(form["title"], "案件中止审批表");
    let (_, text) = pdftotext(&app, form).await;
    assert!(
        text.starts_with("案件中止审批表") || text.contains("案件中止审批表"),
        "{text}"
    );
    assert!(text.contains("承办人意见：等待检验结果"), "{text}");
    assert!(text.contains("承办人：李明"), "{text}");
    assert!(text.contains("负责人意见：同意中止调查"), "{text}");
    assert!(text.contains("负责人：张伟"), "{text}");
    assert!(text.contains(&format!("日期：{date}")), "{text}");
}

async fn a_department_prints_with_its_own_face(app: TestApp) {
    // 五华区市场监督管理局 configures its own body face (standing in for a
    // licensed 仿宋: the shipped WenQuanYi); other departments keep the 宋体.
    let face = crate::common::manifest().join("fixtures/fonts/wqy-microhei.ttc");
    let app = app
        .restart_with(&[(
            "ZHIFA_DEPARTMENT_FONTS",
            &format!("530102-scjgj={}", face.display()),
        )])
        .await;
    let case = app.file_case_unapproved().await;
    let docs = documents(&app, case["id"].as_str().unwrap()).await;
    let (bytes, _) = pdf_text(&app, &docs[0]).await;
    let fonts = poppler("pdffonts", &[], &bytes);
    assert!(fonts.contains("+WenQuanYiMicroHei"), "{fonts}");
    assert!(!fonts.contains("BousungEG"), "{fonts}");
}
