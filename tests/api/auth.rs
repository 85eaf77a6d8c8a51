//! Login, throttling, tokens and their revocation, the audit of logins.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    login_returns_token_and_user,
    unknown_user_and_wrong_password_look_the_same,
    repeated_failures_are_throttled,
    me_shows_the_caller,
    password_change_revokes_old_tokens,
    weak_passwords_are_refused,
    admin_reset_and_disable_revoke_tokens,
    logins_are_audited,
);

async fn login_returns_token_and_user(app: TestApp) {
    let (s, b) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "li.officer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["token_type"], "Bearer");
    assert!(b["expires_in"].as_u64().unwrap() > 0);
    assert_eq!(b["user"]["username"], "li.officer");
    assert_eq!(b["user"]["roles"], json!(["officer"]));
    assert!(b["user"]["department_id"].is_string());
    let (s, _) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "li.officer", "password": PASSWORD, "remember": true}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "unknown fields are refused");
}

async fn unknown_user_and_wrong_password_look_the_same(app: TestApp) {
    let (s1, b1) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "li.officer", "password": "wrong-password-1"}),
        )
        .await;
    let (s2, b2) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "nobody.here", "password": "wrong-password-1"}),
        )
        .await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, StatusCode::UNAUTHORIZED);
    assert_eq!(b1, b2);
}

async fn repeated_failures_are_throttled(app: TestApp) {
    for _ in 0..5 {
        let (s, _) = app
            .post_json(
                "/auth/login",
                None,
                &json!({"username": "wang.officer", "password": "wrong-password-1"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let resp = app
        .client
        .post(app.url("/auth/login"))
        .json(&json!({"username": "wang.officer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(resp.headers().get("retry-after").is_some());
    let b: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(b["code"], "too_many_requests");
    // Other users are not affected.
    let (s, _) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "li.officer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn me_shows_the_caller(app: TestApp) {
    let t = app.token("li.officer").await;
    let (s, me) = app.get("/me", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["username"], "li.officer");
    assert_eq!(me["department_name"], "五华区市场监督管理局");
    assert_eq!(
        me["certificates"][0]["fields"],
        json!(["market_regulation"])
    );
    assert_eq!(me["certificates"][0]["in_force"], true);
    let t = app.token("chen.reviewer").await;
    let (_, me) = app.get("/me", Some(&t)).await;
    assert_eq!(me["legal_qualification"], true);
}

async fn password_change_revokes_old_tokens(app: TestApp) {
    let old = app.token("li.officer").await;
    let new_pw = "Another-Strong-2026";
    let (s, b) = app
        .post_json(
            "/me/password",
            Some(&old),
            &json!({"current_password": "wrong-one-2026!", "new_password": new_pw}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(b["code"], "wrong_password");
    let (s, b) = app
        .post_json(
            "/me/password",
            Some(&old),
            &json!({"current_password": PASSWORD, "new_password": new_pw}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, _) = app.get("/me", Some(&old)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the old token is revoked");
    let (s, _) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "li.officer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, b) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "li.officer", "password": new_pw}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .get("/me", Some(b["access_token"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn weak_passwords_are_refused(app: TestApp) {
    let t = app.token("wang.officer").await;
    for weak in ["short1A!", "alllowercaseletters", "wang.officer-2026X"] {
        let (s, b) = app
            .post_json(
                "/me/password",
                Some(&t),
                &json!({"current_password": PASSWORD, "new_password": weak}),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{weak}: {b}");
        assert_eq!(b["code"], "weak_password");
        assert_eq!(b["errors"][0]["field"], "new_password");
    }
    let (s, _) = app.get("/me", Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "nothing changed");
}

async fn admin_reset_and_disable_revoke_tokens(app: TestApp) {
    let admin = app.token("admin").await;
    let (t, id) = app.login_as("zhou.aux").await;
    let (s, b) = app
        .post_json(
            &format!("/users/{id}/password"),
            Some(&admin),
            &json!({"new_password": "Reset-Password-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(app.get("/me", Some(&t)).await.0, StatusCode::UNAUTHORIZED);
    let (s, b) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "zhou.aux", "password": "Reset-Password-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let t2 = b["access_token"].as_str().unwrap().to_string();
    let (s, b) = app
        .patch_json(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(app.get("/me", Some(&t2)).await.0, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .post_json(
            "/auth/login",
            None,
            &json!({"username": "zhou.aux", "password": "Reset-Password-2026"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "a disabled account cannot log in"
    );
    // Not an admin: 403.
    let li = app.token("li.officer").await;
    let (s, _) = app
        .post_json(
            &format!("/users/{id}/password"),
            Some(&li),
            &json!({"new_password": "Reset-Password-2027"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn logins_are_audited(app: TestApp) {
    app.post_json(
        "/auth/login",
        None,
        &json!({"username": "li.officer", "password": "nope-nope-nope-1"}),
    )
    .await;
    app.token("li.officer").await;
    use zhifa::db::schema::audit_events::dsl::*;
    let mut conn = app.conn();
    let rows: Vec<(String, Option<String>)> = audit_events
        .filter(actor_username.eq("li.officer"))
        .order(at.asc())
        .select((action, request_id))
        .load(&mut conn)
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(actions, vec!["login.failure", "login.success"]);
    assert!(rows.iter().all(|r| r.1.is_some()), "request ids recorded");
}
