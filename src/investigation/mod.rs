//! 调查取证笔录 — on-site and inquiry records on a case. Each needs two
//! certified officers of the case's department (APL Art 42, through
//! `cases::rules::two_qualified_officers`) and is recorded in the case's
//! chain in the same transaction.

pub mod api;
pub mod rules;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::cases::{readable_case, writable_case, Access};
use crate::clock::{china_date, rfc3339};
use crate::db::schema::investigation_records;
use crate::db::{enum_parse, enum_str, json_text};
use crate::error::{AppError, AppResult};
use crate::records;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// 现场笔录
    Onsite,
    /// 询问笔录
    Inquiry,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActingOfficer {
    pub user_id: String,
    pub certificate_number: String,
}

/// A stored record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredRecord {
    pub id: String,
    pub case_id: String,
    pub kind: RecordKind,
    pub started_at: String,
    pub ended_at: String,
    pub place: String,
    pub officers: Vec<ActingOfficer>,
    /// The record as accepted.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub created_by: String,
    pub created_at: String,
}

/// What the use case needs of either record.
pub struct NewRecord {
    pub kind: RecordKind,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub place: String,
    pub officer_ids: Vec<String>,
    pub body: serde_json::Value,
}

pub async fn add(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    r: NewRecord,
) -> AppResult<StoredRecord> {
    let scope = writable_case(state, caller, case_id).await?;
    let issuer = crate::documents::issuer(state).await?;
    let now = state.clock.now();
    let key = state.settings.record_key.clone();
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            let open = crate::cases::store::open_case(conn, &scope.case_id, if_match)?;
            let item = crate::items::find(conn, &open.enforcement_item_code)?
                .ok_or_else(|| AppError::internal("the case's item is gone"))?;
            let people = crate::org::officer_facts(conn, &r.officer_ids)?;
            // Qualified on the day the record was made.
            let day = china_date(r.started_at);
            let acting = crate::cases::rules::two_qualified_officers(
                &r.officer_ids,
                &people,
                &scope.department_id,
                &scope.department_path,
                &item.domain,
                day,
                "officer_ids",
            )?;
            // The record is made by officers of this case; a withdrawn one (回避) no longer acts.
            for (i, id) in r.officer_ids.iter().enumerate() {
                if scope.recused.contains(id) {
                    return Err(AppError::rule_on_field(crate::error::Code::OfficerRecused, &format!("officer_ids[{i}]"), "该执法人员已回避，不得参与本案调查（行政处罚法第四十三条）"));
                }
            }
            let officers: Vec<ActingOfficer> = acting
                .into_iter()
                .map(|(user_id, certificate_number)| ActingOfficer {
                    user_id,
                    certificate_number,
                })
                .collect();
            let id = uuid::Uuid::now_v7().to_string();
            let at = crate::db::micros(now.naive_utc());
            let started = crate::db::micros(r.started_at.naive_utc());
            let ended = crate::db::micros(r.ended_at.naive_utc());
            diesel::insert_into(investigation_records::table)
                .values((
                    investigation_records::id.eq(&id),
                    investigation_records::case_id.eq(&scope.case_id),
                    investigation_records::kind.eq(enum_str(&r.kind)),
                    investigation_records::started_at.eq(started),
                    investigation_records::ended_at.eq(ended),
                    investigation_records::place.eq(r.place.trim()),
                    investigation_records::officers.eq(json_text(&officers)),
                    investigation_records::body.eq(json_text(&r.body)),
                    investigation_records::created_by.eq(&caller.user_id),
                    investigation_records::created_at.eq(at),
                ))
                .execute(conn)?;
            let own = officers
                .iter()
                .find(|o| o.user_id == caller.user_id)
                .map(|o| o.certificate_number.clone());
            let action = match r.kind {
                RecordKind::Onsite => "record.onsite",
                RecordKind::Inquiry => "record.inquiry",
            };
            // 现场笔录 / 询问笔录 as a document, in the same transaction.
            let mut names = vec![];
            for o in &officers {
                names.push(format!(
                    "{}（执法证号：{}）",
                    crate::documents::display_name(conn, &o.user_id)?,
                    o.certificate_number
                ));
            }
            let when = |t: DateTime<Utc>| {
                let local = t.with_timezone(&crate::clock::china_offset());
                format!("{}", local.format("%Y年%m月%d日%H时%M分"))
            };
            let signed = r.body.get("party_signed").or_else(|| r.body.get("interviewee_signed")).and_then(|v| v.as_bool()).unwrap_or(false);
            let note = r.body.get("refusal_note").and_then(|v| v.as_str()).unwrap_or("");
            let interviewee = r.body.get("interviewee").map(|i| {
                format!(
                    "{}（{}）",
                    i.get("name").and_then(|v| v.as_str()).unwrap_or(""),
                    i.get("relation").and_then(|v| v.as_str()).unwrap_or("")
                )
            });
            let extra = serde_json::json!({"record": {
                "time": format!("{}至{}", when(r.started_at), when(r.ended_at)),
                "place": r.place.trim(),
                "officers": names.join("、"),
                "content": r.body.get("content"),
                "party_opinion": r.body.get("party_opinion"),
                "interviewee": interviewee,
                "questions": r.body.get("questions"),
                "signature": if signed { "当事人（被询问人）已核对笔录并签名。".to_string() } else { format!("当事人（被询问人）拒绝签名。执法人员注明：{note}") },
            }});
            let kind = match r.kind {
                RecordKind::Onsite => "onsite_record",
                RecordKind::Inquiry => "inquiry_record",
            };
            let template = crate::documents::load_template(&issuer.templates, kind)?;
            let doc = crate::documents::issue(conn, &issuer, &scope.case_id, &template, None, extra, &caller.user_id, at)?;
            records::append(
                conn,
                key.as_bytes(),
                &scope.case_id,
                &crate::cases::actor_for(&caller, own),
                action,
                &serde_json::json!({
                    "record_id": id,
                    "started_at": rfc3339(started),
                    "ended_at": rfc3339(ended),
                    "place": r.place.trim(),
                    "officers": officers,
                    "interviewee": r.body.get("interviewee").and_then(|i| i.get("name")),
                    "documents": [{"document_id": doc.id, "kind": doc.kind, "number": doc.number, "sha256": doc.sha256}],
                }),
                Some(&caller.request_id),
                at,
            )?;
            Ok(StoredRecord {
                id,
                case_id: scope.case_id.clone(),
                kind: r.kind,
                started_at: rfc3339(started),
                ended_at: rfc3339(ended),
                place: r.place.trim().into(),
                officers,
                body: r.body,
                created_by: caller.user_id.clone(),
                created_at: rfc3339(at),
            })
        })
        .await
}

