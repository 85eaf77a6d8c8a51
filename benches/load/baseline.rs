//! Baselines for the load benchmark: the same database work as an HTTP
//! request, done directly through the same pool at the same concurrency,
//! without HTTP, auth, JSON or rules.
//!
//! `insert`: the rows of one intake — counter, case, two officers, the
//! deadline and the first record entry — in one write transaction.
//! `get`: one case row fetched by primary key.
//!
//! Prints one line: `<mode> <requests> <seconds> <per_second>`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use diesel::prelude::*;
use zhifa::cases::rules::{IdType, Party, PartyKind, Procedure, Source};
use zhifa::cases::store;
use zhifa::db::schema::cases;

#[derive(Parser)]
struct Args {
    /// insert | get
    #[arg(long)]
    mode: String,
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, default_value_t = 32)]
    pool: u32,
    /// For `get`: the case to fetch.
    #[arg(long)]
    case_id: Option<String>,
    /// For `insert`: department, filing user and the two officers.
    #[arg(long)]
    department_id: Option<String>,
    #[arg(long)]
    user_id: Option<String>,
    #[arg(long)]
    officer: Vec<String>,
    #[arg(long, default_value = "test-record-key-0123456789abcdef0123456789")]
    record_key: String,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn party() -> Party {
    Party {
        kind: PartyKind::Organization,
        name: "昆明某某餐饮管理有限公司".into(),
        id_type: IdType::Uscc,
        id_number: "915301027000000003".into(),
        address: "昆明市五华区华山西路1号".into(),
        phone: Some("0871-65123456".into()),
        legal_representative: Some("赵某".into()),
    }
}

fn insert_one(
    conn: &mut zhifa::db::DbConn,
    a: &Args,
    party: &Party,
) -> zhifa::error::AppResult<()> {
    let dept = a.department_id.as_deref().expect("--department-id");
    let user = a.user_id.as_deref().expect("--user-id");
    zhifa::db::write_tx(conn, |conn| {
        let now = chrono::Utc::now().naive_utc();
        let n = store::next_case_number(conn, dept, 2099)?;
        let id = uuid::Uuid::now_v7().to_string();
        let case_no = format!("基准〔2099〕{n}号");
        store::insert_case(
            conn,
            &store::NewCaseRow {
                id: &id,
                case_no: &case_no,
                department_id: dept,
                item_code: "MR-FS-001",
                source: Source::Inspection,
                procedure: Procedure::General,
                party,
                facts: "基准测试",
                location: "昆明市五华区",
                occurred_at: now,
                ended_at: None,
                discovered_at: now,
                filed_at: now,
                filed_by: user,
                intended_fine_fen: None,
                harm_resulted: false,
                harm_description: None,
                rule_profile_id: None,
            },
        )?;
        for o in &a.officer {
            store::insert_officer(
                conn,
                &id,
                o,
                zhifa::kernel::OfficerRole::Officer,
                Some("53010221001"),
                now,
            )?;
        }
        store::insert_deadline(conn, &id, "decision", now.date(), "行政处罚法第六十条", now)?;
        let actor = zhifa::records::Actor {
            id: user.into(),
            role: "officer".into(),
            certificate: None,
        };
        zhifa::records::append(
            conn,
            a.record_key.as_bytes(),
            &id,
            &actor,
            "case.filed",
            &serde_json::json!({"case_no": case_no}),
            None,
            now,
        )?;
        Ok(())
    })
}

fn main() {
    let a = Arc::new(Args::parse());
    let db = zhifa::db::connect(&a.url, a.pool).expect("database");
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..a.concurrency)
        .map(|_| {
            let (a, db, done) = (a.clone(), db.clone(), done.clone());
            std::thread::spawn(move || {
                let party = party();
                while Instant::now() < deadline {
                    let mut conn = db.pool.get().expect("connection");
                    match a.mode.as_str() {
                        "insert" => insert_one(&mut conn, &a, &party).expect("insert"),
                        "get" => {
                            let id = a.case_id.as_deref().expect("--case-id");
                            let _row: (String, String, String, String, i32) = cases::table
                                .find(id)
                                .select((
                                    cases::id,
                                    cases::case_no,
                                    cases::status,
                                    cases::party_name,
                                    cases::version,
                                ))
                                .first(&mut conn)
                                .expect("get");
                        }
                        other => panic!("unknown mode {other}"),
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("worker");
    }
    let secs = started.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    println!("{} {} {:.2} {:.1}", a.mode, n, secs, n as f64 / secs);
}
