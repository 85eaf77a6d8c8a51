//! 线索 / 案源 — what an agency learns of before it files a case: registered
//! with the day the violation was discovered, its filing decision due
//! within the profile's working days (SAMR procedure rules Art 18), and
//! decided by a head: filed (the case is created and linked), not filed
//! with its ground (不予立案), or transferred to the competent agency. The
//! one extension and the decision itself are approvals (审批): officers
//! ask (`POST /approvals`), a head decides or acts directly. Every change
//! appends to the clue's history in its own transaction.

pub mod api;
pub mod rules;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::approvals::rules::ApprovalKind;
use crate::auth::{scope, Caller};
use crate::calendar::rules::Calendar;
use crate::cases::rules::Source;
use crate::clock::{china_date, rfc3339};
use crate::db::schema::{clue_events, clues, departments};
use crate::db::{enum_str, json_text, micros, DbConn};

fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}
use crate::approvals::store::Approving;
use crate::cases::events::ExclusionRequest;
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::kernel::shape::not_blank;
use crate::profiles::rules::Profile;
use crate::state::AppState;
use rules::{ClueStatus, NonFilingGround};

crate::db::text_enum!(ClueStatus, NonFilingGround);

/// `POST /clues`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = clue_harm_shape, skip_on_field_errors = false))]
pub struct NewClue {
    pub source: Source,
    /// What was found or reported.
    #[validate(custom(function = not_blank, code = "required", message = "what was found or reported"))]
    pub summary: String,
    #[serde(default)]
    pub enforcement_item_code: Option<String>,
    #[serde(default)]
    pub party_name: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    /// When the agency found the lead or received the material: the
    /// filing period and the limitation (Art 36) are judged from it.
    pub discovered_at: DateTime<Utc>,
    /// Whether the violation caused harm (危害后果): with an item that
    /// concerns life, health or financial security it makes the
    /// limitation five years (Art 36 ¶1). A case filed from the clue
    /// takes it over unless its filing says otherwise.
    #[serde(default)]
    pub harm_resulted: bool,
    /// What harm resulted; required when `harm_resulted`.
    #[serde(default)]
    #[validate(length(max = 500, code = "too_long", message = "at most 500 characters"))]
    pub harm_description: Option<String>,
}

fn clue_harm_shape(c: &NewClue) -> Result<(), validator::ValidationError> {
    crate::kernel::shape::harm_described(c.harm_resulted, c.harm_description.as_deref())
}

/// `POST /clues/{id}/extension`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ClueExtensionRequest {
    #[validate(custom(function = not_blank, code = "required", message = "why the filing decision needs longer"))]
    pub reason: String,
}

/// `POST /clues/{id}/rejection` — 不予立案.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RejectionRequest {
    pub ground: NonFilingGround,
    #[validate(custom(function = not_blank, code = "required", message = "the reasons for not filing"))]
    pub reason: String,
}

/// `POST /clues/{id}/transfer` — to the competent agency, before filing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ClueTransferRequest {
    pub to_department_id: String,
    #[validate(custom(function = not_blank, code = "required", message = "why another agency is competent"))]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClueEvent {
    pub seq: i64,
    pub at: String,
    pub actor_id: String,
    pub action: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Clue {
    pub id: String,
    /// 线索编号, numbered per department and year.
    pub clue_no: String,
    pub department_id: String,
    pub source: Source,
    pub summary: String,
    pub enforcement_item_code: Option<String>,
    pub party_name: Option<String>,
    pub location: Option<String>,
    pub occurred_at: Option<String>,
    pub discovered_at: String,
    /// Whether harm resulted (危害后果, Art 36 ¶1), and what.
    pub harm_resulted: bool,
    pub harm_description: Option<String>,
    pub registered_by: String,
    pub registered_at: String,
    pub status: ClueStatus,
    /// The filing decision is due by this day.
    pub due_on: NaiveDate,
    pub due_basis: String,
    pub extensions: i32,
    pub exclusions: Vec<ExclusionRequest>,
    /// The case filed from it.
    pub case_id: Option<String>,
    pub ground: Option<NonFilingGround>,
    pub outcome_reason: Option<String>,
    pub transferred_to: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The history, oldest first (only on `GET /clues/{id}`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<ClueEvent>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = clues)]
