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
    let cases: [(&[(&str, &str)], &str); 4] = [
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
        (
            &[
                ("ZHIFA_DATABASE_URL", "postgres://postgres@127.0.0.1/none"),
                ("ZHIFA_JWT_SECRET", &long),
                ("ZHIFA_RECORD_KEY", &long),
            ],
            "ZHIFA_REPORTER_KEY",
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
        .env("ZHIFA_REPORTER_KEY", "0".repeat(64))
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

on_both_backends!(
    records_verify_command_finds_tampering,
    user_add_command,
    export_benchmarks_command_round_trips,
);

/// A fixtures directory with the real departments and items and one
/// benchmarks file of the given text.
fn fixtures_with_benchmarks(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let fx = dir.join("fx");
    std::fs::create_dir_all(fx.join("items")).unwrap();
    std::fs::create_dir_all(fx.join("benchmarks")).unwrap();
    std::fs::copy(
        manifest().join("fixtures/departments.toml"),
        fx.join("departments.toml"),
    )
    .unwrap();
    for f in std::fs::read_dir(manifest().join("fixtures/items")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, fx.join("items").join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(fx.join("benchmarks/bad.toml"), text).unwrap();
    fx
}

#[test]
fn import_names_every_bad_benchmark_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
[[benchmarks]]
item = "MR-FS-005"
version = "1"
effective_from = 2026-01-01
published = true
convention = "split_30_40_30"

[[benchmarks.clauses]]
id = "c"
unit = "yuan"
min = 50000
max = 100000
basis = { law = "中华人民共和国食品安全法", article = 124, paragraph = 1 }
tiers = [ { tier = "heavier", min = 85000, max = 120000, basis = { law = "中华人民共和国食品安全法", article = 124 } } ]

[[benchmarks]]
item = "NO-SUCH-ITEM"
version = "1"
effective_from = 2026-01-01
convention = "max_only_samr"

[[benchmarks.clauses]]
id = "c"
unit = "yuan"
min = 0
max = 1000
"#;
    let fx = fixtures_with_benchmarks(dir.path(), text);
    let db = dir.path().join("z.db");
    let out = zhifa()
        .args(["import", fx.to_str().unwrap()])
        .env("ZHIFA_DATA_DIR", dir.path())
        .env("ZHIFA_DATABASE_URL", db.to_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "benchmarks[0].clauses[0].tiers[0].max",
        "第七十六条",
        "benchmarks[1].clauses[0].basis",
        "missing citation",
        "benchmarks[1].item",
        "NO-SUCH-ITEM",
    ] {
        assert!(err.contains(expected), "{expected} missing from: {err}");
    }
    // Nothing of the run was kept: a clean import afterwards adds everything.
    let out = zhifa()
        .args(["import", manifest().join("fixtures").to_str().unwrap()])
        .env("ZHIFA_DATA_DIR", dir.path())
        .env("ZHIFA_DATABASE_URL", db.to_str().unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("departments: 20 added") && text.contains("benchmark versions: 54 added"),
        "{text}"
    );
}

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

async fn export_benchmarks_command_round_trips(app: TestApp) {
    for format in ["csv", "xlsx", "toml"] {
        let file = app.data_dir.path().join(format!("b.{format}"));
        let out = zhifa()
            .args([
                "export-benchmarks",
                "--format",
                format,
                "--out",
                file.to_str().unwrap(),
            ])
            .env("ZHIFA_DATABASE_URL", &app.database_url)
            .env("ZHIFA_DATA_DIR", app.data_dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("54 benchmark versions written"));
        let bytes = std::fs::read(&file).unwrap();
        let fmt = zhifa::discretion::formats::Format::from_name(format).unwrap();
        let back = zhifa::discretion::formats::read(fmt, format, &bytes).expect("reads back");
        assert_eq!(back.len(), 54, "{format}");
        assert!(
            zhifa::discretion::formats::check(&back).is_empty(),
            "{format}"
        );
        let stored = zhifa::discretion::load_versions(&mut app.conn(), None).unwrap();
        for (b, _) in &back {
            let same = stored
                .iter()
                .find(|s| s.benchmark.item == b.item && s.benchmark.version == b.version)
                .unwrap();
            assert_eq!(&same.benchmark, b, "{format}: {} {}", b.item, b.version);
        }
    }
    let out = zhifa()
        .args(["export-benchmarks", "--format", "pdf", "--out", "x"])
        .env("ZHIFA_DATABASE_URL", &app.database_url)
        .env("ZHIFA_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format must be csv, xlsx or toml"));
}
