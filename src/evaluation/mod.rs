//! 案卷评查 — case-file evaluation: rubrics as data (`rubric.rs`,
//! `store.rs`), the automatic pre-score (`rules.rs`), batches drawn over a
//! department subtree and a period with a recorded seed, evaluations scored
//! by supervisors of other departments, each with its own hash-chained
//! record (`records::chain`), answered (整改) by the evaluated department.

pub mod api;
pub mod report;
pub mod rubric;
pub mod rules;
pub mod store;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{scope, Caller};
use crate::cases::events::{CaseEvent, Stored};
use crate::cases::rules::{CaseStatus, Party, Procedure};
use crate::cases::OfficerRole;
use crate::clock::{china_date, rfc3339};
use crate::db::schema::{
    case_officers, case_steps, cases, departments, documents, evaluation_batches,
    evaluation_records, evaluations, evidence, investigation_records, transfers,
};
use crate::db::{write_tx, DbConn};
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::records::chain::{self, ChainEntry, GENESIS};
use crate::records::Verification;
use crate::state::AppState;
use rubric::Rubric;
use rules::{CaseFacts, DocFacts, Grade, ItemScore, ItemState, Scored};
use store::StoredRubric;

// ------------------------------------------------------------ loading a case

/// What the pre-scorer reads of a case, owned.
pub struct LoadedCase {
    pub case_id: String,
    pub case_no: String,
    pub department_id: String,
    pub department_path: String,
    pub procedure: Procedure,
    pub status: CaseStatus,
    pub filed_at: NaiveDateTime,
    party: Party,
    domains: Vec<String>,
    item: Option<crate::items::ItemData>,
    officer_ids: Vec<String>,
    officers: Vec<crate::org::rules::OfficerFacts>,
    pub events: Vec<Stored<CaseEvent>>,
    step_seqs: HashMap<String, i64>,
    filing: Option<crate::approvals::rules::ApprovalStatus>,
    evidence: usize,
    lookup: Option<crate::discretion::rules::Lookup>,
    documents: Vec<DocFacts>,
    criminal_transfers: usize,
    chain: Verification,
    profile: crate::profiles::Profile,
}

#[derive(Queryable)]
struct CaseRow {
    case_no: String,
    department_id: String,
    item_code: String,
    procedure: Procedure,
    status: CaseStatus,
    party_kind: crate::cases::rules::PartyKind,
    party_name: String,
    party_id_type: crate::cases::rules::IdType,
    party_id_number: String,
    party_address: String,
    party_phone: Option<String>,
    party_legal_representative: Option<String>,
    filed_at: NaiveDateTime,
    rule_profile_id: Option<String>,
    record_seq: i64,
    record_head: String,
}

/// Loads what the pre-scorer reads of one case.
pub fn load_case(conn: &mut DbConn, key: &[u8], case_id: &str) -> AppResult<LoadedCase> {
    let r: CaseRow = cases::table
        .find(case_id)
        .select((
            cases::case_no,
            cases::department_id,
            cases::enforcement_item_code,
            cases::procedure,
            cases::status,
            cases::party_kind,
            cases::party_name,
            cases::party_id_type,
            cases::party_id_number,
            cases::party_address,
            cases::party_phone,
            cases::party_legal_representative,
            cases::filed_at,
            cases::rule_profile_id,
            cases::record_seq,
            cases::record_head,
        ))
        .first(conn)
        .map_err(crate::db::not_found_as("case"))?;
    let dept = crate::org::find_department(conn, &r.department_id)?
        .ok_or_else(|| AppError::internal("case department missing"))?;
    let item = crate::items::find(conn, &r.item_code)?;
    let officer_ids: Vec<String> = case_officers::table
        .filter(case_officers::case_id.eq(case_id))
        .filter(case_officers::role.eq(OfficerRole::Officer))
        .order(case_officers::assigned_at.asc())
        .select(case_officers::user_id)
        .load(conn)?;
    let officers = crate::org::officer_facts(conn, &officer_ids)?;
    let events = crate::cases::file::history(conn, case_id)?;
    let entries = crate::records::load(conn, case_id)?;
    let step_seqs = entries
        .iter()
        .filter_map(|e| {
            let d: serde_json::Value = serde_json::from_str(&e.detail).ok()?;
            Some((d.get("step_id")?.as_str()?.to_string(), e.seq))
        })
        .collect();
    let chain = chain::verify(key, &entries, r.record_seq, &r.record_head);
    let filing = crate::approvals::store::filing_status(conn, case_id)?;
    let n_evidence: i64 = evidence::table
        .filter(evidence::case_id.eq(case_id))
        .count()
        .get_result(conn)?;
    let n_records: i64 = investigation_records::table
        .filter(investigation_records::case_id.eq(case_id))
        .count()
        .get_result(conn)?;
    let lookup = crate::workflow::latest_lookup(conn, case_id)?.map(|(_, l)| l);
    let docs: Vec<(String, String, Option<NaiveDateTime>)> = documents::table
        .filter(documents::case_id.eq(case_id))
        .select((documents::kind, documents::number, documents::withdrawn_at))
        .load(conn)?;
    let criminal: i64 = transfers::table
        .filter(transfers::case_id.eq(case_id))
        .filter(transfers::kind.eq("criminal"))
        .count()
        .get_result(conn)?;
    let profile = crate::profiles::of_case(conn, r.rule_profile_id.as_deref())?;
    Ok(LoadedCase {
        case_id: case_id.to_string(),
        case_no: r.case_no,
        department_id: r.department_id,
        department_path: dept.path,
        procedure: r.procedure,
        status: r.status,
        filed_at: r.filed_at,
        party: Party {
            kind: r.party_kind,
            name: r.party_name,
            id_type: r.party_id_type,
            id_number: r.party_id_number,
            address: r.party_address,
            phone: r.party_phone,
            legal_representative: r.party_legal_representative,
        },
        domains: dept.department.domains,
        item,
        officer_ids,
        officers,
        events,
        step_seqs,
        filing,
        evidence: (n_evidence + n_records) as usize,
        lookup,
        documents: docs
            .into_iter()
            .map(|(kind, number, w)| DocFacts {
                kind,
                number,
                withdrawn: w.is_some(),
            })
            .collect(),
        criminal_transfers: criminal as usize,
        chain,
        profile,
    })
}