struct ClueRow {
    id: String,
    clue_no: String,
    department_id: String,
    source: Source,
    summary: String,
    enforcement_item_code: Option<String>,
    party_name: Option<String>,
    location: Option<String>,
    occurred_at: Option<NaiveDateTime>,
    discovered_at: NaiveDateTime,
    registered_by: String,
    registered_at: NaiveDateTime,
    status: ClueStatus,
    due_on: NaiveDate,
    due_basis: String,
    extensions: i32,
    exclusions: String,
    case_id: Option<String>,
    ground: Option<NonFilingGround>,
    outcome_reason: Option<String>,
    transferred_to: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
    #[diesel(column_name = import_batch)]
    _import_batch: Option<String>,
    harm_resulted: bool,
    harm_description: Option<String>,
}

impl ClueRow {
    fn view(self) -> Clue {
        Clue {
            id: self.id,
            clue_no: self.clue_no,
            department_id: self.department_id,
            source: self.source,
            summary: self.summary,
            enforcement_item_code: self.enforcement_item_code,
            party_name: self.party_name,
            location: self.location,
            occurred_at: self.occurred_at.map(rfc3339),
            discovered_at: rfc3339(self.discovered_at),
            harm_resulted: self.harm_resulted,
            harm_description: self.harm_description,
            registered_by: self.registered_by,
            registered_at: rfc3339(self.registered_at),
            status: self.status,
            due_on: self.due_on,
            due_basis: self.due_basis,
            extensions: self.extensions,
            exclusions: serde_json::from_str(&self.exclusions).unwrap_or_default(),
            case_id: self.case_id,
            ground: self.ground,
            outcome_reason: self.outcome_reason,
            transferred_to: self.transferred_to,
            decided_by: self.decided_by,
            decided_at: self.decided_at.map(rfc3339),
            events: vec![],
        }
    }
}

fn load_row(conn: &mut DbConn, id: &str) -> AppResult<ClueRow> {
    clues::table
        .find(id)
        .select(ClueRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("clue not found"))
}

