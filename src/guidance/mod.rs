//! 柔性执法 (non-coercive measures) and 行政执法案例指导 (guiding cases).
//! The law is in `rules.rs`.
//!
//! - `POST /clues/{id}/measures`, `POST /cases/{id}/measures`: an officer or
//!   head records 行政指导 / 约谈 / 告诫 / 承诺 with its numbered document
//!   (`GET /measures/{id}/pdf`, drawn from the stored measure) and a
//!   follow-up date, a workbench task until `POST /measures/{id}/follow-up`.
//!   On a case the measure is an entry of its record. A head may close a
//!   clue this way when its item is on the exemption list (the benchmark's
//!   lenient lists), with that basis (不予立案, APL Art 33).
//! - `POST /cases/{id}/guiding-case`: a head proposes a closed case; a
//!   supervisor of the region publishes its masked summary
//!   (`GET /public/guiding-cases`) and may withdraw it.

pub mod api;
pub mod rules;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{scope, Caller};
use crate::clock::{china_date, rfc3339};
use crate::db::schema::{departments, guiding_cases, noncoercive_measures};
use crate::db::{json_text, micros, DbConn};
use crate::disclosure::rules::{PublicSummary, Span};
use crate::error::{AppError, AppResult, Code};
use crate::kernel::shape::not_blank;
use crate::state::AppState;
use rules::{GuidingStatus, MeasureKind, MeasureStatus};

crate::db::text_enum!(MeasureKind, MeasureStatus, GuidingStatus);

/// `POST /clues/{id}/measures`, `POST /cases/{id}/measures`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewMeasure {
    pub kind: MeasureKind,
    /// What the party is told, warned of or commits to.
    #[validate(custom(function = not_blank, code = "required", message = "the content of the measure"), length(max = 5000, code = "too_long", message = "at most 5000 characters"))]
    pub content: String,
    /// The day the officer checks back (a task until then).
    pub follow_up_on: NaiveDate,
    /// A clue only: close it as not filed (不予立案) — its item must be on
    /// the exemption list (免罚清单); a head only.
    #[serde(default)]
    pub close_clue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = NonCoerciveMeasure)]
pub struct Measure {
    pub id: String,
    /// The document's number (文号).
    pub number: String,
    pub department_id: String,
    pub clue_id: Option<String>,
    pub case_id: Option<String>,
    pub kind: MeasureKind,
    pub party: String,
    pub content: String,
    pub follow_up_on: NaiveDate,
    /// The exemption list entry a clue was closed under.
    pub basis: Option<String>,
    pub status: MeasureStatus,
    pub created_by: String,
    pub created_at: String,
    pub followed_up_at: Option<String>,
    pub follow_up_note: Option<String>,
    /// The document.
    pub pdf: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = noncoercive_measures)]
struct MeasureRow {
    id: String,
    number: String,
    department_id: String,
    clue_id: Option<String>,
    case_id: Option<String>,
    kind: MeasureKind,
    party: String,
    content: String,
    follow_up_on: NaiveDate,
    basis: Option<String>,
    status: MeasureStatus,
    created_by: String,
    created_at: NaiveDateTime,
    followed_up_at: Option<NaiveDateTime>,
    follow_up_note: Option<String>,
}

impl MeasureRow {
    fn view(&self) -> Measure {
        Measure {
            id: self.id.clone(),
            number: self.number.clone(),
            department_id: self.department_id.clone(),
            clue_id: self.clue_id.clone(),
            case_id: self.case_id.clone(),
            kind: self.kind,
            party: self.party.clone(),
            content: self.content.clone(),
            follow_up_on: self.follow_up_on,
            basis: self.basis.clone(),
            status: self.status,
            created_by: self.created_by.clone(),
            created_at: rfc3339(self.created_at),
            followed_up_at: self.followed_up_at.map(rfc3339),
            follow_up_note: self.follow_up_note.clone(),
            pdf: format!("/api/v1/measures/{}/pdf", self.id),
        }
    }
}