impl LoadedCase {
    pub fn facts<'a>(
        &'a self,
        cal: &'a crate::calendar::Calendar,
        today: NaiveDate,
    ) -> CaseFacts<'a> {
        CaseFacts {
            procedure: self.procedure,
            status: self.status,
            party: &self.party,
            filed_on: china_date(self.filed_at.and_utc()),
            department_id: &self.department_id,
            department_path: &self.department_path,
            department_domains: &self.domains,
            item: self.item.as_ref(),
            officer_ids: &self.officer_ids,
            officers: &self.officers,
            events: &self.events,
            step_seqs: &self.step_seqs,
            filing: self.filing,
            evidence: self.evidence,
            lookup: self.lookup.as_ref(),
            documents: &self.documents,
            criminal_transfers: self.criminal_transfers,
            chain: &self.chain,
            profile: &self.profile,
            cal,
            today,
        }
    }
}

// ------------------------------------------------------------ views

/// An evaluator's adjustment of one item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adjustment {
    pub item_code: String,
    /// The points the evaluator gives the item (0 … the item's points).
    pub points: u32,
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// An evaluation as its readers get it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationView {
    pub id: String,
    pub batch_id: String,
    pub case_id: String,
    pub case_no: String,
    pub department_id: String,
    pub rubric: String,
    pub rubric_version: i32,
    /// `open` or `completed`.
    pub status: String,
    /// The automatic pre-score (for a completed evaluation: as it was at completion).
    pub pre_score: Scored,
    /// The evaluator's adjustments, latest per item.
    pub adjustments: Vec<Adjustment>,
    /// The pre-score with the adjustments: items, score, veto items, grade.
    pub result: Scored,
    pub evaluator_id: Option<String>,
    pub completed_at: Option<String>,
    /// The evaluated department's answer (整改 reply).
    pub reply: Option<String>,
    pub replied_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Completed {
    pre_score: Scored,
    result: Scored,
}

/// The pre-score with the evaluator's adjustments applied.
pub fn adjusted(rubric: &Rubric, pre: &Scored, adjustments: &[Adjustment]) -> Scored {
    let items: Vec<ItemScore> = pre
        .items
        .iter()
        .map(|i| {
            let mut i = i.clone();
            if let Some(a) = adjustments.iter().rev().find(|a| a.item_code == i.code) {
                i.deduction = i.points - a.points.min(i.points);
                if i.state == ItemState::ForEvaluator || i.deduction == 0 {
                    i.findings.retain(|_| i.deduction > 0);
                }
                i.findings.push(rules::Finding {
                    code: "evaluator".into(),
                    rule: a.reason.clone(),
                    evidence: rules::Cite::default(),
                });
                i.state = ItemState::Automatic;
            }
            i
        })
        .collect();
    rules::total(rubric, items)
}

// ------------------------------------------------------------ the record

fn append_record(
    conn: &mut DbConn,
    key: &[u8],
    evaluation_id: &str,
    caller: &Caller,
    action: &str,
    detail: &serde_json::Value,
    at: NaiveDateTime,
) -> AppResult<()> {
    let (seq, prev): (i64, String) = diesel::update(evaluations::table.find(evaluation_id))
        .set(evaluations::record_seq.eq(evaluations::record_seq + 1))
        .returning((evaluations::record_seq, evaluations::record_head))
        .get_result(conn)?;
    let actor = crate::records::Actor {
        id: caller.user_id.clone(),
        role: role_name(caller),
        certificate: None,
    };
    let e = crate::records::entry(
        key,
        evaluation_id,
        seq,
        &prev,
        &actor,
        action,
        detail,
        Some(caller.request_id.as_str()),
        at,
    )?;
    diesel::insert_into(evaluation_records::table)
        .values((
            evaluation_records::evaluation_id.eq(evaluation_id),
            evaluation_records::seq.eq(e.seq),
            evaluation_records::at.eq(crate::db::micros(at)),
            evaluation_records::actor_id.eq(&e.actor_id),
            evaluation_records::actor_role.eq(&e.actor_role),
            evaluation_records::action.eq(&e.action),
            evaluation_records::detail.eq(&e.detail),
            evaluation_records::request_id.eq(&e.request_id),
            evaluation_records::prev_hash.eq(&e.prev_hash),
            evaluation_records::hash.eq(&e.hash),
        ))
        .execute(conn)?;
    diesel::update(evaluations::table.find(evaluation_id))
        .set(evaluations::record_head.eq(&e.hash))
        .execute(conn)?;
    Ok(())
}

