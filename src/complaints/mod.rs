//! 投诉举报 — complaints and reports from the public, with the reporter
//! protected (outline §18).
//!
//! - `POST /public/complaints` (no token): rate-limited per client address
//!   (`rules::check_rate`, 429); the competent department by the named
//!   department, else by the item and the subject's address; a tracking
//!   code back. The reporter's identity and contact are sealed at once
//!   (`seal`, AES-256-GCM under `ZHIFA_REPORTER_KEY`): the row holds only
//!   ciphertext, and no other table, document, export, log line or error
//!   ever holds them. Anonymous reports are accepted.
//! - The department's staff see the complaint without its reporter, turn it
//!   into a clue (the clue flow, source `complaint`/`report`, in the same
//!   transaction) or close it with a reason.
//! - Only a head of the handling department reads the reporter, through
//!   its own endpoint; each read is an entry of the complaint's record and
//!   of the access log. Rewards (举报奖励) are recorded by a head.
//! - `zhifa reporter-key rotate` re-seals every reporter under a new key.

pub mod api;
pub mod rules;
pub mod seal;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{scope, Caller};
use crate::cases::rules::Source;
use crate::clock::rfc3339;
use crate::config::ReporterKey;
use crate::db::schema::{complaint_events, complaints, departments};
use crate::db::{micros, DbConn};
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::kernel::shape::not_blank;
use crate::kernel::Fen;
use crate::state::AppState;
use rules::ComplaintStatus;

crate::db::text_enum!(ComplaintStatus);

/// The subject of a complaint: who is complained of.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    #[validate(custom(function = not_blank, code = "required", message = "who is complained of"), length(max = 200, code = "too_long", message = "at most 200 characters"))]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 300, code = "too_long", message = "at most 300 characters"))]
    pub address: Option<String>,
    #[serde(default)]
    #[validate(length(max = 18, code = "too_long", message = "a USCC has 18 characters"))]
    pub uscc: Option<String>,
}

/// Who reports: sealed at once, never shown but to a head of the handling
/// department.
#[derive(Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    #[validate(custom(function = not_blank, code = "required", message = "the reporter's name"), length(max = 100, code = "too_long", message = "at most 100 characters"))]
    pub name: String,
    #[validate(custom(function = not_blank, code = "required", message = "a phone number to reach the reporter"), length(max = 30, code = "too_long", message = "at most 30 characters"))]
    pub phone: String,
    #[serde(default)]
    #[validate(length(max = 30, code = "too_long", message = "at most 30 characters"))]
    pub id_number: Option<String>,
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reporter(sealed)")
    }
}

/// `POST /public/complaints`.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = reporter_unless_anonymous, skip_on_field_errors = false))]
pub struct NewComplaint {
    /// The department complained to; else found by the item and the subject's address.
    #[serde(default)]
    pub department_id: Option<String>,
    #[serde(default)]
    pub item_code: Option<String>,
    #[validate(nested)]
    pub subject: Subject,
    /// What happened, when and where.
    #[validate(custom(function = not_blank, code = "required", message = "what happened"), length(max = 5000, code = "too_long", message = "at most 5000 characters"))]
    pub facts: String,
    #[serde(default)]
    #[validate(nested)]
    pub reporter: Option<Reporter>,
    /// Anonymous: no reporter is given (and none is kept).
    #[serde(default)]
    pub anonymous: bool,
}

fn reporter_unless_anonymous(c: &NewComplaint) -> Result<(), validator::ValidationError> {
    match (&c.reporter, c.anonymous) {
        (None, false) => Err(crate::kernel::shape::at(
            "reporter",
            "required",
            "a reporter, or anonymous: true",
        )),
        (Some(_), true) => Err(crate::kernel::shape::at(
            "reporter",
            "not_allowed",
            "an anonymous report names no reporter",
        )),
        _ => Ok(()),
    }
}

/// What the reporter gets back.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Filed {
    pub tracking_code: String,
}

/// What the reporter may learn with the tracking code: the status only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStatus {
    pub tracking_code: String,
    pub status: ComplaintStatus,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintEvent {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub action: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A complaint as the department's staff see it: never its reporter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Complaint {
    pub id: String,
    pub department_id: String,
    pub item_code: Option<String>,
    pub subject: Subject,
    pub facts: String,
    pub anonymous: bool,
    pub status: ComplaintStatus,
    pub received_at: String,
    pub clue_id: Option<String>,
    pub closure_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The record, oldest first (only on `GET /complaints/{id}`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<ComplaintEvent>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = complaints)]
