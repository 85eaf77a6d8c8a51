//! Pure rules of authentication: the password policy and login throttling.

use chrono::NaiveDateTime;

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

/// Whether the `attempt`-th attempt in the window is refused without its
/// password being checked: the first `max_failures` are checked; the
/// `max_failures`-th locks the key, so every later one is refused.
pub fn attempt_refused(attempt: i32, max_failures: u32) -> bool {
    attempt > 0 && attempt as u32 > max_failures
}

/// Seconds until a lock ends (at least 1; `Retry-After`).
pub fn wait_seconds(until: Option<NaiveDateTime>, now: NaiveDateTime) -> u64 {
    match until {
        Some(until) if until > now => ((until - now).num_milliseconds() as u64)
            .div_ceil(1000)
            .max(1),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

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
    fn the_first_max_attempts_are_checked() {
        assert!(!attempt_refused(1, 5));
        assert!(!attempt_refused(5, 5));
        assert!(attempt_refused(6, 5));
        assert!(attempt_refused(40, 5));
    }

    #[test]
    fn wait_is_rounded_up_and_at_least_one_second() {
        assert_eq!(wait_seconds(Some(t(900)), t(0)), 900);
        assert_eq!(wait_seconds(Some(t(1)), t(0)), 1);
        assert_eq!(wait_seconds(Some(t(0)), t(5)), 1);
        assert_eq!(wait_seconds(None, t(5)), 1);
    }
}