fn role_name(caller: &Caller) -> String {
    caller
        .roles
        .first()
        .map(crate::db::enum_str)
        .unwrap_or_default()
}

/// An evaluation's own record and its verification.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationRecord {
    pub entries: Vec<crate::records::RecordEntry>,
    pub verification: Verification,
}

fn load_record(conn: &mut DbConn, key: &[u8], id: &str) -> AppResult<EvaluationRecord> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        NaiveDateTime,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
    )> = evaluation_records::table
        .filter(evaluation_records::evaluation_id.eq(id))
        .order(evaluation_records::seq.asc())
        .select((
            evaluation_records::seq,
            evaluation_records::at,
            evaluation_records::actor_id,
            evaluation_records::actor_role,
            evaluation_records::action,
            evaluation_records::detail,
            evaluation_records::request_id,
            evaluation_records::prev_hash,
            evaluation_records::hash,
        ))
        .load(conn)?;
    let entries: Vec<ChainEntry> = rows
        .into_iter()
        .map(
            |(seq, at, actor_id, actor_role, action, detail, request_id, prev_hash, hash)| {
                ChainEntry {
                    case_id: id.to_string(),
                    seq,
                    at: rfc3339(at),
                    actor_id,
                    actor_role,
                    actor_certificate: None,
                    action,
                    detail,
                    request_id,
                    prev_hash,
                    hash,
                }
            },
        )
        .collect();
    let (count, head): (i64, String) = evaluations::table
        .find(id)
        .select((evaluations::record_seq, evaluations::record_head))
        .first(conn)?;
    let verification = chain::verify(key, &entries, count, &head);
    Ok(EvaluationRecord {
        entries: entries.into_iter().map(Into::into).collect(),
        verification,
    })
}

// ------------------------------------------------------------ batches

/// `POST /evaluations/batches`.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewBatch {
    #[validate(length(min = 1, max = 200, code = "required", message = "the batch's name"))]
    pub name: String,
    /// The department whose subtree is evaluated.
    pub department_id: String,
    /// Cases closed from this day …
    pub period_from: NaiveDate,
    /// … to this day (inclusive).
    pub period_to: NaiveDate,
    /// A random sample of this many closed cases; none: all of them.
    #[validate(range(min = 1, max = 100000, code = "out_of_range", message = "1–100000"))]
    #[serde(default)]
    pub sample_size: Option<i32>,
    /// The seed of the draw (recorded; the same seed redraws the same sample).
    #[serde(default)]
    pub seed: Option<i64>,
    /// A rubric code for the cases of its procedure (default: the one in force).
    #[serde(default)]
    pub rubric: Option<String>,
}

/// A batch with its evaluations and progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchView {
    pub id: String,
    pub name: String,
    pub department_id: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub sample_size: Option<i32>,
    pub seed: i64,
    pub rubric: String,
    pub created_by: String,
    pub created_at: String,
    /// Evaluations in the batch.
    pub total: usize,
    pub completed: usize,
    pub evaluations: Vec<BatchLine>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchLine {
    pub id: String,
    pub case_id: String,
    pub case_no: String,
    pub department_id: String,
    pub status: String,
    pub score: Option<i64>,
    pub grade: Option<Grade>,
}