/// The clue as the caller may see it: 404 outside their scope.
fn visible(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<ClueRow> {
    let row = load_row(conn, id)?;
    let path: String = departments::table
        .find(&row.department_id)
        .select(departments::path)
        .first(conn)?;
    if !scope::may_see_department_work(caller, &row.department_id, &path) {
        return Err(AppError::not_found("clue not found"));
    }
    Ok(row)
}

/// A clue the caller may change and that is still waiting for its decision.
fn open_for(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<ClueRow> {
    let row = visible(conn, caller, id)?;
    if !scope::may_do_department_work(caller, &row.department_id) {
        return Err(AppError::forbidden(
            "only officers and heads of the clue's department work on it",
        ));
    }
    if row.status != ClueStatus::Pending {
        return Err(AppError::new(
            Code::ClueDecided,
            format!(
                "the clue is {} already: its filing decision is taken",
                enum_str(&row.status)
            ),
        ));
    }
    Ok(row)
}

/// Appends to the clue's history.
fn append_event(
    conn: &mut DbConn,
    clue_id: &str,
    caller: &Caller,
    action: &str,
    detail: &serde_json::Value,
    at: NaiveDateTime,
) -> AppResult<()> {
    let last: Option<i64> = clue_events::table
        .filter(clue_events::clue_id.eq(clue_id))
        .select(diesel::dsl::max(clue_events::seq))
        .first(conn)?;
    diesel::insert_into(clue_events::table)
        .values((
            clue_events::clue_id.eq(clue_id),
            clue_events::seq.eq(last.unwrap_or(0) + 1),
            clue_events::at.eq(micros(at)),
            clue_events::actor_id.eq(&caller.user_id),
            clue_events::action.eq(action),
            clue_events::detail.eq(json_text(detail)),
            clue_events::request_id.eq(&caller.request_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks the clue decided, only if it is still pending (a concurrent
/// decision loses with 409).
fn mark_decided(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    status: ClueStatus,
    at: NaiveDateTime,
) -> AppResult<()> {
    let n = diesel::update(
        clues::table
            .filter(clues::id.eq(id))
            .filter(clues::status.eq(ClueStatus::Pending)),
    )
    .set((
        clues::status.eq(status),
        clues::decided_by.eq(&caller.user_id),
        clues::decided_at.eq(micros(at)),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(AppError::new(
            Code::ClueDecided,
            "the clue was decided by someone else first",
        ));
    }
    Ok(())
}

/// The profile in force for a department today.
pub(crate) async fn profile_for(
    state: &AppState,
    department_path: &str,
    day: NaiveDate,
) -> AppResult<Profile> {
    let data = state.discretion.get(&state.db).await?;
    Ok(crate::profiles::in_force(
        &data.profiles,
        department_path,
        day,
    ))
}

/// What registering clues in the caller's department needs: the
/// department (its short name numbers the clues), the profile in force and
/// the calendar (the filing period).
pub(crate) struct Registrar {
    placed: crate::org::Placed,
    profile: Profile,
    cal: std::sync::Arc<Calendar>,
}

pub(crate) async fn registrar(
    state: &AppState,
    caller: &Caller,
    day: NaiveDate,
) -> AppResult<Registrar> {
    let cal = state.calendar.get(&state.db).await?;
    let dept_id = caller.department_id.clone();
    let placed = state
        .db
        .run(move |conn| crate::org::find_department(conn, &dept_id))
        .await?
        .ok_or_else(|| AppError::internal("the caller's department is gone"))?;
    let profile = profile_for(state, &placed.path, day).await?;
    Ok(Registrar {
        placed,
        profile,
        cal,
    })
}

/// A new clue's row, numbered from the department's counter ("…线〔2026〕7号").
pub(crate) fn insert_clue(
    conn: &mut DbConn,
    caller: &Caller,
    r: &Registrar,
    clue: &NewClue,
    batch: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<String> {
    let today = china_date(at.and_utc());
    let n = crate::documents::next_counter(conn, &r.placed.department.id, "clue", today.year())?;
    let clue_no = format!(
        "{}线〔{}〕{n}号",
        r.placed.department.short_name,
        today.year()
    );
    let discovered_on = china_date(clue.discovered_at);
    let (due_on, basis) = rules::filing_due(discovered_on, 0, &[], &r.profile, &r.cal);
    let id = uuid::Uuid::now_v7().to_string();
    let trim = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    diesel::insert_into(clues::table)
        .values((
            clues::id.eq(&id),
            clues::clue_no.eq(&clue_no),
            clues::department_id.eq(&r.placed.department.id),
            clues::source.eq(clue.source),
            clues::summary.eq(clue.summary.trim()),
            clues::enforcement_item_code.eq(trim(&clue.enforcement_item_code)),
            clues::party_name.eq(trim(&clue.party_name)),
            clues::location.eq(trim(&clue.location)),
            clues::occurred_at.eq(clue.occurred_at.map(|t| micros(t.naive_utc()))),
            clues::discovered_at.eq(micros(clue.discovered_at.naive_utc())),
            clues::registered_by.eq(&caller.user_id),
            clues::registered_at.eq(micros(at)),
            clues::status.eq(ClueStatus::Pending),
            clues::due_on.eq(due_on),
            clues::due_basis.eq(&basis),
            clues::import_batch.eq(batch),
            clues::harm_resulted.eq(clue.harm_resulted),
            clues::harm_description.eq(trim(&clue.harm_description)),
        ))
        .execute(conn)?;
    append_event(
        conn,
        &id,
        caller,
        "clue.registered",
        &serde_json::json!({"clue_no": clue_no, "source": clue.source, "summary": clue.summary.trim(), "discovered_at": clue.discovered_at, "due_on": due_on, "import_batch": batch}),
        at,
    )?;
    Ok(id)
}

/// The item, when named, must exist and be held by the department.
fn check_item(
    conn: &mut DbConn,
    code: Option<&str>,
    domains: &[String],
    field: &str,
) -> AppResult<()> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let item = crate::items::find(conn, code)?.ok_or_else(|| {
        AppError::rule_on_field(
            Code::EnforcementItemUnknown,
            field,
            format!("no enforcement item {code}"),
        )
    })?;
    if !crate::items::held_by(&item, domains) {
        return Err(AppError::rule_on_field(
            Code::ItemNotHeldByDepartment,
            field,
            format!("the department does not hold item {code} (权责清单)"),
        ));
    }
    Ok(())
}

/// Registers a clue in the caller's department.
pub async fn register(state: &AppState, caller: &Caller, req: NewClue) -> AppResult<Clue> {
    register_linked(state, caller, req, |_, _| Ok(())).await
}

/// Registers a clue and, in the same transaction, runs `link` with its id
/// (a complaint that becomes this clue).
pub async fn register_linked<F>(
    state: &AppState,
    caller: &Caller,
    req: NewClue,
    link: F,
) -> AppResult<Clue>
where
    F: FnOnce(&mut DbConn, &str) -> AppResult<()> + Send + 'static,
{
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now();
    let errors = rules::check_dates(req.occurred_at, req.discovered_at, now);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let reg = registrar(state, caller, china_date(now)).await?;
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            check_item(
                conn,
                req.enforcement_item_code.as_deref(),
                &reg.placed.department.domains,
                "enforcement_item_code",
            )?;
            let id = insert_clue(conn, &caller, &reg, &req, None, now.naive_utc())?;
            link(conn, &id)?;
            Ok(load_row(conn, &id)?.view())
        })
        .await
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ClueImportReport)]
pub struct ImportReport {
    pub dry_run: bool,
    pub rows: usize,
    /// The clues registered (empty on a dry run).
    pub clue_ids: Vec<String>,
    pub batch: Option<String>,
}

/// Imports clues from a CSV of monitoring results (`rules::IMPORT_COLUMNS`):
/// every row is checked, every bad cell reported with its line and
/// column, and nothing registered when any row is bad.
pub async fn import(
    state: &AppState,
    caller: &Caller,
    csv_text: String,
    dry_run: bool,
) -> AppResult<ImportReport> {
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now();
    let rows = rules::parse_import(&csv_text, now).map_err(import_error)?;
    let reg = registrar(state, caller, china_date(now)).await?;
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            let mut problems = vec![];
            for r in &rows {
                if let Err(e) = check_item(
                    conn,
                    r.enforcement_item_code.as_deref(),
                    &reg.placed.department.domains,
                    "enforcement_item_code",
                ) {
                    problems.push(rules::RowError {
                        line: r.line,
                        column: "enforcement_item_code".into(),
                        reason: e.detail,
                    });
                }
            }
            if !problems.is_empty() {
                return Err(import_error(problems));
            }
            if dry_run {
                return Ok(ImportReport {
                    dry_run,
                    rows: rows.len(),
                    clue_ids: vec![],
                    batch: None,
                });
            }
            let batch = uuid::Uuid::now_v7().to_string();
            let mut ids = vec![];
            for r in &rows {
                let clue = NewClue {
                    source: r.source,
                    summary: r.summary.clone(),
                    enforcement_item_code: r.enforcement_item_code.clone(),
                    party_name: r.party_name.clone(),
                    location: r.location.clone(),
                    occurred_at: r.occurred_at,
                    discovered_at: r.discovered_at,
                    harm_resulted: false,
                    harm_description: None,
                };
                ids.push(insert_clue(
                    conn,
                    &caller,
                    &reg,
                    &clue,
                    Some(&batch),
                    now.naive_utc(),
                )?);
            }
            Ok(ImportReport {
                dry_run,
                rows: rows.len(),
                clue_ids: ids,
                batch: Some(batch),
            })
        })
        .await
}

fn import_error(problems: Vec<rules::RowError>) -> AppError {
    let first = problems
        .first()
        .map(|p| format!("line {} {}: {}", p.line, p.column, p.reason))
        .unwrap_or_default();
    let mut e = AppError::rule(
        Code::ImportFailed,
        format!(
            "{} problem(s); nothing was imported. First: {first}",
            problems.len()
        ),
    );
    e.errors = problems
        .into_iter()
        .map(|p| FieldError {
            line: Some(p.line),
            ..FieldError::new(p.column, "invalid", p.reason)
        })
        .collect();
    e
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ClueFilter {
    pub status: Option<ClueStatus>,
    /// Only clues whose decision is due by this day.
    pub due_by: Option<NaiveDate>,
}

/// The clues of the caller's department (a supervisor: of their region),
/// soonest due first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    f: ClueFilter,
    page: crate::http::PageRequest,
) -> AppResult<crate::http::Page<Clue>> {
    caller.require_any(scope::CASE_ROLES)?;
    let caller = caller.clone();
    let after: Option<(NaiveDate, String)> = page.after()?;
    state
        .db
        .run(move |conn| {
            let mut q = clues::table
                .inner_join(departments::table.on(departments::id.eq(clues::department_id)))
                .select(clues::all_columns)
                .order((clues::due_on.asc(), clues::id.asc()))
                .limit(page.fetch())
                .into_boxed();
            if let Some((d, id)) = after {
                q = q.filter(
                    clues::due_on
                        .gt(d)
                        .or(clues::due_on.eq(d).and(clues::id.gt(id))),
                );
            }
            q = match scope::case_list_scope(&caller) {
                scope::CaseListScope::Region(p) => q.filter(
                    departments::path
                        .like(crate::db::like_prefix(p))
                        .escape(crate::db::LIKE_ESCAPE),
                ),
                scope::CaseListScope::Department(d) => q.filter(clues::department_id.eq(d)),
            };
            if let Some(s) = f.status {
                q = q.filter(clues::status.eq(s));
            }
            if let Some(d) = f.due_by {
                q = q.filter(clues::due_on.le(d));
            }
            let rows: Vec<ClueRow> = q.select(ClueRow::as_select()).load(conn)?;
            let rows = rows.into_iter().map(ClueRow::view).collect();
            Ok(crate::http::Page::keyset(rows, &page, |c: &Clue| {
                (c.due_on, c.id.clone())
            }))
        })
        .await
}

/// One clue with its history.
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> AppResult<Clue> {
    caller.require_any(scope::CASE_ROLES)?;
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .run(move |conn| {
            let mut clue = visible(conn, &caller, &id)?.view();
            let rows: Vec<(i64, NaiveDateTime, String, String, String)> = clue_events::table
                .filter(clue_events::clue_id.eq(&id))
                .order(clue_events::seq.asc())
                .select((
                    clue_events::seq,
                    clue_events::at,
                    clue_events::actor_id,
                    clue_events::action,
                    clue_events::detail,
                ))
                .load(conn)?;
            clue.events = rows
                .into_iter()
                .map(|(seq, at, actor_id, action, detail)| ClueEvent {
                    seq,
                    at: rfc3339(at),
                    actor_id,
                    action,
                    detail: serde_json::from_str(&detail).unwrap_or_default(),
                })
                .collect();
            Ok(clue)
        })
        .await
}

/// The clue's department's profile and path, for an act on it.
async fn context(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> AppResult<(Profile, std::sync::Arc<Calendar>)> {
    let (c, id2) = (caller.clone(), id.to_string());
    let path = state
        .db
        .run(move |conn| {
            let row = visible(conn, &c, &id2)?;
            Ok(departments::table
                .find(&row.department_id)
                .select(departments::path)
                .first::<String>(conn)?)
        })
        .await?;
    let now = state.clock.now();
    let profile = profile_for(state, &path, china_date(now)).await?;
    let cal = state.calendar.get(&state.db).await?;
    Ok((profile, cal))
}

/// Testing, inspection or appraisal days (检测、检验、检疫、鉴定) that do not
/// count against the filing period: after discovery, not after today, not
/// overlapping, not inverted, at most the profile's span.
pub async fn exclusion(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: ExclusionRequest,
) -> AppResult<Clue> {
    caller.require_any(scope::CLUE_ROLES)?;
    let (profile, cal) = context(state, caller, id).await?;
    let now = state.clock.now();
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            let row = open_for(conn, &caller, &id)?;
            let mut exclusions: Vec<ExclusionRequest> = serde_json::from_str(&row.exclusions).unwrap_or_default();
            let discovered_on = china_date(row.discovered_at.and_utc());
            crate::workflow::rules::check_exclusion(&req, discovered_on, china_date(now), &exclusions, profile.exclusion_max_days)?;
            exclusions.push(req.clone());
            let (due_on, basis) = rules::filing_due(discovered_on, row.extensions as u32, &exclusions, &profile, &cal);
            diesel::update(clues::table.find(&id))
                .set((clues::exclusions.eq(json_text(&exclusions)), clues::due_on.eq(due_on), clues::due_basis.eq(&basis)))
                .execute(conn)?;
            append_event(conn, &id, &caller, "clue.exclusion", &serde_json::json!({"kind": req.kind, "from": req.from, "to": req.to, "reason": req.reason, "due_on": due_on}), now.naive_utc())?;
            Ok(load_row(conn, &id)?.view())
        })
        .await
}

/// An approval-bound act on a clue: a head of its department acts (directly
/// or deciding an approval); officers ask with `POST /approvals`.
fn head_of(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<ClueRow> {
    let row = open_for(conn, caller, id)?;
    if !scope::may_decide_approval(caller, &row.department_id) {
        return Err(AppError::forbidden(
            "a head of the department decides on a clue; officers ask for it with POST /api/v1/approvals",
        ));
    }
    Ok(row)
}

/// A head's act on a clue, in its transaction: settles the act's approval
/// and appends the history entry naming it. Answers the approval's id.
#[allow(clippy::too_many_arguments)]
fn settle_and_record(
    conn: &mut DbConn,
    caller: &Caller,
    approving: Option<&Approving>,
    row: &ClueRow,
    kind: ApprovalKind,
    request: serde_json::Value,
    result: (&str, &str),
    action: &str,
    mut detail: serde_json::Value,
    at: NaiveDateTime,
) -> AppResult<String> {
    let approval = crate::approvals::store::settle(
        conn,
        caller,
        approving,
        kind,
        crate::approvals::store::Subject::Clue(&row.id),
        &row.department_id,
        &request,
        result,
        at,
    )?;
    if let Some(o) = detail.as_object_mut() {
        o.insert("approval_id".into(), approval.clone().into());
    }
    append_event(conn, &row.id, caller, action, &detail, at)?;
    Ok(approval)
}

/// 延长立案核查期限: once, by a head.
pub async fn extend(
    state: &AppState,
    caller: &Caller,
    approving: Option<Approving>,
    id: &str,
    req: ClueExtensionRequest,
) -> AppResult<Clue> {
    caller.require_any(scope::CLUE_ROLES)?;
    let (profile, cal) = context(state, caller, id).await?;
    let now = state.clock.now();
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            let row = head_of(conn, &caller, &id)?;
            rules::check_extension(row.extensions as u32)?;
            let exclusions: Vec<ExclusionRequest> =
                serde_json::from_str(&row.exclusions).unwrap_or_default();
            let discovered_on = china_date(row.discovered_at.and_utc());
            let (due_on, basis) = rules::filing_due(
                discovered_on,
                row.extensions as u32 + 1,
                &exclusions,
                &profile,
                &cal,
            );
            let n = diesel::update(
                clues::table
                    .filter(clues::id.eq(&id))
                    .filter(clues::extensions.eq(row.extensions)),
            )
            .set((
                clues::extensions.eq(row.extensions + 1),
                clues::due_on.eq(due_on),
                clues::due_basis.eq(&basis),
            ))
            .execute(conn)?;
            if n != 1 {
                return Err(AppError::conflict("the clue was extended meanwhile"));
            }
            let at = now.naive_utc();
            settle_and_record(
                conn,
                &caller,
                approving.as_ref(),
                &row,
                ApprovalKind::ClueExtension,
                to_value(&req),
                ("clue", &id),
                "clue.extended",
                serde_json::json!({"reason": req.reason, "due_on": due_on}),
                at,
            )?;
            Ok(load_row(conn, &id)?.view())
        })
        .await
}

/// 不予立案 with its ground, by a head.
pub async fn reject(
    state: &AppState,
    caller: &Caller,
    approving: Option<Approving>,
    id: &str,
    req: RejectionRequest,
) -> AppResult<Clue> {
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now();
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            reject_in(
                conn,
                &caller,
                approving.as_ref(),
                &id,
                &req,
                now.naive_utc(),
            )
        })
        .await
}

