//! 行政执法公示 — the after-the-fact disclosure of decisions (SAMR Order 45,
//! 国办发〔2018〕118号, APL Art 48): the publication queue, the public list
//! and the public copy. Masking and the periods are the law, in `rules.rs`.
//!
//! 1. When a decision that is published (`rules::is_published`) is served,
//!    the service step queues an entry in its own transaction
//!    (`queue_on_service`): the masked summary prefilled from the case,
//!    due within the profile's working days, and the case's `publication`
//!    deadline (a workbench task; a warning once passed).
//! 2. An officer of the case prepares it (`prepare`): only the spans of the
//!    facts to redact may be set — the rest is the case's data, masked.
//! 3. A head of the department releases it (`release`): from then it is
//!    public until its display period ends (`rules::display_until`), after
//!    which it is off the public list but kept.
//! 4. A revocation or change of the decision withdraws it in the remedy
//!    result's transaction (`withdraw_for_remedy`, APL Art 48 ¶2): shown as
//!    withdrawn, with the reason.

pub mod api;
pub mod rules;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{scope, Caller};
use crate::cases::change::Ctx;
use crate::cases::events::{DecisionStep, ProposedOutcome, Stored};
use crate::cases::rules::Procedure;
use crate::cases::DeadlineStatus;
use crate::clock::{china_date, rfc3339};
use crate::db::schema::publications;
use crate::db::{json_text, micros, DbConn};
use crate::error::{AppError, AppResult, Code};
use crate::kernel::{Fen, PenaltyType};
use crate::profiles::rules::PublicationRules;
use crate::state::AppState;
use rules::{PublicSummary, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicationStatus {
    /// Queued at service, the summary prefilled.
    Pending,
    /// An officer of the case prepared the summary.
    Prepared,
    /// A head released it: public.
    Released,
    /// Withdrawn (the decision was revoked or changed).
    Withdrawn,
}

crate::db::text_enum!(PublicationStatus);

const DUE_BASIS: &str = "《市场监督管理行政处罚信息公示规定》第九条；国办发〔2018〕118号：行政处罚决定信息自作出决定之日起7个工作日内公开（期限按规则配置）";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = publications)]
struct Row {
    id: String,
    case_id: String,
    department_id: String,
    enforcement_item_code: String,
    decision_number: String,
    decided_on: NaiveDate,
    due_on: NaiveDate,
    status: PublicationStatus,
    summary: String,
    redactions: String,
    fine_fen: i64,
    penalty_kinds: String,
    created_at: NaiveDateTime,
    prepared_by: Option<String>,
    prepared_at: Option<NaiveDateTime>,
    released_by: Option<String>,
    released_at: Option<NaiveDateTime>,
    display_until: Option<NaiveDate>,
    withdrawn_at: Option<NaiveDateTime>,
    withdrawal_reason: Option<String>,
}

/// An entry of the queue, as the department's staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Publication {
    pub id: String,
    pub case_id: String,
    pub department_id: String,
    pub enforcement_item_code: String,
    pub decision_number: String,
    pub decided_on: NaiveDate,
    /// Released by this day (the profile's working days after the decision).
    pub due_on: NaiveDate,
    pub status: PublicationStatus,
    /// The summary as it is (or will be) published: masked.
    pub summary: PublicSummary,
    /// The spans of the facts the officer redacts.
    pub redactions: Vec<Span>,
    pub created_at: String,
    pub prepared_by: Option<String>,
    pub prepared_at: Option<String>,
    pub released_by: Option<String>,
    pub released_at: Option<String>,
    /// Off the public list after this day (kept here).
    pub display_until: Option<NaiveDate>,
    pub withdrawn_at: Option<String>,
    pub withdrawal_reason: Option<String>,
}