/// The ids of the closed cases of a subtree whose closure fell in the period.
fn closed_in(
    conn: &mut DbConn,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<String>> {
    let start = from.and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::hours(8);
    let end =
        to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::hours(8);
    let closed_steps = case_steps::table
        .filter(case_steps::kind.eq("closure"))
        .filter(case_steps::at.ge(start))
        .filter(case_steps::at.lt(end))
        .select(case_steps::case_id);
    Ok(cases::table
        .inner_join(departments::table)
        .filter(
            departments::path
                .like(crate::db::like_prefix(path))
                .escape(crate::db::LIKE_ESCAPE),
        )
        .filter(cases::status.eq_any([CaseStatus::Closed, CaseStatus::Archived]))
        .filter(cases::id.eq_any(closed_steps))
        .select(cases::id)
        .load(conn)?)
}

/// Creates a batch: the closed cases of the subtree in the period, all or
/// a seeded sample, each with an evaluation opened in its own record.
pub async fn create_batch(
    state: &AppState,
    caller: &Caller,
    req: NewBatch,
) -> AppResult<BatchView> {
    caller.require_any(scope::EVALUATION_ROLES)?;
    if req.period_to < req.period_from {
        return Err(AppError::validation(vec![FieldError::new(
            "period_to",
            "out_of_range",
            "period_to is not before period_from",
        )]));
    }
    let key = state.settings.record_key.clone();
    let now = state.clock.now_naive();
    let reader = caller.clone();
    let caller = caller.clone();
    let seed = req
        .seed
        .unwrap_or_else(|| (rand::random::<u64>() >> 1) as i64);
    let id = state
        .db
        .run(move |conn| {
            let dept = crate::org::find_department(conn, &req.department_id)?.ok_or_else(|| {
                AppError::rule_on_field(Code::UnknownReference, "department_id", "no such department")
            })?;
            if !scope::may_organise_evaluation(&caller, &dept.path) {
                return Err(AppError::forbidden(
                    "evaluations cover departments in the supervisor's region",
                ));
            }
            let all = store::all(conn)?;
            if let Some(code) = &req.rubric {
                if !all.iter().any(|r| &r.rubric.code == code) {
                    return Err(AppError::rule_on_field(
                        Code::UnknownReference,
                        "rubric",
                        format!("no rubric {code}"),
                    ));
                }
            }
            let candidates = closed_in(conn, &dept.path, req.period_from, req.period_to)?;
            let picked = rules::draw_sample(
                &candidates,
                req.sample_size.map(|n| n as usize),
                seed as u64,
            );
            let today = china_date(now.and_utc());
            write_tx(conn, |conn| {
                let batch_id = uuid::Uuid::now_v7().to_string();
                diesel::insert_into(evaluation_batches::table)
                    .values((
                        evaluation_batches::id.eq(&batch_id),
                        evaluation_batches::name.eq(&req.name),
                        evaluation_batches::department_id.eq(&req.department_id),
                        evaluation_batches::period_from.eq(req.period_from),
                        evaluation_batches::period_to.eq(req.period_to),
                        evaluation_batches::sample_size.eq(req.sample_size),
                        evaluation_batches::seed.eq(seed),
                        evaluation_batches::rubric_code.eq(req.rubric.clone().unwrap_or_default()),
                        evaluation_batches::created_by.eq(&caller.user_id),
                        evaluation_batches::created_at.eq(crate::db::micros(now)),
                    ))
                    .execute(conn)?;
                for case_id in &picked {
                    let (dept_id, procedure): (String, Procedure) = cases::table
                        .find(case_id)
                        .select((cases::department_id, cases::procedure))
                        .first(conn)?;
                    let rubric = rubric_for(&all, procedure, req.rubric.as_deref(), today)?;
                    let eid = uuid::Uuid::now_v7().to_string();
                    diesel::insert_into(evaluations::table)
                        .values((
                            evaluations::id.eq(&eid),
                            evaluations::batch_id.eq(&batch_id),
                            evaluations::case_id.eq(case_id),
                            evaluations::department_id.eq(&dept_id),
                            evaluations::rubric_id.eq(&rubric.id),
                            evaluations::status.eq("open"),
                            evaluations::adjustments.eq("[]"),
                            evaluations::record_seq.eq(0i64),
                            evaluations::record_head.eq(GENESIS),
                        ))
                        .execute(conn)?;
                    append_record(
                        conn,
                        key.as_bytes(),
                        &eid,
                        &caller,
                        "evaluation.opened",
                        &serde_json::json!({"batch_id": batch_id, "case_id": case_id,
                            "rubric": rubric.rubric.code, "rubric_version": rubric.rubric.version, "seed": seed}),
                        now,
                    )?;
                }
                Ok(batch_id)
            })
        })
        .await?;
    batch(state, &reader, &id).await
}

fn rubric_for<'a>(
    all: &'a [StoredRubric],
    procedure: Procedure,
    code: Option<&str>,
    today: NaiveDate,
) -> AppResult<&'a StoredRubric> {
    store::in_force(all, procedure, code, today)
        .or_else(|| store::in_force(all, procedure, None, today))
        .ok_or_else(|| {
            AppError::rule(
                Code::InvalidValue,
                format!(
                    "no rubric in force for the {} procedure",
                    crate::db::enum_str(&procedure)
                ),
            )
        })
}

#[derive(Queryable)]
struct BatchRow {
    id: String,
    name: String,
    department_id: String,
    period_from: NaiveDate,
    period_to: NaiveDate,
    sample_size: Option<i32>,
    seed: i64,
    rubric_code: String,
    created_by: String,
    created_at: NaiveDateTime,
}

fn batch_row(conn: &mut DbConn, id: &str) -> AppResult<BatchRow> {
    evaluation_batches::table
        .find(id)
        .select((
            evaluation_batches::id,
            evaluation_batches::name,
            evaluation_batches::department_id,
            evaluation_batches::period_from,
            evaluation_batches::period_to,
            evaluation_batches::sample_size,
            evaluation_batches::seed,
            evaluation_batches::rubric_code,
            evaluation_batches::created_by,
            evaluation_batches::created_at,
        ))
        .first(conn)
        .map_err(crate::db::not_found_as("evaluation batch"))
}