fn load_measure(conn: &mut DbConn, id: &str) -> AppResult<MeasureRow> {
    noncoercive_measures::table
        .find(id)
        .select(MeasureRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("measure not found"))
}

struct Subject<'a> {
    department_id: &'a str,
    clue_id: Option<&'a str>,
    case_id: Option<&'a str>,
    party: &'a str,
}

fn insert_measure(
    conn: &mut DbConn,
    caller: &Caller,
    s: &Subject,
    req: &NewMeasure,
    basis: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<MeasureRow> {
    let today = china_date(now.and_utc());
    let dept = crate::org::find_department(conn, s.department_id)?
        .ok_or_else(|| AppError::internal("the department is gone"))?
        .department;
    let kind = req.kind.template();
    let n = crate::documents::next_counter(conn, &dept.id, kind, today.year())?;
    let code = match req.kind {
        MeasureKind::Guidance => "指",
        MeasureKind::Interview => "约",
        MeasureKind::WrittenWarning => "诫",
        MeasureKind::Commitment => "诺",
    };
    let number = format!("{}{code}〔{}〕{n}号", dept.short_name, today.year());
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(noncoercive_measures::table)
        .values((
            noncoercive_measures::id.eq(&id),
            noncoercive_measures::number.eq(&number),
            noncoercive_measures::department_id.eq(s.department_id),
            noncoercive_measures::clue_id.eq(s.clue_id),
            noncoercive_measures::case_id.eq(s.case_id),
            noncoercive_measures::kind.eq(req.kind),
            noncoercive_measures::party.eq(s.party),
            noncoercive_measures::content.eq(req.content.trim()),
            noncoercive_measures::follow_up_on.eq(req.follow_up_on),
            noncoercive_measures::basis.eq(basis),
            noncoercive_measures::status.eq(MeasureStatus::Open),
            noncoercive_measures::created_by.eq(&caller.user_id),
            noncoercive_measures::created_at.eq(micros(now)),
        ))
        .execute(conn)?;
    load_measure(conn, &id)
}

/// The exemption list entry (免罚清单: the lenient lists of the item's
/// benchmark in force) a clue's item is on, if any.
fn exemption_basis(
    snap: &crate::discretion::cache::Snapshot,
    item: Option<&str>,
    today: NaiveDate,
) -> Option<String> {
    let v = snap.in_force(item?, today)?;
    let e = v.benchmark.lenient.first()?;
    Some(format!("{}（{}）", e.description, e.basis.to_chinese()))
}

/// A measure on a clue; with `close_clue`, a head closes the clue as not
/// filed under the exemption list, in the same transaction.
pub async fn on_clue(
    state: &AppState,
    caller: &Caller,
    clue_id: &str,
    req: NewMeasure,
) -> AppResult<Measure> {
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now();
    let today = china_date(now);
    rules::check_follow_up(req.follow_up_on, today)?;
    let snap = state.discretion.get(&state.db).await?;
    let (caller, clue_id) = (caller.clone(), clue_id.to_string());
    state
        .db
        .write(move |conn| {
            let clue = crate::clues::open_clue(conn, &caller, &clue_id)?;
            let party = clue.party_name.clone().unwrap_or_else(|| "（线索所涉当事人）".into());
            let basis = if req.close_clue {
                let basis = exemption_basis(&snap, clue.enforcement_item_code.as_deref(), today)
                    .ok_or_else(|| {
                        AppError::rule(
                            Code::PenaltyBarred,
                            "the clue's item is not on the exemption list (免罚清单): it is closed by a filing decision, not by a measure (行政处罚法第三十三条)",
                        )
                    })?;
                Some(basis)
            } else {
                None
            };
            let s = Subject {
                department_id: &clue.department_id,
                clue_id: Some(&clue.id),
                case_id: None,
                party: &party,
            };
            let m = insert_measure(conn, &caller, &s, &req, basis.as_deref(), now.naive_utc())?;
            crate::clues::record(
                conn,
                &clue.id,
                &caller,
                "clue.measure",
                &serde_json::json!({"measure_id": m.id, "number": m.number, "kind": m.kind, "follow_up_on": m.follow_up_on}),
                now.naive_utc(),
            )?;
            if let Some(b) = &basis {
                crate::clues::reject_in(
                    conn,
                    &caller,
                    None,
                    &clue.id,
                    &crate::clues::RejectionRequest {
                        ground: crate::clues::rules::NonFilingGround::FirstViolation,
                        reason: format!("列入免罚清单，已采取{}（{}）：{b}", kind_name(m.kind), m.number),
                    },
                    now.naive_utc(),
                )?;
            }
            Ok(m.view())
        })
        .await
}

fn kind_name(k: MeasureKind) -> &'static str {
    match k {
        MeasureKind::Guidance => "行政指导",
        MeasureKind::Interview => "约谈",
        MeasureKind::WrittenWarning => "告诫",
        MeasureKind::Commitment => "承诺",
    }
}

