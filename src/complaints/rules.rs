//! 投诉举报 — complaints and reports from the public, pure: the rate limit
//! per client address, the tracking code's shape, what a complaint may
//! become. (Outline §18; 市场监督管理投诉举报处理暂行办法 — the periods
//! there are 🟡 and not enforced yet.)

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, Code};

/// Complaints one client address may file in `WINDOW_MINUTES` (🟡 house
/// default: 5 an hour); the next gets 429 with `Retry-After`.
pub const MAX_PER_WINDOW: usize = 5;
pub const WINDOW_MINUTES: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// Received, waiting for the competent department.
    Received,
    /// Turned into a clue (线索) of the department.
    Clue,
    /// Closed with a reason (not accepted, not competent, no violation …).
    Closed,
}

/// The rate limit: `recent` are the times this address filed complaints
/// inside the window before `now`. Refused with the seconds until the
/// oldest leaves the window.
pub fn check_rate(recent: &[DateTime<Utc>], now: DateTime<Utc>) -> AppResult<()> {
    let window = Duration::minutes(WINDOW_MINUTES);
    let inside: Vec<&DateTime<Utc>> = recent.iter().filter(|t| **t > now - window).collect();
    if inside.len() < MAX_PER_WINDOW {
        return Ok(());
    }
    let oldest = inside.iter().min().map(|t| **t).unwrap_or(now);
    let wait = ((oldest + window) - now).num_seconds().max(1) as u64;
    Err(AppError::too_many(
        format!(
            "at most {MAX_PER_WINDOW} complaints an hour from one address; try again in {wait} seconds"
        ),
        wait,
    ))
}

/// A complaint still waiting for its department (409 otherwise).
pub fn check_open(status: ComplaintStatus) -> AppResult<()> {
    if status == ComplaintStatus::Received {
        Ok(())
    } else {
        Err(AppError::new(
            Code::TransitionNotAllowed,
            "the complaint has been handled already",
        ))
    }
}

/// Letters and digits a person reads back without confusion (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A tracking code from 12 random symbols: `TS-XXXX-XXXX-XXXX` (~59 bits).
pub fn tracking_code(random: &[u8; 12]) -> String {
    let s: Vec<char> = random
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!(
        "TS-{}-{}-{}",
        s[0..4].iter().collect::<String>(),
        s[4..8].iter().collect::<String>(),
        s[8..12].iter().collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_in_an_hour_waits_for_the_first_to_leave() {
        let now = Utc::now();
        let times: Vec<_> = (0..5).map(|i| now - Duration::minutes(50 - i)).collect();
        let e = check_rate(&times, now).unwrap_err();
        assert_eq!(e.code, Code::TooManyRequests);
        assert_eq!(e.retry_after, Some(600));
        assert!(check_rate(&times[1..], now).is_ok());
        let old: Vec<_> = (0..9).map(|i| now - Duration::minutes(61 + i)).collect();
        assert!(check_rate(&old, now).is_ok());
    }

    #[test]
    fn tracking_codes_read_back() {
        let c = tracking_code(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
        assert_eq!(c.len(), 17);
        assert!(c.starts_with("TS-"));
        assert!(!c.contains('0') && !c.contains('O') && !c.contains('I'));
    }
}