#[allow(clippy::type_complexity)]
fn batch_view(conn: &mut DbConn, b: BatchRow) -> AppResult<BatchView> {
    let lines: Vec<(
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
    )> = evaluations::table
        .inner_join(cases::table)
        .filter(evaluations::batch_id.eq(&b.id))
        .order(cases::case_no.asc())
        .select((
            evaluations::id,
            evaluations::case_id,
            cases::case_no,
            evaluations::department_id,
            evaluations::status,
            evaluations::score,
            evaluations::grade,
        ))
        .load(conn)?;
    let evaluations: Vec<BatchLine> = lines
        .into_iter()
        .map(
            |(id, case_id, case_no, department_id, status, score, grade)| BatchLine {
                id,
                case_id,
                case_no,
                department_id,
                status,
                score,
                grade: grade.and_then(|g| crate::db::enum_parse(&g)),
            },
        )
        .collect();
    Ok(BatchView {
        id: b.id,
        name: b.name,
        department_id: b.department_id,
        period_from: b.period_from,
        period_to: b.period_to,
        sample_size: b.sample_size,
        seed: b.seed,
        rubric: b.rubric_code,
        created_by: b.created_by,
        created_at: rfc3339(b.created_at),
        total: evaluations.len(),
        completed: evaluations
            .iter()
            .filter(|e| e.status == "completed")
            .count(),
        evaluations,
    })
}

/// `GET /evaluations/batches/{id}`: organisers of the region only.
pub async fn batch(state: &AppState, caller: &Caller, id: &str) -> AppResult<BatchView> {
    caller.require_any(scope::EVALUATION_ROLES)?;
    let caller = caller.clone();
    let id = id.to_string();
    state
        .db
        .run(move |conn| {
            let b = batch_row(conn, &id)?;
            let path = crate::cases::store::department_path(conn, &b.department_id)?;
            if !scope::may_organise_evaluation(&caller, &path) {
                return Err(AppError::not_found("evaluation batch"));
            }
            batch_view(conn, b)
        })
        .await
}

/// `GET /evaluations/batches`: the batches over the caller's region, newest first.
pub async fn batches(state: &AppState, caller: &Caller) -> AppResult<Vec<BatchView>> {
    caller.require_any(scope::EVALUATION_ROLES)?;
    let region = caller.region_path.clone();
    state
        .db
        .run(move |conn| {
            let ids: Vec<String> = evaluation_batches::table
                .inner_join(
                    departments::table.on(departments::id.eq(evaluation_batches::department_id)),
                )
                .filter(
                    departments::path
                        .like(crate::db::like_prefix(&region))
                        .escape(crate::db::LIKE_ESCAPE),
                )
                .order(evaluation_batches::id.desc())
                .select(evaluation_batches::id)
                .limit(500)
                .load(conn)?;
            ids.iter()
                .map(|id| batch_row(conn, id).and_then(|b| batch_view(conn, b)))
                .collect()
        })
        .await
}

// ------------------------------------------------------------ evaluations

#[derive(Queryable)]
struct EvaluationRow {
    id: String,
    batch_id: String,
    case_id: String,
    department_id: String,
    rubric_id: String,
    status: String,
    adjustments: String,
    evaluator_id: Option<String>,
    completed_at: Option<NaiveDateTime>,
    result: Option<String>,
    reply: Option<String>,
    replied_at: Option<NaiveDateTime>,
}

fn evaluation_row(conn: &mut DbConn, id: &str) -> AppResult<(EvaluationRow, String)> {
    evaluations::table
        .inner_join(departments::table.on(departments::id.eq(evaluations::department_id)))
        .filter(evaluations::id.eq(id))
        .select((
            (
                evaluations::id,
                evaluations::batch_id,
                evaluations::case_id,
                evaluations::department_id,
                evaluations::rubric_id,
                evaluations::status,
                evaluations::adjustments,
                evaluations::evaluator_id,
                evaluations::completed_at,
                evaluations::result,
                evaluations::reply,
                evaluations::replied_at,
            ),
            departments::path,
        ))
        .first(conn)
        .map_err(crate::db::not_found_as("evaluation"))
}

fn rubric_by_id(conn: &mut DbConn, id: &str) -> AppResult<Rubric> {
    let content: String = crate::db::schema::rubrics::table
        .find(id)
        .select(crate::db::schema::rubrics::content)
        .first(conn)?;
    serde_json::from_str(&content).map_err(|e| AppError::internal(format!("rubric {id}: {e}")))
}

/// The pre-score of a case under a rubric today, from its data.
pub fn pre_score_case(
    conn: &mut DbConn,
    key: &[u8],
    cal: &crate::calendar::Calendar,
    today: NaiveDate,
    rubric: &Rubric,
    case_id: &str,
) -> AppResult<(Scored, String)> {
    let loaded = load_case(conn, key, case_id)?;
    Ok((
        rules::pre_score(rubric, &loaded.facts(cal, today)),
        loaded.case_no,
    ))
}