/// A measure on a case: an entry of its record.
pub async fn on_case(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    req: NewMeasure,
) -> AppResult<Measure> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    if req.close_clue {
        return Err(AppError::validation(vec![crate::error::FieldError::new(
            "close_clue",
            "not_allowed",
            "a case is not closed by a measure",
        )]));
    }
    let now = state.clock.now();
    rules::check_follow_up(req.follow_up_on, china_date(now))?;
    let scope_ = crate::cases::writable_case(state, caller, case_id).await?;
    let key = state.settings.record_key.clone().into_bytes();
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            let (case, _) = crate::cases::store::load_case(conn, &scope_.case_id)?
                .ok_or_else(|| AppError::not_found("case not found"))?;
            let s = Subject {
                department_id: &case.department_id,
                clue_id: None,
                case_id: Some(&case.id),
                party: &case.party.name,
            };
            let m = insert_measure(conn, &caller, &s, &req, None, now.naive_utc())?;
            crate::disclosure::append_record(
                conn,
                &key,
                &caller,
                &case.id,
                "measure.recorded",
                serde_json::json!({"measure_id": m.id, "number": m.number, "kind": m.kind, "follow_up_on": m.follow_up_on}),
                now.naive_utc(),
            )?;
            Ok(m.view())
        })
        .await
}