impl Row {
    fn summary(&self) -> PublicSummary {
        serde_json::from_str(&self.summary).unwrap_or_else(|_| PublicSummary {
            number: self.decision_number.clone(),
            party_name: "当事人".into(),
            party_kind: crate::kernel::PartyKind::Person,
            party_uscc: None,
            party_district: None,
            violation: String::new(),
            basis: String::new(),
            penalty: String::new(),
            organ: String::new(),
            decided_on: self.decided_on,
            facts: String::new(),
        })
    }

    fn view(&self) -> Publication {
        Publication {
            id: self.id.clone(),
            case_id: self.case_id.clone(),
            department_id: self.department_id.clone(),
            enforcement_item_code: self.enforcement_item_code.clone(),
            decision_number: self.decision_number.clone(),
            decided_on: self.decided_on,
            due_on: self.due_on,
            status: self.status,
            summary: self.summary(),
            redactions: serde_json::from_str(&self.redactions).unwrap_or_default(),
            created_at: rfc3339(self.created_at),
            prepared_by: self.prepared_by.clone(),
            prepared_at: self.prepared_at.map(rfc3339),
            released_by: self.released_by.clone(),
            released_at: self.released_at.map(rfc3339),
            display_until: self.display_until,
            withdrawn_at: self.withdrawn_at.map(rfc3339),
            withdrawal_reason: self.withdrawal_reason.clone(),
        }
    }

    fn public(&self) -> PublicDecision {
        PublicDecision {
            number: self.decision_number.clone(),
            department_id: self.department_id.clone(),
            enforcement_item_code: self.enforcement_item_code.clone(),
            summary: self.summary(),
            published_on: self.released_at.map(|t| china_date(t.and_utc())),
            display_until: self.display_until,
            withdrawn: self.status == PublicationStatus::Withdrawn,
            withdrawn_on: self.withdrawn_at.map(|t| china_date(t.and_utc())),
            withdrawal_reason: self.withdrawal_reason.clone(),
        }
    }
}

/// A published decision as the public reads it: the masked summary only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicDecision {
    pub number: String,
    pub department_id: String,
    pub enforcement_item_code: String,
    pub summary: PublicSummary,
    pub published_on: Option<NaiveDate>,
    pub display_until: Option<NaiveDate>,
    /// Withdrawn: the decision was revoked or changed (APL Art 48 ¶2).
    pub withdrawn: bool,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
}

/// What the summary is drawn from: the case, its item, its department and
/// the decision (unmasked; never leaves the service).
pub fn source_of(
    conn: &mut DbConn,
    case_id: &str,
    decision: &Stored<DecisionStep>,
) -> AppResult<rules::Source> {
    let (case, _) = crate::cases::store::load_case(conn, case_id)?
        .ok_or_else(|| AppError::not_found("case not found"))?;
    let item = crate::items::find(conn, &case.enforcement_item_code)?
        .ok_or_else(|| AppError::internal("the case's item is gone"))?;
    let organ = crate::org::find_department(conn, &case.department_id)?
        .map(|p| p.department.name)
        .unwrap_or_default();
    let file = crate::cases::file::load(conn, case_id)?;
    let facts = file
        .reports
        .last()
        .map(|r| r.body.request.findings.clone())
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| case.facts.clone());
    let penalty = crate::documents::penalties_context(&decision.body.request.penalties)["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok(rules::Source {
        number: decision.body.number.clone(),
        party: case.party.clone(),
        violation: item.name.clone(),
        basis: item
            .penalty_basis
            .iter()
            .map(|c| c.to_chinese())
            .collect::<Vec<_>>()
            .join("、"),
        penalty,
        organ,
        decided_on: china_date(decision.at.and_utc()),
        facts,
    })
}