fn view(
    conn: &mut DbConn,
    key: &[u8],
    cal: &crate::calendar::Calendar,
    today: NaiveDate,
    r: EvaluationRow,
) -> AppResult<EvaluationView> {
    let rubric = rubric_by_id(conn, &r.rubric_id)?;
    let adjustments: Vec<Adjustment> = serde_json::from_str(&r.adjustments)
        .map_err(|e| AppError::internal(format!("adjustments: {e}")))?;
    let (pre_score, result, case_no) = match &r.result {
        Some(text) => {
            let c: Completed = serde_json::from_str(text)
                .map_err(|e| AppError::internal(format!("result: {e}")))?;
            let no: String = cases::table
                .find(&r.case_id)
                .select(cases::case_no)
                .first(conn)?;
            (c.pre_score, c.result, no)
        }
        None => {
            let (pre, no) = pre_score_case(conn, key, cal, today, &rubric, &r.case_id)?;
            let result = adjusted(&rubric, &pre, &adjustments);
            (pre, result, no)
        }
    };
    Ok(EvaluationView {
        id: r.id,
        batch_id: r.batch_id,
        case_id: r.case_id,
        case_no,
        department_id: r.department_id,
        rubric: rubric.code,
        rubric_version: rubric.version,
        status: r.status,
        pre_score,
        adjustments,
        result,
        evaluator_id: r.evaluator_id,
        completed_at: r.completed_at.map(rfc3339),
        reply: r.reply,
        replied_at: r.replied_at.map(rfc3339),
    })
}

/// What may be done to an evaluation.
enum Act {
    Read,
    Score,
    Reply,
}

fn allowed(caller: &Caller, act: Act, department_id: &str, path: &str) -> AppResult<()> {
    if !scope::may_see_evaluation(caller, department_id, path) {
        // Outside the caller's region or department: not revealed.
        if caller.has_any(scope::EVALUATION_ROLES) || caller.has(crate::auth::Role::Head) {
            return Err(AppError::not_found("evaluation"));
        }
        return Err(AppError::forbidden(
            "evaluations are read by supervisors and the evaluated department's heads",
        ));
    }
    match act {
        Act::Read => Ok(()),
        Act::Score if scope::may_evaluate(caller, department_id, path) => Ok(()),
        Act::Score => Err(AppError::forbidden(
            "an evaluator is a supervisor who does not belong to the evaluated department (评查回避)",
        )),
        Act::Reply if scope::may_reply_evaluation(caller, department_id) => Ok(()),
        Act::Reply => Err(AppError::forbidden(
            "the evaluated department's head answers an evaluation (整改)",
        )),
    }
}

/// `GET /evaluations/{id}`.
pub async fn evaluation(state: &AppState, caller: &Caller, id: &str) -> AppResult<EvaluationView> {
    let cal = state.calendar.get(&state.db).await?;
    let key = state.settings.record_key.clone();
    let today = china_date(state.clock.now());
    let caller = caller.clone();
    let id = id.to_string();
    state
        .db
        .run(move |conn| {
            let (r, path) = evaluation_row(conn, &id)?;
            allowed(&caller, Act::Read, &r.department_id, &path)?;
            view(conn, key.as_bytes(), &cal, today, r)
        })
        .await
}

/// `POST /evaluations/{id}/scores`.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ScoresRequest {
    #[validate(
        length(min = 1, code = "required", message = "at least one item"),
        nested
    )]
    pub items: Vec<ScoreItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ScoreItem {
    pub item_code: String,
    /// The points given (0 … the item's points).
    pub points: u32,
    #[validate(length(
        min = 1,
        max = 2000,
        code = "required",
        message = "why the item is scored so"
    ))]
    pub reason: String,
}

fn check_open(r: &EvaluationRow) -> AppResult<()> {
    if r.status == "completed" {
        return Err(AppError::new(
            Code::EvaluationCompleted,
            "a completed evaluation is final and cannot change (its result is in its record)",
        ));
    }
    Ok(())
}

