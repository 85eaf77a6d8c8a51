//! Pure rules of authentication: the password policy and login throttling.

use chrono::{Duration, NaiveDateTime};

pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_PASSWORD_LEN: usize = 128;

/// The password policy: 12–128 characters, at least three of the four
/// classes (lower case, upper case, digits, other), not containing the
/// username, not the same character repeated. Returns every reason it fails.
pub fn password_problems(password: &str, username: &str) -> Vec<String> {
    let mut out = vec![];
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        out.push(format!("at least {MIN_PASSWORD_LEN} characters"));
    }
    if len > MAX_PASSWORD_LEN {
        out.push(format!("at most {MAX_PASSWORD_LEN} characters"));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < 3 {
        out.push("at least three of: lower case, upper case, digits, other characters".into());
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        out.push("must not contain the username".into());
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            out.push("must not repeat one character".into());
        }
    }
    out
}

/// Failed-login state of one username, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Throttle {
    pub failures: i32,
    pub window_started_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

/// Seconds until the username may try again, if it is locked now.
pub fn locked_for(state: Option<&Throttle>, now: NaiveDateTime) -> Option<u64> {
    let until = state?.locked_until?;
    (until > now).then(|| {
        ((until - now).num_milliseconds() as u64)
            .div_ceil(1000)
            .max(1)
    })
}

/// The state after one more failure: failures count within a window of
/// `lock_seconds` from the first; the `max_failures`-th locks the username
/// for `lock_seconds`.
pub fn after_failure(
    state: Option<&Throttle>,
    now: NaiveDateTime,
    max_failures: u32,
    lock_seconds: u64,
) -> Throttle {
    let window = Duration::seconds(lock_seconds as i64);
    // An expired lock or an old window starts the count again.
    let continuing =
        state.filter(|s| s.locked_until.is_none() && now - s.window_started_at < window);
    let (failures, started) = match continuing {
        Some(s) => (s.failures + 1, s.window_started_at),
        None => (1, now),
    };
    let locked_until = (failures as u32 >= max_failures).then(|| now + window);
    Throttle {
        failures,
        window_started_at: started,
        locked_until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(s: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + Duration::seconds(s)
    }

    #[test]
    fn policy() {
        assert!(password_problems("zhifa-demo-2026", "li.officer").is_empty());
        assert!(password_problems("Correct-Horse-9", "bob").is_empty());
        assert!(!password_problems("short1A!", "bob").is_empty());
        assert!(!password_problems("alllowercaseletters", "bob").is_empty());
        assert!(!password_problems("bob-Password-1", "bob").is_empty());
        assert!(!password_problems("aaaaaaaaaaaaaaaa", "x").is_empty());
        assert!(password_problems("执法系统密码Ab12345", "x").is_empty());
    }

    #[test]
    fn fifth_failure_locks_and_lock_expires() {
        let mut s: Option<Throttle> = None;
        for i in 0..4 {
            s = Some(after_failure(s.as_ref(), t(i), 5, 900));
            assert_eq!(locked_for(s.as_ref(), t(i)), None);
        }
        s = Some(after_failure(s.as_ref(), t(5), 5, 900));
        assert_eq!(s.as_ref().unwrap().failures, 5);
        assert_eq!(locked_for(s.as_ref(), t(5)), Some(900));
        assert_eq!(locked_for(s.as_ref(), t(905)), None);
        // After the lock, counting starts again.
        let s2 = after_failure(s.as_ref(), t(906), 5, 900);
        assert_eq!(s2.failures, 1);
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let s = after_failure(None, t(0), 5, 900);
        let s = after_failure(Some(&s), t(1000), 5, 900);
        assert_eq!(s.failures, 1);
    }
}