/// Called by the service step, in its transaction: queues the decision's
/// publication when the profile publishes it, due the profile's working
/// days after the decision, with the case's `publication` deadline.
pub fn queue_on_service(ctx: &mut Ctx) -> AppResult<Option<String>> {
    let Some(decision) = ctx.file.decision().cloned() else {
        return Ok(None);
    };
    let rules_ = ctx.profile.publication.clone();
    let kinds: Vec<PenaltyType> = decision
        .body
        .request
        .penalties
        .iter()
        .map(|p| p.kind)
        .collect();
    let published = decision.body.request.outcome == ProposedOutcome::Penalty
        && rules::is_published(
            ctx.case.procedure == Procedure::General,
            &kinds,
            rules_.simplified,
            rules_.warning_only,
        );
    if !published {
        return Ok(None);
    }
    let exists: i64 = publications::table
        .filter(publications::decision_number.eq(&decision.body.number))
        .count()
        .get_result(ctx.conn)?;
    if exists > 0 {
        return Ok(None);
    }
    let decided_on = china_date(decision.at.and_utc());
    let due = rules::publication_due(decided_on, rules_.working_days, ctx.cal);
    let src = source_of(ctx.conn, &ctx.case.id, &decision)?;
    let summary = rules::mask(&src, rules_.name_rule, &[]);
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(publications::table)
        .values((
            publications::id.eq(&id),
            publications::case_id.eq(&ctx.case.id.0),
            publications::department_id.eq(&ctx.case.department_id),
            publications::enforcement_item_code.eq(&ctx.case.item_code),
            publications::decision_number.eq(&decision.body.number),
            publications::decided_on.eq(decided_on),
            publications::due_on.eq(due),
            publications::status.eq(PublicationStatus::Pending),
            publications::summary.eq(json_text(&summary)),
            publications::redactions.eq("[]"),
            publications::fine_fen.eq(decision.body.fine_fen.0),
            publications::penalty_kinds.eq(json_text(&kinds)),
            publications::created_at.eq(micros(ctx.now.naive_utc())),
        ))
        .execute(ctx.conn)?;
    ctx.set_deadline("publication", due, DUE_BASIS);
    ctx.note("publication_id", &id);
    Ok(Some(id))
}

/// Called by the remedy result, in its transaction: a decision revoked,
/// changed or confirmed unlawful is withdrawn at once with the reason
/// (APL Art 48 ¶2; Order 45 Art 11: within 3 working days). An entry not
/// released yet is never published. Answers whether there was one.
pub fn withdraw_for_remedy(ctx: &mut Ctx, reason: &str) -> AppResult<bool> {
    let n = diesel::update(
        publications::table
            .filter(publications::case_id.eq(&ctx.case.id.0))
            .filter(publications::status.ne(PublicationStatus::Withdrawn)),
    )
    .set((
        publications::status.eq(PublicationStatus::Withdrawn),
        publications::withdrawn_at.eq(micros(ctx.now.naive_utc())),
        publications::withdrawal_reason.eq(reason),
    ))
    .execute(ctx.conn)?;
    if n > 0 {
        ctx.deadline_status("publication", DeadlineStatus::Cancelled);
        ctx.note("publication_withdrawn", true);
    }
    Ok(n > 0)
}

fn load_row(conn: &mut DbConn, id: &str) -> AppResult<Row> {
    publications::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("publication not found"))
}

