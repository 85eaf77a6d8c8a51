//! Load driver of the whole general-procedure path (benches/load/run.sh):
//! every step of one case is one unit of work — filing and its approval, on-site record,
//! discretion, report, legality review and its approval, notice, waiver,
//! decision, service, payment, closure, archive — run by `--concurrency`
//! workers against a running server for `--seconds`, after a phase of
//! intake alone (POST /cases) with the same workers in the same run.
//!
//! Prints cases per second of both phases, their ratio, and the mean
//! latency of every step, slowest first.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Args {
    base: String,
    concurrency: usize,
    seconds: u64,
}

fn args() -> Args {
    let mut a = Args {
        base: "http://127.0.0.1:8080/api/v1".into(),
        concurrency: 8,
        seconds: 10,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--base" => a.base = next,
            "--concurrency" => a.concurrency = next.parse().expect("--concurrency N"),
            "--seconds" => a.seconds = next.parse().expect("--seconds N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

#[derive(Clone)]
struct People {
    li: (String, String),
    wang: String,
    zhang: String,
    chen: String,
}

type Timings = Arc<Mutex<BTreeMap<&'static str, (u64, Duration)>>>;

struct Client {
    http: reqwest::Client,
    base: String,
    timings: Timings,
}

impl Client {
    async fn post(&self, step: &'static str, token: &str, path: &str, body: &Value) -> Value {
        let start = Instant::now();
        let r = self
            .http
            .post(format!("{}{}", self.base, path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        let took = start.elapsed();
        assert!(status.is_success(), "{step}: {status} {v}");
        let mut t = self.timings.lock().unwrap();
        let e = t.entry(step).or_insert((0, Duration::ZERO));
        e.0 += 1;
        e.1 += took;
        v
    }
}

async fn login(http: &reqwest::Client, base: &str, user: &str) -> (String, String) {
    let v: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": user, "password": "zhifa-demo-2026"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    (
        v["access_token"].as_str().expect("token").to_string(),
        v["user"]["id"].as_str().expect("id").to_string(),
    )
}

fn case_body(p: &People) -> Value {
    let now = chrono::Utc::now();
    json!({
        "enforcement_item_code": "MR-FS-001", "source": "inspection", "procedure": "general",
        "party": {"kind": "organization", "name": "昆明某某餐饮管理有限公司", "id_type": "uscc",
            "id_number": "915301027000000003", "address": "昆明市五华区华山西路1号",
            "phone": "0871-65123456", "legal_representative": "赵某"},
        "facts": "检查发现当事人未取得食品经营许可证从事餐饮服务。", "location": "昆明市五华区华山西路1号",
        "occurred_at": (now - chrono::Duration::days(30)).to_rfc3339(),
        "discovered_at": (now - chrono::Duration::days(1)).to_rfc3339(),
        "officer_ids": [p.li.1, p.wang]
    })
}

async fn intake(c: &Client, p: &People) {
    c.post("POST /cases", &p.li.0, "/cases", &case_body(p))
        .await;
}

async fn whole_path(c: &Client, p: &People) {
    let li = &p.li.0;
    let now = || chrono::Utc::now().to_rfc3339();
    let case = c.post("POST /cases", li, "/cases", &case_body(p)).await;
    let id = case["id"].as_str().expect("case id").to_string();
    let at = |s: &str| format!("/cases/{id}/{s}");
    c.post(
        "filing-approval",
        &p.zhang,
        &at("filing-approval"),
        &json!({}),
    )
    .await;
    let t = chrono::Utc::now();
    c.post("records/onsite", li, &at("records/onsite"), &json!({
        "started_at": (t - chrono::Duration::hours(3)).to_rfc3339(), "ended_at": (t - chrono::Duration::hours(2)).to_rfc3339(),
        "place": "后厨", "officer_ids": [p.li.1, p.wang], "content": "现场未见食品经营许可证。", "party_signed": true
    })).await;
    c.post("discretion", li, &at("discretion"), &json!({"facts": {"goods_value_fen": 500_000, "harm": "ordinary"}, "proposed_fine_fen": 7_000_000})).await;
    c.post(
        "investigation-report",
        li,
        &at("investigation-report"),
        &json!({
            "findings": "未取得食品经营许可从事餐饮服务。", "outcome": "penalty",
            "penalties": [{"type": "fine", "amount_fen": 7_000_000}], "tier": "general"
        }),
    )
    .await;
    let sub = c
        .post("legal-review", li, &at("legal-review"), &Value::Null)
        .await;
    let rid = sub["body"]["review_id"]
        .as_str()
        .expect("review id")
        .to_string();
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
    c.post(
        "reviews/opinion",
        &p.chen,
        &format!("/reviews/{rid}/opinion"),
        &json!({"outcome": "approve", "checklist": checklist}),
    )
    .await;
    c.post(
        "notice",
        li,
        &at("notice"),
        &json!({"served_at": now(), "method": "direct"}),
    )
    .await;
    c.post(
        "statements",
        li,
        &at("statements"),
        &json!({"received_at": now(), "waived": true}),
    )
    .await;
    let dec = c.post("decision", &p.zhang, &at("decision"), &json!({"outcome": "penalty", "penalties": [{"type": "fine", "amount_fen": 7_000_000}]})).await;
    c.post("service", li, &at("service"), &json!({"document_id": dec["id"], "method": "direct", "served_at": dec["at"], "recipient": "赵某"})).await;
    c.post(
        "payments",
        li,
        &at("payments"),
        &json!({"amount_fen": 7_000_000, "paid_at": now()}),
    )
    .await;
    c.post(
        "closure",
        &p.zhang,
        &at("closure"),
        &json!({"reason": "已缴纳"}),
    )
    .await;
    c.post("archive", &p.zhang, &at("archive"), &Value::Null)
        .await;
}

async fn phase(a: &Args, p: &People, full: bool) -> (f64, Timings) {
    let timings: Timings = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let done = Arc::new(Mutex::new(0u64));
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..a.concurrency {
        let c = Client {
            http: reqwest::Client::new(),
            base: a.base.clone(),
            timings: timings.clone(),
        };
        let p = p.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                if full {
                    whole_path(&c, &p).await;
                } else {
                    intake(&c, &p).await;
                }
                *done.lock().unwrap() += 1;
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    let n = *done.lock().unwrap();
    (n as f64 / started.elapsed().as_secs_f64(), timings)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let a = args();
    let http = reqwest::Client::new();
    let people = People {
        li: login(&http, &a.base, "li.officer").await,
        wang: login(&http, &a.base, "wang.officer").await.1,
        zhang: login(&http, &a.base, "zhang.head").await.0,
        chen: login(&http, &a.base, "chen.reviewer").await.0,
    };
    let (intake_rate, _) = phase(&a, &people, false).await;
    let (path_rate, timings) = phase(&a, &people, true).await;
    let mut steps: Vec<(&str, f64)> = timings
        .lock()
        .unwrap()
        .iter()
        .map(|(k, (n, d))| (*k, d.as_secs_f64() * 1000.0 / (*n).max(1) as f64))
        .collect();
    steps.sort_by(|x, y| y.1.total_cmp(&x.1));
    for (k, ms) in &steps {
        eprintln!("step {k}: {ms:.2} ms mean");
    }
    let (slowest, ms) = steps.first().copied().unwrap_or(("none", 0.0));
    println!(
        "intake {intake_rate:.1} cases/s; whole path {path_rate:.1} cases/s; ratio {:.3}; slowest step {slowest} {ms:.2} ms",
        path_rate / intake_rate
    );
}
