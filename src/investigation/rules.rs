//! 笔录 — on-site records (现场笔录) and inquiry records (询问笔录), pure:
//! what each must contain before it is accepted (REFERENCE §5.2; APL Art
//! 42, 43, 55).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::error::FieldError;
use crate::kernel::shape::{blank, check, not_blank};

/// `POST /cases/{id}/records/onsite`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = onsite_in_order, skip_on_field_errors = false))]
#[validate(schema(function = party_signed_or_noted, skip_on_field_errors = false))]
pub struct OnsiteRecord {
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "required"), length(max = 300, code = "too_long", message = "at most 300 characters"))]
    pub place: String,
    /// At least two certified officers (APL Art 42), who showed their certificates (Art 55).
    pub officer_ids: Vec<String>,
    /// What was inspected and found, recorded objectively and fully.
    #[validate(custom(function = not_blank, code = "required", message = "required"), length(max = 50000, code = "too_long", message = "at most 50000 characters"))]
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

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Interviewee {
    #[validate(custom(function = not_blank, code = "required", message = "required"), length(max = 100, code = "too_long", message = "at most 100 characters"))]
    pub name: String,
    #[serde(default)]
    pub id_number: Option<String>,
    /// Relation to the case (当事人、法定代表人、员工、证人…).
    #[validate(custom(function = not_blank, code = "required", message = "required"), length(max = 100, code = "too_long", message = "at most 100 characters"))]
    pub relation: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct QuestionAnswer {
    #[validate(custom(function = not_blank, code = "required", message = "required"), length(max = 5000, code = "too_long", message = "at most 5000 characters"))]
    pub q: String,
    #[validate(custom(function = not_blank, code = "required", message = "required"), length(max = 20000, code = "too_long", message = "at most 20000 characters"))]
    pub a: String,
}

/// `POST /cases/{id}/records/inquiry` — one record per interviewee.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = inquiry_in_order, skip_on_field_errors = false))]
#[validate(schema(function = rights_notified, skip_on_field_errors = false))]
#[validate(schema(function = interviewee_signed_or_noted, skip_on_field_errors = false))]
pub struct InquiryRecord {
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    #[validate(custom(function = not_blank, code = "required", message = "required"), length(max = 300, code = "too_long", message = "at most 300 characters"))]
    pub place: String,
    pub officer_ids: Vec<String>,
    #[validate(nested)]
    pub interviewee: Interviewee,
    /// The officers showed their certificates (Art 55) and told the
    /// interviewee of the right to ask for recusal (Art 43).
    pub rights_notified: bool,
    #[validate(
        length(
            min = 1,
            code = "required",
            message = "an inquiry records its questions and answers"
        ),
        nested
    )]
    pub questions: Vec<QuestionAnswer>,
    /// The interviewee read the record and signed every page.
    pub interviewee_signed: bool,
    #[serde(default)]
    pub refusal_note: Option<String>,
}

/// The record ends after it starts.
fn in_order(started_at: DateTime<Utc>, ended_at: DateTime<Utc>) -> Result<(), ValidationError> {
    check(
        ended_at >= started_at,
        "ended_at",
        "dates_out_of_order",
        "the record ends before it starts",
    )
}

fn onsite_in_order(r: &OnsiteRecord) -> Result<(), ValidationError> {
    in_order(r.started_at, r.ended_at)
}

fn inquiry_in_order(r: &InquiryRecord) -> Result<(), ValidationError> {
    in_order(r.started_at, r.ended_at)
}

/// Signed, or the officers record why not.
fn noted(
    signed: bool,
    note: &Option<String>,
    message: &'static str,
) -> Result<(), ValidationError> {
    check(
        signed || !blank(note.as_deref()),
        "refusal_note",
        "required",
        message,
    )
}

fn party_signed_or_noted(r: &OnsiteRecord) -> Result<(), ValidationError> {
    noted(
        r.party_signed,
        &r.refusal_note,
        "the party did not sign: the officers record why (absent, refused) in refusal_note",
    )
}

fn interviewee_signed_or_noted(r: &InquiryRecord) -> Result<(), ValidationError> {
    noted(
        r.interviewee_signed,
        &r.refusal_note,
        "the interviewee did not sign: the officers record why (absent, refused) in refusal_note",
    )
}

/// The rights notice comes first (Art 43, 55).
fn rights_notified(r: &InquiryRecord) -> Result<(), ValidationError> {
    check(
        r.rights_notified,
        "rights_notified",
        "rights_not_notified",
        "show the certificates and tell the interviewee of the right to ask for recusal first (行政处罚法第四十三条、第五十五条)",
    )
}

/// A record cannot end in the future (the shape of a record is its type's
/// derive; this needs the clock).
pub fn ended_in_future(ended_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<FieldError> {
    (ended_at > now).then(|| {
        FieldError::new(
            "ended_at",
            "date_in_future",
            "a record cannot end in the future",
        )
    })
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
        assert!(r.validate().is_ok());
        assert!(ended_in_future(r.ended_at, now).is_none());
        r.rights_notified = false;
        r.interviewee_signed = false;
        r.questions[0].a = " ".into();
        r.ended_at = r.started_at - chrono::Duration::hours(1);
        let fields: Vec<(String, String)> = crate::error::shape_errors(&r.validate().unwrap_err())
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        let want = [
            ("ended_at", "dates_out_of_order"),
            ("questions[0].a", "required"),
            ("refusal_note", "required"),
            ("rights_notified", "rights_not_notified"),
        ];
        assert_eq!(fields, want.map(|(f, c)| (f.to_string(), c.to_string())));
        r.ended_at = now + chrono::Duration::hours(1);
        assert_eq!(
            ended_in_future(r.ended_at, now).map(|e| e.code),
            Some("date_in_future".to_string())
        );
    }
}