struct Row {
    id: String,
    department_id: String,
    enforcement_item_code: Option<String>,
    subject_name: String,
    subject_address: Option<String>,
    subject_uscc: Option<String>,
    facts: String,
    anonymous: bool,
    reporter_sealed: Option<String>,
    status: ComplaintStatus,
    received_at: NaiveDateTime,
    clue_id: Option<String>,
    closure_reason: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
}

impl Row {
    fn view(&self) -> Complaint {
        Complaint {
            id: self.id.clone(),
            department_id: self.department_id.clone(),
            item_code: self.enforcement_item_code.clone(),
            subject: Subject {
                name: self.subject_name.clone(),
                address: self.subject_address.clone(),
                uscc: self.subject_uscc.clone(),
            },
            facts: self.facts.clone(),
            anonymous: self.anonymous,
            status: self.status,
            received_at: rfc3339(self.received_at),
            clue_id: self.clue_id.clone(),
            closure_reason: self.closure_reason.clone(),
            decided_by: self.decided_by.clone(),
            decided_at: self.decided_at.map(rfc3339),
            events: vec![],
        }
    }
}

/// The client address as stored: a keyed hash, for the rate limit only.
fn client_hash(key: &ReporterKey, ip: &str) -> String {
    let mut h = sha2::Sha256::new();
    h.update(b"zhifa complaint client\0");
    h.update(key.0);
    h.update(ip.as_bytes());
    hex::encode(&h.finalize()[..16])
}

