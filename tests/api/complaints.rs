//! 投诉举报: a complaint from the public with its reporter sealed at rest,
//! handled by the competent department, read only by its head (every read
//! recorded), rate-limited per client address; the key rotated and a wrong
//! key failing closed; the reporter never in a log line.

use std::process::{Command, Stdio};

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{get_ok, manifest, post_as, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_complaint_protects_its_reporter,
    complaints_are_rate_limited_and_bounded,
    complaint_endpoints_check_role_and_department,
);

const NAME: &str = "钱多多";
const PHONE: &str = "13912345678";
const ID_NUMBER: &str = "530102199001011234";

fn complaint(anonymous: bool) -> Value {
    let mut c = json!({
        "item_code": "MR-FS-007",
        "subject": {"name": "某某餐馆", "address": "昆明市五华区华山西路2号"},
        "facts": "该餐馆后厨员工未取得健康证明即从事接触直接入口食品的工作。",
        "anonymous": anonymous
    });
    if !anonymous {
        c["reporter"] = json!({"name": NAME, "phone": PHONE, "id_number": ID_NUMBER});
    }
    c
}

fn assert_no_reporter(text: &str) {
    for secret in [NAME, PHONE, ID_NUMBER] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

async fn file(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    app.post_json("/public/complaints", None, body).await
}

async fn filed(app: &TestApp, anonymous: bool) -> (String, String) {
    let (s, b) = file(app, &complaint(anonymous)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let code = b["tracking_code"].as_str().unwrap().to_string();
    let list = get_ok(app, "li.officer", "/complaints").await;
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    (code, id)
}

fn sealed_of(app: &TestApp, id: &str) -> Option<String> {
    use zhifa::db::schema::complaints as c;
    let mut conn = app.conn();
    c::table
        .find(id)
        .select(c::reporter_sealed)
        .first(&mut conn)
        .unwrap()
}

async fn a_complaint_protects_its_reporter(app: TestApp) {
    let (code, id) = filed(&app, false).await;
    // The reporter learns the status, and nothing else.
    let (s, st) = app.get(&format!("/public/complaints/{code}"), None).await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!(st, json!({"tracking_code": code, "status": "received"}));
    assert_eq!(
        app.get("/public/complaints/TS-XXXX-XXXX-XXXX", None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // The competent department (by the item and the address) sees it, without the reporter.
    let list = get_ok(&app, "li.officer", "/complaints").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        list["items"][0]["department_id"],
        app.department("530102-scjgj").await.as_str()
    );
    assert_no_reporter(&list.to_string());
    let one = get_ok(&app, "li.officer", &format!("/complaints/{id}")).await;
    assert_no_reporter(&one.to_string());
    assert_eq!(one["events"][0]["action"], "complaint.received");
    // At rest: ciphertext only.
    let sealed = sealed_of(&app, &id).expect("sealed reporter");
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert_no_reporter(&sealed);
    {
        use zhifa::db::schema::{complaint_events as e, complaints as c};
        let mut conn = app.conn();
        let row: (String, String, String, Option<String>) = c::table
            .find(&id)
            .select((
                c::facts,
                c::subject_name,
                c::client_hash,
                c::subject_address,
            ))
            .first(&mut conn)
            .unwrap();
        assert_no_reporter(&format!("{row:?}"));
        assert!(!row.2.contains("127.0.0.1"));
        let details: Vec<String> = e::table.select(e::detail).load(&mut conn).unwrap();
        assert_no_reporter(&details.join(" "));
    }
    // Only a head of the handling department reads it; the read is recorded.
    let (s, _) = app
        .get(
            &format!("/complaints/{id}/reporter"),
            Some(&app.token("li.officer").await),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = get_ok(&app, "zhang.head", &format!("/complaints/{id}/reporter")).await;
    assert_eq!(r["reporter"]["name"], NAME);
    assert_eq!(r["reporter"]["phone"], PHONE);
    let one = get_ok(&app, "li.officer", &format!("/complaints/{id}")).await;
    assert!(
        one["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "complaint.reporter_read"),
        "{one}"
    );
    assert_no_reporter(&one.to_string());
    app.flush_access_log().await;
    {
        use zhifa::db::schema::access_log as a;
        let mut conn = app.conn();
        let actions: Vec<String> = a::table
            .filter(a::case_id.eq(&id))
            .select(a::action)
            .load(&mut conn)
            .unwrap();
        assert_eq!(actions, ["read_complaint_reporter"]);
    }
    // Turned into a clue (source report): the clue holds the facts, never the reporter.
    let (s, clue) = post_as(
        &app,
        "li.officer",
        &format!("/complaints/{id}/clue"),
        json!({"source": "report"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{clue}");
    assert_eq!(clue["source"], "report");
    assert_no_reporter(&clue.to_string());
    let clues = get_ok(&app, "li.officer", "/clues").await;
    assert_no_reporter(&clues.to_string());
    let c = get_ok(
        &app,
        "li.officer",
        &format!("/clues/{}", clue["id"].as_str().unwrap()),
    )
    .await;
    assert_no_reporter(&c.to_string());
    let (s, b) = post_as(
        &app,
        "li.officer",
        &format!("/complaints/{id}/clue"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, b) = post_as(
        &app,
        "li.officer",
        &format!("/complaints/{id}/closure"),
        json!({"reason": "重复"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(
        app.get(&format!("/public/complaints/{code}"), None).await.1["status"],
        "clue"
    );
    // A reward, recorded by the head.
    let (s, _) = post_as(
        &app,
        "li.officer",
        &format!("/complaints/{id}/rewards"),
        json!({"amount_fen": 50_000, "reason": "举报属实"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, rewarded) = post_as(
        &app,
        "zhang.head",
        &format!("/complaints/{id}/rewards"),
        json!({"amount_fen": 50_000, "reason": "举报属实，案件已立案"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{rewarded}");
    assert!(
        rewarded["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "complaint.reward" && e["detail"]["amount_fen"] == 50_000),
        "{rewarded}"
    );

    // Anonymous: accepted, closed with a reason; no one to read or reward.
    let (s, b) = file(&app, &complaint(true)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let anon = get_ok(&app, "li.officer", "/complaints?status=received").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sealed_of(&app, &anon), None);
    let closed = post_as(
        &app,
        "li.officer",
        &format!("/complaints/{anon}/closure"),
        json!({"reason": "经核查，该餐馆员工均持有健康证明"}),
    )
    .await;
    assert_eq!(closed.0, StatusCode::OK, "{}", closed.1);
    assert_eq!(closed.1["status"], "closed");
    let r = get_ok(&app, "zhang.head", &format!("/complaints/{anon}/reporter")).await;
    assert_eq!(r, json!({"anonymous": true, "reporter": null}));
    let (s, _) = post_as(
        &app,
        "zhang.head",
        &format!("/complaints/{anon}/rewards"),
        json!({"amount_fen": 1, "reason": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // A wrong key fails closed: 503, nothing revealed.
    let other_key = "ab".repeat(32);
    let app = app
        .restart_with(&[("ZHIFA_REPORTER_KEY", &other_key)])
        .await;
    let t = app.token("zhang.head").await;
    let (s, b) = app
        .get(&format!("/complaints/{id}/reporter"), Some(&t))
        .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
    assert_no_reporter(&b.to_string());
    // Rotation: from the (local, derived) key to a new one; the old one then fails closed.
    let new_key = "cd".repeat(32);
    let rotate = |current: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_zhifa"));
        for (k, _) in std::env::vars() {
            if k.starts_with("ZHIFA_") {
                c.env_remove(k);
            }
        }
        c.args(["reporter-key", "rotate"])
            .env("ZHIFA_LOG", "error")
            .env("ZHIFA_DATABASE_URL", &app.database_url)
            .env("ZHIFA_DATA_DIR", app.data_dir.path())
            .env(
                "ZHIFA_JWT_SECRET",
                "test-jwt-secret-0123456789abcdef0123456789",
            )
            .env(
                "ZHIFA_RECORD_KEY",
                "test-record-key-0123456789abcdef0123456789",
            )
            .env("ZHIFA_REPORTER_KEY_NEW", &new_key);
        if let Some(k) = current {
            c.env("ZHIFA_REPORTER_KEY", k);
        }
        c.output().unwrap()
    };
    let out = rotate(Some(&other_key));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a wrong current key changes nothing"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&id));
    let before = sealed_of(&app, &id);
    let out = rotate(None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 reporters re-sealed"));
    assert_ne!(sealed_of(&app, &id), before);
    let app = app.restart_with(&[("ZHIFA_REPORTER_KEY", &new_key)]).await;
    let r = get_ok(&app, "zhang.head", &format!("/complaints/{id}/reporter")).await;
    assert_eq!(r["reporter"]["name"], NAME);
    let app = app.restart_with(&[]).await;
    let t = app.token("zhang.head").await;
    assert_eq!(
        app.get(&format!("/complaints/{id}/reporter"), Some(&t))
            .await
            .0,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

async fn complaints_are_rate_limited_and_bounded(app: TestApp) {
    // Shapes: a reporter or anonymous, not both; bounded texts.
    let mut b = complaint(true);
    b["reporter"] = json!({"name": NAME, "phone": PHONE});
    let (s, e) = file(&app, &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["errors"][0]["field"], "reporter");
    assert_no_reporter(&e.to_string());
    let mut b = complaint(false);
    b["reporter"] = Value::Null;
    assert_eq!(file(&app, &b).await.0, StatusCode::BAD_REQUEST);
    let mut b = complaint(true);
    b["facts"] = json!("举".repeat(5001));
    let (s, e) = file(&app, &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["errors"][0]["code"], "too_long");
    b["facts"] = json!("举".repeat(100_000));
    assert_eq!(file(&app, &b).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    let mut b = complaint(true);
    b.as_object_mut().unwrap().remove("item_code");
    let (s, e) = file(&app, &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["errors"][0]["field"], "department_id");
    // Five an hour from one address; the sixth waits.
    for i in 0..5 {
        let (s, e) = file(&app, &complaint(i % 2 == 0)).await;
        assert_eq!(s, StatusCode::CREATED, "{i}: {e}");
    }
    let r = app
        .client
        .post(app.url("/public/complaints"))
        .json(&complaint(false))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0 && wait <= 3600);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], "too_many_requests");
    assert_no_reporter(&e.to_string());
    // The service stays healthy, and the rest of it answers.
    assert_eq!(app.get("/healthz", None).await.0, StatusCode::OK);
    assert_eq!(
        get_ok(&app, "li.officer", "/complaints?limit=2").await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let page = get_ok(&app, "li.officer", "/complaints?limit=3").await;
    let next = page["next_cursor"].as_str().expect("a next page");
    let rest = get_ok(
        &app,
        "li.officer",
        &format!("/complaints?limit=3&cursor={next}"),
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert_eq!(rest["next_cursor"], Value::Null);
}

async fn complaint_endpoints_check_role_and_department(app: TestApp) {
    let (_, id) = filed(&app, false).await;
    app.add_user_direct("other.head", "530100-sthjj", &[zhifa::auth::Role::Head])
        .await;
    let paths_get = [
        format!("/complaints/{id}"),
        format!("/complaints/{id}/reporter"),
    ];
    let posts = [
        (format!("/complaints/{id}/clue"), json!({})),
        (
            format!("/complaints/{id}/closure"),
            json!({"reason": "不属于本机关管辖"}),
        ),
        (
            format!("/complaints/{id}/rewards"),
            json!({"amount_fen": 1, "reason": "x"}),
        ),
    ];
    // No token.
    assert_eq!(
        app.get("/complaints", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    for p in &paths_get {
        assert_eq!(app.get(p, None).await.0, StatusCode::UNAUTHORIZED, "{p}");
    }
    for (p, b) in &posts {
        assert_eq!(
            app.post_json(p, None, b).await.0,
            StatusCode::UNAUTHORIZED,
            "{p}"
        );
    }
    // Another department: not revealed.
    for user in ["sun.officer", "other.head"] {
        let t = app.token(user).await;
        assert_eq!(
            app.get("/complaints", Some(&t)).await.1["items"],
            json!([]),
            "{user}"
        );
        // The role is checked first: an officer elsewhere is refused the
        // head's reads and rewards (403) before any department is looked at.
        let head_only = |p: &str| p.ends_with("/reporter") || p.ends_with("/rewards");
        let expected = |p: &str| {
            if user == "sun.officer" && head_only(p) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            }
        };
        for p in &paths_get {
            assert_eq!(app.get(p, Some(&t)).await.0, expected(p), "{user} {p}");
        }
        for (p, b) in &posts {
            assert_eq!(
                post_as(&app, user, p, b.clone()).await.0,
                expected(p),
                "{user} {p}"
            );
        }
    }
    // Wrong role: an admin nothing; an auxiliary and the supervisor read
    // without the reporter and act on nothing; officers no reporter, no reward.
    let admin = app.token("admin").await;
    assert_eq!(
        app.get("/complaints", Some(&admin)).await.0,
        StatusCode::FORBIDDEN
    );
    for p in &paths_get {
        assert_eq!(
            app.get(p, Some(&admin)).await.0,
            StatusCode::FORBIDDEN,
            "{p}"
        );
    }
    for user in ["zhou.aux", "zhao.supervisor"] {
        let t = app.token(user).await;
        assert_eq!(
            app.get(&paths_get[0], Some(&t)).await.0,
            StatusCode::OK,
            "{user}"
        );
        assert_eq!(
            app.get(&paths_get[1], Some(&t)).await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
        for (p, b) in &posts {
            assert_eq!(
                post_as(&app, user, p, b.clone()).await.0,
                StatusCode::FORBIDDEN,
                "{user} {p}"
            );
        }
    }
    let t = app.token("li.officer").await;
    assert_eq!(
        app.get(&paths_get[1], Some(&t)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_as(&app, "li.officer", &posts[2].0, posts[2].1.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // The region's supervisor reads the list.
    assert_eq!(
        get_ok(&app, "zhao.supervisor", "/complaints").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// The server's own log, at debug level, never holds the reporter: the
/// binary is started, a complaint filed, turned into a clue and its
/// reporter read, then the log it wrote is searched.
#[actix_rt::test]
async fn the_server_log_never_holds_the_reporter() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.path().join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    for (k, _) in std::env::vars() {
        if k.starts_with("ZHIFA_") {
            child.env_remove(k);
        }
    }
    let mut child = child
        .arg("serve")
        .env("ZHIFA_DATA_DIR", dir.path())
        .env("ZHIFA_BIND", format!("127.0.0.1:{port}"))
        .env("ZHIFA_FIXTURES_DIR", manifest().join("fixtures"))
        .env("ZHIFA_LOG", "debug")
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::from(
            std::fs::File::options().append(true).open(&log).unwrap(),
        ))
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                up = true;
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        up,
        "the server did not start: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let login = |user: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let r: Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": user, "password": crate::common::PASSWORD}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["access_token"]
                .as_str()
                .or(r["token"].as_str())
                .unwrap()
                .to_string()
        }
    };
    let r = client
        .post(format!("{base}/api/v1/public/complaints"))
        .json(&complaint(false))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // A malformed one too: its error is about the shape, never the values.
    let mut bad = complaint(false);
    bad["reporter"]["phone"] = json!(13912345678u64);
    let r = client
        .post(format!("{base}/api/v1/public/complaints"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let head = login("zhang.head").await;
    let officer = login("li.officer").await;
    let list: Value = client
        .get(format!("{base}/api/v1/complaints"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let r: Value = client
        .get(format!("{base}/api/v1/complaints/{id}/reporter"))
        .bearer_auth(&head)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["reporter"]["name"], NAME);
    let r = client
        .post(format!("{base}/api/v1/complaints/{id}/clue"))
        .bearer_auth(&officer)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("/public/complaints"),
        "the log is the server's: {text}"
    );
    assert_no_reporter(&text);
}
