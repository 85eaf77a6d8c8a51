//! Which acts need a head's approval, and what a decision on an approval
//! may do. Pure.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, Code};

/// Every act the law puts under the approval of the agency's head
/// (负责人批准). Case acts run as the workflow step of the same name;
/// clue acts as the clue's filing decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalKind {
    /// 立案审批 of a general-procedure case filed directly (`POST /cases`):
    /// the head signs the filing form (APL Art 54 ¶2; the 立案审批表 names
    /// the head's approval). Asked at filing; a head filing approves it.
    Filing,
    /// 中止 (`POST /cases/{id}/suspension`).
    Suspension,
    /// 恢复 (`POST /cases/{id}/resumption`).
    Resumption,
    /// 终止 (`POST /cases/{id}/termination`).
    Termination,
    /// 延长办案期限, APL Art 60 (`POST /cases/{id}/extension`).
    Extension,
    /// 暂缓、分期缴纳, APL Art 66 ¶2 (`POST /cases/{id}/payment-plan`).
    PaymentPlan,
    /// 申请法院强制执行, Compulsion Law Art 53 (`POST /cases/{id}/court-enforcement`).
    CourtEnforcement,
    /// 结案 (`POST /cases/{id}/closure`).
    Closure,
    /// 承办人变更 (`POST /cases/{id}/officers`).
    Reassignment,
    /// 回避, APL Art 43 ¶3 (`POST /cases/{id}/recusals`).
    Recusal,
    /// 案件移送 / 涉嫌犯罪案件移送 (`POST /transfers/{id}/approve`).
    Transfer,
    /// 先行登记保存, APL Art 56 (`POST /cases/{id}/preservations`).
    Preservation,
    /// The decision on preserved evidence within 7 working days.
    PreservationDecision,
    /// 查封、扣押, Compulsion Law Art 18 (`POST /cases/{id}/seizures`).
    Seizure,
    /// 延长查封、扣押期限, Compulsion Law Art 25.
    SeizureExtension,
    /// 涉案财物处置: return, confiscation, destruction, transfer.
    Disposal,
    /// 立案 from a clue, APL Art 54 ¶2 (`POST /clues/{id}/filing`).
    ClueFiling,
    /// 不予立案 (`POST /clues/{id}/rejection`).
    ClueRejection,
    /// 延长立案核查期限 (`POST /clues/{id}/extension`).
    ClueExtension,
    /// 移送其他机关 before filing (`POST /clues/{id}/transfer`).
    ClueTransfer,
}

impl ApprovalKind {
    /// Acts on a clue rather than on a case.
    pub fn on_clue(self) -> bool {
        matches!(
            self,
            ApprovalKind::ClueFiling
                | ApprovalKind::ClueRejection
                | ApprovalKind::ClueExtension
                | ApprovalKind::ClueTransfer
        )
    }

    /// The name of the approval slip (审批表) in the documents agencies keep.
    pub fn label(self) -> &'static str {
        match self {
            ApprovalKind::Filing => "立案审批",
            ApprovalKind::Suspension => "案件中止审批",
            ApprovalKind::Resumption => "案件恢复审批",
            ApprovalKind::Termination => "案件终止审批",
            ApprovalKind::Extension => "延长办案期限审批",
            ApprovalKind::PaymentPlan => "暂缓（分期）缴纳罚款审批",
            ApprovalKind::CourtEnforcement => "申请人民法院强制执行审批",
            ApprovalKind::Closure => "结案审批",
            ApprovalKind::Reassignment => "承办人变更审批",
            ApprovalKind::Recusal => "回避决定审批",
            ApprovalKind::Transfer => "案件移送审批",
            ApprovalKind::Preservation => "先行登记保存审批",
            ApprovalKind::PreservationDecision => "先行登记保存处理决定审批",
            ApprovalKind::Seizure => "查封（扣押）审批",
            ApprovalKind::SeizureExtension => "延长查封（扣押）期限审批",
            ApprovalKind::Disposal => "涉案财物处置审批",
            ApprovalKind::ClueFiling => "立案审批",
            ApprovalKind::ClueRejection => "不予立案审批",
            ApprovalKind::ClueExtension => "延长立案核查期限审批",
            ApprovalKind::ClueTransfer => "线索移送审批",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    Approve,
    Reject,
}

/// What a decision does to an approval in `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionEffect {
    /// Run the act (approve) or record the refusal (reject).
    Decide,
    /// The same decision was taken already: answer it again, change nothing.
    Repeat,
}

