//! Cases: intake (立案), reading, and the guard every case endpoint goes
//! through. Each use case is one transaction that writes its record entry.

pub mod api;
pub mod change;
pub mod events;
pub mod file;
pub mod rules;
pub mod store;
pub mod view;

pub use view::{
    filing_rows, source_name, Case, CaseOfficer, CaseSummary, Deadline, DeadlineStatus,
    FilingFacts, OfficerRole,
};

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::approvals::rules::ApprovalKind;
use crate::auth::scope::{self, CaseScope};
use crate::auth::{Caller, Role};
use crate::clock::china_date;
use crate::db::schema::idempotency_keys;
use crate::db::{write_tx, DbConn};
use crate::error::{AppError, AppResult, Code};
use crate::kernel::shape::{check, not_blank};
use crate::records::access_log::AccessEntry;
use crate::records::{self, Actor};
use crate::state::AppState;
use rules::{CaseStatus, Party, Procedure, Source};

/// The intake request (立案).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = intended_fine_only_simplified, skip_on_field_errors = false))]
#[validate(schema(function = harm_shape, skip_on_field_errors = false))]
pub struct NewCase {
    #[validate(custom(function = not_blank, code = "required", message = "the enforcement item is required"))]
    pub enforcement_item_code: String,
    pub source: Source,
    pub procedure: Procedure,
    #[validate(nested)]
    pub party: Party,
    /// 违法事实 as found so far.
    #[validate(custom(function = not_blank, code = "required", message = "the facts found so far are required"), length(max = 20_000, code = "too_long", message = "at most 20,000 characters"))]
    pub facts: String,
    #[validate(custom(function = not_blank, code = "required", message = "where the violation happened is required (行政处罚法第二十二条)"), length(max = 300, code = "too_long", message = "at most 300 characters"))]
    pub location: String,
    pub occurred_at: DateTime<Utc>,
    /// When a continuing violation ended (Art 36: the period runs from the end).
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    pub discovered_at: DateTime<Utc>,
    /// At least two certified officers of the department (Art 42).
    #[validate(length(max = 20, code = "too_many", message = "at most 20 officers"))]
    pub officer_ids: Vec<String>,
    /// Auxiliary staff attached for data entry; they never count as officers.
    #[serde(default)]
    pub auxiliary_ids: Vec<String>,
    /// Simplified procedure: the intended fine, checked against Art 51.
    #[serde(default)]
    pub intended_fine_fen: Option<i64>,
    /// Whether the violation caused harm (危害后果). With an item that
    /// concerns citizens' life and health or financial security, harm
    /// extends the limitation to five years (Art 36 ¶1); otherwise two.
    #[serde(default)]
    pub harm_resulted: bool,
    /// What harm resulted; required when `harm_resulted`.
    #[serde(default)]
    #[validate(length(max = 500, code = "too_long", message = "at most 500 characters"))]
    pub harm_description: Option<String>,
}

fn harm_shape(c: &NewCase) -> Result<(), ValidationError> {
    crate::kernel::shape::harm_described(c.harm_resulted, c.harm_description.as_deref())
}

/// Only the simplified procedure records an intended fine at intake.
fn intended_fine_only_simplified(c: &NewCase) -> Result<(), ValidationError> {
    check(
        c.procedure != Procedure::General || c.intended_fine_fen.is_none(),
        "intended_fine_fen",
        "not_allowed",
        "only the simplified procedure records an intended fine at intake",
    )
}

/// The actor of a record entry made by `caller` on a case: officers act
/// under the certificate intake assigned them.
pub fn actor_for(caller: &Caller, certificate: Option<String>) -> Actor {
    let role = [
        Role::Officer,
        Role::Head,
        Role::LegalReviewer,
        Role::Supervisor,
        Role::Auxiliary,
        Role::Admin,
    ]
    .into_iter()
    .find(|r| caller.has(*r))
    .map(|r| r.as_str())
    .unwrap_or("unknown");
    Actor {
        id: caller.user_id.clone(),
        role: role.into(),
        certificate: if role == "officer" { certificate } else { None },
    }
}

/// The stored answer of a request made with an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
}

