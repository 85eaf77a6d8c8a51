//! Periods the law does not count: the days of a suspension, a hearing,
//! testing or appraisal, a public notice (APL Art 60, 85; excluded from the
//! case's periods by the calendar).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Inclusive days that do not count (an excluded period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Excluded {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}
