//! The service clock. Rules never read the time themselves; they take `now`
//! or `today`. In local mode `ZHIFA_CLOCK` starts the clock at a given
//! instant (it then runs on), so a black-box test can restart the service
//! "later" on the same database.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Utc};

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    pub fn system() -> Clock {
        Clock {
            offset: Duration::zero(),
        }
    }

    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock {
            offset: start - Utc::now(),
        }
    }

    /// Now, in UTC, truncated to microseconds (what both backends store).
    pub fn now(&self) -> DateTime<Utc> {
        let t = Utc::now() + self.offset;
        DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
    }

    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// Today in China (Asia/Shanghai, UTC+8, no daylight saving).
    pub fn today(&self) -> NaiveDate {
        china_date(self.now())
    }
}

pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The calendar day an instant falls on in China.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&china_offset()).date_naive()
}

/// RFC 3339 UTC with microseconds, the one format timestamps leave in.
pub fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_date_crosses_midnight_eight_hours_early() {
        let t = DateTime::parse_from_rfc3339("2026-03-01T15:59:59Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(china_date(t), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        let t = DateTime::parse_from_rfc3339("2026-03-01T16:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(china_date(t), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    }

    #[test]
    fn fixed_clock_starts_where_told() {
        let start = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = Clock::starting_at(start);
        let d = c.now() - start;
        assert!(d >= Duration::zero() && d < Duration::seconds(5));
    }
}
