//! The law of transfers, pure: where a case may be transferred to.

use crate::cases::events::TransferKind;
use crate::error::{AppError, AppResult, Code};

/// The receiving department as the rule needs it.
pub struct Target<'a> {
    pub department_id: &'a str,
    pub kind: &'a str,
    pub domains: &'a [String],
}

/// May the case go there? A suspected crime goes to public security; a
/// jurisdiction transfer to another agency that holds the item's power.
pub fn check_target(
    kind: TransferKind,
    from_department_id: &str,
    target: &Target,
    item: &crate::items::ItemData,
) -> AppResult<()> {
    if target.department_id == from_department_id {
        return Err(AppError::rule_on_field(
            Code::TransferTargetInvalid,
            "to_department_id",
            "a case is not transferred to its own department",
        ));
    }
    match kind {
        TransferKind::Criminal => {
            if !target.domains.iter().any(|d| d == "public_security") {
                return Err(AppError::rule_on_field(
                    Code::TransferTargetInvalid,
                    "to_department_id",
                    "涉嫌犯罪的案件移送公安机关（《行政执法机关移送涉嫌犯罪案件的规定》第三条；行政处罚法第二十七条）",
                ));
            }
        }
        TransferKind::Jurisdiction => {
            if target.kind != "functional" || !crate::items::held_by(item, target.domains) {
                return Err(AppError::rule_on_field(
                    Code::TransferTargetInvalid,
                    "to_department_id",
                    format!(
                        "受移送机关应当对执法事项 {} 有管辖权（行政处罚法第二十二条至第二十五条）",
                        item.code
                    ),
                ));
            }
        }
    }
    Ok(())
}