/// Adjusts items of an open evaluation, each with its reason.
pub async fn score(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: ScoresRequest,
) -> AppResult<EvaluationView> {
    let key = state.settings.record_key.clone();
    let now = state.clock.now_naive();
    let caller2 = caller.clone();
    let id2 = id.to_string();
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (r, path) = evaluation_row(conn, &id2)?;
                allowed(&caller2, Act::Score, &r.department_id, &path)?;
                check_open(&r)?;
                let rubric = rubric_by_id(conn, &r.rubric_id)?;
                let mut errors = vec![];
                for (i, it) in req.items.iter().enumerate() {
                    match rubric.item(&it.item_code) {
                        None => errors.push(FieldError::new(
                            format!("items[{i}].item_code"),
                            "unknown",
                            format!("rubric {} has no item {}", rubric.code, it.item_code),
                        )),
                        Some(item) if it.points > item.points => errors.push(FieldError::new(
                            format!("items[{i}].points"),
                            "out_of_range",
                            format!("item {} has {} points", item.code, item.points),
                        )),
                        Some(_) => {}
                    }
                }
                if !errors.is_empty() {
                    return Err(AppError::validation(errors));
                }
                let mut adjustments: Vec<Adjustment> = serde_json::from_str(&r.adjustments)
                    .map_err(|e| AppError::internal(format!("adjustments: {e}")))?;
                for it in &req.items {
                    adjustments.retain(|a| a.item_code != it.item_code);
                    adjustments.push(Adjustment {
                        item_code: it.item_code.clone(),
                        points: it.points,
                        reason: it.reason.clone(),
                        by: caller2.user_id.clone(),
                        at: rfc3339(crate::db::micros(now)),
                    });
                }
                diesel::update(evaluations::table.find(&id2))
                    .set(evaluations::adjustments.eq(crate::db::json_text(&adjustments)))
                    .execute(conn)?;
                append_record(
                    conn,
                    key.as_bytes(),
                    &id2,
                    &caller2,
                    "evaluation.scored",
                    &serde_json::json!({"items": req.items.iter().map(|i| serde_json::json!({"item_code": i.item_code, "points": i.points, "reason": i.reason})).collect::<Vec<_>>()}),
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    evaluation(state, caller, id).await
}

/// Completes an evaluation: the pre-score and the adjustments are fixed as
/// its result, in its record; from now on it cannot change (409).
pub async fn complete(state: &AppState, caller: &Caller, id: &str) -> AppResult<EvaluationView> {
    let key = state.settings.record_key.clone();
    let now = state.clock.now_naive();
    let cal = state.calendar.get(&state.db).await?;
    let today = china_date(state.clock.now());
    let caller2 = caller.clone();
    let id2 = id.to_string();
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (r, path) = evaluation_row(conn, &id2)?;
                allowed(&caller2, Act::Score, &r.department_id, &path)?;
                check_open(&r)?;
                let v = view(conn, key.as_bytes(), &cal, today, r)?;
                let done = Completed {
                    pre_score: v.pre_score,
                    result: v.result.clone(),
                };
                let n = diesel::update(
                    evaluations::table
                        .find(&id2)
                        .filter(evaluations::status.eq("open")),
                )
                .set((
                    evaluations::status.eq("completed"),
                    evaluations::score.eq(Some(i64::from(v.result.score))),
                    evaluations::grade.eq(Some(crate::db::enum_str(&v.result.grade))),
                    evaluations::evaluator_id.eq(Some(&caller2.user_id)),
                    evaluations::completed_at.eq(Some(crate::db::micros(now))),
                    evaluations::result.eq(Some(crate::db::json_text(&done))),
                ))
                .execute(conn)?;
                if n == 0 {
                    return Err(AppError::new(
                        Code::EvaluationCompleted,
                        "completed meanwhile",
                    ));
                }
                let digest = {
                    use sha2::Digest;
                    hex::encode(sha2::Sha256::digest(crate::db::json_text(&done).as_bytes()))
                };
                append_record(
                    conn,
                    key.as_bytes(),
                    &id2,
                    &caller2,
                    "evaluation.completed",
                    &serde_json::json!({"score": v.result.score, "grade": v.result.grade,
                        "vetoes": v.result.vetoes, "result_sha256": digest}),
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    evaluation(state, caller, id).await
}

/// `POST /evaluations/{id}/reply` — 整改 reply.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    #[validate(length(
        min = 1,
        max = 4000,
        code = "required",
        message = "the rectification reply"
    ))]
    pub reply: String,
}

/// The evaluated department answers a completed evaluation; its result stays.
pub async fn reply(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: ReplyRequest,
) -> AppResult<EvaluationView> {
    let key = state.settings.record_key.clone();
    let now = state.clock.now_naive();
    let caller2 = caller.clone();
    let id2 = id.to_string();
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (r, path) = evaluation_row(conn, &id2)?;
                allowed(&caller2, Act::Reply, &r.department_id, &path)?;
                if r.status != "completed" {
                    return Err(AppError::new(
                        Code::TransitionNotAllowed,
                        "an evaluation is answered once it is completed",
                    ));
                }
                diesel::update(evaluations::table.find(&id2))
                    .set((
                        evaluations::reply.eq(Some(&req.reply)),
                        evaluations::replied_by.eq(Some(&caller2.user_id)),
                        evaluations::replied_at.eq(Some(crate::db::micros(now))),
                    ))
                    .execute(conn)?;
                append_record(
                    conn,
                    key.as_bytes(),
                    &id2,
                    &caller2,
                    "evaluation.replied",
                    &serde_json::json!({"reply": req.reply}),
                    now,
                )
            })
        })
        .await?;
    evaluation(state, caller, id).await
}

/// `GET /evaluations/{id}/record`.
pub async fn record(state: &AppState, caller: &Caller, id: &str) -> AppResult<EvaluationRecord> {
    let key = state.settings.record_key.clone();
    let caller = caller.clone();
    let id = id.to_string();
    state
        .db
        .run(move |conn| {
            let (r, path) = evaluation_row(conn, &id)?;
            allowed(&caller, Act::Read, &r.department_id, &path)?;
            load_record(conn, key.as_bytes(), &id)
        })
        .await
}

// ------------------------------------------------------------ statistics

/// Grade counts and pass rate of completed evaluations.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Stats {
    pub evaluated: i64,
    pub excellent: i64,
    pub pass: i64,
    pub fail: i64,
    /// (优秀 + 合格) / evaluated, REFERENCE §6.3 (⚠️ definition); null when none.
    pub pass_rate: Option<f64>,
    /// The outline's 2025 target (≥ 95 %).
    pub target: f64,
}