/// A pending approval is decided once; the same decision again is a
/// harmless repeat (a double click, a retried request); the opposite
/// decision afterwards is a conflict.
pub fn check_decision(
    status: ApprovalStatus,
    outcome: DecisionOutcome,
) -> Result<DecisionEffect, AppError> {
    match (status, outcome) {
        (ApprovalStatus::Pending, _) => Ok(DecisionEffect::Decide),
        (ApprovalStatus::Approved, DecisionOutcome::Approve)
        | (ApprovalStatus::Rejected, DecisionOutcome::Reject) => Ok(DecisionEffect::Repeat),
        (s, _) => Err(AppError::new(
            Code::ApprovalDecided,
            format!(
                "the approval was {} already: a decided approval is not decided again",
                crate::db::enum_str(&s)
            ),
        )),
    }
}

/// The investigation of a general-procedure case is closed (调查终结, APL
/// Art 57) only on a filing a head approved: `filing` is the state of the
/// case's latest filing approval, `None` for a case filed from a clue or
/// before filing approvals were kept (approved with the clue or on paper).
pub fn check_filing_approved(filing: Option<ApprovalStatus>) -> Result<(), AppError> {
    match filing {
        None | Some(ApprovalStatus::Approved) => Ok(()),
        Some(ApprovalStatus::Pending) => Err(AppError::rule(
            Code::FilingNotApproved,
            "立案须经行政机关负责人批准（行政处罚法第五十四条第二款；立案审批表）：立案审批尚待负责人批准，调查终结报告不能提交",
        )),
        Some(ApprovalStatus::Rejected) => Err(AppError::rule(
            Code::FilingNotApproved,
            "负责人未批准立案（行政处罚法第五十四条第二款）：补充材料后重新申请立案审批（POST /api/v1/approvals {\"kind\": \"filing\"}），或经批准终止案件",
        )),
    }
}

/// Only a filing that asked for approval is approved, and only once:
/// `filing` as for `check_filing_approved`. A case filed from a clue (its
/// filing was approved with the clue) or under the simplified procedure
/// asked for none.
pub fn check_filing_to_approve(filing: Option<ApprovalStatus>) -> Result<(), AppError> {
    match filing {
        Some(ApprovalStatus::Pending | ApprovalStatus::Rejected) => Ok(()),
        Some(ApprovalStatus::Approved) => Err(AppError::new(Code::ApprovalDecided,
            "the filing of this case is approved already (立案审批已批准)",
        )),
        None => Err(AppError::new(Code::TransitionNotAllowed,
            "this case's filing asks no approval: it was approved with its clue, or filed under the simplified procedure",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_approval_is_decided_either_way() {
        for o in [DecisionOutcome::Approve, DecisionOutcome::Reject] {
            assert_eq!(
                check_decision(ApprovalStatus::Pending, o).unwrap(),
                DecisionEffect::Decide
            );
        }
    }

    #[test]
    fn the_same_decision_twice_is_a_repeat_and_the_opposite_a_conflict() {
        assert_eq!(
            check_decision(ApprovalStatus::Approved, DecisionOutcome::Approve).unwrap(),
            DecisionEffect::Repeat
        );
        assert_eq!(
            check_decision(ApprovalStatus::Rejected, DecisionOutcome::Reject).unwrap(),
            DecisionEffect::Repeat
        );
        let e = check_decision(ApprovalStatus::Approved, DecisionOutcome::Reject).unwrap_err();
        assert_eq!(e.code, Code::ApprovalDecided);
        let e = check_decision(ApprovalStatus::Rejected, DecisionOutcome::Approve).unwrap_err();
        assert_eq!(e.code, Code::ApprovalDecided);
    }

    #[test]
    fn the_investigation_closes_only_on_an_approved_filing() {
        assert!(check_filing_approved(None).is_ok());
        assert!(check_filing_approved(Some(ApprovalStatus::Approved)).is_ok());
        for s in [ApprovalStatus::Pending, ApprovalStatus::Rejected] {
            let e = check_filing_approved(Some(s)).unwrap_err();
            assert_eq!(e.code, Code::FilingNotApproved);
            assert!(e.detail.contains("第五十四条"), "{}", e.detail);
        }
    }

    #[test]
    fn only_a_filing_that_asked_is_approved_and_once() {
        assert!(check_filing_to_approve(Some(ApprovalStatus::Pending)).is_ok());
        assert!(check_filing_to_approve(Some(ApprovalStatus::Rejected)).is_ok());
        let e = check_filing_to_approve(Some(ApprovalStatus::Approved)).unwrap_err();
        assert_eq!(e.code, Code::ApprovalDecided);
        let e = check_filing_to_approve(None).unwrap_err();
        assert_eq!(e.code, Code::TransitionNotAllowed);
    }

    #[test]
    fn clue_kinds_are_told_from_case_kinds() {
        assert!(ApprovalKind::ClueFiling.on_clue());
        assert!(ApprovalKind::ClueExtension.on_clue());
        assert!(!ApprovalKind::Suspension.on_clue());
        assert!(!ApprovalKind::Transfer.on_clue());
    }
}
