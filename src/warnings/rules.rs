//! Risk warnings (执法风险预警), pure. For one case: every open deadline
//! that is near (within the department's lead time, in working days) or
//! passed, with the basis it was stored with.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::Calendar;

/// An open deadline of a case.
#[derive(Debug, Clone)]
pub struct OpenDeadline {
    pub kind: String,
    pub due_on: NaiveDate,
    pub basis: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Due within the lead time.
    DeadlineNear,
    /// The last day has passed.
    DeadlinePassed,
    /// A decision's publication was not released by its due day (SAMR
    /// Order 45 Art 9; 国办发〔2018〕118号: 7 working days).
    PublicationOverdue,
}

/// The deadline whose passing is a publication overdue.
pub const PUBLICATION_DEADLINE: &str = "publication";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Warning {
    pub kind: WarningKind,
    pub deadline: String,
    pub due_on: NaiveDate,
    /// Working days from today to the last day (0 = due today); for a
    /// passed deadline, calendar days since it.
    pub days: i64,
    pub basis: String,
    pub message: String,
}

/// The warnings of one case on `today`. A deadline is near when at most
/// `lead_working_days` working days remain (the last day counts).
pub fn deadline_warnings(
    deadlines: &[OpenDeadline],
    today: NaiveDate,
    cal: &Calendar,
    lead_working_days: u32,
) -> Vec<Warning> {
    let mut out = vec![];
    for d in deadlines {
        if d.due_on < today {
            let late = (today - d.due_on).num_days();
            out.push(Warning {
                kind: if d.kind == PUBLICATION_DEADLINE {
                    WarningKind::PublicationOverdue
                } else {
                    WarningKind::DeadlinePassed
                },
                deadline: d.kind.clone(),
                due_on: d.due_on,
                days: late,
                basis: d.basis.clone(),
                message: format!("期限已于{}届满，已超过{late}日（{}）", d.due_on, d.basis),
            });
            continue;
        }
        let left = i64::from(cal.working_days_between(today, d.due_on));
        if left <= i64::from(lead_working_days) {
            out.push(Warning {
                kind: WarningKind::DeadlineNear,
                deadline: d.kind.clone(),
                due_on: d.due_on,
                days: left,
                basis: d.basis.clone(),
                message: if left == 0 {
                    format!("期限今日（{}）届满（{}）", d.due_on, d.basis)
                } else {
                    format!(
                        "期限将于{}届满，尚余{left}个工作日（{}）",
                        d.due_on, d.basis
                    )
                },
            });
        }
    }
    out.sort_by_key(|w| w.due_on);
    out
}

// ------------------------------------------------------------ across cases

/// How urgent a warning is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

/// The kinds of risk warning across cases (REFERENCE §1.9, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    /// A stored deadline of an open case is near (the profile's lead time).
    DeadlineNear,
    /// A stored deadline of an open case has passed.
    DeadlinePassed,
    /// An officer's certificate expires within 30 days.
    CertificateExpiring,
    /// An officer holding open cases has no certificate in force (Art 76 (5)).
    CertificateExpired,
    /// A fine far from comparable cases' (同案同罚; the consistency function).
    DiscretionOutlier,
    /// An enterprise (USCC) party to more cases in the period than the profile allows.
    EnterpriseInspections,
    /// A case's officers were not qualified on an act's date (Art 42, 76 (5)).
    OfficerNotQualified,
    /// A veto item (REFERENCE §6.2) failed on an open case: still to be mended.
    VetoDefect,
    /// A served decision's publication was not released by its due day
    /// (SAMR Order 45 Art 9; 国办发〔2018〕118号).
    PublicationOverdue,
}

/// One risk warning.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RiskWarning {
    /// Stable while the cause lasts; the list's order and cursor.
    pub id: String,
    pub kind: RiskKind,
    pub severity: Severity,
    pub department_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_no: Option<String>,
    /// The officer concerned (certificate warnings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The enterprise concerned (its USCC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    pub message: String,
    pub basis: String,
}

/// An officer and their certificates, for the certificate warnings.
pub struct OfficerCertificates<'a> {
    pub user_id: &'a str,
    pub display_name: &'a str,
    pub department_id: &'a str,
    pub certificates: &'a [crate::org::rules::CertificateFacts],
    pub open_cases: usize,
}

/// Days before expiry a certificate warns.
pub const CERTIFICATE_LEAD_DAYS: i64 = 30;