fn stored_response(
    conn: &mut DbConn,
    user_id: &str,
    key: &str,
    request_hash: &str,
) -> AppResult<Option<StoredResponse>> {
    let row: Option<(String, i32, String, Option<String>)> = idempotency_keys::table
        .find((user_id, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::body,
            idempotency_keys::location,
        ))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some((hash, _, _, _)) if hash != request_hash => Err(AppError::rule(
            Code::IdempotencyKeyReused,
            "this Idempotency-Key was used with a different request body",
        )),
        Some((_, status, body, location)) => Ok(Some(StoredResponse {
            status: status as u16,
            body,
            location,
        })),
    }
}

/// What intake checked, read in one go (outside or inside a transaction).
struct Prepared {
    dept: crate::org::Placed,
    government: String,
    item: crate::items::ItemData,
    people: Vec<crate::org::rules::OfficerFacts>,
    decision: rules::IntakeDecision,
}

/// Loads what the intake rules need and applies them (`rules::check_intake`
/// and the auxiliaries' check). Read-only.
fn prepare(
    conn: &mut DbConn,
    caller: &Caller,
    req: &NewCase,
    now: DateTime<Utc>,
) -> AppResult<Prepared> {
    let dept = crate::org::find_department(conn, &caller.department_id)?
        .ok_or_else(|| AppError::internal("caller's department missing"))?;
    let item = crate::items::find(conn, req.enforcement_item_code.trim())?;
    let mut wanted = req.officer_ids.clone();
    wanted.extend(req.auxiliary_ids.iter().cloned());
    let people = crate::org::officer_facts(conn, &wanted)?;
    let decision = rules::check_intake(&rules::IntakeFacts {
        now,
        department_id: &dept.department.id,
        department_path: &dept.path,
        department_domains: &dept.department.domains,
        item: item.as_ref(),
        procedure: req.procedure,
        party: &req.party,
        occurred_at: req.occurred_at,
        ended_at: req.ended_at,
        discovered_at: req.discovered_at,
        officer_ids: &req.officer_ids,
        officers: &people,
        intended_fine_fen: req.intended_fine_fen,
        harm_resulted: req.harm_resulted,
    })?;
    for (i, id) in req.auxiliary_ids.iter().enumerate() {
        let ok = people.iter().any(|p| {
            &p.user_id == id
                && p.department_id == dept.department.id
                && p.roles.contains(&Role::Auxiliary)
        });
        if !ok || req.officer_ids.contains(id) {
            return Err(AppError::rule_on_field(
                Code::OfficerNotInDepartment,
                &format!("auxiliary_ids[{i}]"),
                "an auxiliary must be auxiliary staff of the department and not also listed as an officer",
            ));
        }
    }
    let government = crate::documents::government_of(conn, &dept.department)?;
    Ok(Prepared {
        dept,
        government,
        item: item.expect("checked by check_intake"),
        people,
        decision,
    })
}

/// 立案 — file a case. The intake rules are checked first with nothing
/// locked (a refused filing takes no number); the case number and the
/// 立案审批表's number are then reserved in a short transaction; the
/// document is rendered with no lock held; and one transaction writes the
/// case (the rules checked again on fresh data), its officers and
/// deadlines, the document, the first record entry naming its SHA-256, and
/// the idempotency answer. A reservation whose filing then fails goes to
/// the void register: numbers are issued or voided, never lost or reused.
pub async fn file_case(
    state: &AppState,
    caller: Caller,
    req: NewCase,
    idempotency_key: Option<String>,
) -> AppResult<StoredResponse> {
    file_case_linked(state, caller, req, idempotency_key, None).await
}

/// What filing does to the record it files from (a clue), in the filing's
/// own transaction: given the new case's id and the time, it answers what
/// the `case.filed` entry names of it.
pub type FilingLink =
    Box<dyn FnOnce(&mut DbConn, &str, NaiveDateTime) -> AppResult<serde_json::Value> + Send>;

