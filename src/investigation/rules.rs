//! 笔录 — on-site records (现场笔录) and inquiry records (询问笔录), pure:
//! what each must contain before it is accepted (REFERENCE §5.2; APL Art
//! 42, 43, 55).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;

/// `POST /cases/{id}/records/onsite`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnsiteRecord {
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub place: String,
    /// At least two certified officers (APL Art 42), who showed their certificates (Art 55).
    pub officer_ids: Vec<String>,
    /// What was inspected and found, recorded objectively and fully.
    pub content: String,
    #[serde(default)]
    pub party_opinion: Option<String>,
    /// The party (or its representative) signed the record.
    pub party_signed: bool,
    /// When the party is absent or refuses to sign: why, as the officers record it.
    #[serde(default)]
    pub refusal_note: Option<String>,
    /// A witness who signed instead of the party.
    #[serde(default)]
    pub witness: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Interviewee {
    pub name: String,
    #[serde(default)]
    pub id_number: Option<String>,
    /// Relation to the case (当事人、法定代表人、员工、证人…).
    pub relation: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionAnswer {
    pub q: String,
    pub a: String,
}

/// `POST /cases/{id}/records/inquiry` — one record per interviewee.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InquiryRecord {
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub place: String,
    pub officer_ids: Vec<String>,
    pub interviewee: Interviewee,
    /// The officers showed their certificates (Art 55) and told the
    /// interviewee of the right to ask for recusal (Art 43).
    pub rights_notified: bool,
    pub questions: Vec<QuestionAnswer>,
    /// The interviewee read the record and signed every page.
    pub interviewee_signed: bool,
    #[serde(default)]
    pub refusal_note: Option<String>,
}

fn text(out: &mut Vec<FieldError>, field: &str, v: &str, max: usize) {
    let n = v.trim().chars().count();
    if n == 0 {
        out.push(FieldError::new(field, "required", "required"));
    } else if n > max {
        out.push(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
}

fn times(out: &mut Vec<FieldError>, start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) {
    if end < start {
        out.push(FieldError::new(
            "ended_at",
            "dates_out_of_order",
            "the record ends before it starts",
        ));
    }
    if end > now {
        out.push(FieldError::new(
            "ended_at",
            "date_in_future",
            "a record cannot end in the future",
        ));
    }
}

fn unsigned(out: &mut Vec<FieldError>, signed: bool, note: &Option<String>, who: &str) {
    if !signed && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        out.push(FieldError::new(
            "refusal_note",
            "required",
            format!(
                "{who} did not sign: the officers record why (absent, refused) in refusal_note"
            ),
        ));
    }
}

pub fn onsite_errors(r: &OnsiteRecord, now: DateTime<Utc>) -> Vec<FieldError> {
    let mut out = vec![];
    times(&mut out, r.started_at, r.ended_at, now);
    text(&mut out, "place", &r.place, 300);
    text(&mut out, "content", &r.content, 50_000);
    unsigned(&mut out, r.party_signed, &r.refusal_note, "the party");
    out
}

pub fn inquiry_errors(r: &InquiryRecord, now: DateTime<Utc>) -> Vec<FieldError> {
    let mut out = vec![];
    times(&mut out, r.started_at, r.ended_at, now);
    text(&mut out, "place", &r.place, 300);
    text(&mut out, "interviewee.name", &r.interviewee.name, 100);
    text(
        &mut out,
        "interviewee.relation",
        &r.interviewee.relation,
        100,
    );
    if !r.rights_notified {
        out.push(FieldError::new(
            "rights_notified",
            "rights_not_notified",
            "show the certificates and tell the interviewee of the right to ask for recusal first (行政处罚法第四十三条、第五十五条)",
        ));
    }
    if r.questions.is_empty() {
        out.push(FieldError::new(
            "questions",
            "required",
            "an inquiry records its questions and answers",
        ));
    }
    for (i, qa) in r.questions.iter().enumerate() {
        text(&mut out, &format!("questions[{i}].q"), &qa.q, 5_000);
        text(&mut out, &format!("questions[{i}].a"), &qa.a, 20_000);
    }
    unsigned(
        &mut out,
        r.interviewee_signed,
        &r.refusal_note,
        "the interviewee",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inquiry_needs_rights_questions_and_a_signature_or_a_note() {
        let now = Utc::now();
        let mut r = InquiryRecord {
            started_at: now - chrono::Duration::hours(2),
            ended_at: now - chrono::Duration::hours(1),
            place: "执法局询问室".into(),
            officer_ids: vec![],
            interviewee: Interviewee {
                name: "赵某".into(),
                id_number: None,
                relation: "法定代表人".into(),
                phone: None,
                address: None,
            },
            rights_notified: true,
            questions: vec![QuestionAnswer {
                q: "是否取得许可？".into(),
                a: "没有。".into(),
            }],
            interviewee_signed: true,
            refusal_note: None,
        };
        assert!(inquiry_errors(&r, now).is_empty());
        r.rights_notified = false;
        r.interviewee_signed = false;
        r.ended_at = now + chrono::Duration::hours(1);
        let fields: Vec<String> = inquiry_errors(&r, now)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["ended_at", "rights_notified", "refusal_note"]);
    }
}
