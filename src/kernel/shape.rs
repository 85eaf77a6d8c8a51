//! The shapes of request bodies: the custom checks the `validator` derives
//! on the request types use (a required text is not blank once trimmed),
//! and how a struct-level check names the field it is about.
//!
//! Shape only: what a body must look like whatever the case, the clock or
//! the database say (400 `validation_failed`). Rules of the law stay in
//! the capabilities' `rules.rs` and in `Step::take` (422).

use std::borrow::Cow;

use validator::ValidationError;

/// The param of a struct-level error (`#[validate(schema(...))]`) that
/// names its field, relative to the struct (`error::shape_errors` reads it).
pub const FIELD: &str = "field";

/// A required text: present and not blank once trimmed (code `required`;
/// the attribute's `message` says what is missing).
pub fn not_blank(s: &str) -> Result<(), ValidationError> {
    if s.trim().is_empty() {
        Err(ValidationError::new("required"))
    } else {
        Ok(())
    }
}

/// A text that is absent, or blank once trimmed.
pub fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

/// The error of a struct-level check, naming `field` (relative to the
/// struct: `refusal_note`, `penalties`, `checklist.subject.note`).
pub fn at(
    field: impl Into<String>,
    code: &'static str,
    message: impl Into<Cow<'static, str>>,
) -> ValidationError {
    let mut e = ValidationError::new(code).with_message(message.into());
    e.add_param(Cow::Borrowed(FIELD), &field.into());
    e
}

/// A struct-level check that holds when `ok`, else names `field`.
pub fn check(
    ok: bool,
    field: &str,
    code: &'static str,
    message: &'static str,
) -> Result<(), ValidationError> {
    if ok {
        Ok(())
    } else {
        Err(at(field, code, message))
    }
}

/// Harm stated as having resulted (危害后果, APL Art 36 ¶1) is described:
/// `harm_description` is required when `harm_resulted` is true, and says
/// nothing when it is false.
pub fn harm_described(
    harm_resulted: bool,
    harm_description: Option<&str>,
) -> Result<(), ValidationError> {
    if harm_resulted {
        check(
            !blank(harm_description),
            "harm_description",
            "required",
            "describe the harm that resulted (行政处罚法第三十六条第一款：危害后果)",
        )
    } else {
        check(
            blank(harm_description),
            "harm_description",
            "not_allowed",
            "a description of harm needs harm_resulted: true",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_empty_after_trimming() {
        assert!(not_blank(" \t\n").is_err());
        assert_eq!(not_blank("").unwrap_err().code, "required");
        assert!(not_blank(" x ").is_ok());
        assert!(blank(None));
        assert!(blank(Some("  ")));
        assert!(!blank(Some("理由")));
    }
}