/// `file_case`, with `link` run in the transaction that files the case.
pub async fn file_case_linked(
    state: &AppState,
    caller: Caller,
    req: NewCase,
    idempotency_key: Option<String>,
    link: Option<FilingLink>,
) -> AppResult<StoredResponse> {
    caller.require_any(scope::FILING_ROLES)?;
    let from_clue = link.is_some();
    let request_hash = hex::encode(Sha256::digest(serde_json::to_vec(&req).unwrap_or_default()));
    let key = state.settings.record_key.clone();
    let calendar = state.calendar.get(&state.db).await?;
    let rule_data = state.discretion.get(&state.db).await?;
    let issuer = crate::documents::issuer(&state.settings, &state.document_font).await?;
    let now = state.clock.now();
    let filed_on = china_date(now);

    // 1. Check, with nothing locked.
    let pre = {
        let (caller, req, idem, hash) = (
            caller.clone(),
            req.clone(),
            idempotency_key.clone(),
            request_hash.clone(),
        );
        state
            .db
            .run(move |conn| {
                if let Some(k) = &idem {
                    if let Some(r) = stored_response(conn, &caller.user_id, k, &hash)? {
                        return Ok(Err(r));
                    }
                }
                prepare(conn, &caller, &req, now).map(Ok)
            })
            .await?
    };
    let prep = match pre {
        Err(stored) => return Ok(stored),
        Ok(p) => p,
    };
    let department_id = prep.dept.department.id.clone();
    // The case keeps the rule profile in force on its filing day.
    let in_force = crate::profiles::in_force_stored(&rule_data.profiles, &prep.dept.path, filed_on);
    let profile_id = in_force.map(|p| p.id.clone());
    let profile = in_force.map(|p| p.profile.clone()).unwrap_or_default();
    let template = std::sync::Arc::new(crate::documents::load_template(
        &issuer.templates,
        "filing_approval",
    )?);

    // 2. Reserve the numbers (recorded as reservations: issued or voided, never lost).
    let id = uuid::Uuid::now_v7().to_string();
    let (case_no, doc_number, reservations) = {
        let (dept, short, template, case_id) = (
            department_id.clone(),
            prep.dept.department.short_name.clone(),
            template.clone(),
            id.clone(),
        );
        let at = now.naive_utc();
        state
            .db
            .write(move |conn| {
                let n = store::next_case_number(conn, &dept, filed_on.year())?;
                let case_no = format!("{short}立〔{}〕{n}号", filed_on.year());
                let doc = crate::documents::number_for(
                    conn, &dept, &short, &profile, &template, filed_on,
                )?;
                let reservations = vec![
                    crate::documents::reserve(conn, &dept, "case", &case_no, Some(&case_id), at)?,
                    crate::documents::reserve(
                        conn,
                        &dept,
                        &template.kind,
                        &doc,
                        Some(&case_id),
                        at,
                    )?,
                ];
                Ok((case_no, doc, reservations))
            })
            .await?
    };

    // 3. Render the 立案审批表 with no lock held.
    let rendered = {
        let officers: Vec<(String, String)> = prep
            .decision
            .officer_certificates
            .iter()
            .map(|(u, c)| {
                let name = prep
                    .people
                    .iter()
                    .find(|p| &p.user_id == u)
                    .map(|p| p.display_name.clone())
                    .unwrap_or_default();
                (name, c.clone())
            })
            .collect();
        let mut ctx = crate::documents::context_of(&crate::documents::ContextParts {
            case_id: &id,
            case_no: &case_no,
            facts: &req.facts,
            location: &req.location,
            filed_on,
            item: &prep.item,
            party: &req.party,
            department: &prep.dept.department,
            government: &prep.government,
            officers,
            today: filed_on,
        });
        if let (Some(c), serde_json::Value::Object(extra)) =
            (ctx.as_object_mut(), filing_context(&req, &case_no, now))
        {
            c.extend(extra);
            // Approved as filed: a head files directly, or a head files from a
            // clue (approved with it). The simplified procedure decides on the spot.
            if req.procedure == Procedure::General && (caller.has(Role::Head) || from_clue) {
                c.insert(
                    "approval".into(),
                    filing_approved_now(&caller, &req, filed_on),
                );
            } else if req.procedure == Procedure::General {
                c.insert("approval_pending".into(), true.into());
            }
        }
        let (iss, id, number) = (issuer.clone(), id.clone(), doc_number.clone());
        actix_web::web::block(move || {
            crate::documents::render_document(&iss, &id, &template, &ctx, number, filed_on)
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
    };
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => {
            void_reserved(state, &reservations, &e.detail).await;
            return Err(e);
        }
    };

    // 4. Commit the filing.
    let rendered_missing = rendered.missing_glyphs.clone();
    let idem = idempotency_key.clone();
    let caller2 = caller.clone();
    let hash2 = request_hash.clone();
    let settled = reservations.clone();
    let result = state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                if let Some(k) = &idem {
                    if let Some(r) = stored_response(conn, &caller.user_id, k, &request_hash)? {
                        return Ok((r, true));
                    }
                }
                // Checked again on what is there now (a certificate may have been revoked meanwhile).
                let prep = prepare(conn, &caller, &req, now)?;
                let item = prep.item;
                let dept = prep.dept;
                let decision = prep.decision;
                let at = now.naive_utc();
                store::insert_case(
                    conn,
                    &store::NewCaseRow {
                        id: &id,
                        case_no: &case_no,
                        department_id: &dept.department.id,
                        item_code: &item.code,
                        source: req.source,
                        procedure: req.procedure,
                        party: &req.party,
                        facts: req.facts.trim(),
                        location: req.location.trim(),
                        occurred_at: req.occurred_at.naive_utc(),
                        ended_at: req.ended_at.map(|t| t.naive_utc()),
                        discovered_at: req.discovered_at.naive_utc(),
                        filed_at: at,
                        filed_by: &caller.user_id,
                        intended_fine_fen: req.intended_fine_fen,
                        harm_resulted: req.harm_resulted,
                        harm_description: req.harm_description.as_deref().map(str::trim),
                        rule_profile_id: profile_id.as_deref(),
                    },
                )?;
                for (user_id, cert) in &decision.officer_certificates {
                    store::insert_officer(conn, &id, user_id, OfficerRole::Officer, Some(cert), at)?;
                }
                for aux in &req.auxiliary_ids {
                    store::insert_officer(conn, &id, aux, OfficerRole::Auxiliary, None, at)?;
                }
                let (due, due_basis) = rules::decision_due(filed_on, &calendar);
                store::insert_deadline(conn, &id, "decision", due, &due_basis, at)?;
                let filing_doc = crate::documents::store_document(conn, &issuer, &rendered, &id, &caller.user_id, at)?;
                crate::documents::settle_reservations(conn, &settled)?;
                let filed_from_clue = link.is_some();
                let linked = match link {
                    Some(f) => f(conn, &id, at)?,
                    None => serde_json::Value::Null,
                };
                // 立案审批 (Art 54 ¶2): a clue's filing was approved with the clue;
                // a direct general-procedure filing asks the heads, or is approved
                // by the head filing it. The simplified procedure decides on the spot.
                let filing_approval = if filed_from_clue || req.procedure != Procedure::General {
                    None
                } else {
                    let request = serde_json::json!({"facts": format!("{case_no}：{}", req.facts.trim())});
                    let dept_id = &dept.department.id;
                    let approval = if caller.has(Role::Head) {
                        crate::approvals::store::settle(conn, &caller, None, ApprovalKind::Filing, crate::approvals::store::Subject::Case(&id), dept_id, &request, ("case", &id), at)?
                    } else {
                        crate::approvals::store::queue(conn, &caller, ApprovalKind::Filing, &id, dept_id, &request, at)?
                    };
                    Some(approval)
                };
                let mut filing_doc_entry = serde_json::json!({"document_id": filing_doc.id, "kind": filing_doc.kind, "number": filing_doc.number, "sha256": filing_doc.sha256});
                if let Some(w) = crate::documents::glyph_warning(&rendered_missing) {
                    filing_doc_entry["warning"] = w;
                }
                let own_cert = decision.officer_certificates.iter().find(|(u, _)| u == &caller.user_id).map(|(_, c)| c.clone());
                // Entry 1 of the chain, and the case row's head and version 1.
                let entry = records::entry(
                    key.as_bytes(),
                    &id,
                    1,
                    records::GENESIS,
                    &actor_for(&caller, own_cert),
                    "case.filed",
                    &serde_json::json!({
                        "case_no": case_no,
                        "enforcement_item_code": item.code,
                        "procedure": req.procedure,
                        "source": req.source,
                        "party": { "kind": req.party.kind, "name": req.party.name.trim(), "id_type": req.party.id_type, "id_number": req.party.id_number.trim().to_uppercase() },
                        "officers": decision.officer_certificates.iter().map(|(u, c)| serde_json::json!({"user_id": u, "certificate_number": c})).collect::<Vec<_>>(),
                        "auxiliaries": req.auxiliary_ids,
                        "decision_due": due,
                        "limitation_until": decision.limitation_until,
                        "limitation_basis": decision.limitation_basis,
                        "harm": {"resulted": req.harm_resulted, "description": req.harm_description.as_deref().map(str::trim)},
                        "documents": [filing_doc_entry],
                        "from": linked,
                        "filing_approval_id": filing_approval,
                    }),
                    Some(&caller.request_id),
                    at,
                )?;
                records::insert(conn, &entry)?;
                store::settle_filed(conn, &id, &entry.hash)?;
                let (case, _) = store::load_case(conn, &id)?.ok_or_else(|| AppError::internal("case vanished"))?;
                let body = serde_json::to_string(&case).map_err(|e| AppError::internal(e.to_string()))?;
                let location = format!("/api/v1/cases/{id}");
                if let Some(k) = &idem {
                    diesel::insert_into(idempotency_keys::table)
                        .values((
                            idempotency_keys::user_id.eq(&caller.user_id),
                            idempotency_keys::key.eq(k),
                            idempotency_keys::request_hash.eq(&request_hash),
                            idempotency_keys::status.eq(201),
                            idempotency_keys::body.eq(&body),
                            idempotency_keys::location.eq(&location),
                            idempotency_keys::created_at.eq(at),
                        ))
                        .execute(conn)?;
                }
                Ok((StoredResponse { status: 201, body, location: Some(location) }, false))
            })
        })
        .await;
    match result {
        Ok((r, false)) => Ok(r),
        // A concurrent retry with the same key committed first: its numbers stand, ours are void.
        Ok((r, true)) => {
            void_reserved(
                state,
                &reservations,
                "a retry with the same Idempotency-Key was filed first",
            )
            .await;
            Ok(r)
        }
        Err(e) => {
            void_reserved(state, &reservations, &e.detail).await;
            match idempotency_key {
                Some(k) if e.code == Code::Conflict => {
                    let found = state
                        .db
                        .run(move |conn| stored_response(conn, &caller2.user_id, &k, &hash2))
                        .await?;
                    found.ok_or(e)
                }
                _ => Err(e),
            }
        }
    }
}