/// The entry, if the caller may see its department's work (else 404).
fn visible_row(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Row> {
    let row = load_row(conn, id)?;
    let path = crate::cases::store::department_path(conn, &row.department_id)?;
    if !scope::may_see_department_work(caller, &row.department_id, &path) {
        return Err(AppError::not_found("publication not found"));
    }
    Ok(row)
}

/// A record-only entry on a case by `caller` (a publication prepared or
/// released, a measure, a guiding case proposed), in the caller's transaction.
pub fn append_record(
    conn: &mut DbConn,
    state_key: &[u8],
    caller: &Caller,
    case_id: &str,
    action: &str,
    detail: serde_json::Value,
    at: NaiveDateTime,
) -> AppResult<()> {
    let people = crate::cases::store::people_on_case(conn, case_id)?;
    let certificate = people
        .iter()
        .find(|p| p.user_id == caller.user_id && p.role == crate::cases::OfficerRole::Officer)
        .and_then(|p| p.certificate_number.clone());
    let actor = crate::cases::actor_for(caller, certificate);
    crate::records::append(
        conn,
        state_key,
        case_id,
        &actor,
        action,
        &detail,
        Some(&caller.request_id),
        at,
    )?;
    Ok(())
}

/// `GET /publications`: the caller's department's queue (a supervisor's:
/// the region's), newest first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    status: Option<PublicationStatus>,
    limit: i64,
    cursor: Option<String>,
) -> AppResult<(Vec<Publication>, Option<String>)> {
    caller.require_any(scope::CASE_ROLES)?;
    let caller = caller.clone();
    state
        .db
        .run(move |conn| {
            use crate::db::schema::departments;
            let mut q = publications::table
                .inner_join(departments::table.on(departments::id.eq(publications::department_id)))
                .select(Row::as_select())
                .order(publications::id.desc())
                .limit(limit + 1)
                .into_boxed();
            q = match scope::case_list_scope(&caller) {
                scope::CaseListScope::Region(path) => q.filter(
                    departments::path
                        .like(crate::db::like_prefix(path))
                        .escape(crate::db::LIKE_ESCAPE),
                ),
                scope::CaseListScope::Department(d) => q.filter(publications::department_id.eq(d)),
            };
            if let Some(s) = status {
                q = q.filter(publications::status.eq(s));
            }
            if let Some(c) = cursor {
                q = q.filter(publications::id.lt(c));
            }
            let rows: Vec<Row> = q.load(conn)?;
            Ok(page(rows, limit, |r| r.id.clone(), Row::view))
        })
        .await
}

/// The first `limit` rows and the cursor after them.
fn page<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> String,
    view: impl Fn(&R) -> T,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = if more { rows.last().map(&key) } else { None };
    (rows.iter().map(view).collect(), next)
}

/// `GET /publications/{id}`.
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> AppResult<Publication> {
    caller.require_any(scope::CASE_ROLES)?;
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .run(move |conn| Ok(visible_row(conn, &caller, &id)?.view()))
        .await
}

/// `POST /publications/{id}/summary`: what may be masked, and only that.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PrepareRequest {
    /// Spans of the facts (trade secrets, personal privacy) to redact
    /// (Order 45 Art 6), in characters of the facts as the case holds them.
    #[serde(default)]
    #[validate(length(max = 100, code = "too_many", message = "at most 100 spans"))]
    pub redactions: Vec<Span>,
}

/// An officer of the case (or a head of its department) prepares the
/// summary: the case's data masked, with the spans redacted (谁办案、谁录入、
/// 谁负责, Order 45 Art 16).
pub async fn prepare(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: PrepareRequest,
) -> AppResult<Publication> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    let (caller, id) = (caller.clone(), id.to_string());
    let now = state.clock.now().naive_utc();
    let key = state.settings.record_key.clone().into_bytes();
    let snap = state.discretion.get(&state.db).await?;
    state
        .db
        .write(move |conn| {
            let row = visible_row(conn, &caller, &id)?;
            let officers: Vec<String> = crate::cases::store::people_on_case(conn, &row.case_id)?
                .into_iter()
                .filter(|p| p.role == crate::cases::OfficerRole::Officer)
                .map(|p| p.user_id)
                .collect();
            if !scope::may_prepare_publication(&caller, &row.department_id, &officers) {
                return Err(AppError::forbidden(
                    "an officer of the case or a head of its department prepares the summary (市场监督管理行政处罚信息公示规定第十六条)",
                ));
            }
            if !matches!(row.status, PublicationStatus::Pending | PublicationStatus::Prepared) {
                return Err(AppError::new(
                    Code::TransitionNotAllowed,
                    format!("the publication is {}: its summary no longer changes", crate::db::enum_str(&row.status)),
                ));
            }
            let file = crate::cases::file::load(conn, &row.case_id)?;
            let decision = file
                .decisions
                .iter()
                .find(|d| d.body.number == row.decision_number)
                .cloned()
                .ok_or_else(|| AppError::internal("the published decision is gone"))?;
            let src = source_of(conn, &row.case_id, &decision)?;
            rules::check_spans(&src.facts, &req.redactions)?;
            let path = crate::cases::store::department_path(conn, &row.department_id)?;
            let profile = crate::profiles::in_force(&snap.profiles, &path, china_date(now.and_utc()));
            let summary = rules::mask(&src, profile.publication.name_rule, &req.redactions);
            diesel::update(publications::table.find(&id))
                .set((
                    publications::status.eq(PublicationStatus::Prepared),
                    publications::summary.eq(json_text(&summary)),
                    publications::redactions.eq(json_text(&req.redactions)),
                    publications::prepared_by.eq(&caller.user_id),
                    publications::prepared_at.eq(micros(now)),
                ))
                .execute(conn)?;
            append_record(
                conn,
                &key,
                &caller,
                &row.case_id,
                "publication.prepared",
                serde_json::json!({"publication_id": id, "redactions": req.redactions}),
                now,
            )?;
            Ok(load_row(conn, &id)?.view())
        })
        .await
}