/// 不予立案 inside the caller's transaction: a head of the clue's
/// department; the ground checked, the approval settled, the history
/// written — as `reject`, and as a non-coercive measure closing a clue on
/// the exemption list does.
pub fn reject_in(
    conn: &mut DbConn,
    caller: &Caller,
    approving: Option<&Approving>,
    id: &str,
    req: &RejectionRequest,
    at: NaiveDateTime,
) -> AppResult<Clue> {
    let row = head_of(conn, caller, id)?;
    let serious = match &row.enforcement_item_code {
        Some(code) => crate::items::find(conn, code)?.map(|i| i.serious_safety),
        None => None,
    };
    rules::check_ground(
        req.ground,
        row.occurred_at.map(|t| china_date(t.and_utc())),
        china_date(row.discovered_at.and_utc()),
        serious,
        row.harm_resulted,
    )?;
    mark_decided(conn, caller, id, ClueStatus::Rejected, at)?;
    diesel::update(clues::table.find(id))
        .set((
            clues::ground.eq(req.ground),
            clues::outcome_reason.eq(req.reason.trim()),
        ))
        .execute(conn)?;
    settle_and_record(
        conn,
        caller,
        approving,
        &row,
        ApprovalKind::ClueRejection,
        to_value(req),
        ("clue", id),
        "clue.rejected",
        serde_json::json!({"ground": req.ground, "basis": req.ground.basis(), "reason": req.reason.trim()}),
        at,
    )?;
    Ok(load_row(conn, id)?.view())
}