/// Best effort: a failure here is logged, and the sweep voids the
/// reservations later ("interrupted"); the numbers are never reissued.
async fn void_reserved(state: &AppState, reservations: &[String], reason: &str) {
    let (ids, r) = (
        reservations.to_vec(),
        reason.chars().take(500).collect::<String>(),
    );
    let at = state.clock.now_naive();
    let done = state
        .db
        .write(move |conn| crate::documents::void_reservations(conn, &ids, &r, at))
        .await;
    if let Err(e) = done {
        tracing::error!(error = %e.detail, "could not void reserved numbers; the sweep will");
    }
}

/// What the 立案审批表 adds to the case context: its rows and, when the
/// filing is approved as it is filed (a head files, or files from a clue
/// the head approved), the approval block complete; otherwise the form
/// says the head's approval is pending, and the completed form supersedes
/// it when the head decides (`FilingApprovalRequest`).
pub fn filing_context(
    req: &NewCase,
    case_no: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> serde_json::Value {
    let day = |t: chrono::DateTime<chrono::Utc>| crate::documents::chinese_date(china_date(t));
    serde_json::json!({
        "filing_rows": filing_rows(FilingFacts {
            case_no,
            source: req.source,
            party_name: req.party.name.trim(),
            party_address: req.party.address.trim(),
            location: req.location.trim(),
            occurred: day(req.occurred_at),
            discovered: day(req.discovered_at),
            facts: req.facts.trim(),
            harm: req.harm_resulted.then(|| req.harm_description.as_deref().unwrap_or_default().trim()),
            filed: day(now),
        }),
    })
}

/// The approval block of a 立案审批表 approved as it is filed.
fn filing_approved_now(
    caller: &Caller,
    req: &NewCase,
    filed_on: chrono::NaiveDate,
) -> serde_json::Value {
    let date = crate::documents::chinese_date(filed_on);
    serde_json::json!({
        "title": "立案审批表",
        "officers_opinion": format!("{}。经初步核查，有证据初步证明存在违法事实，属于本机关管辖，建议立案", req.facts.trim().trim_end_matches('。')),
        "officer": caller.display_name,
        "asked_on": date,
        "head_opinion": "同意立案",
        "head": caller.display_name,
        "decided_on": date,
    })
}

/// What a request does with a case file, for the access log.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// The case appeared in a list (`GET /cases`).
    ListCases,
    ReadCase,
    ReadRecords,
    VerifyRecords,
    ReadAccessLog,
    ReadWarnings,
    ReadEvidence,
}