/// The measure, if the caller may see its department's work (else 404).
fn visible_measure(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<MeasureRow> {
    let row = load_measure(conn, id)?;
    let path = crate::cases::store::department_path(conn, &row.department_id)?;
    if !scope::may_see_department_work(caller, &row.department_id, &path) {
        return Err(AppError::not_found("measure not found"));
    }
    Ok(row)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MeasureFilter {
    pub status: Option<MeasureStatus>,
    pub clue_id: Option<String>,
    pub case_id: Option<String>,
}

/// `GET /measures`: the department's (a supervisor's: the region's).
pub async fn list(state: &AppState, caller: &Caller, f: MeasureFilter) -> AppResult<Vec<Measure>> {
    caller.require_any(scope::CASE_ROLES)?;
    let caller = caller.clone();
    state
        .db
        .run(move |conn| {
            let mut q = noncoercive_measures::table
                .inner_join(
                    departments::table.on(departments::id.eq(noncoercive_measures::department_id)),
                )
                .select(MeasureRow::as_select())
                .order(noncoercive_measures::id.desc())
                .limit(500)
                .into_boxed();
            q = match scope::case_list_scope(&caller) {
                scope::CaseListScope::Region(path) => q.filter(
                    departments::path
                        .like(crate::db::like_prefix(path))
                        .escape(crate::db::LIKE_ESCAPE),
                ),
                scope::CaseListScope::Department(d) => {
                    q.filter(noncoercive_measures::department_id.eq(d))
                }
            };
            if let Some(s) = f.status {
                q = q.filter(noncoercive_measures::status.eq(s));
            }
            if let Some(c) = f.clue_id {
                q = q.filter(noncoercive_measures::clue_id.eq(c));
            }
            if let Some(c) = f.case_id {
                q = q.filter(noncoercive_measures::case_id.eq(c));
            }
            let rows: Vec<MeasureRow> = q.load(conn)?;
            Ok(rows.iter().map(MeasureRow::view).collect())
        })
        .await
}

/// `POST /measures/{id}/follow-up`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    #[validate(custom(function = not_blank, code = "required", message = "what the follow-up found"), length(max = 5000, code = "too_long", message = "at most 5000 characters"))]
    pub note: String,
}

pub async fn follow_up(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: FollowUp,
) -> AppResult<Measure> {
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now().naive_utc();
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            let row = visible_measure(conn, &caller, &id)?;
            if !scope::may_do_department_work(&caller, &row.department_id) {
                return Err(AppError::forbidden(
                    "officers and heads of the department follow up",
                ));
            }
            if row.status != MeasureStatus::Open {
                return Err(AppError::new(
                    Code::TransitionNotAllowed,
                    "the measure is followed up already",
                ));
            }
            diesel::update(noncoercive_measures::table.find(&id))
                .set((
                    noncoercive_measures::status.eq(MeasureStatus::FollowedUp),
                    noncoercive_measures::followed_up_at.eq(micros(now)),
                    noncoercive_measures::follow_up_note.eq(req.note.trim()),
                ))
                .execute(conn)?;
            Ok(load_measure(conn, &id)?.view())
        })
        .await
}

/// `GET /measures/{id}/pdf`: the measure's document, drawn from it.
pub async fn measure_pdf(state: &AppState, caller: &Caller, id: &str) -> AppResult<Vec<u8>> {
    caller.require_any(scope::CASE_ROLES)?;
    let (c2, id2) = (caller.clone(), id.to_string());
    let (row, dept) = state
        .db
        .run(move |conn| {
            let row = visible_measure(conn, &c2, &id2)?;
            let dept = crate::org::find_department(conn, &row.department_id)?
                .ok_or_else(|| AppError::internal("the department is gone"))?
                .department;
            Ok((row, dept))
        })
        .await?;
    let created = china_date(row.created_at.and_utc());
    let context = serde_json::json!({
        "measure": {
            "party": row.party,
            "content": row.content,
            "follow_up_on": crate::documents::chinese_date(row.follow_up_on),
            "basis": row.basis.as_deref().map(|b| format!("依据：{b}")).unwrap_or_default(),
        },
        "department": {"name": dept.name},
        "today": crate::documents::chinese_date(created),
    });
    let template = crate::documents::template(
        &state.settings.fixtures().join("templates"),
        row.kind.template(),
    )?;
    let iss = crate::documents::issuer(&state.settings, &state.document_font).await?;
    Ok(crate::documents::render_document(
        &iss,
        &row.id,
        &template,
        &context,
        row.number.clone(),
        created,
    )?
    .bytes)
}

/// Open measures the caller created, as workbench tasks: (id, number, due).
pub fn follow_ups_of(
    conn: &mut DbConn,
    user_id: &str,
) -> AppResult<Vec<(String, String, NaiveDate)>> {
    Ok(noncoercive_measures::table
        .filter(noncoercive_measures::created_by.eq(user_id))
        .filter(noncoercive_measures::status.eq(MeasureStatus::Open))
        .select((
            noncoercive_measures::id,
            noncoercive_measures::number,
            noncoercive_measures::follow_up_on,
        ))
        .load(conn)?)
}

// ---------------------------------------------------------------------------
// Guiding cases

