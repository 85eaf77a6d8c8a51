//! Pure rules about people: is an officer's enforcement certificate good
//! for this case on this day (APL Art 42, 55, 76(5)).

use chrono::NaiveDate;

use crate::auth::Role;
use crate::error::Code;

/// Enforcement domains (执法领域): the fields of certificates, the domain of
/// enforcement items and the powers of departments.
pub const DOMAINS: &[&str] = &[
    "market_regulation",
    "ecology_environment",
    "transport",
    "urban_management",
    "work_safety",
    "agriculture",
    "culture_tourism",
    "public_security",
];

pub fn is_domain(s: &str) -> bool {
    DOMAINS.contains(&s)
}

pub const USERNAME_RULE: &str = "3–64 characters of a–z, 0–9, '.', '_' or '-'";

/// Usernames: 3–64 of a–z, 0–9, '.', '_', '-' (the API and `zhifa user add` alike).
pub fn username_ok(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    Suspended,
    Revoked,
}

impl CertificateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Valid => "valid",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> CertificateStatus {
        match s {
            "valid" => CertificateStatus::Valid,
            "suspended" => CertificateStatus::Suspended,
            _ => CertificateStatus::Revoked,
        }
    }
}

/// A certificate as the rules need it.
#[derive(Debug, Clone)]
pub struct CertificateFacts {
    pub number: String,
    pub fields: Vec<String>,
    /// `region_path` of the certificate's area department: the area it covers.
    pub area_region_path: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: CertificateStatus,
}

/// A user proposed as an officer on a case.
#[derive(Debug, Clone)]
pub struct OfficerFacts {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department_id: String,
    pub disabled: bool,
    pub certificates: Vec<CertificateFacts>,
}

/// Why an officer cannot act on a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Unqualified {
    pub code: Code,
    pub detail: String,
}

/// Is the certificate in force on `day`?
pub fn in_force(c: &CertificateFacts, day: NaiveDate) -> bool {
    c.status == CertificateStatus::Valid && c.valid_from <= day && day <= c.valid_until
}

/// 执法资格 — may this user act as an officer on a case of `department_id`
/// (at `department_path`) for an item of `domain` on `day`? Returns the
/// number of the certificate they act under. One function, called by
/// intake and by every later step that needs officers.
///
/// APL Art 42 (certified officers), Art 55 (certificate shown), Art 76(5).
pub fn officer_qualified(
    o: &OfficerFacts,
    department_id: &str,
    department_path: &str,
    domain: &str,
    day: NaiveDate,
) -> Result<String, Unqualified> {
    let who = &o.display_name;
    if o.roles.contains(&Role::Auxiliary) && !o.roles.contains(&Role::Officer) {
        return Err(Unqualified {
            code: Code::AuxiliaryNotOfficer,
            detail: format!("{who} 是执法辅助人员，不具有行政执法资格，不能计入执法人员（行政处罚法第四十二条）"),
        });
    }
    if !o.roles.contains(&Role::Officer) || o.disabled {
        return Err(Unqualified {
            code: Code::OfficerNotInDepartment,
            detail: format!("{who} 不是本机关的执法人员（行政处罚法第四十二条）"),
        });
    }
    if o.department_id != department_id {
        return Err(Unqualified {
            code: Code::OfficerNotInDepartment,
            detail: format!("{who} 不属于办案机关（行政处罚法第十七条、第四十二条）"),
        });
    }
    if o.certificates.is_empty() {
        return Err(Unqualified {
            code: Code::CertificateMissing,
            detail: format!(
                "{who} 未取得行政执法证件（行政处罚法第四十二条、第七十六条第一款第五项）"
            ),
        });
    }
    let current: Vec<&CertificateFacts> =
        o.certificates.iter().filter(|c| in_force(c, day)).collect();
    if current.is_empty() {
        return Err(Unqualified {
            code: Code::CertificateNotValid,
            detail: format!(
                "{who} 的行政执法证件在 {day} 不在有效期内或已被暂扣、注销（行政处罚法第四十二条）"
            ),
        });
    }
    let for_field: Vec<&&CertificateFacts> = current
        .iter()
        .filter(|c| c.fields.iter().any(|f| f == domain))
        .collect();
    if for_field.is_empty() {
        return Err(Unqualified {
            code: Code::CertificateFieldMismatch,
            detail: format!("{who} 的行政执法证件执法类别不包括 {domain}（行政处罚法第四十二条）"),
        });
    }
    match for_field.iter().find(|c| department_path.starts_with(&c.area_region_path)) {
        Some(c) => Ok(c.number.clone()),
        None => Err(Unqualified {
            code: Code::CertificateAreaMismatch,
            detail: format!("{who} 的行政执法证件执法区域不包括办案机关所在地（行政处罚法第二十二条、第四十二条）"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cert() -> CertificateFacts {
        CertificateFacts {
            number: "53010200001".into(),
            fields: vec!["market_regulation".into()],
            area_region_path: "/yn/km/wh/".into(),
            valid_from: d(2024, 1, 1),
            valid_until: d(2028, 12, 31),
            status: CertificateStatus::Valid,
        }
    }

    fn officer() -> OfficerFacts {
        OfficerFacts {
            user_id: "u".into(),
            display_name: "李".into(),
            roles: vec![Role::Officer],
            department_id: "wh".into(),
            disabled: false,
            certificates: vec![cert()],
        }
    }

    fn check(o: &OfficerFacts, day: NaiveDate) -> Result<String, Code> {
        officer_qualified(o, "wh", "/yn/km/wh/wh-scj/", "market_regulation", day)
            .map_err(|e| e.code)
    }

    #[test]
    fn valid_officer_acts_under_their_certificate() {
        assert_eq!(check(&officer(), d(2026, 5, 1)), Ok("53010200001".into()));
        assert_eq!(check(&officer(), d(2028, 12, 31)), Ok("53010200001".into()));
    }

    #[test]
    fn every_defect_has_its_code() {
        let day = d(2026, 5, 1);
        let mut o = officer();
        o.roles = vec![Role::Auxiliary];
        assert_eq!(check(&o, day), Err(Code::AuxiliaryNotOfficer));
        let mut o = officer();
        o.department_id = "pl".into();
        assert_eq!(check(&o, day), Err(Code::OfficerNotInDepartment));
        let mut o = officer();
        o.certificates.clear();
        assert_eq!(check(&o, day), Err(Code::CertificateMissing));
        assert_eq!(
            check(&officer(), d(2029, 1, 1)),
            Err(Code::CertificateNotValid)
        );
        assert_eq!(
            check(&officer(), d(2023, 12, 31)),
            Err(Code::CertificateNotValid)
        );
        for status in [CertificateStatus::Suspended, CertificateStatus::Revoked] {
            let mut o = officer();
            o.certificates[0].status = status;
            assert_eq!(check(&o, day), Err(Code::CertificateNotValid));
        }
        let mut o = officer();
        o.certificates[0].fields = vec!["transport".into()];
        assert_eq!(check(&o, day), Err(Code::CertificateFieldMismatch));
        let mut o = officer();
        o.certificates[0].area_region_path = "/yn/km/pl/".into();
        assert_eq!(check(&o, day), Err(Code::CertificateAreaMismatch));
    }

    #[test]
    fn a_second_certificate_can_cover_what_the_first_does_not() {
        let mut o = officer();
        o.certificates[0].status = CertificateStatus::Revoked;
        let mut c2 = cert();
        c2.number = "2".into();
        c2.area_region_path = "/yn/km/".into();
        o.certificates.push(c2);
        assert_eq!(check(&o, d(2026, 5, 1)), Ok("2".into()));
    }
}
