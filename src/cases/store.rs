//! Diesel queries of cases. No rules here.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use super::rules::{enum_parse, enum_str, CaseStatus, Party, Procedure, Source};
use super::{Case, CaseOfficer, CaseSummary, Deadline};
use crate::auth::scope::CaseScope;
use crate::clock::rfc3339;
use crate::db::schema::{case_counters, case_deadlines, case_officers, cases, departments};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// The next number of the (department, year) counter: incremented inside
/// the filing transaction, so numbers have no gaps and are never reused. On
/// PostgreSQL the UPDATE's row lock serialises concurrent filings; the
/// first filing of a year creates the row inside a savepoint, and a racing
/// creator falls back to the UPDATE.
pub fn next_case_number(conn: &mut DbConn, department_id: &str, year: i32) -> AppResult<i64> {
    for _ in 0..3 {
        let bumped: Option<i64> = diesel::update(case_counters::table.find((department_id, year)))
            .set(case_counters::last_value.eq(case_counters::last_value + 1))
            .returning(case_counters::last_value)
            .get_result(conn)
            .optional()?;
        if let Some(n) = bumped {
            return Ok(n);
        }
        let created = conn.transaction(|c| {
            diesel::insert_into(case_counters::table)
                .values((
                    case_counters::department_id.eq(department_id),
                    case_counters::year.eq(year),
                    case_counters::last_value.eq(1i64),
                ))
                .execute(c)
        });
        match created {
            Ok(_) => return Ok(1),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("case counter is busy; retry"))
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
}

pub fn insert_case(conn: &mut DbConn, r: &NewCaseRow) -> AppResult<()> {
    let m = crate::db::micros;
    diesel::insert_into(cases::table)
        .values((
            cases::id.eq(r.id),
            cases::case_no.eq(r.case_no),
            cases::department_id.eq(r.department_id),
            cases::enforcement_item_code.eq(r.item_code),
            cases::source.eq(enum_str(&r.source)),
            cases::procedure.eq(enum_str(&r.procedure)),
            cases::status.eq(enum_str(&CaseStatus::Filed)),
            cases::party_kind.eq(enum_str(&r.party.kind)),
            cases::party_name.eq(r.party.name.trim()),
            cases::party_id_type.eq(enum_str(&r.party.id_type)),
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
            cases::version.eq(1),
            cases::record_seq.eq(0i64),
            cases::record_head.eq(crate::records::GENESIS),
            cases::updated_at.eq(m(r.filed_at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_officer(
    conn: &mut DbConn,
    case_id: &str,
    user_id: &str,
    role: &str,
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
            case_deadlines::status.eq("open"),
            case_deadlines::created_at.eq(crate::db::micros(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// One case as a single row: the officers and deadlines come aggregated as
/// JSON text, so that reading a case file is one round trip.
#[derive(QueryableByName)]
struct CaseByName {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    case_no: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    department_id: String,
    #[diesel(sql_type = Text)]
    enforcement_item_code: String,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    procedure: String,
    #[diesel(sql_type = Text)]
    party_kind: String,
    #[diesel(sql_type = Text)]
    party_name: String,
    #[diesel(sql_type = Text)]
    party_id_type: String,
    #[diesel(sql_type = Text)]
    party_id_number: String,
    #[diesel(sql_type = Text)]
    party_address: String,
    #[diesel(sql_type = Nullable<Text>)]
    party_phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    party_legal_representative: Option<String>,
    #[diesel(sql_type = Text)]
    facts: String,
    #[diesel(sql_type = Text)]
    location: String,
    #[diesel(sql_type = Timestamp)]
    occurred_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    ended_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Timestamp)]
    discovered_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    filed_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    filed_by: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    intended_fine_fen: Option<i64>,
    #[diesel(sql_type = Integer)]
    version: i32,
    #[diesel(sql_type = Text)]
    department_path: String,
    #[diesel(sql_type = Text)]
    item_name: String,
    #[diesel(sql_type = Text)]
    officers: String,
    #[diesel(sql_type = Text)]
    deadlines: String,
}

const CASE_COLUMNS: &str = "c.id, c.case_no, c.status, c.department_id, c.enforcement_item_code, c.source, c.procedure, \
     c.party_kind, c.party_name, c.party_id_type, c.party_id_number, c.party_address, c.party_phone, \
     c.party_legal_representative, c.facts, c.location, c.occurred_at, c.ended_at, c.discovered_at, c.filed_at, \
     c.filed_by, c.intended_fine_fen, c.version, d.path AS department_path, i.name AS item_name";

/// The JSON aggregation differs between the backends (json_agg vs
/// json_group_array); everything else is the same statement.
fn load_case_sql(backend: crate::db::Backend) -> String {
    let (officers, deadlines, param) = match backend {
        crate::db::Backend::Postgres => (
            "COALESCE((SELECT json_agg(json_build_object('user_id', o.user_id, 'display_name', u.display_name, \
             'role', o.role, 'certificate_number', o.certificate_number) ORDER BY o.assigned_at, o.user_id) \
             FROM case_officers o JOIN users u ON u.id = o.user_id WHERE o.case_id = c.id), '[]')::text",
            "COALESCE((SELECT json_agg(json_build_object('kind', k.kind, 'due_on', k.due_on, 'basis', k.basis, \
             'status', k.status) ORDER BY k.due_on, k.kind) FROM case_deadlines k WHERE k.case_id = c.id), '[]')::text",
            "$1",
        ),
        crate::db::Backend::Sqlite => (
            "(SELECT json_group_array(json_object('user_id', x.user_id, 'display_name', x.display_name, \
             'role', x.role, 'certificate_number', x.certificate_number)) FROM (SELECT o.user_id, u.display_name, \
             o.role, o.certificate_number FROM case_officers o JOIN users u ON u.id = o.user_id \
             WHERE o.case_id = c.id ORDER BY o.assigned_at, o.user_id) x)",
            "(SELECT json_group_array(json_object('kind', x.kind, 'due_on', x.due_on, 'basis', x.basis, \
             'status', x.status)) FROM (SELECT kind, due_on, basis, status FROM case_deadlines k \
             WHERE k.case_id = c.id ORDER BY k.due_on, k.kind) x)",
            "?",
        ),
    };
    format!(
        "SELECT {CASE_COLUMNS}, {officers} AS officers, {deadlines} AS deadlines \
         FROM cases c JOIN departments d ON d.id = c.department_id \
         JOIN enforcement_items i ON i.code = c.enforcement_item_code WHERE c.id = {param}"
    )
}

/// One case with its officers and deadlines, and the department path that
/// access decisions need — one statement.
pub fn load_case(conn: &mut DbConn, id: &str) -> AppResult<Option<(Case, String)>> {
    static PG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static SQLITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let row: Option<CaseByName> = match conn {
        DbConn::Pg(c) => {
            diesel::sql_query(PG.get_or_init(|| load_case_sql(crate::db::Backend::Postgres)))
                .bind::<Text, _>(id)
                .get_result(c)
                .optional()?
        }
        DbConn::Sqlite(c) => {
            diesel::sql_query(SQLITE.get_or_init(|| load_case_sql(crate::db::Backend::Sqlite)))
                .bind::<Text, _>(id)
                .get_result(c)
                .optional()?
        }
    };
    let Some(r) = row else { return Ok(None) };
    let officers: Vec<CaseOfficer> = serde_json::from_str(&r.officers)
        .map_err(|e| AppError::internal(format!("officers: {e}")))?;
    let deadlines: Vec<Deadline> = serde_json::from_str(&r.deadlines)
        .map_err(|e| AppError::internal(format!("deadlines: {e}")))?;
    let case = Case {
        id: r.id,
        case_no: r.case_no,
        status: enum_parse(&r.status).unwrap_or(CaseStatus::Filed),
        department_id: r.department_id,
        enforcement_item_code: r.enforcement_item_code,
        enforcement_item_name: r.item_name,
        source: enum_parse(&r.source).unwrap_or(Source::Inspection),
        procedure: enum_parse(&r.procedure).unwrap_or(Procedure::General),
        party: Party {
            kind: enum_parse(&r.party_kind).unwrap_or(super::rules::PartyKind::Person),
            name: r.party_name,
            id_type: enum_parse(&r.party_id_type).unwrap_or(super::rules::IdType::Other),
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
        version: r.version,
        officers,
        deadlines,
    };
    Ok(Some((case, r.department_path)))
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
    let attached: Vec<String> = case_officers::table
        .filter(case_officers::case_id.eq(id))
        .select(case_officers::user_id)
        .load(conn)?;
    Ok(Some(CaseScope {
        case_id,
        department_id,
        department_path,
        attached,
    }))
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

type SummaryRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    i32,
);

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
        .select((
            cases::id,
            cases::case_no,
            cases::status,
            cases::department_id,
            cases::enforcement_item_code,
            cases::party_name,
            cases::filed_at,
            cases::version,
        ))
        .order(cases::id.desc())
        .limit(limit)
        .into_boxed();
    match scope {
        ListScope::Department(d) => q = q.filter(cases::department_id.eq(d.clone())),
        ListScope::RegionPath(p) => q = q.filter(departments::path.like(format!("{p}%"))),
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
        let pattern = format!("%{}%", p.replace(['\\', '%', '_'], ""));
        q = q.filter(
            cases::party_name
                .like(pattern)
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
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let due: Vec<(String, NaiveDate)> = case_deadlines::table
        .filter(case_deadlines::case_id.eq_any(&ids))
        .filter(case_deadlines::kind.eq("decision"))
        .select((case_deadlines::case_id, case_deadlines::due_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| CaseSummary {
            decision_due: due.iter().find(|d| d.0 == r.0).map(|d| d.1),
            id: r.0,
            case_no: r.1,
            status: enum_parse(&r.2).unwrap_or(CaseStatus::Filed),
            department_id: r.3,
            enforcement_item_code: r.4,
            party_name: r.5,
            filed_at: rfc3339(r.6),
            version: r.7,
        })
        .collect())
}