/// A pending clue the caller may work on (404 / 403 / 409 as its acts):
/// its department, item, party and number.
pub fn open_clue(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Clue> {
    Ok(open_for(conn, caller, id)?.view())
}

/// 移送: the clue goes to the competent agency, by a head.
pub async fn transfer(
    state: &AppState,
    caller: &Caller,
    approving: Option<Approving>,
    id: &str,
    req: ClueTransferRequest,
) -> AppResult<Clue> {
    caller.require_any(scope::CLUE_ROLES)?;
    let now = state.clock.now();
    let (caller, id) = (caller.clone(), id.to_string());
    state
        .db
        .write(move |conn| {
            let row = head_of(conn, &caller, &id)?;
            let target = crate::org::find_department(conn, &req.to_department_id)?
                .ok_or_else(|| AppError::rule_on_field(Code::TransferTargetInvalid, "to_department_id", "no such department"))?;
            if target.department.id == row.department_id {
                return Err(AppError::rule_on_field(Code::TransferTargetInvalid, "to_department_id", "a clue is transferred to another agency"));
            }
            let at = now.naive_utc();
            mark_decided(conn, &caller, &id, ClueStatus::Transferred, at)?;
            diesel::update(clues::table.find(&id))
                .set((clues::transferred_to.eq(&target.department.id), clues::outcome_reason.eq(req.reason.trim())))
                .execute(conn)?;
            settle_and_record(conn, &caller, approving.as_ref(), &row, ApprovalKind::ClueTransfer, to_value(&req), ("clue", &id), "clue.transferred", serde_json::json!({"to_department_id": target.department.id, "to_department": target.department.name, "reason": req.reason.trim()}), at)?;
            crate::workbench::send::notify_department(conn, &target.department.id, &[crate::auth::Role::Head, crate::auth::Role::Officer], &crate::workbench::send::Message {
                kind: "clue_received",
                dedup_key: format!("clue_received:{id}"),
                title: format!("收到移送线索：{}", row.summary),
                case_id: None,
                subject_id: Some(id.clone()),
            }, at)?;
            Ok(load_row(conn, &id)?.view())
        })
        .await
}

/// 立案 from the clue, by a head: the case is filed with the clue's source
/// and discovery (the limitation judged at discovery, Art 36) and linked,
/// in the filing's transaction. Answers the new case's response.
pub async fn file(
    state: &AppState,
    caller: &Caller,
    approving: Option<Approving>,
    id: &str,
    mut req: crate::cases::NewCase,
) -> AppResult<crate::cases::StoredResponse> {
    caller.require_any(scope::CLUE_ROLES)?;
    let (c, id2) = (caller.clone(), id.to_string());
    let row = state.db.run(move |conn| head_of(conn, &c, &id2)).await?;
    // The clue states when and how the agency learnt of it.
    req.discovered_at = row.discovered_at.and_utc();
    req.source = row.source;
    // Harm the clue records carries over (Art 36 ¶1), unless the filing states it.
    if row.harm_resulted && !req.harm_resulted {
        req.harm_resulted = true;
        req.harm_description = row.harm_description.clone();
    }
    let (c, id2) = (caller.clone(), id.to_string());
    let body = serde_json::to_value(&req).unwrap_or_default();
    let link: crate::cases::FilingLink = Box::new(move |conn, case_id, at| {
        let row = head_of(conn, &c, &id2)?;
        mark_decided(conn, &c, &id2, ClueStatus::Filed, at)?;
        diesel::update(clues::table.find(&id2))
            .set(clues::case_id.eq(case_id))
            .execute(conn)?;
        let late = china_date(at.and_utc()) > row.due_on;
        let approval = settle_and_record(
            conn,
            &c,
            approving.as_ref(),
            &row,
            ApprovalKind::ClueFiling,
            body,
            ("case", case_id),
            "clue.filed",
            serde_json::json!({"case_id": case_id, "due_on": row.due_on, "late": late}),
            at,
        )?;
        Ok(
            serde_json::json!({"clue_id": id2, "clue_no": row.clue_no, "approval_id": approval, "decided_after_due": late}),
        )
    });
    crate::cases::file_case_linked(state, caller.clone(), req, None, Some(link)).await
}

/// Refuses (404/403/409) unless the caller may work on the clue and it is
/// still waiting for its decision; answers the clue's department.
pub fn check_open_for(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<String> {
    open_for(conn, caller, id).map(|row| row.department_id)
}

/// Appends to a clue's history from another capability (approvals).
pub fn record(
    conn: &mut DbConn,
    clue_id: &str,
    caller: &Caller,
    action: &str,
    detail: &serde_json::Value,
    at: NaiveDateTime,
) -> AppResult<()> {
    append_event(conn, clue_id, caller, action, detail, at)
}