fn append_event(
    conn: &mut DbConn,
    id: &str,
    actor: Option<&str>,
    action: &str,
    detail: &serde_json::Value,
    at: NaiveDateTime,
) -> AppResult<()> {
    let seq: Option<i64> = complaint_events::table
        .filter(complaint_events::complaint_id.eq(id))
        .select(diesel::dsl::max(complaint_events::seq))
        .first(conn)?;
    diesel::insert_into(complaint_events::table)
        .values((
            complaint_events::id.eq(uuid::Uuid::now_v7().to_string()),
            complaint_events::complaint_id.eq(id),
            complaint_events::seq.eq(seq.unwrap_or(0) + 1),
            complaint_events::at.eq(micros(at)),
            complaint_events::actor_id.eq(actor),
            complaint_events::action.eq(action),
            complaint_events::detail.eq(detail.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The competent department: the one named, else one holding the item —
/// the one whose district the subject's address names, else the highest.
fn competent_department(conn: &mut DbConn, req: &NewComplaint) -> AppResult<String> {
    let field =
        |f: &str, code: &str, m: &str| AppError::validation(vec![FieldError::new(f, code, m)]);
    if let Some(id) = req
        .department_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        return match crate::org::find_department(conn, id)? {
            Some(p) => Ok(p.department.id),
            None => Err(field("department_id", "unknown", "no such department")),
        };
    }
    let Some(code) = req
        .item_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Err(field(
            "department_id",
            "required",
            "name the department or the enforcement item (item_code)",
        ));
    };
    let item = crate::items::find(conn, code)?
        .ok_or_else(|| field("item_code", "unknown", "no such enforcement item"))?;
    let address = req.subject.address.clone().unwrap_or_default();
    let mut best: Option<(bool, usize, String)> = None;
    for d in crate::org::list_departments(conn)? {
        if !crate::items::held_by(&item, &d.domains) {
            continue;
        }
        let path = crate::cases::store::department_path(conn, &d.id)?;
        let depth = path.matches('/').count();
        let government = crate::documents::government_of(conn, &d)?;
        let place = government.trim_end_matches("人民政府");
        let local = place.rsplit('市').next().unwrap_or(place);
        let named = !local.is_empty() && address.contains(local);
        // Named in the address (deepest first), else the highest level.
        let key = (
            named,
            if named { depth } else { usize::MAX - depth },
            d.id.clone(),
        );
        if best.as_ref().is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    best.map(|b| b.2).ok_or_else(|| {
        field(
            "item_code",
            "no_department",
            "no department holds this enforcement item",
        )
    })
}

/// Files a complaint from `ip`: the tracking code.
pub async fn file(state: &AppState, ip: Option<String>, req: NewComplaint) -> AppResult<Filed> {
    let now = state.clock.now();
    let key = state.settings.reporter_key.clone();
    let hash = client_hash(&key, ip.as_deref().unwrap_or("unknown"));
    state
        .db
        .write(move |conn| {
            let since = micros((now - chrono::Duration::minutes(rules::WINDOW_MINUTES)).naive_utc());
            let recent: Vec<NaiveDateTime> = complaints::table
                .filter(complaints::client_hash.eq(&hash))
                .filter(complaints::received_at.gt(since))
                .select(complaints::received_at)
                .load(conn)?;
            let recent: Vec<DateTime<Utc>> = recent.into_iter().map(|t| t.and_utc()).collect();
            rules::check_rate(&recent, now)?;
            let department_id = competent_department(conn, &req)?;
            let id = uuid::Uuid::now_v7().to_string();
            let mut random = [0u8; 12];
            rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
            let code = rules::tracking_code(&random);
            let sealed = req.reporter.as_ref().map(|r| {
                let plain = serde_json::to_vec(r).unwrap_or_default();
                seal::seal(&key, &id, &plain)
            });
            let trim = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
            diesel::insert_into(complaints::table)
                .values((
                    complaints::id.eq(&id),
                    complaints::tracking_code.eq(&code),
                    complaints::department_id.eq(&department_id),
                    complaints::enforcement_item_code.eq(trim(&req.item_code)),
                    complaints::subject_name.eq(req.subject.name.trim()),
                    complaints::subject_address.eq(trim(&req.subject.address)),
                    complaints::subject_uscc.eq(trim(&req.subject.uscc)),
                    complaints::facts.eq(req.facts.trim()),
                    complaints::anonymous.eq(req.anonymous),
                    complaints::reporter_sealed.eq(&sealed),
                    complaints::client_hash.eq(&hash),
                    complaints::status.eq(ComplaintStatus::Received),
                    complaints::received_at.eq(micros(now.naive_utc())),
                ))
                .execute(conn)?;
            append_event(
                conn,
                &id,
                None,
                "complaint.received",
                &serde_json::json!({"department_id": department_id, "anonymous": req.anonymous, "reporter_sealed": sealed.is_some()}),
                now.naive_utc(),
            )?;
            Ok(Filed { tracking_code: code })
        })
        .await
}

/// `GET /public/complaints/{tracking_code}`: the status only.
pub async fn status_of(state: &AppState, code: &str) -> AppResult<PublicStatus> {
    let code = code.trim().to_uppercase();
    state
        .db
        .run(move |conn| {
            let status: ComplaintStatus = complaints::table
                .filter(complaints::tracking_code.eq(&code))
                .select(complaints::status)
                .first(conn)
                .optional()?
                .ok_or_else(|| AppError::not_found("no complaint with this tracking code"))?;
            Ok(PublicStatus {
                tracking_code: code,
                status,
            })
        })
        .await
}

fn load_row(conn: &mut DbConn, id: &str) -> AppResult<Row> {
    complaints::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("complaint not found"))
}

/// The complaint, if the caller may see its department's work (else 404).
fn visible(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Row> {
    let row = load_row(conn, id)?;
    let path = crate::cases::store::department_path(conn, &row.department_id)?;
    if !scope::may_see_department_work(caller, &row.department_id, &path) {
        return Err(AppError::not_found("complaint not found"));
    }
    Ok(row)
}

/// …and may work on it (officers and heads of the department; else 403).
fn workable(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Row> {
    let row = visible(conn, caller, id)?;
    if !scope::may_do_department_work(caller, &row.department_id) {
        return Err(AppError::forbidden(
            "officers and heads of the department handle its complaints",
        ));
    }
    Ok(row)
}

/// …and is a head of it (else 403).
fn headed(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Row> {
    let row = visible(conn, caller, id)?;
    if !scope::may_read_reporter(caller, &row.department_id) {
        return Err(AppError::forbidden(
            "only a head of the handling department may do this",
        ));
    }
    Ok(row)
}

fn events(conn: &mut DbConn, id: &str) -> AppResult<Vec<ComplaintEvent>> {
    let rows: Vec<(i64, NaiveDateTime, Option<String>, String, String)> = complaint_events::table
        .filter(complaint_events::complaint_id.eq(id))
        .order(complaint_events::seq.asc())
        .select((
            complaint_events::seq,
            complaint_events::at,
            complaint_events::actor_id,
            complaint_events::action,
            complaint_events::detail,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(seq, at, actor_id, action, detail)| ComplaintEvent {
            seq,
            at: rfc3339(at),
            actor_id,
            action,
            detail: serde_json::from_str(&detail).unwrap_or_default(),
        })
        .collect())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ComplaintFilter {
    pub status: Option<ComplaintStatus>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /complaints`: the department's (a supervisor's: the region's), newest first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    status: Option<ComplaintStatus>,
    limit: i64,
    cursor: Option<String>,
) -> AppResult<(Vec<Complaint>, Option<String>)> {
    caller.require_any(scope::CASE_ROLES)?;
    let caller = caller.clone();
    state
        .db
        .run(move |conn| {
            let mut q = complaints::table
                .inner_join(departments::table.on(departments::id.eq(complaints::department_id)))
                .select(Row::as_select())
                .order(complaints::id.desc())
                .limit(limit + 1)
                .into_boxed();
            q = match scope::case_list_scope(&caller) {
                scope::CaseListScope::Region(path) => q.filter(
                    departments::path
                        .like(crate::db::like_prefix(path))
                        .escape(crate::db::LIKE_ESCAPE),
                ),
                scope::CaseListScope::Department(d) => q.filter(complaints::department_id.eq(d)),
            };
            if let Some(s) = status {
                q = q.filter(complaints::status.eq(s));
            }
            if let Some(c) = cursor {
                q = q.filter(complaints::id.lt(c));
            }
            let mut rows: Vec<Row> = q.load(conn)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next = if more {
                rows.last().map(|r| r.id.clone())
            } else {
                None
            };
            Ok((rows.iter().map(Row::view).collect(), next))
        })
        .await
}

/// `GET /complaints/{id}` with its record.
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> AppResult<Complaint> {
    caller.require_any(scope::CASE_ROLES)?;
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .run(move |conn| {
            let row = visible(conn, &caller, &id)?;
            let mut c = row.view();
            c.events = events(conn, &id)?;
            Ok(c)
        })
        .await
}

/// `POST /complaints/{id}/clue`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ToClue {
    /// `complaint` (投诉, the default) or `report` (举报).
    #[serde(default)]
    pub source: Option<Source>,
}

/// Turns the complaint into a clue of its department (the clue flow, the
/// filing decision due from the day it was received), in one transaction.
/// The clue holds the subject and the facts — never the reporter.
pub async fn to_clue(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: ToClue,
) -> AppResult<crate::clues::Clue> {
    caller.require_any(scope::CLUE_ROLES)?;
    let source = req.source.unwrap_or(Source::Complaint);
    if !matches!(source, Source::Complaint | Source::Report) {
        return Err(AppError::validation(vec![FieldError::new(
            "source",
            "not_allowed",
            "complaint or report",
        )]));
    }
    let (c2, id2) = (caller.clone(), id.to_string());
    let row = state
        .db
        .run(move |conn| {
            let row = workable(conn, &c2, &id2)?;
            rules::check_open(row.status)?;
            Ok(row)
        })
        .await?;
    let clue = crate::clues::NewClue {
        source,
        summary: row.facts.clone(),
        enforcement_item_code: row.enforcement_item_code.clone(),
        party_name: Some(row.subject_name.clone()),
        location: row.subject_address.clone(),
        occurred_at: None,
        discovered_at: row.received_at.and_utc(),
        // A complaint does not establish harm; the officer states it when
        // the clue is decided (Art 36 ¶1).
        harm_resulted: false,
        harm_description: None,
    };
    let now = state.clock.now().naive_utc();
    let (c3, id3) = (caller.clone(), id.to_string());
    crate::clues::register_linked(state, caller, clue, move |conn, clue_id| {
        let row = workable(conn, &c3, &id3)?;
        rules::check_open(row.status)?;
        diesel::update(complaints::table.find(&id3))
            .set((
                complaints::status.eq(ComplaintStatus::Clue),
                complaints::clue_id.eq(clue_id),
                complaints::decided_by.eq(&c3.user_id),
                complaints::decided_at.eq(micros(now)),
            ))
            .execute(conn)?;
        append_event(
            conn,
            &id3,
            Some(&c3.user_id),
            "complaint.clue",
            &serde_json::json!({"clue_id": clue_id, "source": source}),
            now,
        )
    })
    .await
}

/// `POST /complaints/{id}/closure`.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    #[validate(custom(function = not_blank, code = "required", message = "why the complaint is closed"), length(max = 2000, code = "too_long", message = "at most 2000 characters"))]
    pub reason: String,
}

pub async fn close(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: Closure,
) -> AppResult<Complaint> {
    caller.require_any(scope::CLUE_ROLES)?;
    let (caller, id) = (caller.clone(), id.to_string());
    let now = state.clock.now().naive_utc();
    state
        .db
        .write(move |conn| {
            let row = workable(conn, &caller, &id)?;
            rules::check_open(row.status)?;
            diesel::update(complaints::table.find(&id))
                .set((
                    complaints::status.eq(ComplaintStatus::Closed),
                    complaints::closure_reason.eq(req.reason.trim()),
                    complaints::decided_by.eq(&caller.user_id),
                    complaints::decided_at.eq(micros(now)),
                ))
                .execute(conn)?;
            append_event(
                conn,
                &id,
                Some(&caller.user_id),
                "complaint.closed",
                &serde_json::json!({"reason": req.reason.trim()}),
                now,
            )?;
            Ok(load_row(conn, &id)?.view())
        })
        .await
}

/// The reporter, as a head of the handling department reads it.
#[derive(Clone, Serialize, ToSchema)]
pub struct ReporterView {
    pub anonymous: bool,
    pub reporter: Option<Reporter>,
}

/// `GET /complaints/{id}/reporter`: a head of the handling department;
/// the read is an entry of the complaint's record and of the access log,
/// written before the answer leaves. A key that does not open the seal
/// answers 503 and reveals nothing.
pub async fn reporter(state: &AppState, caller: &Caller, id: &str) -> AppResult<ReporterView> {
    caller.require_any(scope::HEAD_ROLES)?;
    let (c2, id2) = (caller.clone(), id.to_string());
    let now = state.clock.now().naive_utc();
    let key = state.settings.reporter_key.clone();
    let out = state
        .db
        .write(move |conn| {
            let row = headed(conn, &c2, &id2)?;
            let reporter = match &row.reporter_sealed {
                None => None,
                Some(s) => {
                    let plain = seal::open(&key, &row.id, s).ok_or_else(|| {
                        AppError::new(
                            Code::ServiceUnavailable,
                            format!("complaint {}: the reporter key does not open the sealed reporter (ZHIFA_REPORTER_KEY)", row.id),
                        )
                    })?;
                    Some(serde_json::from_slice::<Reporter>(&plain).map_err(|_| AppError::internal("a sealed reporter does not read back"))?)
                }
            };
            append_event(conn, &id2, Some(&c2.user_id), "complaint.reporter_read", &serde_json::json!({"by": c2.user_id, "request_id": c2.request_id}), now)?;
            Ok(ReporterView {
                anonymous: row.anonymous,
                reporter,
            })
        })
        .await?;
    state
        .access_log
        .record(crate::records::access_log::AccessEntry {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: id.to_string(),
            user_id: caller.user_id.clone(),
            username: caller.username.clone(),
            at: now,
            ip: caller.ip.clone(),
            request_id: Some(caller.request_id.clone()),
            action: "read_complaint_reporter".into(),
            allowed: true,
        });
    Ok(out)
}

/// `POST /complaints/{id}/rewards` — 举报奖励, recorded by a head.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    #[validate(range(min = 1, code = "out_of_range", message = "a positive amount in fen"))]
    pub amount_fen: i64,
    #[validate(custom(function = not_blank, code = "required", message = "the basis of the reward"), length(max = 2000, code = "too_long", message = "at most 2000 characters"))]
    pub reason: String,
}

pub async fn reward(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: Reward,
) -> AppResult<Complaint> {
    caller.require_any(scope::HEAD_ROLES)?;
    let (caller, id) = (caller.clone(), id.to_string());
    let now = state.clock.now().naive_utc();
    state
        .db
        .write(move |conn| {
            let row = headed(conn, &caller, &id)?;
            if row.anonymous {
                return Err(AppError::rule(Code::InvalidValue, "an anonymous report names nobody to reward"));
            }
            append_event(conn, &id, Some(&caller.user_id), "complaint.reward", &serde_json::json!({"amount_fen": Fen(req.amount_fen), "reason": req.reason.trim()}), now)?;
            let mut c = load_row(conn, &id)?.view();
            c.events = events(conn, &id)?;
            Ok(c)
        })
        .await
}

/// Re-seals every sealed reporter from `old` to `new` in one transaction
/// (`zhifa reporter-key rotate`). All or nothing: a seal the old key does
/// not open stops it, naming the complaint. Answers how many were re-sealed.
pub fn rotate_key(conn: &mut DbConn, old: &ReporterKey, new: &ReporterKey) -> AppResult<usize> {
    crate::db::write_tx(conn, |conn| {
        let rows: Vec<(String, Option<String>)> = complaints::table
            .filter(complaints::reporter_sealed.is_not_null())
            .select((complaints::id, complaints::reporter_sealed))
            .load(conn)?;
        let mut n = 0;
        for (id, sealed) in rows {
            let Some(sealed) = sealed else { continue };
            let plain = seal::open(old, &id, &sealed).ok_or_else(|| {
                AppError::new(Code::ServiceUnavailable, format!("complaint {id}: the current key does not open its reporter; nothing was changed"))
            })?;
            diesel::update(complaints::table.find(&id))
                .set(complaints::reporter_sealed.eq(seal::seal(new, &id, &plain)))
                .execute(conn)?;
            n += 1;
        }
        Ok(n)
    })
}
