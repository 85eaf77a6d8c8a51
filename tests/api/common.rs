//! The test harness: a real server on a free port over a fresh database of
//! either backend, seeded from `fixtures/` as `zhifa serve` seeds it.
//!
//! SQLite: a template file is migrated and seeded once per test process and
//! copied per test. PostgreSQL (`ZHIFA_TEST_POSTGRES_URL`): a template
//! database named after a hash of the migrations and fixtures is built once
//! (under an advisory lock), and each test gets `CREATE DATABASE … TEMPLATE`,
//! dropped `WITH (FORCE)` at the end.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zhifa::db::{Backend, DbConn, DbManager};

pub const PASSWORD: &str = "zhifa-demo-2026";

pub fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn settings(database_url: &str, data_dir: &Path) -> zhifa::Settings {
    settings_at(database_url, data_dir, None, &[])
}

/// Settings with the service clock started at `clock` (`ZHIFA_CLOCK`).
fn settings_at(
    database_url: &str,
    data_dir: &Path,
    clock: Option<chrono::DateTime<chrono::Utc>>,
    extra: &[(String, String)],
) -> zhifa::Settings {
    let mut env: HashMap<String, String> = HashMap::new();
    if let Some(c) = clock {
        env.insert("ZHIFA_CLOCK".into(), c.to_rfc3339());
    }
    env.insert("ZHIFA_DATABASE_URL".into(), database_url.into());
    env.insert("ZHIFA_DATA_DIR".into(), data_dir.display().to_string());
    env.insert(
        "ZHIFA_JWT_SECRET".into(),
        "test-jwt-secret-0123456789abcdef0123456789".into(),
    );
    env.insert(
        "ZHIFA_RECORD_KEY".into(),
        "test-record-key-0123456789abcdef0123456789".into(),
    );
    env.insert(
        "ZHIFA_FIXTURES_DIR".into(),
        manifest().join("fixtures").display().to_string(),
    );
    env.insert("ZHIFA_POOL_SIZE".into(), "8".into());
    env.extend(extra.iter().cloned());
    zhifa::Settings::from_map(&env).expect("test settings")
}

/// Migrates and seeds a database exactly as `zhifa serve` does on first start.
fn build(url: &str, data_dir: &Path) {
    let s = settings(url, data_dir);
    let db = zhifa::db::connect(url, 2).expect("template database");
    let mut conn = db.pool.get().expect("connection");
    let clock = zhifa::Clock::system();
    zhifa::seed::bootstrap(
        &mut conn,
        s.fixtures(),
        zhifa::Mode::Local,
        clock.now_naive(),
        clock.today(),
    )
    .expect("seed");
    if let DbConn::Sqlite(_) = &mut *conn {
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
    }
}

struct SqliteTemplate {
    _dir: tempfile::TempDir,
    file: PathBuf,
}

fn sqlite_template() -> &'static SqliteTemplate {
    static T: OnceLock<SqliteTemplate> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("template.db");
        build(&format!("sqlite://{}", file.display()), dir.path());
        SqliteTemplate { _dir: dir, file }
    })
}

/// A hash of everything that shapes a fresh database.
fn schema_hash() -> String {
    let mut h = Sha256::new();
    let mut files = vec![];
    for root in [
        "migrations/postgres",
        "fixtures/departments.toml",
        "fixtures/items",
        "fixtures/demo",
    ] {
        collect(&manifest().join(root), &mut files);
    }
    files.sort();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap_or_default());
    }
    hex::encode(&h.finalize()[..6])
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
            collect(&e.path(), out);
        }
    } else if p.exists() {
        out.push(p.to_path_buf());
    }
}

fn pg_url_with_db(base: &str, db: &str) -> String {
    // postgres://user@host:port/dbname?params → replace dbname
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (base, None),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    match query {
        Some(q) => format!("{root}/{db}?{q}"),
        None => format!("{root}/{db}"),
    }
}

fn pg_admin(base: &str) -> PgConnection {
    zhifa::db::init_tls();
    PgConnection::establish(base).unwrap_or_else(|e| {
        panic!("ZHIFA_TEST_POSTGRES_URL is set but PostgreSQL is not reachable: {e}")
    })
}

