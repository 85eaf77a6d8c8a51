//! 全过程记录 — the full-process record (APL Art 47): a per-case keyed hash
//! chain appended in the same transaction as every change, and the access
//! log of every read. Neither has an update or delete path.

pub mod access_log;
pub mod api;
pub mod chain;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::db::schema::{cases, record_entries};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
pub use chain::{ChainEntry, Verification, GENESIS};

/// Who acted: the user, the role they acted in and, when acting as an
/// officer, the enforcement certificate they acted under.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Actor {
    pub id: String,
    pub role: String,
    pub certificate: Option<String>,
}

/// One entry of a case's record, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordEntry {
    pub seq: i64,
    pub at: String,
    pub actor: Actor,
    pub action: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<ChainEntry> for RecordEntry {
    fn from(e: ChainEntry) -> Self {
        RecordEntry {
            seq: e.seq,
            at: e.at,
            actor: Actor {
                id: e.actor_id,
                role: e.actor_role,
                certificate: e.actor_certificate,
            },
            action: e.action,
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            request_id: e.request_id,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// A row of `record_entries`.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = record_entries)]
struct EntryRow {
    case_id: String,
    seq: i64,
    at: NaiveDateTime,
    actor_id: String,
    actor_role: String,
    actor_certificate: Option<String>,
    action: String,
    detail: String,
    request_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl From<EntryRow> for ChainEntry {
    fn from(r: EntryRow) -> ChainEntry {
        ChainEntry {
            case_id: r.case_id,
            seq: r.seq,
            at: rfc3339(r.at),
            actor_id: r.actor_id,
            actor_role: r.actor_role,
            actor_certificate: r.actor_certificate,
            action: r.action,
            detail: r.detail,
            request_id: r.request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// Appends one entry to a case's chain. Call it inside the transaction of
/// the change it records: if the entry cannot be written, nothing happens.
/// The first statement bumps the case's counter, which also serialises
/// concurrent appends to the same case on PostgreSQL (row lock).
#[allow(clippy::too_many_arguments)]
pub fn append(
    conn: &mut DbConn,
    key: &[u8],
    case_id: &str,
    actor: &Actor,
    action: &str,
    detail: &serde_json::Value,
    request_id: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<ChainEntry> {
    let at = crate::db::micros(at);
    // Every change of a case writes its entry here, so this is also where
    // the case's version (its ETag) moves on.
    // One round trip: the update takes the case's row lock and returns the
    // sequence number and chain head it leaves.
    let (seq, prev_hash): (i64, String) = diesel::update(cases::table.find(case_id))
        .set((
            cases::record_seq.eq(cases::record_seq + 1),
            cases::version.eq(cases::version + 1),
            cases::updated_at.eq(at),
        ))
        .returning((cases::record_seq, cases::record_head))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("case not found"))?;
    let entry = entry(
        key, case_id, seq, &prev_hash, actor, action, detail, request_id, at,
    )?;
    insert(conn, &entry)?;
    diesel::update(cases::table.find(case_id))
        .set(cases::record_head.eq(&entry.hash))
        .execute(conn)?;
    Ok(entry)
}

/// The entry a change appends: its place in the chain (`seq` after
/// `prev_hash`), its content, and its hash under the record key.
#[allow(clippy::too_many_arguments)]
pub fn entry(
    key: &[u8],
    case_id: &str,
    seq: i64,
    prev_hash: &str,
    actor: &Actor,
    action: &str,
    detail: &serde_json::Value,
    request_id: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<ChainEntry> {
    let mut entry = ChainEntry {
        case_id: case_id.to_string(),
        seq,
        at: rfc3339(crate::db::micros(at)),
        actor_id: actor.id.clone(),
        actor_role: actor.role.clone(),
        actor_certificate: actor.certificate.clone(),
        action: action.to_string(),
        detail: serde_json::to_string(detail).map_err(|e| AppError::internal(e.to_string()))?,
        request_id: request_id.map(str::to_owned),
        prev_hash: prev_hash.to_string(),
        hash: String::new(),
    };
    entry.hash = chain::entry_hash(key, &entry);
    Ok(entry)
}

/// Stores an entry (its case's head is moved by the change that wrote it).
pub fn insert(conn: &mut DbConn, entry: &ChainEntry) -> AppResult<()> {
    let at = chrono::DateTime::parse_from_rfc3339(&entry.at)
        .map(|t| t.naive_utc())
        .map_err(|e| AppError::internal(format!("entry time: {e}")))?;
    diesel::insert_into(record_entries::table)
        .values((
            record_entries::case_id.eq(&entry.case_id),
            record_entries::seq.eq(entry.seq),
            record_entries::at.eq(at),
            record_entries::actor_id.eq(&entry.actor_id),
            record_entries::actor_role.eq(&entry.actor_role),
            record_entries::actor_certificate.eq(&entry.actor_certificate),
            record_entries::action.eq(&entry.action),
            record_entries::detail.eq(&entry.detail),
            record_entries::request_id.eq(&entry.request_id),
            record_entries::prev_hash.eq(&entry.prev_hash),
            record_entries::hash.eq(&entry.hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every entry of a case, in stored order of `seq`.
pub fn load(conn: &mut DbConn, case_id: &str) -> AppResult<Vec<ChainEntry>> {
    let rows: Vec<EntryRow> = record_entries::table
        .filter(record_entries::case_id.eq(case_id))
        .order(record_entries::seq.asc())
        .select(EntryRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(ChainEntry::from).collect())
}

/// Verifies one case's chain against the key and the head kept on the case.
pub fn verify_case(conn: &mut DbConn, key: &[u8], case_id: &str) -> AppResult<Verification> {
    let (count, head): (i64, String) = cases::table
        .find(case_id)
        .select((cases::record_seq, cases::record_head))
        .first(conn)
        .map_err(crate::db::not_found_as("case"))?;
    let entries = load(conn, case_id)?;
    Ok(chain::verify(key, &entries, count, &head))
}

/// Verifies every case (or one); returns (case id, case number, result).
pub fn verify_all(
    conn: &mut DbConn,
    key: &[u8],
    only: Option<&str>,
) -> AppResult<Vec<(String, String, Verification)>> {
    let mut q = cases::table
        .select((cases::id, cases::case_no))
        .order(cases::id.asc())
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(cases::id.eq(id.to_string()));
    }
    let ids: Vec<(String, String)> = q.load(conn)?;
    if only.is_some() && ids.is_empty() {
        return Err(AppError::not_found("case not found"));
    }
    ids.into_iter()
        .map(|(id, no)| verify_case(conn, key, &id).map(|v| (id, no, v)))
        .collect()
}
