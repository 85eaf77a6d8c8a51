//! The binary itself: production mode, records verify, import, start-up errors.

use std::process::Command;

use diesel::connection::SimpleConnection;

use crate::common::{manifest, TestApp};
use crate::on_both_backends;

fn zhifa() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    for (k, _) in std::env::vars() {
        if k.starts_with("ZHIFA_") {
            c.env_remove(k);
        }
    }
    c.env("ZHIFA_LOG", "error");
    c
}

#[test]
fn production_mode_refuses_to_start_without_its_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let long = "p".repeat(40);
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[], "ZHIFA_DATABASE_URL"),
        (
            &[("ZHIFA_DATABASE_URL", "postgres://postgres@127.0.0.1/none")],
            "ZHIFA_JWT_SECRET",
        ),
        (
            &[
                ("ZHIFA_DATABASE_URL", "postgres://postgres@127.0.0.1/none"),
                ("ZHIFA_JWT_SECRET", &long),
            ],
            "ZHIFA_RECORD_KEY",
        ),
    ];
    for (vars, missing) in cases {
        let mut c = zhifa();
        c.arg("serve")
            .env("ZHIFA_MODE", "production")
            .env("ZHIFA_DATA_DIR", dir.path());
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(missing), "{err}");
    }
    assert!(
        !dir.path().join("secrets.toml").exists(),
        "production never generates secrets"
    );
}

#[test]
fn unreachable_database_names_the_real_cause() {
    let out = zhifa()
        .arg("migrate")
        .env("ZHIFA_MODE", "production")
        .env(
            "ZHIFA_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/zhifa",
        )
        .env("ZHIFA_JWT_SECRET", "j".repeat(40))
        .env("ZHIFA_RECORD_KEY", "k".repeat(40))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        err.contains("connection refused") && err.contains("127.0.0.1"),
        "{err}"
    );
}

#[test]
fn import_rejects_an_item_without_legal_basis_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fx = dir.path().join("fx");
    std::fs::create_dir_all(fx.join("items")).unwrap();
    std::fs::copy(
        manifest().join("fixtures/departments.toml"),
        fx.join("departments.toml"),
    )
    .unwrap();
    std::fs::write(
        fx.join("items/bad.toml"),
        "[[items]]\ncode = \"X-1\"\nname = \"无依据事项\"\ndomain = \"market_regulation\"\nhigh_frequency = false\nserious_safety = false\npenalty_types = [\"fine\"]\nviolation_basis = []\npenalty_basis = []\n",
    )
    .unwrap();
    let db = dir.path().join("z.db");
    let out = zhifa()
        .args(["import", fx.to_str().unwrap()])
        .env("ZHIFA_DATA_DIR", dir.path())
        .env("ZHIFA_DATABASE_URL", db.to_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("X-1") && err.contains("violation_basis") && err.contains("第三十八条"),
        "{err}"
    );
    // Nothing was imported: the departments of the same run are not there either.
    let out = zhifa()
        .args(["import", manifest().join("fixtures").to_str().unwrap()])
        .env("ZHIFA_DATA_DIR", dir.path())
        .env("ZHIFA_DATABASE_URL", db.to_str().unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("departments: 20 added"), "{text}");
    // A second import changes nothing.
    let out = zhifa()
        .args(["import", manifest().join("fixtures").to_str().unwrap()])
        .env("ZHIFA_DATA_DIR", dir.path())
        .env("ZHIFA_DATABASE_URL", db.to_str().unwrap())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("departments: 0 added, 0 updated; enforcement items: 0 added, 0 updated"));
    // Moving a department is refused, naming the department.
    std::fs::remove_file(fx.join("items/bad.toml")).unwrap();
    let moved = std::fs::read_to_string(fx.join("departments.toml")).unwrap().replace(
        "short_name = \"五市监\"\nlevel = \"county\"\nkind = \"functional\"\nparent = \"530102\"",
        "short_name = \"五市监\"\nlevel = \"county\"\nkind = \"functional\"\nparent = \"530103\"",
    );
    std::fs::write(fx.join("departments.toml"), moved).unwrap();
    let out = zhifa()
        .args(["import", fx.to_str().unwrap()])
        .env("ZHIFA_DATA_DIR", dir.path())
        .env("ZHIFA_DATABASE_URL", db.to_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("530102-scjgj") && err.contains("cannot be changed"),
        "{err}"
    );
}

on_both_backends!(records_verify_command_finds_tampering, user_add_command);

async fn records_verify_command_finds_tampering(app: TestApp) {
    let case = app.file_case().await;
    let second = app.file_case().await;
    let run = || {
        zhifa()
            .args(["records", "verify"])
            .env("ZHIFA_DATABASE_URL", &app.database_url)
            .env("ZHIFA_DATA_DIR", app.data_dir.path())
            .env(
                "ZHIFA_JWT_SECRET",
                "test-jwt-secret-0123456789abcdef0123456789",
            )
            .env(
                "ZHIFA_RECORD_KEY",
                std::str::from_utf8(crate::records::KEY).unwrap(),
            )
            .output()
            .unwrap()
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 cases verified, 0 broken"));
    let id = second["id"].as_str().unwrap();
    app.conn().batch_execute(&format!("UPDATE record_entries SET actor_id = 'someone-else' WHERE case_id = '{id}' AND seq = 1")).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("BROKEN  {id}")) && text.contains("first_bad_seq=1"),
        "{text}"
    );
    assert!(
        text.contains(&format!("ok      {}", case["id"].as_str().unwrap())),
        "{text}"
    );
}

async fn user_add_command(app: TestApp) {
    let out = zhifa()
        .args([
            "user",
            "add",
            "--username",
            "cli.officer",
            "--display-name",
            "命令行",
            "--department",
            "530102-scjgj",
            "--role",
            "officer",
        ])
        .env("ZHIFA_DATABASE_URL", &app.database_url)
        .env("ZHIFA_DATA_DIR", app.data_dir.path())
        .env("ZHIFA_NEW_PASSWORD", "Command-Line-2026")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (s, _) = app
        .post_json(
            "/auth/login",
            None,
            &serde_json::json!({"username": "cli.officer", "password": "Command-Line-2026"}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK);
    let out = zhifa()
        .args([
            "user",
            "add",
            "--username",
            "weak.one",
            "--display-name",
            "x",
            "--department",
            "530102-scjgj",
            "--role",
            "officer",
        ])
        .env("ZHIFA_DATABASE_URL", &app.database_url)
        .env("ZHIFA_DATA_DIR", app.data_dir.path())
        .env("ZHIFA_NEW_PASSWORD", "weak")
        .output()
        .unwrap();
    assert!(!out.status.success());
}
