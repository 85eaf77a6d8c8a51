//! Day counting of the Administrative Penalty Law, pure.
//!
//! - APL Art 85: the "2 / 3 / 5 / 7 days" of the law are working days
//!   (工作日), without statutory holidays; every other period (15 days,
//!   90 days, years) is counted in calendar days.
//! - A period starts on the day after the event that triggers it (民事诉讼法
//!   第八十五条第二款, applied to administrative procedure), and a period
//!   triggered by a document runs from the document's service — callers pass
//!   the service date as the event.
//! - A calendar-day period whose last day is a rest day (法定休假日: a
//!   holiday, or a weekend that is not a swapped working day) ends on the
//!   next working day (民事诉讼法第八十五条第三款).
//! - Excluded periods (suspension, hearing, testing and appraisal, public
//!   notice) stop the clock: their days do not count.
//! - A year without a published holiday table is counted on weekends alone,
//!   and the answer says so.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// One published year (国务院办公厅关于某年部分节假日安排的通知).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearTable {
    pub year: i32,
    pub source: String,
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub work: Vec<NaiveDate>,
}

pub use crate::kernel::period::Excluded;

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days_off: BTreeMap<NaiveDate, String>,
    swapped_work: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

/// A counted last day, with what the caller must be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub date: NaiveDate,
    /// E.g. a year counted without its holiday table.
    pub warnings: Vec<String>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Counting never runs further than this many days (a guard against a
/// malformed excluded period that covers everything).
const MAX_SPAN_DAYS: i64 = 20 * 366;

impl Calendar {
    /// Builds the calendar from published years. Refuses a table whose days
    /// lie outside its year, a swapped working day that is not a weekend,
    /// an inverted range, or a year given twice.
    pub fn new(tables: &[YearTable]) -> Result<Calendar, String> {
        let mut cal = Calendar::default();
        for t in tables {
            if !cal.years.insert(t.year) {
                return Err(format!("{}: the year is given twice", t.year));
            }
            for h in &t.holidays {
                if h.from > h.to {
                    return Err(format!("{} {}: from is after to", t.year, h.name));
                }
                // A holiday may start in the year before (元旦) but belongs to its table's year.
                if h.to.year() != t.year && h.from.year() != t.year {
                    return Err(format!(
                        "{} {}: the days are not in {}",
                        t.year, h.name, t.year
                    ));
                }
                let mut d = h.from;
                while d <= h.to {
                    cal.days_off.insert(d, h.name.clone());
                    d += Duration::days(1);
                }
                for w in &h.work {
                    if !is_weekend(*w) {
                        return Err(format!(
                            "{} {}: {w} is not a weekend day, so it cannot be a swapped working day",
                            t.year, h.name
                        ));
                    }
                    cal.swapped_work.insert(*w);
                }
            }
        }
        if let Some(d) = cal
            .swapped_work
            .iter()
            .find(|d| cal.days_off.contains_key(d))
        {
            return Err(format!("{d} is both a day off and a swapped working day"));
        }
        Ok(cal)
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Is `d` a working day (工作日)?
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.days_off.contains_key(&d) {
            return false;
        }
        !is_weekend(d) || self.swapped_work.contains(&d)
    }

    /// The holiday `d` belongs to, if any.
    pub fn holiday(&self, d: NaiveDate) -> Option<&str> {
        self.days_off.get(&d).map(String::as_str)
    }

    fn warn_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<String> {
        (from.year()..=to.year())
            .filter(|y| !self.has_year(*y))
            .map(|y| {
                format!(
                    "{y}年节假日安排未导入，按周末计算工作日（《中华人民共和国行政处罚法》第八十五条）"
                )
            })
            .collect()
    }

    /// The last day of a period of `n` working days after `event` (APL Art
    /// 85: the 2/3/5/7-day periods), skipping excluded days.
    pub fn working_days_after(&self, event: NaiveDate, n: u32, excluded: &[Excluded]) -> Due {
        let mut d = event;
        let mut counted = 0;
        let limit = event + Duration::days(MAX_SPAN_DAYS);
        while counted < n && d < limit {
            d += Duration::days(1);
            if self.is_working_day(d) && !excluded.iter().any(|e| e.contains(d)) {
                counted += 1;
            }
        }
        Due {
            date: d,
            warnings: self.warn_years(event, d),
        }
    }

    /// The last day of a period of `n` calendar days after `event` (15 days,
    /// 90 days …), skipping excluded days; a last day that is a rest day
    /// moves to the next working day.
    pub fn calendar_days_after(&self, event: NaiveDate, n: u32, excluded: &[Excluded]) -> Due {
        let mut d = event;
        let mut counted = 0;
        let limit = event + Duration::days(MAX_SPAN_DAYS);
        while counted < n && d < limit {
            d += Duration::days(1);
            if !excluded.iter().any(|e| e.contains(d)) {
                counted += 1;
            }
        }
        while !self.is_working_day(d) && d < limit {
            d += Duration::days(1);
        }
        Due {
            date: d,
            warnings: self.warn_years(event, d),
        }
    }

    /// Working days from the day after `from` up to and including `to`
    /// (how far a deadline is, for warnings).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut d = from;
        let mut n = 0;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn shipped() -> Calendar {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/holidays");
        let tables = super::super::read_dir(&dir).expect("fixtures/holidays parse");
        Calendar::new(&tables).expect("a valid calendar")
    }

    #[test]
    fn spring_festival_2026_with_its_swapped_saturdays() {
        let c = shipped();
        assert!(
            c.is_working_day(day("2026-02-14")),
            "Sat worked before 春节"
        );
        assert!(!c.is_working_day(day("2026-02-16")));
        assert_eq!(c.holiday(day("2026-02-17")), Some("春节"));
        assert!(c.is_working_day(day("2026-02-28")), "Sat worked after 春节");
        let five = |e: &str| c.working_days_after(day(e), 5, &[]).date;
        // Thu 02-12 → Fri 13 (1), Sat 14 (2), 15–23 off, 24 (3), 25 (4), 26 (5).
        assert_eq!(five("2026-02-12"), day("2026-02-26"));
        // Notified on the last day off: Tue 24 … Fri 27 (4), and the swapped Sat 28 (5).
        assert_eq!(five("2026-02-23"), day("2026-02-28"));
        // 15 calendar days ending inside the holiday move to the first working day after it.
        assert_eq!(
            c.calendar_days_after(day("2026-02-05"), 15, &[]).date,
            day("2026-02-24")
        );
        assert_eq!(
            c.calendar_days_after(day("2026-01-15"), 15, &[]).date,
            day("2026-01-30")
        );
        assert!(c
            .working_days_after(day("2026-02-12"), 5, &[])
            .warnings
            .is_empty());
    }

    #[test]
    fn national_day_2025_with_its_swapped_weekend_days() {
        let c = shipped();
        // Fri 09-26 → Sat 27 rest, Sun 28 worked (1), Mon 29 (2), Tue 30 (3).
        assert_eq!(
            c.working_days_after(day("2025-09-26"), 3, &[]).date,
            day("2025-09-30")
        );
        // Tue 09-30 → 10-01…08 off, Thu 9 (1), Fri 10 (2), Sat 11 worked (3), 13 (4) … 16 (7).
        assert_eq!(
            c.working_days_after(day("2025-09-30"), 7, &[]).date,
            day("2025-10-16")
        );
        // A calendar period ending on 10-05 ends on 10-09 instead.
        assert_eq!(
            c.calendar_days_after(day("2025-09-20"), 15, &[]).date,
            day("2025-10-09")
        );
        // 2 working days after the last day off (Art 71 hand-over of cash).
        assert_eq!(
            c.working_days_after(day("2025-10-08"), 2, &[]).date,
            day("2025-10-10")
        );
    }

    #[test]
    fn a_year_without_a_table_counts_weekends_and_says_so() {
        let c = shipped();
        let due = c.working_days_after(day("2026-12-30"), 5, &[]);
        // Thu 31 (1), Fri 01 (2) — 2027 has no table, so 元旦 is not known —, Mon 4 (3) … Wed 6 (5).
        assert_eq!(due.date, day("2027-01-06"));
        assert_eq!(due.warnings.len(), 1);
        assert!(due.warnings[0].starts_with("2027年"));
    }

    #[test]
    fn excluded_days_stop_the_clock() {
        let c = shipped();
        let susp = [Excluded {
            from: day("2026-03-10"),
            to: day("2026-03-19"),
        }];
        // 90 days from 2026-03-01 with 10 days suspended = 100 days without.
        assert_eq!(
            c.calendar_days_after(day("2026-03-01"), 90, &susp).date,
            c.calendar_days_after(day("2026-03-01"), 100, &[]).date
        );
        let hearing = [Excluded {
            from: day("2026-03-03"),
            to: day("2026-03-04"),
        }];
        // Mon 03-02 + 5 working days, Tue–Wed excluded: Thu 5, Fri 6, Mon 9, Tue 10, Wed 11.
        assert_eq!(
            c.working_days_after(day("2026-03-02"), 5, &hearing).date,
            day("2026-03-11")
        );
    }

    #[test]
    fn malformed_tables_are_refused() {
        let h = |from: &str, to: &str, work: Vec<&str>| Holiday {
            name: "假".into(),
            from: day(from),
            to: day(to),
            work: work.into_iter().map(day).collect(),
        };
        let t = |holidays| YearTable {
            year: 2026,
            source: "x".into(),
            holidays,
        };
        assert!(Calendar::new(&[t(vec![h("2026-05-05", "2026-05-01", vec![])])]).is_err());
        assert!(
            Calendar::new(&[t(vec![h("2026-05-01", "2026-05-05", vec!["2026-05-06"])])]).is_err()
        );
        assert!(Calendar::new(&[t(vec![h("2027-05-01", "2027-05-05", vec![])])]).is_err());
        assert!(Calendar::new(&[t(vec![]), t(vec![])]).is_err());
        assert!(
            Calendar::new(&[t(vec![h("2026-05-01", "2026-05-05", vec!["2026-05-02"])])]).is_err()
        );
    }

    fn any_day() -> impl Strategy<Value = NaiveDate> {
        (0i64..(3 * 365)).prop_map(|n| day("2024-10-01") + Duration::days(n))
    }

    proptest! {
        #[test]
        fn working_days_never_end_on_a_rest_day(event in any_day(), n in 1u32..40) {
            let c = shipped();
            let due = c.working_days_after(event, n, &[]).date;
            prop_assert!(c.is_working_day(due), "{event} + {n} = {due}");
            prop_assert!(due > event);
            prop_assert_eq!(c.working_days_between(event, due), n);
        }

        #[test]
        fn counting_is_monotonic(event in any_day(), later in 0i64..30, n in 1u32..30, more in 1u32..10) {
            let c = shipped();
            let a = c.working_days_after(event, n, &[]).date;
            prop_assert!(a < c.working_days_after(event, n + more, &[]).date);
            prop_assert!(a <= c.working_days_after(event + Duration::days(later), n, &[]).date);
            let x = c.calendar_days_after(event, n, &[]).date;
            prop_assert!(x <= c.calendar_days_after(event, n + more, &[]).date);
            prop_assert!(x <= c.calendar_days_after(event + Duration::days(later), n, &[]).date);
        }

        #[test]
        fn calendar_periods_end_on_a_working_day_never_early(event in any_day(), n in 1u32..120) {
            let c = shipped();
            let due = c.calendar_days_after(event, n, &[]).date;
            prop_assert!(c.is_working_day(due));
            prop_assert!(due >= event + Duration::days(i64::from(n)));
            // It moved only across rest days.
            let mut d = event + Duration::days(i64::from(n));
            while d < due {
                prop_assert!(!c.is_working_day(d));
                d += Duration::days(1);
            }
        }

        #[test]
        fn an_excluded_period_inside_adds_exactly_its_days(event in any_day(), n in 10u32..120, start in 1i64..9, len in 0i64..20) {
            let c = shipped();
            let e = Excluded { from: event + Duration::days(start), to: event + Duration::days(start + len) };
            let with = c.calendar_days_after(event, n, &[e]).date;
            let plain = c.calendar_days_after(event, n + len as u32 + 1, &[]).date;
            prop_assert_eq!(with, plain);
        }
    }
}
