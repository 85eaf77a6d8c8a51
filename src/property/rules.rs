//! The law of preserved and seized property (涉案财物). Pure.

use chrono::NaiveDate;

use crate::calendar::rules::Calendar;
use crate::cases::events::{Disposal, MeasureKind};
use crate::error::{AppError, AppResult, Code};

const APL: &str = "《中华人民共和国行政处罚法》";
const CL: &str = "《中华人民共和国行政强制法》";

/// The last day of a measure: a preservation is decided within 7 working
/// days (APL Art 56, Art 85); a seizure or sealing lasts at most 30 days
/// (Compulsion Law Art 25; periods over ten days are calendar days, Art 69).
pub fn measure_due(
    kind: MeasureKind,
    started_on: NaiveDate,
    cal: &Calendar,
) -> (NaiveDate, String) {
    match kind {
        MeasureKind::Preservation => (
            cal.working_days_after(started_on, 7, &[]).date,
            format!("{APL}第五十六条：先行登记保存后七日内作出处理决定"),
        ),
        MeasureKind::Seizure | MeasureKind::Sealing => (
            cal.calendar_days_after(started_on, 30, &[]).date,
            format!("{CL}第二十五条第一款：查封、扣押的期限不得超过三十日"),
        ),
    }
}

/// A seizure is extended once, by at most 30 days, with a head's approval
/// (Compulsion Law Art 25 ¶1); a preservation is not extended at all.
pub fn check_seizure_extension(kind: MeasureKind, extensions: u32, days: u32) -> AppResult<()> {
    if kind == MeasureKind::Preservation {
        return Err(AppError::rule(
            Code::ExtensionNotAllowed,
            format!("先行登记保存不能延长，应当在七日内作出处理决定（{APL}第五十六条）"),
        ));
    }
    if extensions >= 1 {
        return Err(AppError::rule(
            Code::SeizureExtensionUsed,
            format!("查封、扣押期限只能延长一次（{CL}第二十五条第一款）"),
        ));
    }
    if days == 0 || days > 30 {
        return Err(AppError::rule_on_field(
            Code::SeizureExtensionUsed,
            "days",
            format!("延长期限为1至30日（{CL}第二十五条第一款）"),
        ));
    }
    Ok(())
}

/// Confiscation and destruction dispose of property by a decision: only
/// once the case is decided (APL Art 9, 57).
pub fn check_disposal(disposal: Disposal, decided: bool) -> AppResult<()> {
    if matches!(disposal, Disposal::Confiscate | Disposal::Destroy) && !decided {
        return Err(AppError::rule(
            Code::DisposalNeedsDecision,
            format!("没收、销毁涉案财物须依据行政处罚决定（{APL}第九条、第五十七条）；决定前只能退还或随案移送"),
        ));
    }
    Ok(())
}

/// A case closes only with every item settled.
pub fn check_settled(held: &[String]) -> AppResult<()> {
    if !held.is_empty() {
        return Err(AppError::rule(
            Code::PropertyNotSettled,
            format!(
                "尚有{}件涉案财物未作处置（{}），不得结案（{CL}第二十八条、《罚没财物管理办法》）",
                held.len(),
                held.join("、")
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_preservation_is_decided_within_seven_working_days_and_a_seizure_lasts_thirty_days() {
        let cal = Calendar::new(&[]).unwrap();
        // Thu 2026-11-26 + 7 working days = Mon 2026-12-07.
        assert_eq!(
            measure_due(MeasureKind::Preservation, d("2026-11-26"), &cal).0,
            d("2026-12-07")
        );
        // + 30 days = Sat 2026-12-26 → Mon 2026-12-28.
        let (due, basis) = measure_due(MeasureKind::Seizure, d("2026-11-26"), &cal);
        assert_eq!(due, d("2026-12-28"));
        assert!(basis.contains("第二十五条"));
    }

    #[test]
    fn a_seizure_is_extended_once_by_at_most_thirty_days() {
        assert!(check_seizure_extension(MeasureKind::Seizure, 0, 30).is_ok());
        assert!(check_seizure_extension(MeasureKind::Sealing, 0, 1).is_ok());
        assert_eq!(
            check_seizure_extension(MeasureKind::Seizure, 1, 10)
                .unwrap_err()
                .code,
            Code::SeizureExtensionUsed
        );
        assert!(check_seizure_extension(MeasureKind::Seizure, 0, 31).is_err());
        assert!(check_seizure_extension(MeasureKind::Seizure, 0, 0).is_err());
        assert_eq!(
            check_seizure_extension(MeasureKind::Preservation, 0, 5)
                .unwrap_err()
                .code,
            Code::ExtensionNotAllowed
        );
    }

    #[test]
    fn confiscation_and_destruction_wait_for_the_decision() {
        assert!(check_disposal(Disposal::Return, false).is_ok());
        assert!(check_disposal(Disposal::Transfer, false).is_ok());
        assert_eq!(
            check_disposal(Disposal::Confiscate, false)
                .unwrap_err()
                .code,
            Code::DisposalNeedsDecision
        );
        assert!(check_disposal(Disposal::Destroy, true).is_ok());
    }

    #[test]
    fn held_items_block_closure() {
        assert!(check_settled(&[]).is_ok());
        let e = check_settled(&["白酒".into()]).unwrap_err();
        assert_eq!(e.code, Code::PropertyNotSettled);
        assert!(e.detail.contains("白酒"));
    }
}