/// A head of the department releases a prepared entry: public from now
/// until its display period ends (Order 45 Art 13).
pub async fn release(state: &AppState, caller: &Caller, id: &str) -> AppResult<Publication> {
    caller.require_any(scope::INVESTIGATING_ROLES)?;
    let (caller, id) = (caller.clone(), id.to_string());
    let now = state.clock.now().naive_utc();
    let key = state.settings.record_key.clone().into_bytes();
    let snap = state.discretion.get(&state.db).await?;
    state
        .db
        .write(move |conn| {
            let row = visible_row(conn, &caller, &id)?;
            if !scope::may_decide_approval(&caller, &row.department_id) {
                return Err(AppError::forbidden(
                    "a head of the department releases a publication (市场监督管理行政处罚信息公示规定第十六条)",
                ));
            }
            if row.status != PublicationStatus::Prepared {
                return Err(AppError::new(
                    Code::TransitionNotAllowed,
                    format!(
                        "only a prepared summary is released; this one is {}",
                        crate::db::enum_str(&row.status)
                    ),
                ));
            }
            let today = china_date(now.and_utc());
            let path = crate::cases::store::department_path(conn, &row.department_id)?;
            let rules_: PublicationRules =
                crate::profiles::in_force(&snap.profiles, &path, today).publication;
            let kinds: Vec<PenaltyType> = serde_json::from_str(&row.penalty_kinds).unwrap_or_default();
            let person = row.summary().party_kind != crate::kernel::PartyKind::Organization;
            let until = rules::display_until(
                today,
                &kinds,
                Fen(row.fine_fen),
                rules_.low_fine_fen,
                rules_.person_months,
                person,
            );
            diesel::update(publications::table.find(&id))
                .set((
                    publications::status.eq(PublicationStatus::Released),
                    publications::released_by.eq(&caller.user_id),
                    publications::released_at.eq(micros(now)),
                    publications::display_until.eq(until),
                ))
                .execute(conn)?;
            crate::cases::store::set_deadline_statuses(
                conn,
                &row.case_id,
                &[("publication".to_string(), DeadlineStatus::Met)],
            )?;
            append_record(
                conn,
                &key,
                &caller,
                &row.case_id,
                "publication.released",
                serde_json::json!({"publication_id": id, "display_until": until, "late": today > row.due_on}),
                now,
            )?;
            Ok(load_row(conn, &id)?.view())
        })
        .await
}

/// The public list's filters.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    pub department_id: Option<String>,
    pub item_code: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// `GET /public/decisions`: released (or withdrawn after release) entries