impl Stats {
    pub fn of(grades: &[Grade]) -> Stats {
        let count = |g: Grade| grades.iter().filter(|x| **x == g).count() as i64;
        let evaluated = grades.len() as i64;
        let (excellent, pass, fail) = (
            count(Grade::Excellent),
            count(Grade::Pass),
            count(Grade::Fail),
        );
        Stats {
            evaluated,
            excellent,
            pass,
            fail,
            pass_rate: (evaluated > 0).then(|| (excellent + pass) as f64 / evaluated as f64),
            target: 0.95,
        }
    }
}

/// The grades of the completed evaluations of a subtree, completed in the period.
pub fn grades_in(
    conn: &mut DbConn,
    path: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Vec<Grade>> {
    let mut q = evaluations::table
        .inner_join(departments::table.on(departments::id.eq(evaluations::department_id)))
        .filter(
            departments::path
                .like(crate::db::like_prefix(path))
                .escape(crate::db::LIKE_ESCAPE),
        )
        .filter(evaluations::status.eq("completed"))
        .select(evaluations::grade)
        .into_boxed();
    if let Some(f) = from {
        q = q.filter(
            evaluations::completed_at
                .ge(f.and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::hours(8)),
        );
    }
    if let Some(t) = to {
        q = q.filter(
            evaluations::completed_at.lt(t.succ_opt().unwrap_or(t).and_hms_opt(0, 0, 0).unwrap()
                - chrono::Duration::hours(8)),
        );
    }
    let rows: Vec<Option<String>> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .flatten()
        .filter_map(|g| crate::db::enum_parse(&g))
        .collect())
}

/// The subtree a cross-case query covers: the department asked for (which
/// must lie in the caller's subtree: 404 otherwise), else the caller's.
pub fn subtree(
    conn: &mut DbConn,
    caller: &Caller,
    department_id: Option<&str>,
) -> AppResult<String> {
    let mine = scope::supervision_subtree(caller).to_string();
    match department_id {
        None => Ok(mine),
        Some(d) => {
            let path = crate::cases::store::department_path(conn, d)
                .map_err(|_| AppError::not_found("department"))?;
            if !path.starts_with(&mine) {
                return Err(AppError::forbidden(
                    "the department lies outside the caller's department subtree",
                ));
            }
            Ok(path)
        }
    }
}

/// `GET /evaluations/stats`.
pub async fn stats(
    state: &AppState,
    caller: &Caller,
    department_id: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Stats> {
    caller.require_any(scope::INDICATOR_ROLES)?;
    let caller = caller.clone();
    state
        .db
        .run(move |conn| {
            let path = subtree(conn, &caller, department_id.as_deref())?;
            Ok(Stats::of(&grades_in(conn, &path, from, to)?))
        })
        .await
}

// ------------------------------------------------------------ reports

/// A batch's report over its completed evaluations (organisers of the region).
pub async fn batch_report(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> AppResult<report::Report> {
    caller.require_any(scope::EVALUATION_ROLES)?;
    let caller = caller.clone();
    let id = id.to_string();
    state
        .db
        .run(move |conn| {
            let b = batch_row(conn, &id)?;
            let path = crate::cases::store::department_path(conn, &b.department_id)?;
            if !scope::may_organise_evaluation(&caller, &path) {
                return Err(AppError::not_found("evaluation batch"));
            }
            let total: i64 = evaluations::table
                .filter(evaluations::batch_id.eq(&id))
                .count()
                .get_result(conn)?;
            let rows: Vec<(String, String, Option<String>)> = evaluations::table
                .inner_join(departments::table.on(departments::id.eq(evaluations::department_id)))
                .filter(evaluations::batch_id.eq(&id))
                .filter(evaluations::status.eq("completed"))
                .select((
                    evaluations::department_id,
                    departments::name,
                    evaluations::result,
                ))
                .load(conn)?;
            let mut results = vec![];
            for (d, name, result) in rows {
                let c: Completed = serde_json::from_str(result.as_deref().unwrap_or("null"))
                    .map_err(|e| AppError::internal(format!("result: {e}")))?;
                results.push((d, name, c.result));
            }
            Ok(report::build(&b.id, &b.name, total, &results))
        })
        .await
}

/// The report as a PDF drawn by the document engine.
pub async fn report_pdf(state: &AppState, r: &report::Report) -> AppResult<Vec<u8>> {
    let iss = crate::documents::issuer(&state.settings, &state.document_font).await?;
    let blocks = report::blocks(r);
    let today = china_date(state.clock.now());
    let title = format!("{}评查报告", r.name);
    let key = format!("evaluation-report:{}", r.batch_id);
    actix_web::web::block(move || {
        crate::documents::pdf::render(
            &iss.font,
            &crate::documents::pdf::Heading {
                organ: "",
                title: &title,
                number: "",
                verification: "",
                key: &key,
                date: today,
            },
            &blocks,
        )
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
}
