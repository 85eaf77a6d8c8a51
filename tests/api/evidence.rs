//! Evidence: content-addressed files verified on download, recorded in the
//! chain, scoped like the case.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    evidence_is_stored_by_hash_and_verified,
    bad_uploads_name_the_part_or_field,
    evidence_follows_the_case_scope,
);

const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n-- a photograph of the kitchen, 2026 --";

fn form(meta: &Value, file: Option<&[u8]>) -> Form {
    let mut f = Form::new().part(
        "meta",
        Part::text(meta.to_string())
            .mime_str("application/json")
            .unwrap(),
    );
    if let Some(bytes) = file {
        f = f.part(
            "file",
            Part::bytes(bytes.to_vec())
                .file_name("厨房.png")
                .mime_str("image/png")
                .unwrap(),
        );
    }
    f
}

fn meta() -> Value {
    json!({"kind": "audio_visual", "title": "后厨现场照片", "collected_at": "2026-01-02T03:04:05Z", "location": "昆明市五华区华山西路1号"})
}

async fn post(app: &TestApp, user: Option<&str>, case_id: &str, form: Form) -> (StatusCode, Value) {
    let mut r = app
        .client
        .post(app.url(&format!("/cases/{case_id}/evidence")))
        .multipart(form);
    if let Some(u) = user {
        r = r.bearer_auth(app.token(u).await);
    }
    app.send(r).await
}

async fn evidence_is_stored_by_hash_and_verified(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let (s, e) = post(&app, Some("li.officer"), id, form(&meta(), Some(PHOTO))).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let sha = hex::encode(Sha256::digest(PHOTO));
    assert_eq!(e["sha256"], sha);
    assert_eq!(e["size_bytes"], PHOTO.len());
    assert_eq!(e["media_type"], "image/png");
    assert_eq!(e["kind_name"], "视听资料");
    assert_eq!(e["file_name"], "厨房.png");
    // The same file again is stored once.
    let (s, e2) = post(&app, Some("wang.officer"), id, form(&meta(), Some(PHOTO))).await;
    assert_eq!(s, StatusCode::CREATED, "{e2}");
    let blob = app
        .data_dir
        .path()
        .join("blobs/sha256")
        .join(&sha[..2])
        .join(&sha);
    assert_eq!(std::fs::read(&blob).unwrap(), PHOTO);
    let li = app.token("li.officer").await;
    let (_, list) = app.get(&format!("/cases/{id}/evidence"), Some(&li)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // Download: the bytes, with their hash.
    let url = app.url(&format!(
        "/cases/{id}/evidence/{}/content",
        e["id"].as_str().unwrap()
    ));
    let resp = app.client.get(&url).bearer_auth(&li).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["x-content-sha256"], sha.as_str());
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PHOTO);
    // In the record chain, with the hash; the chain verifies.
    let (_, rec) = app.get(&format!("/cases/{id}/records"), Some(&li)).await;
    let added: Vec<&Value> = rec["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "evidence.added")
        .collect();
    assert_eq!(added.len(), 2);
    assert!(added[0]["detail"].to_string().contains(&sha));
    let (_, v) = app
        .get(&format!("/cases/{id}/records/verify"), Some(&li))
        .await;
    assert_eq!(v["valid"], true, "{v}");
    // A file changed on disk is refused, not served.
    std::fs::write(&blob, b"something else").unwrap();
    let (s, b) = app.send(app.client.get(&url).bearer_auth(&li)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "evidence_integrity_failed");
}

async fn bad_uploads_name_the_part_or_field(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let cases: Vec<(Form, u16, &str)> = vec![
        (
            form(
                &json!({"kind": "rumour", "title": "x", "collected_at": "2026-01-01T00:00:00Z"}),
                Some(PHOTO),
            ),
            400,
            "meta.kind",
        ),
        (
            form(
                &json!({"kind": "physical", "title": "x", "collected_at": future}),
                Some(PHOTO),
            ),
            400,
            "meta.collected_at",
        ),
        (
            form(
                &json!({"kind": "physical", "title": " ", "collected_at": "2026-01-01T00:00:00Z"}),
                Some(PHOTO),
            ),
            400,
            "meta.title",
        ),
        (
            form(
                &json!({"kind": "physical", "title": "x", "collected_at": "2026-01-01T00:00:00Z", "colour": 1}),
                Some(PHOTO),
            ),
            400,
            "meta.colour",
        ),
        (form(&meta(), None), 400, "file"),
        (form(&meta(), Some(b"")), 400, "file"),
        (
            Form::new().part("file", Part::bytes(PHOTO.to_vec())),
            400,
            "meta",
        ),
        (form(&meta(), Some(PHOTO)).text("extra", "1"), 400, "extra"),
    ];
    for (f, status, field) in cases {
        let (s, b) = post(&app, Some("li.officer"), id, f).await;
        assert_eq!(s.as_u16(), status, "{field}: {b}");
        assert!(b.to_string().contains(field), "{field} not named: {b}");
    }
    let li = app.token("li.officer").await;
    let r = app
        .client
        .post(app.url(&format!("/cases/{id}/evidence")))
        .bearer_auth(&li)
        .json(&meta());
    assert_eq!(app.send(r).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Nothing was kept: no rows, no stray temporary files.
    let (_, list) = app.get(&format!("/cases/{id}/evidence"), Some(&li)).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let tmp = app.data_dir.path().join("blobs/tmp");
    assert!(!tmp.exists() || std::fs::read_dir(&tmp).unwrap().next().is_none());
}

async fn evidence_follows_the_case_scope(app: TestApp) {
    let case = app.file_case().await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(
        post(&app, Some("sun.officer"), id, form(&meta(), Some(PHOTO)))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    for user in ["zhao.supervisor", "chen.reviewer", "admin"] {
        assert_eq!(
            post(&app, Some(user), id, form(&meta(), Some(PHOTO)))
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    assert_eq!(
        post(&app, None, id, form(&meta(), Some(PHOTO))).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, e) = post(&app, Some("zhang.head"), id, form(&meta(), Some(PHOTO))).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let eid = e["id"].as_str().unwrap();
    let content = format!("/cases/{id}/evidence/{eid}/content");
    let sun = app.token("sun.officer").await;
    assert_eq!(app.get(&content, Some(&sun)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/cases/{id}/evidence"), Some(&sun))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let zhao = app.token("zhao.supervisor").await;
    assert_eq!(app.get(&content, Some(&zhao)).await.0, StatusCode::OK);
    assert_eq!(app.get(&content, None).await.0, StatusCode::UNAUTHORIZED);
    let li = app.token("li.officer").await;
    assert_eq!(
        app.get(&format!("/cases/{id}/evidence/nope/content"), Some(&li))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Evidence downloads are in the access log.
    app.flush_access_log().await;
    let head = app.token("zhang.head").await;
    let (_, log) = app
        .get(&format!("/cases/{id}/access-log"), Some(&head))
        .await;
    assert!(log["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "read_evidence" && e["username"] == "zhao.supervisor"));
}
