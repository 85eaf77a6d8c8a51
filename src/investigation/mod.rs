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
use crate::cases::change::{change, Guard, How, Numbering};
use crate::cases::events::{CaseEvent, RecordMade};
use crate::cases::{readable_case, Access};
use crate::clock::{china_date, rfc3339};
use crate::db::json_text;
use crate::db::schema::investigation_records;
use crate::error::{AppError, AppResult};
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

/// Records an on-site or inquiry record as one change of the case: two
/// officers qualified on the day it was made, none withdrawn from the case,
/// the record's document (现场笔录 / 询问笔录) issued with it.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    r: NewRecord,
) -> AppResult<StoredRecord> {
    let how = How {
        issues_documents: true,
        ..How::guard(Guard::Change(crate::auth::scope::CHANGE_ROLES), if_match)
    };
    let (_, stored) = change(state, caller, case_id, how, move |ctx| {
        let item = ctx.item()?;
        let people = crate::org::officer_facts(ctx.conn, &r.officer_ids)?;
        // Qualified on the day the record was made.
        let day = china_date(r.started_at);
        let acting = crate::cases::rules::two_qualified_officers(
            &r.officer_ids,
            &people,
            &ctx.scope.department_id,
            &ctx.scope.department_path,
            &item.domain,
            day,
            "officer_ids",
        )?;
        // The record is made by officers of this case; a withdrawn one (回避) no longer acts.
        for (i, id) in r.officer_ids.iter().enumerate() {
            if ctx.scope.recused.contains(id) {
                return Err(AppError::rule_on_field(
                    crate::error::Code::OfficerRecused,
                    &format!("officer_ids[{i}]"),
                    "该执法人员已回避，不得参与本案调查（行政处罚法第四十三条）",
                ));
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
        let at = crate::db::micros(ctx.now.naive_utc());
        let started = crate::db::micros(r.started_at.naive_utc());
        let ended = crate::db::micros(r.ended_at.naive_utc());
        diesel::insert_into(investigation_records::table)
            .values((
                investigation_records::id.eq(&id),
                investigation_records::case_id.eq(&ctx.case.id),
                investigation_records::kind.eq(r.kind),
                investigation_records::started_at.eq(started),
                investigation_records::ended_at.eq(ended),
                investigation_records::place.eq(r.place.trim()),
                investigation_records::officers.eq(json_text(&officers)),
                investigation_records::body.eq(json_text(&r.body)),
                investigation_records::created_by.eq(&ctx.caller.user_id),
                investigation_records::created_at.eq(at),
            ))
            .execute(ctx.conn)?;
        // 现场笔录 / 询问笔录 as a document, in the same change.
        let mut names = vec![];
        for o in &officers {
            names.push(format!(
                "{}（执法证号：{}）",
                crate::documents::display_name(ctx.conn, &o.user_id)?,
                o.certificate_number
            ));
        }
        let when = |t: DateTime<Utc>| {
            let local = t.with_timezone(&crate::clock::china_offset());
            format!("{}", local.format("%Y年%m月%d日%H时%M分"))
        };
        let signed = r
            .body
            .get("party_signed")
            .or_else(|| r.body.get("interviewee_signed"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
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
        ctx.issue(kind, extra, Numbering::Counter)?;
        let made = RecordMade {
            record_id: id.clone(),
            started_at: rfc3339(started),
            ended_at: rfc3339(ended),
            place: r.place.trim().into(),
            officers: serde_json::to_value(&officers).unwrap_or_default(),
            interviewee: r.body.get("interviewee").and_then(|i| i.get("name")).cloned(),
        };
        let event = match r.kind {
            RecordKind::Onsite => CaseEvent::OnsiteRecord(made),
            RecordKind::Inquiry => CaseEvent::InquiryRecord(made),
        };
        let stored = StoredRecord {
            id,
            case_id: ctx.case.id.to_string(),
            kind: r.kind,
            started_at: rfc3339(started),
            ended_at: rfc3339(ended),
            place: r.place.trim().into(),
            officers,
            body: r.body.clone(),
            created_by: ctx.caller.user_id.clone(),
            created_at: rfc3339(at),
        };
        Ok((event, stored))
    })
    .await?;
    Ok(stored)
}

/// A record as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = investigation_records)]
struct Row {
    id: String,
    case_id: String,
    kind: RecordKind,
    started_at: NaiveDateTime,
    ended_at: NaiveDateTime,
    place: String,
    officers: String,
    body: String,
    created_by: String,
    created_at: NaiveDateTime,
}

crate::db::text_enum!(RecordKind);

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
                .filter(investigation_records::kind.eq(kind))
                .order(investigation_records::created_at.asc())
                .select(Row::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|r| StoredRecord {
                    id: r.id,
                    case_id: r.case_id,
                    kind: r.kind,
                    started_at: rfc3339(r.started_at),
                    ended_at: rfc3339(r.ended_at),
                    place: r.place,
                    officers: serde_json::from_str(&r.officers).unwrap_or_default(),
                    body: serde_json::from_str(&r.body).unwrap_or_default(),
                    created_by: r.created_by,
                    created_at: rfc3339(r.created_at),
                })
                .collect())
        })
        .await
}
