//! The party (当事人) as the law knows it: a citizen, an organisation or an
//! individual business, identified by a document whose check digits are
//! standards (GB 11643, GB 32100).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::db::enum_str;
use crate::error::{AppError, Code};
use crate::kernel::shape::{blank, check, not_blank};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 公民
    Person,
    /// 法人或者其他组织
    Organization,
    /// 个体工商户
    IndividualBusiness,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证 (GB 11643)
    IdCard,
    /// 统一社会信用代码 (GB 32100)
    Uscc,
    Passport,
    Other,
}

/// The party (当事人).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = organisation_has_representative, skip_on_field_errors = false))]
pub struct Party {
    pub kind: PartyKind,
    #[validate(custom(function = not_blank, code = "required", message = "the party's name is required"), length(max = 200, code = "too_long", message = "at most 200 characters"))]
    pub name: String,
    pub id_type: IdType,
    #[validate(custom(function = not_blank, code = "required", message = "the party's identity document number is required"))]
    pub id_number: String,
    #[validate(custom(function = not_blank, code = "required", message = "the party's address is required (行政处罚法第五十九条)"), length(max = 300, code = "too_long", message = "at most 300 characters"))]
    pub address: String,
    #[serde(default)]
    #[validate(custom(function = phone_shape, code = "invalid_phone", message = "a mobile number (11 digits from 1) or a landline with area code"))]
    pub phone: Option<String>,
    /// 法定代表人 — required for an organisation.
    #[serde(default)]
    pub legal_representative: Option<String>,
}

/// GB 11643-1999: 18 characters, 17 digits and a mod-11 check character
/// (0–9 or X), with a real date of birth in positions 7–14.
pub fn id_card_problem(id: &str) -> Option<&'static str> {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 {
        return Some("a citizen ID number has 18 characters");
    }
    if !chars[..17].iter().all(|c| c.is_ascii_digit()) {
        return Some("the first 17 characters of a citizen ID number are digits");
    }
    let birth: String = chars[6..14].iter().collect();
    if NaiveDate::parse_from_str(&birth, "%Y%m%d").is_err() {
        return Some("the date of birth in the citizen ID number is not a date");
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = chars[..17]
        .iter()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    if chars[17].to_ascii_uppercase() != CHECK[(sum % 11) as usize] {
        return Some("the check digit of the citizen ID number is wrong (GB 11643)");
    }
    None
}

/// GB 32100-2015: 18 characters from 0-9 and A–Y without I, O, Z, S, V;
/// the last is a mod-31 check character.
pub fn uscc_problem(code: &str) -> Option<&'static str> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Some("a unified social credit code has 18 characters");
    }
    let values: Option<Vec<u32>> = chars
        .iter()
        .map(|c| ALPHABET.find(*c).map(|i| i as u32))
        .collect();
    let Some(values) = values else {
        return Some(
            "a unified social credit code uses 0–9 and capital letters except I, O, S, V, Z",
        );
    };
    let sum: u32 = values[..17].iter().zip(W).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Some("the check character of the unified social credit code is wrong (GB 32100)");
    }
    None
}

/// Mainland mobile (1xx xxxx xxxx) or landline with area code (0xx-xxxxxxxx),
/// optionally with an extension.
pub fn phone_ok(phone: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
            .expect("valid regex")
    });
    re.is_match(phone.trim())
}

/// A phone number as `phone_ok` reads it (code `invalid_phone`).
fn phone_shape(phone: &str) -> Result<(), ValidationError> {
    if phone_ok(phone) {
        Ok(())
    } else {
        Err(ValidationError::new("invalid_phone"))
    }
}

/// An organisation names its legal representative (法定代表人).
fn organisation_has_representative(p: &Party) -> Result<(), ValidationError> {
    check(
        p.kind != PartyKind::Organization || !blank(p.legal_representative.as_deref()),
        "legal_representative",
        "required",
        "an organisation's legal representative is required",
    )
}

/// The identity document must fit the kind of party, and its check digit
/// must be right.
pub fn party_identity_error(p: &Party) -> Option<AppError> {
    let allowed: &[IdType] = match p.kind {
        PartyKind::Person => &[IdType::IdCard, IdType::Passport, IdType::Other],
        PartyKind::Organization => &[IdType::Uscc, IdType::Other],
        PartyKind::IndividualBusiness => &[IdType::Uscc, IdType::IdCard],
    };
    if !allowed.contains(&p.id_type) {
        return Some(AppError::rule_on_field(
            Code::PartyIdTypeMismatch,
            "party.id_type",
            format!(
                "id_type {} does not fit a party of kind {}",
                enum_str(&p.id_type),
                enum_str(&p.kind)
            ),
        ));
    }
    match p.id_type {
        IdType::IdCard => id_card_problem(p.id_number.trim())
            .map(|m| AppError::rule_on_field(Code::InvalidIdNumber, "party.id_number", m)),
        IdType::Uscc => uscc_problem(p.id_number.trim())
            .map(|m| AppError::rule_on_field(Code::InvalidUscc, "party.id_number", m)),
        _ => None,
    }
}