/// `POST /cases/{id}/guiding-case`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProposeGuiding {
    #[validate(custom(function = not_blank, code = "required", message = "the guiding case's title"), length(max = 200, code = "too_long", message = "at most 200 characters"))]
    pub title: String,
    /// The decision's reasoning and what it teaches (masked when published).
    #[validate(custom(function = not_blank, code = "required", message = "the reasoning"), length(max = 20000, code = "too_long", message = "at most 20000 characters"))]
    pub reasoning: String,
    /// Spans of the facts to redact, as for a publication.
    #[serde(default)]
    pub redactions: Vec<Span>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuidingCase {
    pub id: String,
    pub case_id: String,
    pub department_id: String,
    pub domain: String,
    pub enforcement_item_code: String,
    pub title: String,
    pub summary: PublicSummary,
    pub reasoning: String,
    pub status: GuidingStatus,
    pub proposed_at: String,
    pub published_at: Option<String>,
    pub withdrawn_at: Option<String>,
    pub withdrawal_reason: Option<String>,
}

/// A guiding case as the public reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicGuidingCase {
    pub id: String,
    pub domain: String,
    pub enforcement_item_code: String,
    pub title: String,
    pub summary: PublicSummary,
    pub reasoning: String,
    pub published_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = guiding_cases)]
struct GuidingRow {
    id: String,
    case_id: String,
    department_id: String,
    domain: String,
    enforcement_item_code: String,
    title: String,
    summary: String,
    reasoning: String,
    status: GuidingStatus,
    proposed_at: NaiveDateTime,
    published_at: Option<NaiveDateTime>,
    withdrawn_at: Option<NaiveDateTime>,
    withdrawal_reason: Option<String>,
}

impl GuidingRow {
    fn summary(&self) -> PublicSummary {
        serde_json::from_str(&self.summary).expect("a stored summary reads back")
    }
    fn view(&self) -> GuidingCase {
        GuidingCase {
            id: self.id.clone(),
            case_id: self.case_id.clone(),
            department_id: self.department_id.clone(),
            domain: self.domain.clone(),
            enforcement_item_code: self.enforcement_item_code.clone(),
            title: self.title.clone(),
            summary: self.summary(),
            reasoning: self.reasoning.clone(),
            status: self.status,
            proposed_at: rfc3339(self.proposed_at),
            published_at: self.published_at.map(rfc3339),
            withdrawn_at: self.withdrawn_at.map(rfc3339),
            withdrawal_reason: self.withdrawal_reason.clone(),
        }
    }
    fn public(&self) -> PublicGuidingCase {
        PublicGuidingCase {
            id: self.id.clone(),
            domain: self.domain.clone(),
            enforcement_item_code: self.enforcement_item_code.clone(),
            title: self.title.clone(),
            summary: self.summary(),
            reasoning: self.reasoning.clone(),
            published_on: self.published_at.map(|t| china_date(t.and_utc())),
        }
    }
}

fn load_guiding(conn: &mut DbConn, id: &str) -> AppResult<GuidingRow> {
    guiding_cases::table
        .find(id)
        .select(GuidingRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("guiding case not found"))
}

