//! Diesel queries of cases. No rules here.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{CaseStatus, IdType, Party, PartyKind, Procedure, Source};
use super::view::{Case, CaseOfficer, CaseSummary, Deadline, DeadlineStatus, OfficerRole};
use crate::auth::scope::CaseScope;
use crate::clock::rfc3339;
use crate::db::schema::{case_deadlines, case_officers, cases, departments};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::kernel::CaseId;

/// The next case number of a department's year (the counter kind `case`).
pub fn next_case_number(conn: &mut DbConn, department_id: &str, year: i32) -> AppResult<i64> {
    crate::documents::next_counter(conn, department_id, "case", year)
}

pub struct NewCaseRow<'a> {
    pub id: &'a str,
    pub case_no: &'a str,
    pub department_id: &'a str,
    pub item_code: &'a str,
    pub source: Source,
    pub procedure: Procedure,
    pub party: &'a Party,
    pub facts: &'a str,
    pub location: &'a str,
    pub occurred_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub discovered_at: NaiveDateTime,
    pub filed_at: NaiveDateTime,
    pub filed_by: &'a str,
    pub intended_fine_fen: Option<i64>,
    pub harm_resulted: bool,
    pub harm_description: Option<&'a str>,
    pub rule_profile_id: Option<&'a str>,
}