/// inside their display period, newest first.
pub async fn public_list(
    state: &AppState,
    f: PublicFilter,
    limit: i64,
    cursor: Option<String>,
) -> AppResult<(Vec<PublicDecision>, Option<String>)> {
    let today = state.clock.today();
    state
        .db
        .run(move |conn| {
            let mut q = publications::table
                .filter(publications::released_at.is_not_null())
                .filter(publications::display_until.ge(today))
                .select(Row::as_select())
                .order(publications::id.desc())
                .limit(limit + 1)
                .into_boxed();
            if let Some(d) = f.department_id {
                q = q.filter(publications::department_id.eq(d));
            }
            if let Some(i) = f.item_code {
                q = q.filter(publications::enforcement_item_code.eq(i));
            }
            if let Some(d) = f.from {
                q = q.filter(publications::decided_on.ge(d));
            }
            if let Some(d) = f.to {
                q = q.filter(publications::decided_on.le(d));
            }
            if let Some(c) = cursor {
                q = q.filter(publications::id.lt(c));
            }
            let rows: Vec<Row> = q.load(conn)?;
            Ok(page(rows, limit, |r| r.id.clone(), Row::public))
        })
        .await
}

fn public_row(conn: &mut DbConn, number: &str, today: NaiveDate) -> AppResult<Row> {
    publications::table
        .filter(publications::decision_number.eq(number))
        .filter(publications::released_at.is_not_null())
        .filter(publications::display_until.ge(today))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("no published decision with this number"))
}

/// `GET /public/decisions/{number}`.
pub async fn public_get(state: &AppState, number: &str) -> AppResult<PublicDecision> {
    let today = state.clock.today();
    let number = number.to_string();
    state
        .db
        .run(move |conn| Ok(public_row(conn, &number, today)?.public()))
        .await
}

/// `GET /public/decisions/{number}/pdf`: the public copy, drawn from the
/// masked summary only (never the party's copy, Order 45 Art 6–7).
pub async fn public_pdf(state: &AppState, number: &str) -> AppResult<Vec<u8>> {
    let today = state.clock.today();
    let number = number.to_string();
    let row = state
        .db
        .run(move |conn| public_row(conn, &number, today))
        .await?;
    let d = row.public();
    let s = &d.summary;
    let mut rows = vec![
        serde_json::json!(["行政处罚决定书文号", s.number]),
        serde_json::json!(["当事人", s.party_name]),
    ];
    if let Some(u) = &s.party_uscc {
        rows.push(serde_json::json!(["统一社会信用代码", u]));
    }
    if let Some(a) = &s.party_district {
        rows.push(serde_json::json!(["住所（所在地）", a]));
    }
    rows.extend([
        serde_json::json!(["违法行为类型", s.violation]),
        serde_json::json!(["违法事实", s.facts]),
        serde_json::json!(["处罚依据", s.basis]),
        serde_json::json!(["行政处罚内容", s.penalty]),
        serde_json::json!(["作出决定的机关", s.organ]),
        serde_json::json!([
            "作出决定的日期",
            crate::documents::chinese_date(s.decided_on)
        ]),
    ]);
    if d.withdrawn {
        rows.push(serde_json::json!([
            "撤回",
            format!(
                "已撤回：{}",
                d.withdrawal_reason.clone().unwrap_or_default()
            )
        ]));
    }
    let context = serde_json::json!({"public_rows": rows, "organ": s.organ, "today": crate::documents::chinese_date(today)});
    let template = crate::documents::template(
        &state.settings.fixtures().join("templates"),
        "public_decision",
    )?;
    let iss = crate::documents::issuer(&state.settings, &state.document_font).await?;
    let rendered = crate::documents::render_document(
        &iss,
        &row.id,
        &template,
        &context,
        row.decision_number.clone(),
        today,
    )?;
    Ok(rendered.bytes)
}