/// A head of the case's department proposes a closed case; its summary and
/// reasoning are masked now (the same function as publications).
pub async fn propose(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    req: ProposeGuiding,
) -> AppResult<GuidingCase> {
    caller.require_any(scope::HEAD_ROLES)?;
    let scope_ = crate::cases::writable_case(state, caller, case_id).await?;
    let now = state.clock.now();
    let snap = state.discretion.get(&state.db).await?;
    let key = state.settings.record_key.clone().into_bytes();
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            if !scope::may_decide_approval(&caller, &scope_.department_id) {
                return Err(AppError::forbidden(
                    "a head of the case's department proposes a guiding case",
                ));
            }
            let (case, _) = crate::cases::store::load_case(conn, &scope_.case_id)?
                .ok_or_else(|| AppError::not_found("case not found"))?;
            rules::check_guiding_source(matches!(
                case.status,
                crate::cases::rules::CaseStatus::Closed | crate::cases::rules::CaseStatus::Archived
            ))?;
            let file = crate::cases::file::load(conn, &case.id)?;
            let decision = file.decision().cloned().ok_or_else(|| {
                AppError::new(
                    Code::TransitionNotAllowed,
                    "a guiding case is a decided case",
                )
            })?;
            let src = crate::disclosure::source_of(conn, &case.id, &decision)?;
            crate::disclosure::rules::check_spans(&src.facts, &req.redactions)?;
            let profile =
                crate::profiles::in_force(&snap.profiles, &scope_.department_path, china_date(now));
            let rule = profile.publication.name_rule;
            let summary = crate::disclosure::rules::mask(&src, rule, &req.redactions);
            let mut reasoning_src = src.clone();
            reasoning_src.facts = req.reasoning.clone();
            let reasoning = crate::disclosure::rules::mask(&reasoning_src, rule, &[]).facts;
            let item = crate::items::find(conn, &case.enforcement_item_code)?
                .ok_or_else(|| AppError::internal("the case's item is gone"))?;
            let id = uuid::Uuid::now_v7().to_string();
            diesel::insert_into(guiding_cases::table)
                .values((
                    guiding_cases::id.eq(&id),
                    guiding_cases::case_id.eq(&case.id),
                    guiding_cases::department_id.eq(&case.department_id),
                    guiding_cases::domain.eq(&item.domain),
                    guiding_cases::enforcement_item_code.eq(&item.code),
                    guiding_cases::title.eq(req.title.trim()),
                    guiding_cases::summary.eq(json_text(&summary)),
                    guiding_cases::reasoning.eq(&reasoning),
                    guiding_cases::status.eq(GuidingStatus::Proposed),
                    guiding_cases::proposed_by.eq(&caller.user_id),
                    guiding_cases::proposed_at.eq(micros(now.naive_utc())),
                ))
                .execute(conn)?;
            crate::disclosure::append_record(
                conn,
                &key,
                &caller,
                &case.id,
                "guiding_case.proposed",
                serde_json::json!({"guiding_case_id": id, "title": req.title.trim()}),
                now.naive_utc(),
            )?;
            Ok(load_guiding(conn, &id)?.view())
        })
        .await
}

/// The guiding case, for a supervisor whose region holds its department
/// (404 to anyone else's region; 403 to other roles of the region).
fn supervised(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<GuidingRow> {
    let row = load_guiding(conn, id)?;
    let path = crate::cases::store::department_path(conn, &row.department_id)?;
    if !scope::may_see_department_work(caller, &row.department_id, &path) {
        return Err(AppError::not_found("guiding case not found"));
    }
    if !scope::may_publish_guiding_case(caller, &path) {
        return Err(AppError::forbidden(
            "a supervisor of the region publishes and withdraws guiding cases",
        ));
    }
    Ok(row)
}

/// A supervisor publishes a proposed guiding case.
pub async fn publish(state: &AppState, caller: &Caller, id: &str) -> AppResult<GuidingCase> {
    caller.require_any(scope::CASE_ROLES)?;
    let now = state.clock.now().naive_utc();
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            let row = supervised(conn, &caller, &id)?;
            if row.status != GuidingStatus::Proposed {
                return Err(AppError::new(
                    Code::TransitionNotAllowed,
                    "only a proposed guiding case is published",
                ));
            }
            diesel::update(guiding_cases::table.find(&id))
                .set((
                    guiding_cases::status.eq(GuidingStatus::Published),
                    guiding_cases::published_by.eq(&caller.user_id),
                    guiding_cases::published_at.eq(micros(now)),
                ))
                .execute(conn)?;
            Ok(load_guiding(conn, &id)?.view())
        })
        .await
}

