//! Risk warnings (执法风险预警), pure. For one case: every open deadline
//! that is near (within the department's lead time, in working days) or
//! passed, with the basis it was stored with.

use chrono::NaiveDate;
use serde::Serialize;
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