fn pg_template(base: &str) -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        let name = format!("zhifa_tpl_{}", schema_hash());
        let mut admin = pg_admin(base);
        admin.batch_execute("SELECT pg_advisory_lock(7270002)").expect("lock");
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let exists: N = diesel::sql_query(format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'")).get_result(&mut admin).expect("query");
        if exists.n == 0 {
            let building = format!("{name}_building");
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).expect("drop stale");
            admin.batch_execute(&format!("CREATE DATABASE {building}")).expect("create template");
            let dir = tempfile::tempdir().expect("tempdir");
            build(&pg_url_with_db(base, &building), dir.path());
            admin.batch_execute(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{building}' AND pid <> pg_backend_pid()")).ok();
            admin.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}")).expect("rename template");
        }
        admin.batch_execute("SELECT pg_advisory_unlock(7270002)").expect("unlock");
        name
    })
}

/// Drops the per-test PostgreSQL database.
struct PgDrop {
    base: String,
    name: String,
}

impl Drop for PgDrop {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.base) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub database_url: String,
    pub state: actix_web::web::Data<zhifa::AppState>,
    pub data_dir: tempfile::TempDir,
    /// Settings given on top of the harness's (`TestApp::with_env`).
    extra: Vec<(String, String)>,
    tokens: Mutex<HashMap<String, (String, String)>>,
    handle: actix_web::dev::ServerHandle,
    _pg: Option<PgDrop>,
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let tpl = sqlite_template();
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("zhifa.db");
        std::fs::copy(&tpl.file, &file).expect("copy template");
        let url = format!("sqlite://{}", file.display());
        TestApp::start(url, Backend::Sqlite, dir, None).await
    }

    /// None when `ZHIFA_TEST_POSTGRES_URL` is unset (a local run without
    /// PostgreSQL); CI sets it, and then an unreachable server fails the test.
    pub async fn postgres() -> Option<TestApp> {
        let base = std::env::var("ZHIFA_TEST_POSTGRES_URL")
            .ok()
            .filter(|s| !s.is_empty())?;
        let tpl = pg_template(&base).to_string();
        let name = format!("zhifa_t_{}", uuid::Uuid::now_v7().simple());
        let mut admin = pg_admin(&base);
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {tpl}"))
            .expect("create test database");
        let guard = PgDrop {
            base: base.clone(),
            name: name.clone(),
        };
        let url = pg_url_with_db(&base, &name);
        Some(
            TestApp::start(
                url,
                Backend::Postgres,
                tempfile::tempdir().expect("tempdir"),
                Some(guard),
            )
            .await,
        )
    }

    pub async fn with(backend: Backend) -> Option<TestApp> {
        match backend {
            Backend::Sqlite => Some(TestApp::sqlite().await),
            Backend::Postgres => TestApp::postgres().await,
        }
    }

    /// The same database, served again with `ZHIFA_*` settings `env` on top
    /// of the harness's (limits, names).
    pub async fn with_env(self, env: &[(&str, &str)]) -> TestApp {
        self.handle.stop(true).await;
        let TestApp {
            database_url,
            backend,
            data_dir,
            _pg,
            ..
        } = self;
        let extra: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TestApp::start_at(database_url, backend, data_dir, _pg, None, &extra).await
    }

    /// Stops the service and starts it again on the same database and data
    /// directory with its clock at `at` (`ZHIFA_CLOCK`): "later", for the
    /// deadlines of the law.
    pub async fn restart_at(self, at: chrono::DateTime<chrono::Utc>) -> TestApp {
        self.handle.stop(true).await;
        let TestApp {
            database_url,
            backend,
            data_dir,
            _pg,
            extra,
            ..
        } = self;
        TestApp::start_at(database_url, backend, data_dir, _pg, Some(at), &extra).await
    }

    /// Stops the service and starts it again on the same database with
    /// these settings added (`ZHIFA_*` variables).
    pub async fn restart_with(self, env: &[(&str, &str)]) -> TestApp {
        self.handle.stop(true).await;
        let TestApp {
            database_url,
            backend,
            data_dir,
            _pg,
            ..
        } = self;
        let extra: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TestApp::start_at(database_url, backend, data_dir, _pg, None, &extra).await
    }

    /// The settings this app was started with, as `ZHIFA_*` variables for
    /// the binary (`zhifa serve` on the same database and data directory).
    pub fn binary_env(&self) -> Vec<(String, String)> {
        vec![
            ("ZHIFA_DATABASE_URL".into(), self.database_url.clone()),
            (
                "ZHIFA_DATA_DIR".into(),
                self.data_dir.path().display().to_string(),
            ),
            (
                "ZHIFA_JWT_SECRET".into(),
                "test-jwt-secret-0123456789abcdef0123456789".into(),
            ),
            (
                "ZHIFA_RECORD_KEY".into(),
                "test-record-key-0123456789abcdef0123456789".into(),
            ),
            (
                "ZHIFA_FIXTURES_DIR".into(),
                manifest().join("fixtures").display().to_string(),
            ),
        ]
    }

    async fn start(
        url: String,
        backend: Backend,
        dir: tempfile::TempDir,
        pg: Option<PgDrop>,
    ) -> TestApp {
        TestApp::start_at(url, backend, dir, pg, None, &[]).await
    }

    async fn start_at(
        url: String,
        backend: Backend,
        dir: tempfile::TempDir,
        pg: Option<PgDrop>,
        clock: Option<chrono::DateTime<chrono::Utc>>,
        extra: &[(String, String)],
    ) -> TestApp {
        let s = settings_at(&url, dir.path(), clock, extra);
        let db = zhifa::db::connect(&url, s.pool_size).expect("connect");
        let state = zhifa::AppState::new(s, db);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let running = zhifa::start(state, listener, Some(2)).expect("start");
        let base = format!("http://{}", running.addr);
        let handle = running.server.handle();
        actix_rt::spawn(running.server);
        TestApp {
            base,
            client: reqwest::Client::new(),
            backend,
            database_url: url,
            state: running.state,
            data_dir: dir,
            extra: extra.to_vec(),
            tokens: Mutex::new(HashMap::new()),
            handle,
            _pg: pg,
        }
    }

    /// Service paths and `/api/…` as given; anything else under `/api/v1`.
    pub fn url(&self, path: &str) -> String {
        let outside_api = ["/healthz", "/readyz", "/metrics", "/docs", "/api/"]
            .iter()
            .any(|p| path.starts_with(p));
        if outside_api {
            format!("{}{}", self.base, path)
        } else {
            format!("{}/api/v1{}", self.base, path)
        }
    }

    /// A direct connection to the test database (for tampering and checks).
    pub fn conn(&self) -> DbConn {
        DbManager::new(&self.database_url)
            .open()
            .expect("direct connection")
    }

    /// Logs in (once per user per app) and returns (token, user id).
    pub async fn login_as(&self, username: &str) -> (String, String) {
        if let Some(t) = self.tokens.lock().unwrap().get(username) {
            return t.clone();
        }
        let (status, body) = self
            .post_json(
                "/auth/login",
                None,
                &json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        let t = (
            body["access_token"].as_str().unwrap().to_string(),
            body["user"]["id"].as_str().unwrap().to_string(),
        );
        self.tokens
            .lock()
            .unwrap()
            .insert(username.to_string(), t.clone());
        t
    }

    pub async fn token(&self, username: &str) -> String {
        self.login_as(username).await.0
    }

    pub async fn user_id(&self, username: &str) -> String {
        self.login_as(username).await.1
    }

    /// Sends a request; every error body of the suite is checked for
    /// database text on the way (`assert_no_database_text`).
    pub async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            assert_no_database_text(&text);
        }
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut r = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    pub async fn patch_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut r = self.client.patch(self.url(path)).json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        self.send(r).await
    }

    /// The id of a department by its fixture code.
    pub async fn department(&self, code: &str) -> String {
        let t = self.token("admin").await;
        let (_, body) = self.get("/departments", Some(&t)).await;
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no department {code}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A valid intake body for 五华区市场监督管理局 with li and wang.
    pub async fn case_body(&self) -> Value {
        let li = self.user_id("li.officer").await;
        let wang = self.user_id("wang.officer").await;
        let now = chrono::Utc::now();
        json!({
            "enforcement_item_code": "MR-FS-001",
            "source": "inspection",
            "procedure": "general",
            "party": {
                "kind": "organization",
                "name": "昆明某某餐饮管理有限公司",
                "id_type": "uscc",
                "id_number": "915301027000000003",
                "address": "昆明市五华区华山西路1号",
                "phone": "0871-65123456",
                "legal_representative": "赵某"
            },
            "facts": "检查发现当事人未取得食品经营许可证从事餐饮服务。",
            "location": "昆明市五华区华山西路1号",
            "occurred_at": (now - chrono::Duration::days(30)).to_rfc3339(),
            "discovered_at": (now - chrono::Duration::days(1)).to_rfc3339(),
            "officer_ids": [li, wang]
        })
    }

    /// Files a case as li.officer and has zhang.head approve the filing
    /// (立案审批); returns the case as it stands after the approval.
    pub async fn file_case(&self) -> Value {
        let mut case = self.file_case_unapproved().await;
        let step = self.approve_filing(case["id"].as_str().unwrap()).await;
        case["version"] = step["case_version"].clone();
        case
    }

    /// zhang.head approves the filing of case `id` (立案审批); returns the step.
    pub async fn approve_filing(&self, id: &str) -> Value {
        let (status, step) = post_as(
            self,
            "zhang.head",
            &format!("/cases/{id}/filing-approval"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{step}");
        step
    }

    /// Files a case as li.officer; its filing approval is still pending.
    pub async fn file_case_unapproved(&self) -> Value {
        let t = self.token("li.officer").await;
        let body = self.case_body().await;
        let (status, case) = self.post_json("/cases", Some(&t), &body).await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        case
    }

    /// Creates a user through the admin API (and a certificate when `cert` is given).
    pub async fn add_user(
        &self,
        username: &str,
        department_code: &str,
        roles: &[&str],
        cert: Option<Value>,
    ) -> String {
        let admin = self.token("admin").await;
        let dept = self.department(department_code).await;
        let (status, user) = self
            .post_json("/users", Some(&admin), &json!({"username": username, "display_name": username, "password": PASSWORD, "department_id": dept, "roles": roles}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let id = user["id"].as_str().unwrap().to_string();
        if let Some(c) = cert {
            let (status, body) = self
                .post_json(&format!("/users/{id}/certificates"), Some(&admin), &c)
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        id
    }

    /// Creates a user straight in the database (for departments outside the
    /// demo admin's region); returns its id.
    pub async fn add_user_direct(
        &self,
        username: &str,
        department_code: &str,
        roles: &[zhifa::auth::Role],
    ) -> String {
        let mut conn = self.conn();
        let dept = zhifa::org::department_by_code(&mut conn, department_code)
            .unwrap()
            .unwrap();
        let hash = zhifa::auth::password::hash(PASSWORD).unwrap();
        let now = chrono::Utc::now().naive_utc();
        zhifa::org::insert_user(
            &mut conn,
            username,
            username,
            &hash,
            &dept.department.id,
            roles,
            false,
            now,
        )
        .unwrap()
        .id
    }

    pub async fn flush_access_log(&self) {
        self.state
            .access_log
            .flush(&self.state.db)
            .await
            .expect("flush");
    }
}

/// Words of the databases' own error messages: none may reach a client.
pub const DATABASE_WORDS: &[&str] = &[
    "duplicate key",
    "violates",
    "constraint \"",
    "unique constraint",
    "foreign key constraint",
    "sqlite",
    "syntax error",
    "relation \"",
    "sqlstate",
    "invalid byte sequence",
    "diesel",
    "database:",
    "pg_",
];

/// Fails when an error body carries database text (SQL words, driver names).
pub fn assert_no_database_text(body: &str) {
    let lower = body.to_lowercase();
    for w in DATABASE_WORDS {
        assert!(
            !lower.contains(w),
            "an error body leaks database text ({w:?}): {body}"
        );
    }
}

/// Runs each named `async fn(TestApp)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($f:ident),* $(,)?) => {
        $(
            mod $f {
                #[actix_rt::test]
                async fn sqlite() {
                    super::$f($crate::common::TestApp::sqlite().await).await
                }
                #[actix_rt::test]
                async fn postgres() {
                    match $crate::common::TestApp::postgres().await {
                        Some(app) => super::$f(app).await,
                        None => eprintln!("ZHIFA_TEST_POSTGRES_URL unset: PostgreSQL variant not run"),
                    }
                }
            }
        )*
    };
}

/// POSTs `body` as `user` (a fresh token each time).
pub async fn post_as(app: &TestApp, user: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let t = app.token(user).await;
    app.post_json(path, Some(&t), &body).await
}

/// GETs `path` as `user`, expecting 200.
pub async fn get_ok(app: &TestApp, user: &str, path: &str) -> Value {
    let t = app.token(user).await;
    let (s, b) = app.get(path, Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{path}: {b}");
    b
}
