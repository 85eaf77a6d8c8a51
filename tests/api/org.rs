//! Departments, users, certificates: admins inside their region only.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    departments_form_a_tree,
    admin_manages_users_and_certificates,
    management_needs_admin_role_and_region,
    public_certificate_check,
    config_changes_are_audited_with_old_and_new,
    every_admin_endpoint_checks_token_and_role,
);

/// No token → 401 and a non-admin → 403 on every management endpoint.
async fn every_admin_endpoint_checks_token_and_role(app: TestApp) {
    let dept = app.department("530102-scjgj").await;
    let li = app.user_id("li.officer").await;
    let admin = app.token("admin").await;
    let (_, certs) = app
        .get(&format!("/users/{li}/certificates"), Some(&admin))
        .await;
    let cert = certs["items"][0]["id"].as_str().unwrap().to_string();
    let calls: Vec<(&str, String, serde_json::Value)> = vec![
        (
            "POST",
            "/departments".into(),
            json!({"code": "x", "name": "x", "short_name": "x", "level": "county", "kind": "functional", "parent_id": dept}),
        ),
        (
            "PATCH",
            format!("/departments/{dept}"),
            json!({"name": "x"}),
        ),
        (
            "POST",
            "/users".into(),
            json!({"username": "x.y", "display_name": "x", "password": PASSWORD, "department_id": dept, "roles": ["officer"]}),
        ),
        ("PATCH", format!("/users/{li}"), json!({"disabled": true})),
        (
            "POST",
            format!("/users/{li}/password"),
            json!({"new_password": "Another-Strong-2026"}),
        ),
        (
            "POST",
            format!("/users/{li}/certificates"),
            json!({"number": "N", "fields": ["transport"], "area_department_id": dept, "valid_from": "2025-01-01", "valid_until": "2026-01-01"}),
        ),
        (
            "PATCH",
            format!("/certificates/{cert}"),
            json!({"status": "revoked"}),
        ),
    ];
    for role_user in [
        "li.officer",
        "zhang.head",
        "zhao.supervisor",
        "chen.reviewer",
        "zhou.aux",
    ] {
        let t = app.token(role_user).await;
        for (method, path, body) in &calls {
            let req = match *method {
                "POST" => app.client.post(app.url(path)),
                _ => app.client.patch(app.url(path)),
            };
            let (s, b) = app.send(req.json(body).bearer_auth(&t)).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{role_user} {method} {path}: {b}");
            assert_eq!(b["code"], "forbidden");
        }
    }
    for (method, path, body) in &calls {
        let req = match *method {
            "POST" => app.client.post(app.url(path)),
            _ => app.client.patch(app.url(path)),
        };
        assert_eq!(
            app.send(req.json(body)).await.0,
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
    }
    // Nothing changed: li still logs in and his certificate is valid.
    let (_, c) = app.get("/public/certificates/53010221001", None).await;
    assert_eq!(c["valid"], true);
}

async fn departments_form_a_tree(app: TestApp) {
    let t = app.token("li.officer").await;
    let (s, b) = app.get("/departments", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    let items = b["items"].as_array().unwrap();
    let by_code = |c: &str| items.iter().find(|d| d["code"] == c).unwrap().clone();
    let wh = by_code("530102-scjgj");
    assert_eq!(wh["short_name"], "五市监");
    assert_eq!(wh["level"], "county");
    assert_eq!(wh["kind"], "functional");
    assert_eq!(wh["parent_id"], by_code("530102")["id"]);
    assert_eq!(by_code("530102001")["level"], "township");
    assert_eq!(by_code("530000")["level"], "province");
    let (s, one) = app
        .get(
            &format!("/departments/{}", wh["id"].as_str().unwrap()),
            Some(&t),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one["name"], "五华区市场监督管理局");
    assert_eq!(
        app.get("/departments", None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn admin_manages_users_and_certificates(app: TestApp) {
    let admin = app.token("admin").await;
    let dept = app.department("530102-scjgj").await;
    let area = app.department("530102").await;
    let (s, u) = app
        .post_json("/users", Some(&admin), &json!({"username": "xu.officer", "display_name": "徐军", "password": PASSWORD, "department_id": dept, "roles": ["officer"]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    let id = u["id"].as_str().unwrap();
    assert!(u.get("password_hash").is_none());
    let (s, _) = app
        .post_json("/users", Some(&admin), &json!({"username": "xu.officer", "display_name": "徐军", "password": PASSWORD, "department_id": dept, "roles": ["officer"]}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "usernames are unique");
    let (s, c) = app
        .post_json(
            &format!("/users/{id}/certificates"),
            Some(&admin),
            &json!({"number": "53010229999", "fields": ["market_regulation"], "area_department_id": area, "valid_from": "2025-01-01", "valid_until": "2030-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["status"], "valid");
    let (s, again) = app
        .get(
            &format!("/certificates/{}", c["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the Location of a new certificate answers"
    );
    assert_eq!(again["number"], "53010229999");
    let cert_path = format!("/certificates/{}", c["id"].as_str().unwrap());
    let sun = app.token("sun.officer").await;
    assert_eq!(
        app.get(&cert_path, Some(&sun)).await.0,
        StatusCode::NOT_FOUND,
        "another department's certificate is not shown"
    );
    assert_eq!(app.get(&cert_path, None).await.0, StatusCode::UNAUTHORIZED);
    let (s, b) = app
        .post_json(
            &format!("/users/{id}/certificates"),
            Some(&admin),
            &json!({"number": "X1", "fields": ["astrology"], "area_department_id": area, "valid_from": "2025-01-01", "valid_until": "2030-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["errors"][0]["field"], "fields");
    let (s, b) = app
        .post_json(
            &format!("/users/{id}/certificates"),
            Some(&admin),
            &json!({"number": "X2", "fields": ["transport"], "area_department_id": area, "valid_from": "2025-01-01", "valid_until": "2024-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["errors"][0]["field"], "valid_until");
    let (s, list) = app
        .get(&format!("/users/{id}/certificates"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let cid = list["items"][0]["id"].as_str().unwrap();
    let (s, c) = app
        .patch_json(
            &format!("/certificates/{cid}"),
            Some(&admin),
            &json!({"status": "suspended", "status_reason": "年审未通过"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["status"], "suspended");
    assert_eq!(c["in_force"], false);
    let (s, _) = app
        .patch_json(
            &format!("/certificates/{cid}"),
            Some(&admin),
            &json!({"status": "revoked"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = app
        .patch_json(
            &format!("/certificates/{cid}"),
            Some(&admin),
            &json!({"status": "valid"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    // Staff of the department see their colleagues; officers list their department.
    let li = app.token("li.officer").await;
    let (s, users) = app.get("/users?role=officer", Some(&li)).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"wang.officer") && names.contains(&"xu.officer"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"sun.officer"),
        "other departments are not listed"
    );
}

async fn management_needs_admin_role_and_region(app: TestApp) {
    let dept = app.department("530102-scjgj").await;
    let head = app.token("zhang.head").await;
    let (s, _) = app
        .post_json("/users", Some(&head), &json!({"username": "x.y", "display_name": "x", "password": PASSWORD, "department_id": dept, "roles": ["officer"]}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post_json("/departments", Some(&head), &json!({"code": "x", "name": "x", "short_name": "x", "level": "county", "kind": "functional", "parent_id": dept})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post_json("/users", None, &json!({"username": "x.y", "display_name": "x", "password": PASSWORD, "department_id": dept, "roles": ["officer"]}))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // An admin of 曲靖 cannot touch 昆明's departments or people.
    app.add_user_direct("qj.admin", "530300-scjgj", &[zhifa::auth::Role::Admin])
        .await;
    let qj_admin = app.token("qj.admin").await;
    let (s, _) = app
        .post_json("/users", Some(&qj_admin), &json!({"username": "x.z", "display_name": "x", "password": PASSWORD, "department_id": dept, "roles": ["officer"]}))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another region's department is not revealed"
    );
    let li = app.user_id("li.officer").await;
    let (s, _) = app
        .patch_json(
            &format!("/users/{li}"),
            Some(&qj_admin),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&format!("/users/{li}"), Some(&qj_admin)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .patch_json(
            &format!("/departments/{dept}"),
            Some(&qj_admin),
            &json!({"short_name": "乱"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // …but inside its own region it works.
    let qj = app.department("530300").await;
    let (s, b) = app
        .post_json("/departments", Some(&qj_admin), &json!({"code": "530302-scjgj", "name": "麒麟区市场监督管理局", "short_name": "麒市监", "level": "county", "kind": "functional", "parent_id": qj, "domains": ["market_regulation"]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

async fn public_certificate_check(app: TestApp) {
    let (s, c) = app.get("/public/certificates/53010221001", None).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["holder_name"], "李明");
    assert_eq!(c["department_name"], "五华区市场监督管理局");
    assert_eq!(c["area_department_name"], "五华区人民政府");
    assert_eq!(c["fields"], json!(["market_regulation"]));
    assert_eq!(c["valid"], true);
    assert!(c.get("user_id").is_none(), "no internal ids");
    let (s, b) = app.get("/public/certificates/00000000", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["code"], "not_found");
}

async fn config_changes_are_audited_with_old_and_new(app: TestApp) {
    use diesel::prelude::*;
    let admin = app.token("admin").await;
    let dept = app.department("530102-scjgj").await;
    let (s, _) = app
        .patch_json(
            &format!("/departments/{dept}"),
            Some(&admin),
            &json!({"short_name": "五华市监"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    use zhifa::db::schema::audit_events::dsl::*;
    let mut conn = app.conn();
    let (old, new): (Option<String>, Option<String>) = audit_events
        .filter(action.eq("department.updated"))
        .select((old_value, new_value))
        .first(&mut conn)
        .unwrap();
    let old: serde_json::Value = serde_json::from_str(&old.unwrap()).unwrap();
    let new: serde_json::Value = serde_json::from_str(&new.unwrap()).unwrap();
    assert_eq!(old["short_name"], "五市监");
    assert_eq!(new["short_name"], "五华市监");
}
