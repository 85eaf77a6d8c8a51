//! 证据 — evidence on a case (APL Art 46): files stored content-addressed
//! by SHA-256 under the data directory, their hash, size and type in the
//! database, the hash verified again on every download, every addition in
//! the case's record chain.

pub mod api;
pub mod rules;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::cases::change::{change, Guard, How};
use crate::cases::events::{CaseEvent, EvidenceAdded};
use crate::cases::{readable_case, Access};
use crate::clock::rfc3339;
use crate::db::enum_str;
use crate::db::schema::evidence;
use crate::error::{AppError, AppResult, Code};
use crate::state::AppState;
pub use rules::{EvidenceKind, EvidenceMeta};

/// The largest evidence file accepted (house limit).
pub use crate::blobs::{blob_path, read_verified, Incoming, MAX_FILE_BYTES};

/// A piece of evidence as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub id: String,
    pub case_id: String,
    pub kind: EvidenceKind,
    pub kind_name: String,
    pub title: String,
    pub description: Option<String>,
    pub collected_at: String,
    pub location: Option<String>,
    pub sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub file_name: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

/// A received upload, checked.
#[derive(Clone)]
pub struct Upload {
    pub meta: EvidenceMeta,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub file_name: Option<String>,
}

/// Stores the evidence row and its record entry as one change of the case
/// (the blob is already at its content address). The upload's handler
/// checked `cases::writable_case` before the upload was read.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    up: Upload,
) -> AppResult<Evidence> {
    let how = How::guard(Guard::Change(crate::auth::scope::CHANGE_ROLES), if_match);
    let (_, evidence) = change(state, caller, case_id, how, move |ctx| {
        let id = uuid::Uuid::now_v7().to_string();
        let at = crate::db::micros(ctx.now.naive_utc());
        let collected = crate::db::micros(up.meta.collected_at.naive_utc());
        diesel::insert_into(evidence::table)
            .values((
                evidence::id.eq(&id),
                evidence::case_id.eq(&ctx.case.id),
                evidence::kind.eq(up.meta.kind),
                evidence::title.eq(up.meta.title.trim()),
                evidence::description.eq(&up.meta.description),
                evidence::collected_at.eq(collected),
                evidence::location.eq(&up.meta.location),
                evidence::sha256.eq(&up.sha256),
                evidence::size_bytes.eq(up.size as i64),
                evidence::media_type.eq(&up.media_type),
                evidence::file_name.eq(&up.file_name),
                evidence::created_by.eq(&ctx.caller.user_id),
                evidence::created_at.eq(at),
            ))
            .execute(ctx.conn)?;
        let event = CaseEvent::EvidenceAdded(EvidenceAdded {
            evidence_id: id.clone(),
            kind: enum_str(&up.meta.kind),
            title: up.meta.title.trim().into(),
            sha256: up.sha256.clone(),
            size_bytes: up.size,
            media_type: up.media_type.clone(),
            collected_at: rfc3339(collected),
        });
        let view = Evidence {
            kind_name: up.meta.kind.chinese().into(),
            id,
            case_id: ctx.case.id.to_string(),
            kind: up.meta.kind,
            title: up.meta.title.trim().into(),
            description: up.meta.description.clone(),
            collected_at: rfc3339(collected),
            location: up.meta.location.clone(),
            sha256: up.sha256.clone(),
            size_bytes: up.size as i64,
            media_type: up.media_type.clone(),
            file_name: up.file_name.clone(),
            created_by: ctx.caller.user_id.clone(),
            created_at: rfc3339(at),
        };
        Ok((event, view))
    })
    .await?;
    Ok(evidence)
}

/// A piece of evidence as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = evidence)]
struct Row {
    id: String,
    case_id: String,
    kind: EvidenceKind,
    title: String,
    description: Option<String>,
    collected_at: NaiveDateTime,
    location: Option<String>,
    sha256: String,
    size_bytes: i64,
    media_type: String,
    file_name: Option<String>,
    created_by: String,
    created_at: NaiveDateTime,
}

crate::db::text_enum!(EvidenceKind);

impl Row {
    fn view(self) -> Evidence {
        Evidence {
            kind_name: self.kind.chinese().into(),
            kind: self.kind,
            id: self.id,
            case_id: self.case_id,
            title: self.title,
            description: self.description,
            collected_at: rfc3339(self.collected_at),
            location: self.location,
            sha256: self.sha256,
            size_bytes: self.size_bytes,
            media_type: self.media_type,
            file_name: self.file_name,
            created_by: self.created_by,
            created_at: rfc3339(self.created_at),
        }
    }
}

/// The evidence of a case, oldest first.
pub async fn list(state: &AppState, caller: &Caller, case_id: &str) -> AppResult<Vec<Evidence>> {
    let scope = readable_case(state, caller, case_id, Access::ReadCase).await?;
    state
        .db
        .run(move |conn| of_case(conn, &scope.case_id))
        .await
}

/// The evidence rows of a case, oldest first (no access check: callers have made it).
pub fn of_case(conn: &mut crate::db::DbConn, case_id: &str) -> AppResult<Vec<Evidence>> {
    let rows: Vec<Row> = evidence::table
        .filter(evidence::case_id.eq(case_id))
        .order(evidence::created_at.asc())
        .select(Row::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Row::view).collect())
}

/// One piece of evidence and its verified content.
pub async fn content(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    evidence_id: &str,
) -> AppResult<(Evidence, Vec<u8>)> {
    let scope = readable_case(state, caller, case_id, Access::ReadEvidence).await?;
    let eid = evidence_id.to_string();
    let e = state
        .db
        .run(move |conn| {
            Ok(evidence::table
                .filter(evidence::case_id.eq(&scope.case_id))
                .filter(evidence::id.eq(&eid))
                .select(Row::as_select())
                .first(conn)
                .optional()?
                .map(Row::view))
        })
        .await?
        .ok_or_else(|| AppError::not_found("evidence not found"))?;
    let dir = state.settings.data_dir.clone();
    let sha = e.sha256.clone();
    let bytes = actix_web::web::block(move || read_verified(&dir, &sha)).await??;
    Ok((e, bytes))
}
