//! 执法监督指标 — the indicators of a department subtree and period, each
//! with the outline's 2025 target and its formula. Pure. There are no
//! per-officer figures here, by design: fines are never tied to an
//! officer's assessment (outline §30).

use serde::Serialize;
use utoipa::ToSchema;

/// A rate: numerator over denominator, with its target and formula.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    pub numerator: i64,
    pub denominator: i64,
    /// numerator / denominator; null when the denominator is 0.
    pub value: Option<f64>,
    /// The 2025 target.
    pub target: f64,
    pub formula: String,
}

impl Rate {
    pub fn new(numerator: i64, denominator: i64, target: f64, formula: &str) -> Rate {
        Rate {
            numerator,
            denominator,
            value: (denominator > 0).then(|| numerator as f64 / denominator as f64),
            target,
            formula: formula.into(),
        }
    }
}

pub const REFINEMENT: &str = "已发布裁量基准的执法事项数 ÷ 本辖区部门权责清单内的执法事项数";
pub const PASS_RATE: &str = "（优秀 + 合格）÷ 已评查案卷数（REFERENCE §6.3）";
pub const REVIEW_COVERAGE: &str =
    "经法制审核通过的决定数 ÷ 依法应当法制审核的决定数（行政处罚法第五十八条）";
pub const ON_TIME: &str =
    "在办案期限内作出决定的案件数 ÷ 期间内作出决定的案件数（行政处罚法第六十条）";
pub const SERVICE: &str =
    "在送达期限内送达的决定书数 ÷ 期间内送达的决定书数（行政处罚法第六十一条）";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_without_denominator_has_no_value() {
        assert_eq!(Rate::new(0, 0, 1.0, "").value, None);
        assert_eq!(Rate::new(19, 20, 0.95, "").value, Some(0.95));
    }
}