pub fn insert_case(conn: &mut DbConn, r: &NewCaseRow) -> AppResult<()> {
    let m = crate::db::micros;
    diesel::insert_into(cases::table)
        .values((
            cases::id.eq(r.id),
            cases::case_no.eq(r.case_no),
            cases::department_id.eq(r.department_id),
            cases::enforcement_item_code.eq(r.item_code),
            cases::source.eq(r.source),
            cases::procedure.eq(r.procedure),
            cases::status.eq(CaseStatus::Filed),
            cases::party_kind.eq(r.party.kind),
            cases::party_name.eq(r.party.name.trim()),
            cases::party_id_type.eq(r.party.id_type),
            cases::party_id_number.eq(r.party.id_number.trim().to_uppercase()),
            cases::party_address.eq(r.party.address.trim()),
            cases::party_phone.eq(r.party.phone.as_deref().map(str::trim)),
            cases::party_legal_representative.eq(r
                .party
                .legal_representative
                .as_deref()
                .map(str::trim)),
            cases::facts.eq(r.facts),
            cases::location.eq(r.location),
            cases::occurred_at.eq(m(r.occurred_at)),
            cases::ended_at.eq(r.ended_at.map(m)),
            cases::discovered_at.eq(m(r.discovered_at)),
            cases::filed_at.eq(m(r.filed_at)),
            cases::filed_by.eq(r.filed_by),
            cases::intended_fine_fen.eq(r.intended_fine_fen),
            // The filing entry (records::append) makes it 1.
            cases::version.eq(0),
            cases::record_seq.eq(0i64),
            cases::record_head.eq(crate::records::GENESIS),
            cases::updated_at.eq(m(r.filed_at)),
            cases::rule_profile_id.eq(r.rule_profile_id),
            cases::harm_resulted.eq(r.harm_resulted),
            cases::harm_description.eq(r.harm_description),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_officer(
    conn: &mut DbConn,
    case_id: &str,
    user_id: &str,
    role: OfficerRole,
    certificate: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(case_officers::table)
        .values((
            case_officers::case_id.eq(case_id),
            case_officers::user_id.eq(user_id),
            case_officers::role.eq(role),
            case_officers::certificate_number.eq(certificate),
            case_officers::assigned_at.eq(crate::db::micros(at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_deadline(
    conn: &mut DbConn,
    case_id: &str,
    kind: &str,
    due_on: NaiveDate,
    basis: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(case_deadlines::table)
        .values((
            case_deadlines::case_id.eq(case_id),
            case_deadlines::kind.eq(kind),
            case_deadlines::due_on.eq(due_on),
            case_deadlines::basis.eq(basis),
            case_deadlines::status.eq(DeadlineStatus::Open),
            case_deadlines::created_at.eq(crate::db::micros(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A row of the `case_files` view: a case with its department's path, its
/// item's name, and its officers and deadlines as JSON text.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::case_files)]
struct CaseFileRow {
    id: String,
    case_no: String,
    status: CaseStatus,
    department_id: String,
    enforcement_item_code: String,
    source: Source,
    procedure: Procedure,
    party_kind: PartyKind,
    party_name: String,
    party_id_type: IdType,
    party_id_number: String,
    party_address: String,
    party_phone: Option<String>,
    party_legal_representative: Option<String>,
    facts: String,
    location: String,
    occurred_at: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
    discovered_at: NaiveDateTime,
    filed_at: NaiveDateTime,
    filed_by: String,
    intended_fine_fen: Option<i64>,
    version: i32,
    harm_resulted: bool,
    harm_description: Option<String>,
    department_path: String,
    item_name: String,
    officers: String,
    deadlines: String,
}

/// One case with its officers and deadlines, and the department path that
/// access decisions need: one prepared statement on the `case_files` view.
pub fn load_case(conn: &mut DbConn, id: &str) -> AppResult<Option<(Case, String)>> {
    use crate::db::schema::case_files as f;
    let Some(r) = f::table
        .find(id)
        .select(CaseFileRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let officers: Vec<CaseOfficer> = serde_json::from_str(&r.officers)
        .map_err(|e| AppError::internal(format!("officers: {e}")))?;
    let deadlines: Vec<Deadline> = serde_json::from_str(&r.deadlines)
        .map_err(|e| AppError::internal(format!("deadlines: {e}")))?;
    let case = Case {
        id: r.id,
        case_no: r.case_no,
        status: r.status,
        department_id: r.department_id,
        enforcement_item_code: r.enforcement_item_code,
        enforcement_item_name: r.item_name,
        source: r.source,
        procedure: r.procedure,
        party: Party {
            kind: r.party_kind,
            name: r.party_name,
            id_type: r.party_id_type,
            id_number: r.party_id_number,
            address: r.party_address,
            phone: r.party_phone,
            legal_representative: r.party_legal_representative,
        },
        facts: r.facts,
        location: r.location,
        occurred_at: rfc3339(r.occurred_at),
        ended_at: r.ended_at.map(rfc3339),
        discovered_at: rfc3339(r.discovered_at),
        filed_at: rfc3339(r.filed_at),
        filed_by: r.filed_by,
        intended_fine_fen: r.intended_fine_fen,
        harm_resulted: r.harm_resulted,
        harm_description: r.harm_description,
        version: r.version,
        officers,
        deadlines,
    };
    Ok(Some((case, r.department_path)))
}

/// The question `case_version` asks, as SQL for the async read path.
pub const CASE_VERSION_SQL: &str = "SELECT version FROM cases WHERE id = $1";

/// A case's version: every change of the case moves it.
pub fn case_version(conn: &mut DbConn, id: &str) -> AppResult<Option<i32>> {
    Ok(cases::table
        .find(id)
        .select(cases::version)
        .first(conn)
        .optional()?)
}

/// Where a case sits, for access decisions on writes and sub-resources.
pub fn case_scope(conn: &mut DbConn, id: &str) -> AppResult<Option<CaseScope>> {
    let row: Option<(String, String, String)> = cases::table
        .inner_join(departments::table)
        .filter(cases::id.eq(id))
        .select((cases::id, cases::department_id, departments::path))
        .first(conn)
        .optional()?;
    let Some((case_id, department_id, department_path)) = row else {
        return Ok(None);
    };
    let people: Vec<(String, OfficerRole)> = case_officers::table
        .filter(case_officers::case_id.eq(id))
        .select((case_officers::user_id, case_officers::role))
        .load(conn)?;
    Ok(Some(CaseScope::new(
        case_id,
        department_id,
        department_path,
        people
            .into_iter()
            .map(|(u, role)| (u, role == OfficerRole::Recused)),
    )))
}

/// Filters of `GET /cases`.
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    pub status: Option<String>,
    pub item: Option<String>,
    pub officer_id: Option<String>,
    pub party: Option<String>,
    pub filed_from: Option<NaiveDateTime>,
    pub filed_to: Option<NaiveDateTime>,
    /// A user withdrawn from cases (回避) does not see them listed.
    pub hide_recused_for: Option<String>,
}

pub enum ListScope {
    Department(String),
    RegionPath(String),
    /// Auxiliaries: their department, only cases they are attached to.
    Attached {
        department_id: String,
        user_id: String,
    },
}

/// A line of the case list as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = cases)]
struct SummaryRow {
    id: String,
    case_no: String,
    status: CaseStatus,
    department_id: String,
    enforcement_item_code: String,
    party_name: String,
    filed_at: NaiveDateTime,
    version: i32,
}

/// A page of cases, newest first (ids are time-ordered UUID v7).
pub fn list_cases(
    conn: &mut DbConn,
    scope: &ListScope,
    f: &CaseFilter,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<CaseSummary>> {
    let mut q = cases::table
        .inner_join(departments::table)
        .select(SummaryRow::as_select())
        .order(cases::id.desc())
        .limit(limit)
        .into_boxed();
    match scope {
        ListScope::Department(d) => q = q.filter(cases::department_id.eq(d.clone())),
        ListScope::RegionPath(p) => {
            q = q.filter(
                departments::path
                    .like(crate::db::like_prefix(p))
                    .escape(crate::db::LIKE_ESCAPE),
            )
        }
        ListScope::Attached {
            department_id,
            user_id,
        } => {
            let mine = case_officers::table
                .filter(case_officers::user_id.eq(user_id.clone()))
                .select(case_officers::case_id);
            q = q
                .filter(cases::department_id.eq(department_id.clone()))
                .filter(cases::id.eq_any(mine));
        }
    }
    if let Some(s) = &f.status {
        q = q.filter(cases::status.eq(s.clone()));
    }
    if let Some(u) = &f.hide_recused_for {
        let recused = case_officers::table
            .filter(case_officers::user_id.eq(u.clone()))
            .filter(case_officers::role.eq(OfficerRole::Recused))
            .select(case_officers::case_id);
        q = q.filter(cases::id.ne_all(recused));
    }
    if let Some(i) = &f.item {
        q = q.filter(cases::enforcement_item_code.eq(i.clone()));
    }
    if let Some(o) = &f.officer_id {
        let with = case_officers::table
            .filter(case_officers::user_id.eq(o.clone()))
            .select(case_officers::case_id);
        q = q.filter(cases::id.eq_any(with));
    }
    if let Some(p) = &f.party {
        q = q.filter(
            cases::party_name
                .like(crate::db::like_contains(p))
                .escape(crate::db::LIKE_ESCAPE)
                .or(cases::party_id_number.eq(p.to_uppercase())),
        );
    }
    if let Some(t) = f.filed_from {
        q = q.filter(cases::filed_at.ge(t));
    }
    if let Some(t) = f.filed_to {
        q = q.filter(cases::filed_at.lt(t));
    }
    if let Some(a) = after {
        q = q.filter(cases::id.lt(a.to_string()));
    }
    let rows: Vec<SummaryRow> = q.load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let due: Vec<(String, NaiveDate)> = case_deadlines::table
        .filter(case_deadlines::case_id.eq_any(&ids))
        .filter(case_deadlines::kind.eq("decision"))
        .select((case_deadlines::case_id, case_deadlines::due_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| CaseSummary {
            decision_due: due.iter().find(|d| d.0 == r.id).map(|d| d.1),
            id: r.id,
            case_no: r.case_no,
            status: r.status,
            department_id: r.department_id,
            enforcement_item_code: r.enforcement_item_code,
            party_name: r.party_name,
            filed_at: rfc3339(r.filed_at),
            version: r.version,
        })
        .collect())
}

crate::db::text_enum!(
    CaseStatus,
    Procedure,
    Source,
    PartyKind,
    IdType,
    OfficerRole,
    DeadlineStatus
);

/// The case row as a change reads it, under its row lock.
#[derive(Debug, Queryable)]
pub struct LockedCase {
    pub id: String,
    pub case_no: String,
    pub status: CaseStatus,
    /// The version after this change (the lock moved it on).
    pub version: i32,
    pub procedure: Procedure,
    pub party_kind: PartyKind,
    pub party_name: String,
    pub department_id: String,
    pub enforcement_item_code: String,
    pub filed_at: NaiveDateTime,
    pub rule_profile_id: Option<String>,
    /// The sequence number this change's record entry takes.
    pub record_seq: i64,
    /// The chain head the entry follows.
    pub record_head: String,
}

/// Takes the case's row lock and reads it, in one statement: the version
/// and the record's sequence move on here (the change's own transaction
/// rolls both back if it fails). `None`: no such case.
pub fn lock_case(conn: &mut DbConn, id: &CaseId) -> AppResult<Option<LockedCase>> {
    Ok(diesel::update(cases::table.find(id))
        .set((
            cases::version.eq(cases::version + 1),
            cases::record_seq.eq(cases::record_seq + 1),
        ))
        .returning((
            cases::id,
            cases::case_no,
            cases::status,
            cases::version,
            cases::procedure,
            cases::party_kind,
            cases::party_name,
            cases::department_id,
            cases::enforcement_item_code,
            cases::filed_at,
            cases::rule_profile_id,
            cases::record_seq,
            cases::record_head,
        ))
        .get_result::<LockedCase>(conn)
        .optional()?)
}

/// A person on a case: an officer (with the certificate they act under),
/// an auxiliary, or someone withdrawn.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_officers)]
pub struct OnCase {
    pub user_id: String,
    pub role: OfficerRole,
    pub certificate_number: Option<String>,
}

/// Everyone on a case, in the order they were attached.
pub fn people_on_case(conn: &mut DbConn, case_id: &str) -> AppResult<Vec<OnCase>> {
    Ok(case_officers::table
        .filter(case_officers::case_id.eq(case_id))
        .order(case_officers::assigned_at.asc())
        .select(OnCase::as_select())
        .load(conn)?)
}

/// A department's materialised path. Paths are set once, when a department
/// is inserted, so they are kept in memory once read.
pub fn department_path(conn: &mut DbConn, department_id: &str) -> AppResult<String> {
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};
    static PATHS: OnceLock<RwLock<HashMap<String, String>>> = OnceLock::new();
    let paths = PATHS.get_or_init(Default::default);
    if let Some(p) = paths
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(department_id)
    {
        return Ok(p.clone());
    }
    let path: String = departments::table
        .find(department_id)
        .select(departments::path)
        .first(conn)?;
    paths
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(department_id.to_string(), path.clone());
    Ok(path)
}

/// A step row of a case: the event's kind and its data.
pub fn insert_step(
    conn: &mut DbConn,
    id: &str,
    case_id: &str,
    event: &crate::cases::events::CaseEvent,
    actor_id: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    use crate::db::schema::case_steps;
    diesel::insert_into(case_steps::table)
        .values((
            case_steps::id.eq(id),
            case_steps::case_id.eq(case_id),
            case_steps::kind.eq(event.kind()),
            case_steps::body.eq(crate::db::json_text(&event.body())),
            case_steps::actor_id.eq(actor_id),
            case_steps::at.eq(crate::db::micros(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets (or resets) a deadline of a case: one upsert.
pub fn set_deadline(
    conn: &mut DbConn,
    case_id: &str,
    kind: &str,
    due_on: NaiveDate,
    basis: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let at = crate::db::micros(at);
    let row = (
        case_deadlines::case_id.eq(case_id),
        case_deadlines::kind.eq(kind),
        case_deadlines::due_on.eq(due_on),
        case_deadlines::basis.eq(basis),
        case_deadlines::status.eq(DeadlineStatus::Open),
        case_deadlines::created_at.eq(at),
    );
    let update = (
        case_deadlines::due_on.eq(due_on),
        case_deadlines::basis.eq(basis),
        case_deadlines::status.eq(DeadlineStatus::Open),
        case_deadlines::created_at.eq(at),
    );
    // The multi-connection's query builder has no ON CONFLICT: each backend's own.
    match conn {
        DbConn::Pg(c) => diesel::insert_into(case_deadlines::table)
            .values(row)
            .on_conflict((case_deadlines::case_id, case_deadlines::kind))
            .do_update()
            .set(update)
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(case_deadlines::table)
            .values(row)
            .on_conflict((case_deadlines::case_id, case_deadlines::kind))
            .do_update()
            .set(update)
            .execute(c)?,
    };
    Ok(())
}

/// Deadlines a change met, paused or cancelled: one statement per status.
pub fn set_deadline_statuses(
    conn: &mut DbConn,
    case_id: &str,
    statuses: &[(String, DeadlineStatus)],
) -> AppResult<()> {
    let mut by_status: Vec<(DeadlineStatus, Vec<&str>)> = vec![];
    for (kind, status) in statuses {
        match by_status.iter_mut().find(|(s, _)| s == status) {
            Some((_, kinds)) => kinds.push(kind),
            None => by_status.push((*status, vec![kind])),
        }
    }
    for (status, kinds) in by_status {
        diesel::update(
            case_deadlines::table
                .filter(case_deadlines::case_id.eq(case_id))
                .filter(case_deadlines::kind.eq_any(kinds)),
        )
        .set(case_deadlines::status.eq(status))
        .execute(conn)?;
    }
    Ok(())
}

/// The end of a change: the chain's new head, the status the change moved
/// the case to, and when.
pub fn settle_case(
    conn: &mut DbConn,
    case_id: &str,
    status: Option<CaseStatus>,
    head: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let at = crate::db::micros(at);
    let target = cases::table.find(case_id);
    match status {
        Some(s) => diesel::update(target)
            .set((
                cases::record_head.eq(head),
                cases::status.eq(s),
                cases::updated_at.eq(at),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((cases::record_head.eq(head), cases::updated_at.eq(at)))
            .execute(conn)?,
    };
    Ok(())
}

/// The officers of a case become these (user, certificate): a reassignment.
pub fn set_officers(
    conn: &mut DbConn,
    case_id: &str,
    officers: &[(String, String)],
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::delete(
        case_officers::table
            .filter(case_officers::case_id.eq(case_id))
            .filter(case_officers::role.eq(OfficerRole::Officer)),
    )
    .execute(conn)?;
    for (user, certificate) in officers {
        insert_officer(
            conn,
            case_id,
            user,
            OfficerRole::Officer,
            Some(certificate),
            at,
        )?;
    }
    Ok(())
}

/// An officer withdrawn from a case (回避): no access to it any more.
pub fn recuse_officer(conn: &mut DbConn, case_id: &str, user_id: &str) -> AppResult<()> {
    diesel::update(case_officers::table.find((case_id, user_id)))
        .set(case_officers::role.eq(OfficerRole::Recused))
        .execute(conn)?;
    Ok(())
}

/// Rewrites the data of a stored step (a discussion's confirmations, a
/// remedy's result: the changes that answer a step add to it).
pub fn rewrite_step(
    conn: &mut DbConn,
    id: &str,
    event: &crate::cases::events::CaseEvent,
) -> AppResult<()> {
    use crate::db::schema::case_steps;
    diesel::update(case_steps::table.find(id))
        .set(case_steps::body.eq(crate::db::json_text(&event.body())))
        .execute(conn)?;
    Ok(())
}

/// A new case's first record entry is written: the head is its hash, the
/// version 1 (`insert_case` left 0, GENESIS).
pub fn settle_filed(conn: &mut DbConn, case_id: &str, head: &str) -> AppResult<()> {
    diesel::update(cases::table.find(case_id))
        .set((
            cases::record_seq.eq(1i64),
            cases::record_head.eq(head),
            cases::version.eq(1),
        ))
        .execute(conn)?;
    Ok(())
}
