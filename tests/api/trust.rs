//! Trust (issue 16, items 1–6): numbers issued or voided across a SIGKILL,
//! the atomic login lockout and the per-address throttle, control
//! characters, LIKE wildcards, a database outage, sessions and logout.

use std::collections::BTreeSet;
use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{get_ok, post_as, TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    a_parallel_burst_of_wrong_passwords_locks_after_exactly_the_fifth,
    the_client_address_is_throttled_beside_the_account,
    nul_and_control_characters_are_refused_naming_the_field,
    like_wildcards_in_a_party_search_match_only_themselves,
    logout_ends_this_session_and_revoke_all_ends_every_one,
    the_void_register_is_read_by_heads_and_supervisors_in_their_subtree,
    every_number_is_issued_or_voided_after_a_sigkill_under_filing_load,
);

async fn login(app: &TestApp, user: &str, password: &str) -> (StatusCode, Value) {
    app.post_json(
        "/auth/login",
        None,
        &json!({"username": user, "password": password}),
    )
    .await
}

async fn a_parallel_burst_of_wrong_passwords_locks_after_exactly_the_fifth(app: TestApp) {
    let burst = (0..40).map(|_| login(&app, "li.officer", "Wrong-Password-2026"));
    let answers = futures_util::future::join_all(burst).await;
    let checked = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    let locked = answers
        .iter()
        .filter(|(s, b)| *s == StatusCode::TOO_MANY_REQUESTS && b["code"] == "too_many_requests")
        .count();
    assert_eq!((checked, locked), (5, 35), "{answers:?}");
    // The lock stands after the burst: the right password is refused.
    let (s, b) = login(&app, "li.officer", PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
    // Another account is not locked by it.
    let (s, _) = login(&app, "wang.officer", PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
}

async fn the_client_address_is_throttled_beside_the_account(app: TestApp) {
    let app = app
        .with_env(&[("ZHIFA_LOGIN_ADDRESS_MAX_FAILURES", "3")])
        .await;
    // A success does not count against the address.
    assert_eq!(login(&app, "zhang.head", PASSWORD).await.0, StatusCode::OK);
    for user in ["li.officer", "wang.officer", "sun.officer"] {
        let (s, b) = login(&app, user, "Wrong-Password-2026").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    }
    // Three failures from this address, each for another account: the
    // address is locked, even for an account with no failure.
    let resp = app
        .client
        .post(app.url("/auth/login"))
        .json(&json!({"username": "chen.reviewer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("retry-after").is_some());
}

async fn nul_and_control_characters_are_refused_naming_the_field(app: TestApp) {
    let t = app.token("li.officer").await;
    let mut body = app.case_body().await;
    body["party"]["name"] = json!("昆明\u{0}餐饮有限公司");
    let (s, b) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["code"], "validation_failed");
    assert_eq!(b["errors"][0]["field"], "party.name", "{b}");
    assert_eq!(b["errors"][0]["code"], "control_character");
    let mut body = app.case_body().await;
    body["facts"] = json!("检查发现\u{1b}[31m当事人");
    let (s, b) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "facts");
    // Tab, line feed and carriage return are text.
    let mut body = app.case_body().await;
    body["facts"] = json!("检查发现：\r\n\t当事人未取得食品经营许可证从事餐饮服务。");
    let (s, b) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // In a query string too.
    let (s, b) = app.get("/cases?party=%00", Some(&t)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "party");
    // A login with a NUL in the username is refused as well, not a 500.
    let (s, b) = login(&app, "li\u{0}officer", PASSWORD).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["errors"][0]["field"], "username");
}

async fn like_wildcards_in_a_party_search_match_only_themselves(app: TestApp) {
    let t = app.token("li.officer").await;
    let plain = app.file_case_unapproved().await;
    let mut body = app.case_body().await;
    body["party"]["name"] = json!("昆明百分百%餐饮管理有限公司");
    body["party"]["id_number"] = json!("91530102MA6K000002");
    let (s, percent) = app.post_json("/cases", Some(&t), &body).await;
    if s != StatusCode::CREATED {
        // A USCC the check digit refuses: use the plain one.
        let mut body = app.case_body().await;
        body["party"]["name"] = json!("昆明百分百%餐饮管理有限公司");
        let (s2, p2) = app.post_json("/cases", Some(&t), &body).await;
        assert_eq!(s2, StatusCode::CREATED, "{p2}");
        return check_like(&app, &t, &plain, &p2).await;
    }
    check_like(&app, &t, &plain, &percent).await
}

async fn check_like(app: &TestApp, t: &str, plain: &Value, percent: &Value) {
    let ids = |b: &Value| -> BTreeSet<String> {
        b["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (s, b) = app.get("/cases?party=%25", Some(t)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        ids(&b),
        BTreeSet::from([percent["id"].as_str().unwrap().to_string()]),
        "% matches only the name holding a %"
    );
    let (_, b) = app.get("/cases?party=_", Some(t)).await;
    assert!(ids(&b).is_empty(), "_ matches no name without one: {b}");
    let (_, b) = app.get("/cases?party=%5C", Some(t)).await;
    assert!(ids(&b).is_empty(), "the escape character is literal: {b}");
    let (_, b) = app.get("/cases?party=%E6%98%86%E6%98%8E", Some(t)).await;
    assert!(ids(&b).contains(plain["id"].as_str().unwrap()), "{b}");
    assert!(ids(&b).contains(percent["id"].as_str().unwrap()), "{b}");
}

async fn logout_ends_this_session_and_revoke_all_ends_every_one(app: TestApp) {
    let token = |b: &Value| b["access_token"].as_str().unwrap().to_string();
    let phone = app
        .client
        .post(app.url("/auth/login"))
        .header("user-agent", "zhifa-test-phone")
        .json(&json!({"username": "li.officer", "password": PASSWORD}));
    let (s, a) = app.send(phone).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (a, b) = (
        token(&a),
        token(&login(&app, "li.officer", PASSWORD).await.1),
    );
    let other_user = app.token("wang.officer").await;

    let (s, list) = app.get("/me/sessions", Some(&a)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "only li's own sessions: {list}");
    assert_eq!(items.iter().filter(|i| i["current"] == true).count(), 1);
    let current = items.iter().find(|i| i["current"] == true).unwrap();
    assert_eq!(current["user_agent"], "zhifa-test-phone");
    assert_eq!(current["ip"], "127.0.0.1");
    assert!(current["last_seen_at"].is_string() && current["created_at"].is_string());
    // Paged like every list.
    let (_, page) = app.get("/me/sessions?limit=1", Some(&a)).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let (_, rest) = app
        .get(&format!("/me/sessions?limit=1&cursor={cursor}"), Some(&a))
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());

    // Logout ends this token's session only.
    let (s, _) = app.post_json("/auth/logout", Some(&a), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = app.get("/me", Some(&a)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(app.get("/me", Some(&b)).await.0, StatusCode::OK);
    let (_, list) = app.get("/me/sessions", Some(&b)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // Revoke-all ends every session of the caller, not other users'.
    let c = token(&login(&app, "li.officer", PASSWORD).await.1);
    let (s, r) = app
        .post_json("/me/sessions:revoke-all", Some(&b), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["revoked"], 2);
    for t in [&b, &c] {
        assert_eq!(app.get("/me", Some(t)).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.get("/me", Some(&other_user)).await.0, StatusCode::OK);
    // Without a token: 401.
    let (s, _) = app.post_json("/auth/logout", None, &json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// Inserts a reservation held by an instance that is not alive: the sweep
/// voids it ("interrupted").
fn orphan_reservation(app: &TestApp, department_code: &str, number: &str) {
    let mut conn = app.conn();
    let dept = zhifa::org::department_by_code(&mut conn, department_code)
        .unwrap()
        .unwrap();
    use zhifa::db::schema::number_reservations as r;
    diesel::insert_into(r::table)
        .values((
            r::id.eq(uuid::Uuid::now_v7().to_string()),
            r::department_id.eq(&dept.department.id),
            r::kind.eq("case"),
            r::number.eq(number),
            r::reserved_at.eq(chrono::Utc::now().naive_utc()),
            r::instance_id.eq("an-instance-that-died"),
        ))
        .execute(&mut conn)
        .unwrap();
}

async fn voided_numbers(app: &TestApp, user: &str) -> Vec<Value> {
    let b = get_ok(app, user, "/numbers/voided?limit=500").await;
    b["items"].as_array().unwrap().clone()
}

async fn the_void_register_is_read_by_heads_and_supervisors_in_their_subtree(app: TestApp) {
    orphan_reservation(&app, "530102-scjgj", "五市监立〔2026〕900号");
    orphan_reservation(&app, "530100-sthjj", "昆生环立〔2026〕900号");
    // The periodic sweep voids both (the holder is not alive).
    let mut seen = vec![];
    for _ in 0..100 {
        seen = voided_numbers(&app, "zhao.supervisor").await;
        if seen.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let numbers = |items: &[Value]| -> BTreeSet<String> {
        items
            .iter()
            .map(|v| v["number"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        numbers(&seen),
        BTreeSet::from([
            "五市监立〔2026〕900号".into(),
            "昆生环立〔2026〕900号".into()
        ]),
        "the supervisor sees the region: {seen:?}"
    );
    assert!(seen.iter().all(|v| v["reason"] == "interrupted"));
    // A head sees their own department only (wrong department: not shown).
    let head = voided_numbers(&app, "zhang.head").await;
    assert_eq!(
        numbers(&head),
        BTreeSet::from(["五市监立〔2026〕900号".into()])
    );
    app.add_user("eco.head", "530100-sthjj", &["head"], None)
        .await;
    let eco = voided_numbers(&app, "eco.head").await;
    assert_eq!(
        numbers(&eco),
        BTreeSet::from(["昆生环立〔2026〕900号".into()])
    );
    // Wrong role: officers, legal reviewers, admins.
    for user in ["li.officer", "chen.reviewer", "admin"] {
        let t = app.token(user).await;
        let (s, b) = app.get("/numbers/voided", Some(&t)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{user}: {b}");
    }
    // Paged.
    let t = app.token("zhao.supervisor").await;
    let (_, page) = app.get("/numbers/voided?limit=1", Some(&t)).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["next_cursor"].is_string());
    let (s, _) = app.get("/numbers/voided?limit=0", Some(&t)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// `zhifa serve` on the app's database, its own port and instance name.
struct Served {
    child: std::process::Child,
    base: String,
}

impl Drop for Served {
    /// A failing test leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve(app: &TestApp) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_zhifa"));
    for (k, _) in std::env::vars() {
        if k.starts_with("ZHIFA_") {
            c.env_remove(k);
        }
    }
    c.arg("serve")
        .env("ZHIFA_LOG", "error")
        .env("ZHIFA_BIND", format!("127.0.0.1:{port}"))
        .env("ZHIFA_INSTANCE_NAME", "killed-under-load")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for (k, v) in app.binary_env() {
        c.env(k, v);
    }
    let served = Served {
        child: c.spawn().expect("zhifa serve"),
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..300 {
        if let Ok(r) = app
            .client
            .get(format!("{}/readyz", served.base))
            .send()
            .await
        {
            if r.status() == StatusCode::OK {
                return served;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("zhifa serve did not become ready");
}

/// The sequence number of a register's number (`…〔2026〕12号` → 12).
fn sequence(number: &str) -> i64 {
    let tail = number.rsplit('〕').next().unwrap();
    tail.trim_end_matches('号')
        .parse()
        .unwrap_or_else(|_| panic!("{number}"))
}

async fn every_number_is_issued_or_voided_after_a_sigkill_under_filing_load(app: TestApp) {
    let token = app.token("li.officer").await;
    let body = app.case_body().await;
    for round in 0..2 {
        let mut served = serve(&app).await;
        let filed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let load: Vec<_> = (0..6)
            .map(|_| {
                let (client, url, token, body, filed) = (
                    app.client.clone(),
                    format!("{}/api/v1/cases", served.base),
                    token.clone(),
                    body.clone(),
                    filed.clone(),
                );
                actix_rt::spawn(async move {
                    loop {
                        match client
                            .post(&url)
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await
                        {
                            Ok(r) if r.status() == StatusCode::CREATED => {
                                filed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            }
                            Ok(_) => {}
                            Err(_) => return,
                        }
                    }
                })
            })
            .collect();
        // Kill in the middle of the load: after a few filings went through.
        while filed.load(std::sync::atomic::Ordering::SeqCst) < 4 + round * 3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        served.child.kill().expect("SIGKILL");
        served.child.wait().unwrap();
        for task in load {
            let _ = task.await;
        }
    }
    // Start again: start-up voids what the killed process had reserved.
    let served = serve(&app).await;
    let mut conn = app.conn();
    use zhifa::db::schema::{cases, document_counters as c, documents, voided_numbers as v};
    let counters: Vec<(String, String, i64)> = c::table
        .filter(c::kind.eq_any(["case", "filing_approval"]))
        .select((c::department_id, c::kind, c::last_value))
        .load(&mut conn)
        .unwrap();
    assert!(!counters.is_empty());
    for (dept, kind, last) in counters {
        let issued: Vec<String> = if kind == "case" {
            cases::table
                .filter(cases::department_id.eq(&dept))
                .select(cases::case_no)
                .load(&mut conn)
                .unwrap()
        } else {
            documents::table
                .inner_join(cases::table)
                .filter(cases::department_id.eq(&dept))
                .filter(documents::kind.eq(&kind))
                .select(documents::number)
                .load(&mut conn)
                .unwrap()
        };
        let voided: Vec<String> = v::table
            .filter(v::department_id.eq(&dept))
            .filter(v::kind.eq(&kind))
            .select(v::number)
            .load(&mut conn)
            .unwrap();
        let issued: BTreeSet<i64> = issued.iter().map(|n| sequence(n)).collect();
        let voided: BTreeSet<i64> = voided.iter().map(|n| sequence(n)).collect();
        assert!(
            issued.is_disjoint(&voided),
            "{kind}: a number both issued and voided: {:?}",
            issued.intersection(&voided).collect::<Vec<_>>()
        );
        let lost: Vec<i64> = (1..=last)
            .filter(|n| !issued.contains(n) && !voided.contains(n))
            .collect();
        assert!(
            lost.is_empty(),
            "{kind}: numbers lost {lost:?} (last {last})"
        );
    }
    // The killed processes had steps in flight: their numbers are voided
    // as interrupted (nothing else failed in this load).
    let reasons: Vec<String> = v::table.select(v::reason).load(&mut conn).unwrap();
    assert!(
        !reasons.is_empty() && reasons.iter().all(|r| r == "interrupted"),
        "{reasons:?}"
    );
    // What was voided is in the register the head reads.
    let in_db: i64 = v::table.count().get_result(&mut conn).unwrap();
    let listed = get_ok(&app, "zhang.head", "/numbers/voided?limit=500").await;
    assert_eq!(listed["items"].as_array().unwrap().len() as i64, in_db);
    let (s, _) = post_as(&app, "li.officer", "/cases", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "filing works after the restart");
    drop(served);
}

/// PostgreSQL made unreachable (connections terminated, new ones refused):
/// 503 `database_unavailable` with `Retry-After`, `/readyz` 503, and the
/// service recovers by itself when the database is back. (SQLite is a
/// file in the process: there is no outage to simulate short of breaking
/// the disk; its "cannot open"/"I/O error"/"locked" errors map to the same
/// answer.)
#[actix_rt::test]
async fn a_database_outage_answers_503_and_recovers() {
    let Some(app) = TestApp::postgres().await else {
        eprintln!("ZHIFA_TEST_POSTGRES_URL unset: PostgreSQL outage test not run");
        return;
    };
    let t = app.token("li.officer").await;
    let body = app.case_body().await;
    assert_eq!(app.get("/readyz", None).await.0, StatusCode::OK);
    let base = std::env::var("ZHIFA_TEST_POSTGRES_URL").unwrap();
    let name = app.database_url.rsplit('/').next().unwrap().to_string();
    let mut admin = PgConnection::establish(&base).unwrap();
    use diesel::connection::SimpleConnection;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .unwrap();
    let outage = || async {
        let resp = app
            .client
            .post(app.url("/cases"))
            .bearer_auth(&t)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let retry = resp.headers().get("retry-after").cloned();
        let text = resp.text().await.unwrap();
        crate::common::assert_no_database_text(&text);
        (status, retry, serde_json::from_str::<Value>(&text).unwrap())
    };
    let (s, retry, b) = outage().await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
    assert_eq!(b["code"], "database_unavailable");
    assert!(retry.is_some());
    let (s, b) = app.get("/cases", Some(&t)).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
    assert_eq!(b["code"], "database_unavailable");
    let resp = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(resp.headers().get("retry-after").is_some());
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["code"], "database_unavailable");

    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .unwrap();
    let mut ok = false;
    for _ in 0..50 {
        if app.get("/readyz", None).await.0 == StatusCode::OK
            && app.get("/cases", Some(&t)).await.0 == StatusCode::OK
        {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ok, "the service recovers when the database is back");
    let (s, b) = app.post_json("/cases", Some(&t), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}