/// What the public learns of a department before any case (事前公开,
/// 国办发〔2018〕118号): its enforcement items, its officers (name,
/// certificate number and fields — no more), its procedures and the
/// remedies against its decisions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicDepartment {
    pub id: String,
    pub name: String,
    /// The people's government it belongs to.
    pub government: String,
    pub items: Vec<PublicItem>,
    pub officers: Vec<PublicOfficer>,
    pub procedures: Vec<PublicProcedure>,
    pub remedy_channels: Vec<RemedyChannel>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicItem {
    pub code: String,
    pub name: String,
    pub domain: String,
    pub penalty_basis: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicOfficer {
    pub name: String,
    pub certificate_number: String,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicProcedure {
    pub name: String,
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemedyChannel {
    pub kind: String,
    pub organ: String,
    pub period: String,
    pub basis: String,
}

fn procedures() -> Vec<PublicProcedure> {
    let p = |name: &str, steps: &[&str]| PublicProcedure {
        name: name.into(),
        steps: steps.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        p(
            "普通程序（行政处罚法第五十四条至第六十五条）",
            &[
                "立案（负责人批准）",
                "调查取证（执法人员不少于两人，出示执法证件）",
                "调查终结报告",
                "法制审核（重大执法决定）",
                "告知拟作出的处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利",
                "陈述、申辩；依法举行听证",
                "负责人审查决定（情节复杂或者重大违法行为集体讨论）",
                "送达行政处罚决定书；信息公示",
                "执行",
            ],
        ),
        p(
            "简易程序（行政处罚法第五十一条至第五十三条）",
            &[
                "出示执法证件，告知事实、理由、依据和陈述、申辩权利",
                "当场填写预定格式、编有号码的行政处罚决定书并交付当事人",
                "报所属行政机关备案",
            ],
        ),
    ]
}

/// `GET /public/departments/{id}`.
pub async fn public_department(state: &AppState, id: &str) -> AppResult<PublicDepartment> {
    let id = id.to_string();
    let today = state.clock.today();
    state
        .db
        .run(move |conn| {
            let placed = crate::org::find_department(conn, &id)?
                .ok_or_else(|| AppError::not_found("department not found"))?;
            let d = placed.department;
            let government = crate::documents::government_of(conn, &d)?;
            let items = crate::items::all(conn)?
                .into_iter()
                .filter(|i| crate::items::held_by(i, &d.domains))
                .map(|i| PublicItem {
                    penalty_basis: i.penalty_basis.iter().map(|c| c.to_chinese()).collect(),
                    code: i.code,
                    name: i.name,
                    domain: i.domain,
                })
                .collect();
            let mut officers = vec![];
            let users = crate::org::list_users_in(
                conn,
                &crate::org::UserScope::Department(d.id.clone()),
                None,
            )?;
            for u in users {
                if u.disabled || !u.roles.contains(&crate::auth::Role::Officer) {
                    continue;
                }
                for c in crate::org::certificates_of(conn, &u.id, today)? {
                    if c.in_force {
                        officers.push(PublicOfficer {
                            name: u.display_name.clone(),
                            certificate_number: c.number,
                            fields: c.fields,
                        });
                    }
                }
            }
            officers.sort_by(|a, b| a.certificate_number.cmp(&b.certificate_number));
            let reconsideration_organ = if government.is_empty() {
                "上一级行政机关".to_string()
            } else {
                government.clone()
            };
            Ok(PublicDepartment {
                id: d.id,
                name: d.name,
                government,
                items,
                officers,
                procedures: procedures(),
                remedy_channels: vec![
                    RemedyChannel {
                        kind: "administrative_reconsideration".into(),
                        organ: reconsideration_organ,
                        period: "自知道或者应当知道行政行为之日起六十日内".into(),
                        basis: "《中华人民共和国行政复议法》第二十条".into(),
                    },
                    RemedyChannel {
                        kind: "administrative_litigation".into(),
                        organ: "有管辖权的人民法院".into(),
                        period: "自知道或者应当知道作出行政行为之日起六个月内".into(),
                        basis: "《中华人民共和国行政诉讼法》第四十六条".into(),
                    },
                ],
            })
        })
        .await
}