impl Access {
    fn as_str(self) -> &'static str {
        match self {
            Access::ListCases => "list_cases",
            Access::ReadCase => "read_case",
            Access::ReadRecords => "read_records",
            Access::VerifyRecords => "verify_records",
            Access::ReadAccessLog => "read_access_log",
            Access::ReadWarnings => "read_warnings",
            Access::ReadEvidence => "read_evidence",
        }
    }
}

pub fn log_access(state: &AppState, caller: &Caller, case_id: &str, access: Access, allowed: bool) {
    let pending = state.access_log.record(AccessEntry {
        id: uuid::Uuid::now_v7().to_string(),
        case_id: case_id.to_string(),
        user_id: caller.user_id.clone(),
        username: caller.username.clone(),
        at: state.clock.now_naive(),
        ip: caller.ip.clone(),
        request_id: Some(caller.request_id.clone()),
        action: access.as_str().into(),
        allowed,
    });
    if pending >= crate::records::access_log::BATCH {
        state.access_log_wake.notify_one();
    }
}

/// The scope half of the guard of every read of a case file (the callers,
/// `readable_case` and `view_case`, check the role first, before any
/// database work): 404 outside the scope — another department's case is not
/// revealed — and the access log either way.
fn guard_read(
    state: &AppState,
    caller: &Caller,
    scope_: &CaseScope,
    access: Access,
) -> AppResult<()> {
    let allowed = scope::may_see_case(caller, scope_);
    log_access(state, caller, &scope_.case_id, access, allowed);
    if allowed {
        Ok(())
    } else {
        Err(AppError::not_found("case not found"))
    }
}

