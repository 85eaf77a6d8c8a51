//! 执行 — enforcement of a decision, pure. So far: the late-payment
//! surcharge (加处罚款) of APL Art 72 ¶1 (1) and Art 73 ¶3.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::Excluded;

/// The surcharge owed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct LateFee {
    /// Days the surcharge ran: after the payment due day, up to and
    /// including the day asked about, without paused days.
    pub days: u32,
    /// 3 % of the fine per day, rounded down to the fen (in the party's
    /// favour), never above the fine itself.
    pub fee_fen: i64,
    /// The cap (the fine amount) was reached.
    pub capped: bool,
}

/// APL Art 72 ¶1 (1): a party that does not pay by the due day is charged
/// 3 % of the fine for every day late, at most the amount of the fine.
/// Art 73 ¶3: days while administrative reconsideration or litigation is
/// pending (`paused`) do not count. `due` is the last day to pay (15 days
/// after service, Art 67 ¶3).
pub fn late_fee(fine_fen: i64, due: NaiveDate, on: NaiveDate, paused: &[Excluded]) -> LateFee {
    let mut days: u32 = 0;
    let mut d = due + Duration::days(1);
    while d <= on {
        if !paused.iter().any(|p| p.from <= d && d <= p.to) {
            days += 1;
        }
        d += Duration::days(1);
    }
    let fine = fine_fen.max(0);
    let raw = i128::from(fine) * 3 * i128::from(days) / 100;
    let capped = raw >= i128::from(fine) && days > 0;
    LateFee {
        days,
        fee_fen: if capped { fine } else { raw as i64 },
        capped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn three_percent_a_day_rounded_down_and_capped_at_the_fine() {
        let due = day("2026-03-16");
        assert_eq!(
            late_fee(500_000, due, due, &[]).fee_fen,
            0,
            "on the due day nothing is late"
        );
        assert_eq!(
            late_fee(500_000, due, day("2026-03-17"), &[]),
            LateFee {
                days: 1,
                fee_fen: 15_000,
                capped: false
            }
        );
        assert_eq!(
            late_fee(500_000, due, day("2026-03-26"), &[]).fee_fen,
            150_000
        );
        // 1,001 fen × 3 % = 30.03 fen a day: two days are 60 fen, rounded down.
        assert_eq!(late_fee(1_001, due, day("2026-03-18"), &[]).fee_fen, 60);
        // Day 34 would be 102 %: the cap is the fine.
        let l = late_fee(500_000, due, day("2026-04-19"), &[]);
        assert_eq!((l.days, l.fee_fen, l.capped), (34, 500_000, true));
        // Reconsideration pending for ten days does not count.
        let paused = [Excluded {
            from: day("2026-03-20"),
            to: day("2026-03-29"),
        }];
        assert_eq!(late_fee(500_000, due, day("2026-03-31"), &paused).days, 5);
    }

    proptest! {
        #[test]
        fn never_above_the_fine_and_never_shrinking(fine in 1i64..100_000_000, late in 0i64..400, more in 0i64..30) {
            let due = day("2026-01-15");
            let a = late_fee(fine, due, due + Duration::days(late), &[]);
            let b = late_fee(fine, due, due + Duration::days(late + more), &[]);
            prop_assert!(a.fee_fen <= fine && b.fee_fen <= fine);
            prop_assert!(a.fee_fen <= b.fee_fen);
            prop_assert_eq!(a.days as i64, late);
        }
    }
}
