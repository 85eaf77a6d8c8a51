//! The law of the legality review (法制审核, APL Art 58), pure: the eight
//! items a review answers (REFERENCE §2.3), what an opinion must say, and
//! who may give it.

use crate::cases::events::{OpinionRequest, ReviewOutcome};
use crate::error::{AppError, AppResult, Code};

const APL: &str = "《中华人民共和国行政处罚法》";

/// The 8 items of a legality review (审核内容, REFERENCE §2.3).
pub const CHECKLIST: [(&str, &str); 8] = [
    (
        "subject",
        "执法主体是否合法，是否超越法定权限，执法人员是否具备执法资格",
    ),
    ("procedure", "执法程序是否合法"),
    ("facts_evidence", "案件事实是否清楚，证据是否确凿充分"),
    ("law_application", "适用法律、法规、规章是否准确"),
    ("discretion", "裁量基准运用是否适当"),
    ("documents", "执法文书是否完备、规范"),
    ("crime_transfer", "是否涉嫌犯罪需要移送司法机关"),
    ("other", "其他影响合法性、适当性的事项"),
];

/// An approval needs every item passed.
pub fn check_approval(o: &OpinionRequest) -> AppResult<()> {
    if o.outcome == ReviewOutcome::Approve {
        if let Some((k, _)) = o.checklist.iter().find(|(_, e)| !e.passed) {
            return Err(AppError::rule_on_field(
                Code::ChecklistIncomplete,
                &format!("checklist.{k}"),
                "an item failed: the review returns or rejects, it does not approve",
            ));
        }
    }
    Ok(())
}

/// Art 58 ¶2 and the separation of investigation and review: the reviewer
/// is not an investigator of the case, and one who never reviewed before
/// holds the national legal professional qualification.
pub fn check_reviewer(
    reviewer_id: &str,
    investigators: &[String],
    qualified: bool,
    earlier_reviews: i64,
) -> AppResult<()> {
    if investigators.iter().any(|i| i == reviewer_id) {
        return Err(AppError::rule(
            Code::ReviewerIsInvestigator,
            "本案调查人员不得进行法制审核（审查与调查分离）",
        ));
    }
    if !qualified && earlier_reviews == 0 {
        return Err(AppError::rule(
            Code::ReviewerNotQualified,
            format!("初次从事行政处罚决定法制审核的人员，应当通过国家统一法律职业资格考试取得法律职业资格（{APL}第五十八条第二款）"),
        ));
    }
    Ok(())
}