/// `POST /guiding-cases/{id}/withdrawal`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    #[validate(custom(function = not_blank, code = "required", message = "why it is withdrawn"), length(max = 2000, code = "too_long", message = "at most 2000 characters"))]
    pub reason: String,
}

/// A supervisor withdraws a published guiding case.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: Withdrawal,
) -> AppResult<GuidingCase> {
    caller.require_any(scope::CASE_ROLES)?;
    let now = state.clock.now().naive_utc();
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            let row = supervised(conn, &caller, &id)?;
            if row.status != GuidingStatus::Published {
                return Err(AppError::new(
                    Code::TransitionNotAllowed,
                    "only a published guiding case is withdrawn",
                ));
            }
            diesel::update(guiding_cases::table.find(&id))
                .set((
                    guiding_cases::status.eq(GuidingStatus::Withdrawn),
                    guiding_cases::withdrawn_by.eq(&caller.user_id),
                    guiding_cases::withdrawn_at.eq(micros(now)),
                    guiding_cases::withdrawal_reason.eq(req.reason.trim()),
                ))
                .execute(conn)?;
            Ok(load_guiding(conn, &id)?.view())
        })
        .await
}

/// `GET /guiding-cases`: proposals and published ones the caller may see.
pub async fn list_guiding(state: &AppState, caller: &Caller) -> AppResult<Vec<GuidingCase>> {
    caller.require_any(scope::CASE_ROLES)?;
    let caller = caller.clone();
    state
        .db
        .run(move |conn| {
            let mut q = guiding_cases::table
                .inner_join(departments::table.on(departments::id.eq(guiding_cases::department_id)))
                .select(GuidingRow::as_select())
                .order(guiding_cases::id.desc())
                .limit(500)
                .into_boxed();
            q = match scope::case_list_scope(&caller) {
                scope::CaseListScope::Region(path) => q.filter(
                    departments::path
                        .like(crate::db::like_prefix(path))
                        .escape(crate::db::LIKE_ESCAPE),
                ),
                scope::CaseListScope::Department(d) => q.filter(guiding_cases::department_id.eq(d)),
            };
            let rows: Vec<GuidingRow> = q.load(conn)?;
            Ok(rows.iter().map(GuidingRow::view).collect())
        })
        .await
}

/// `GET /public/guiding-cases?domain=&item_code=`: published ones, newest first.
pub async fn public_list(
    state: &AppState,
    domain: Option<String>,
    item_code: Option<String>,
    limit: i64,
    cursor: Option<String>,
) -> AppResult<(Vec<PublicGuidingCase>, Option<String>)> {
    state
        .db
        .run(move |conn| {
            let mut q = guiding_cases::table
                .filter(guiding_cases::status.eq(GuidingStatus::Published))
                .select(GuidingRow::as_select())
                .order(guiding_cases::id.desc())
                .limit(limit + 1)
                .into_boxed();
            if let Some(d) = domain {
                q = q.filter(guiding_cases::domain.eq(d));
            }
            if let Some(i) = item_code {
                q = q.filter(guiding_cases::enforcement_item_code.eq(i));
            }
            if let Some(c) = cursor {
                q = q.filter(guiding_cases::id.lt(c));
            }
            let mut rows: Vec<GuidingRow> = q.load(conn)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next = if more {
                rows.last().map(|r| r.id.clone())
            } else {
                None
            };
            Ok((rows.iter().map(GuidingRow::public).collect(), next))
        })
        .await
}

/// `GET /public/guiding-cases/{id}`: published only.
pub async fn public_get(state: &AppState, id: &str) -> AppResult<PublicGuidingCase> {
    let id = id.to_string();
    state
        .db
        .run(move |conn| {
            let row = load_guiding(conn, &id)?;
            if row.status != GuidingStatus::Published {
                return Err(AppError::not_found("guiding case not found"));
            }
            Ok(row.public())
        })
        .await
}