/// The role check every case endpoint starts with, then where the case sits (404 when it does not exist).
async fn scope_for(state: &AppState, caller: &Caller, case_id: &str) -> AppResult<CaseScope> {
    caller.require_any(scope::CASE_ROLES)?;
    let id = case_id.to_string();
    state
        .db
        .run(move |conn| store::case_scope(conn, &id))
        .await?
        .ok_or_else(|| AppError::not_found("case not found"))
}

/// Loads where a case sits and applies `guard_read`.
pub async fn readable_case(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    access: Access,
) -> AppResult<CaseScope> {
    let scope_ = scope_for(state, caller, case_id).await?;
    guard_read(state, caller, &scope_, access)?;
    Ok(scope_)
}

/// `GET /cases/{id}`: the case's current version, by primary key; the file
/// from memory when that version is the one cached, else loaded (one
/// statement on the `case_files` view); then the guard on what was found.
pub async fn view_case(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
) -> AppResult<std::sync::Arc<view::CaseView>> {
    caller.require_any(scope::CASE_ROLES)?;
    let cached = state.case_views.get(case_id);
    let file = match cached {
        Some(file) => match current_version(state, case_id).await? {
            None => None,
            Some(v) if v == file.version => Some(file),
            Some(_) => load_case_file(state, case_id).await?,
        },
        None => load_case_file(state, case_id).await?,
    }
    .ok_or_else(|| AppError::not_found("case not found"))?;
    guard_read(state, caller, &file.scope, Access::ReadCase)?;
    Ok(file)
}

/// A case's version as committed now: on the async path where there is one.
async fn current_version(state: &AppState, case_id: &str) -> AppResult<Option<i32>> {
    if let Some(v) = state
        .db
        .reads
        .i32_by_key(store::CASE_VERSION_SQL, case_id)
        .await
    {
        return Ok(v);
    }
    let id = case_id.to_string();
    state
        .db
        .run(move |conn| store::case_version(conn, &id))
        .await
}

async fn load_case_file(
    state: &AppState,
    case_id: &str,
) -> AppResult<Option<std::sync::Arc<view::CaseView>>> {
    let id = case_id.to_string();
    let file = state
        .db
        .run(move |conn| {
            store::load_case(conn, &id)?
                .map(|(case, path)| view::CaseView::new(&case, path).map(std::sync::Arc::new))
                .transpose()
        })
        .await?;
    if let Some(f) = &file {
        state.case_views.put(case_id.to_string(), f.clone());
    }
    Ok(file)
}

/// The guard of every change to a case: 404 when the caller may not see
/// it, 403 when they may see but not change it (supervisors, reviewers,
/// unattached auxiliaries).
pub async fn writable_case(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
) -> AppResult<CaseScope> {
    let scope_ = scope_for(state, caller, case_id).await?;
    if !scope::may_see_case(caller, &scope_) {
        return Err(AppError::not_found("case not found"));
    }
    if !scope::may_change_case(caller, &scope_) {
        return Err(AppError::forbidden(
            "only officers and heads of the case's department (and auxiliaries attached to it) change a case",
        ));
    }
    Ok(scope_)
}
