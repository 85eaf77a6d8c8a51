//! 柔性执法 and 行政执法案例指导 — pure.
//!
//! Non-coercive measures (outline §20; APL Art 33 ¶3: 对当事人的违法行为依法
//! 不予行政处罚的，行政机关应当对当事人进行教育): administrative guidance
//! (行政指导), a warning talk (约谈), a written warning (告诫) and a written
//! commitment to correct (承诺), each with its document and a follow-up
//! date. A clue whose item is on the department's exemption list (免罚清单:
//! the benchmark's lenient lists) may be closed by one, with that basis.
//! Guiding cases: a closed case proposed by a head, published masked by a
//! supervisor, who may withdraw it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, Code};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = NonCoerciveMeasureKind)]
pub enum MeasureKind {
    /// 行政指导
    Guidance,
    /// 约谈
    Interview,
    /// 告诫
    WrittenWarning,
    /// 承诺 (a written commitment to correct)
    Commitment,
}

impl MeasureKind {
    /// The document template of the measure.
    pub fn template(self) -> &'static str {
        match self {
            MeasureKind::Guidance => "measure_guidance",
            MeasureKind::Interview => "measure_interview",
            MeasureKind::WrittenWarning => "measure_written_warning",
            MeasureKind::Commitment => "measure_commitment",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = NonCoerciveMeasureStatus)]
pub enum MeasureStatus {
    /// The follow-up is due.
    Open,
    /// Followed up.
    FollowedUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuidingStatus {
    Proposed,
    Published,
    Withdrawn,
}

/// The follow-up comes after today and within a year (🟡 house limit).
pub fn check_follow_up(on: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if on <= today || on > today + chrono::Duration::days(366) {
        return Err(AppError::rule_on_field(
            Code::ValidationFailed,
            "follow_up_on",
            "the follow-up date lies after today and within a year",
        ));
    }
    Ok(())
}

/// A guiding case is proposed from a closed case only (its decision final).
pub fn check_guiding_source(closed: bool) -> AppResult<()> {
    if closed {
        Ok(())
    } else {
        Err(AppError::new(
            Code::TransitionNotAllowed,
            "only a closed or archived case is proposed as a guiding case (行政执法案例指导制度)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_up_after_today_within_a_year() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert!(check_follow_up(d, d).is_err());
        assert!(check_follow_up(d + chrono::Duration::days(30), d).is_ok());
        assert!(check_follow_up(d + chrono::Duration::days(400), d).is_err());
        assert!(check_guiding_source(false).is_err());
    }
}