type Row = (
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    String,
    String,
    String,
    String,
    NaiveDateTime,
);

/// The records of one kind on a case, oldest first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    kind: RecordKind,
) -> AppResult<Vec<StoredRecord>> {
    let scope = readable_case(state, caller, case_id, Access::ReadCase).await?;
    state
        .db
        .run(move |conn| {
            let rows: Vec<Row> = investigation_records::table
                .filter(investigation_records::case_id.eq(&scope.case_id))
                .filter(investigation_records::kind.eq(enum_str(&kind)))
                .order(investigation_records::created_at.asc())
                .select((
                    investigation_records::id,
                    investigation_records::case_id,
                    investigation_records::kind,
                    investigation_records::started_at,
                    investigation_records::ended_at,
                    investigation_records::place,
                    investigation_records::officers,
                    investigation_records::body,
                    investigation_records::created_by,
                    investigation_records::created_at,
                ))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|r| StoredRecord {
                    id: r.0,
                    case_id: r.1,
                    kind: enum_parse(&r.2).unwrap_or(kind),
                    started_at: rfc3339(r.3),
                    ended_at: rfc3339(r.4),
                    place: r.5,
                    officers: serde_json::from_str(&r.6).unwrap_or_default(),
                    body: serde_json::from_str(&r.7).unwrap_or_default(),
                    created_by: r.8,
                    created_at: rfc3339(r.9),
                })
                .collect())
        })
        .await
}