/// An officer whose certificates in force all end within 30 days (medium),
/// or who holds open cases with none in force (high, APL Art 42, 76 (5)).
pub fn certificate_warnings(o: &OfficerCertificates, today: NaiveDate) -> Option<RiskWarning> {
    let in_force: Vec<_> = o
        .certificates
        .iter()
        .filter(|c| crate::org::rules::in_force(c, today))
        .collect();
    let base = |kind, severity, due_on, message: String| RiskWarning {
        id: format!("{}:{}", crate::db::enum_str(&kind), o.user_id),
        kind,
        severity,
        department_id: o.department_id.to_string(),
        case_id: None,
        case_no: None,
        user_id: Some(o.user_id.to_string()),
        uscc: None,
        due_on,
        message,
        basis: "行政处罚法第四十二条、第七十六条第五项：执法人员应当具有行政执法资格".into(),
    };
    match in_force.iter().map(|c| c.valid_until).max() {
        None if o.open_cases > 0 => Some(base(
            RiskKind::CertificateExpired,
            Severity::High,
            None,
            format!(
                "{} 无有效执法证件，仍承办{}件未结案件",
                o.display_name, o.open_cases
            ),
        )),
        None => None,
        Some(until) if (until - today).num_days() <= CERTIFICATE_LEAD_DAYS => Some(base(
            RiskKind::CertificateExpiring,
            Severity::Medium,
            Some(until),
            format!("{} 的执法证件将于{until}到期", o.display_name),
        )),
        Some(_) => None,
    }
}

/// Enterprises (by USCC) party to more than `limit` cases filed in the
/// period: `counts` is (USCC, party name, department, cases).
pub fn enterprise_warnings(
    counts: &[(String, String, String, usize)],
    limit: u32,
    period_days: u32,
) -> Vec<RiskWarning> {
    counts
        .iter()
        .filter(|(_, _, _, n)| *n > limit as usize)
        .map(|(uscc, name, dept, n)| RiskWarning {
            id: format!("enterprise_inspections:{uscc}"),
            kind: RiskKind::EnterpriseInspections,
            severity: Severity::Low,
            department_id: dept.clone(),
            case_id: None,
            case_no: None,
            user_id: None,
            uscc: Some(uscc.clone()),
            due_on: None,
            message: format!("{name}（{uscc}）{period_days}日内被检查立案{n}次，超过{limit}次"),
            basis: "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见：避免重复检查、多头执法（规则配置）".into(),
        })
        .collect()
}

/// The daily digest's title: how many warnings of each severity, and the
/// kinds of the high ones; None when there is nothing to warn of.
pub fn digest_title(items: &[RiskWarning], today: NaiveDate) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let n = |s: Severity| items.iter().filter(|w| w.severity == s).count();
    Some(format!(
        "执法风险预警日报（{today}）：高风险{}条，中风险{}条，低风险{}条",
        n(Severity::High),
        n(Severity::Medium),
        n(Severity::Low)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn near_passed_and_quiet() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/holidays");
        let cal = Calendar::new(&crate::calendar::read_dir(&dir).unwrap()).unwrap();
        let d = |due: &str| OpenDeadline {
            kind: "decision".into(),
            due_on: day(due),
            basis: "行政处罚法第六十条".into(),
        };
        // Thu 2026-02-12: Fri 13, Sat 14 (worked), then 春节 to 23: 02-24 is 3 working days away.
        let w = deadline_warnings(&[d("2026-02-24")], day("2026-02-12"), &cal, 3);
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].kind, w[0].days), (WarningKind::DeadlineNear, 3));
        assert!(deadline_warnings(&[d("2026-02-25")], day("2026-02-12"), &cal, 3).is_empty());
        let w = deadline_warnings(&[d("2026-02-12")], day("2026-02-12"), &cal, 3);
        assert_eq!(w[0].days, 0);
        assert!(w[0].message.contains("今日"));
        let w = deadline_warnings(&[d("2026-02-10")], day("2026-02-12"), &cal, 3);
        assert_eq!((w[0].kind, w[0].days), (WarningKind::DeadlinePassed, 2));
        assert!(w[0].message.contains("第六十条"));
        let p = OpenDeadline {
            kind: PUBLICATION_DEADLINE.into(),
            due_on: day("2026-02-10"),
            basis: "市场监督管理行政处罚信息公示规定第九条".into(),
        };
        let w = deadline_warnings(&[p], day("2026-02-12"), &cal, 3);
        assert_eq!(w[0].kind, WarningKind::PublicationOverdue);
    }
}
