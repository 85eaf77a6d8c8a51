//! The login use case: throttling, password check, and the audit of every
//! attempt, success or failure.
//!
//! Each attempt is counted before its password is checked, in one atomic
//! statement per key (the username, and the client's address): an upsert
//! that increments the counter and answers the new count. Concurrent
//! attempts get distinct counts, so exactly `max_failures` of a burst are
//! checked and the rest are refused, and the lock set by the last checked
//! one stands after the burst.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};

use super::rules::{attempt_refused, wait_seconds};
use super::{password, roles_from_json, Role};
use crate::audit::{self, AuditEvent};
use crate::db::schema::{login_address_throttle, login_throttle, users};
use crate::db::{write_tx, DbConn};
use crate::error::AppResult;
use crate::http::RequestCtx;

/// Who logged in, as the login answer shows them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UserSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department_id: String,
}

pub enum LoginOutcome {
    /// The user and their token epoch.
    Ok(UserSummary, i32),
    Bad,
    Locked(u64),
}

/// The limits of the two throttles (settings `login_*`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_failures: u32,
    pub lock_seconds: u64,
    /// 0 turns the per-address throttle off.
    pub address_max_failures: u32,
    pub address_lock_seconds: u64,
}

type LoginRow = (String, String, String, String, String, String, bool, i32);

/// One login attempt. Argon2 runs outside any transaction; only the
/// bookkeeping (throttle state, audit) is written.
pub fn authenticate(
    conn: &mut DbConn,
    username: &str,
    pw: &str,
    ctx: &RequestCtx,
    now: NaiveDateTime,
    limits: Limits,
) -> AppResult<LoginOutcome> {
    let user: Option<LoginRow> = users::table
        .filter(users::username.eq(username))
        .select((
            users::id,
            users::username,
            users::display_name,
            users::roles,
            users::department_id,
            users::password_hash,
            users::disabled,
            users::token_epoch,
        ))
        .first(conn)
        .optional()?;
    let user_id = user.as_ref().map(|u| u.0.clone());
    let event = |action: &str| AuditEvent {
        actor_id: user_id.clone(),
        actor_username: Some(username.to_string()),
        action: action.into(),
        target: Some(format!("user:{username}")),
        request_id: Some(ctx.request_id.clone()),
        ip: ctx.ip.clone(),
        ..Default::default()
    };
    // 1. The client's address, then the account: each attempt counted first.
    let address = ctx
        .ip
        .as_deref()
        .filter(|_| limits.address_max_failures > 0);
    let mut counted = vec![];
    if let Some(ip) = address {
        let (n, until) = count_attempt(
            conn,
            Key::Address(ip),
            now,
            limits.address_max_failures,
            limits.address_lock_seconds,
        )?;
        counted.push(ip);
        if attempt_refused(n, limits.address_max_failures) {
            write_tx(conn, |c| {
                audit::write(c, now, &event("login.throttled_address"))
            })?;
            return Ok(LoginOutcome::Locked(wait_seconds(until, now)));
        }
    }
    let (n, until) = count_attempt(
        conn,
        Key::Username(username),
        now,
        limits.max_failures,
        limits.lock_seconds,
    )?;
    if attempt_refused(n, limits.max_failures) {
        write_tx(conn, |c| audit::write(c, now, &event("login.throttled")))?;
        return Ok(LoginOutcome::Locked(wait_seconds(until, now)));
    }
    // 2. The password.
    let good = match &user {
        Some(u) => password::verify(pw, &u.5) && !u.6,
        None => {
            password::verify(pw, password::decoy_hash());
            false
        }
    };
    if !good {
        write_tx(conn, |c| audit::write(c, now, &event("login.failure")))?;
        return Ok(LoginOutcome::Bad);
    }
    let u = user.expect("checked above");
    write_tx(conn, |c| {
        // A success clears the account's count and takes this attempt
        // back from the address's (which counts failures only).
        diesel::delete(login_throttle::table.find(username)).execute(c)?;
        for ip in &counted {
            diesel::update(login_address_throttle::table.find(*ip))
                .filter(login_address_throttle::failures.gt(0))
                .set(login_address_throttle::failures.eq(login_address_throttle::failures - 1))
                .execute(c)?;
        }
        audit::write(c, now, &event("login.success"))
    })?;
    Ok(LoginOutcome::Ok(
        UserSummary {
            id: u.0,
            username: u.1,
            display_name: u.2,
            roles: roles_from_json(&u.3),
            department_id: u.4,
        },
        u.7,
    ))
}

/// What an attempt is counted against.
enum Key<'a> {
    Username(&'a str),
    Address(&'a str),
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = Nullable<Timestamp>)]
    locked_until: Option<NaiveDateTime>,
}

/// Counts one attempt in one atomic statement (`INSERT … ON CONFLICT DO
/// UPDATE … RETURNING`, PostgreSQL and SQLite ≥ 3.35 alike) and answers
/// the count in the current window and the lock. A window older than
/// `lock_seconds`, or an expired lock, starts the count again at 1; the
/// `max`-th attempt sets the lock for `lock_seconds`.
fn count_attempt(
    conn: &mut DbConn,
    key: Key,
    now: NaiveDateTime,
    max: u32,
    lock_seconds: u64,
) -> AppResult<(i32, Option<NaiveDateTime>)> {
    let (table, column, key) = match key {
        Key::Username(k) => ("login_throttle", "username", k),
        Key::Address(k) => ("login_address_throttle", "address", k),
    };
    let now = crate::db::micros(now);
    let window = chrono::Duration::seconds(lock_seconds.min(i32::MAX as u64) as i64);
    let t = table;
    let reset = format!(
        "(({t}.locked_until IS NOT NULL AND {t}.locked_until <= $2) \
         OR ({t}.locked_until IS NULL AND {t}.window_started_at <= $5))"
    );
    let sql = format!(
        "INSERT INTO {t} ({column}, failures, window_started_at, locked_until) \
         VALUES ($1, 1, $2, CASE WHEN 1 >= $4 THEN $3 ELSE NULL END) \
         ON CONFLICT ({column}) DO UPDATE SET \
           failures = CASE WHEN {reset} THEN 1 ELSE {t}.failures + 1 END, \
           window_started_at = CASE WHEN {reset} THEN $2 ELSE {t}.window_started_at END, \
           locked_until = CASE WHEN {reset} THEN (CASE WHEN 1 >= $4 THEN $3 ELSE NULL END) \
             WHEN {t}.locked_until IS NOT NULL THEN {t}.locked_until \
             WHEN {t}.failures + 1 >= $4 THEN $3 ELSE NULL END \
         RETURNING failures, locked_until"
    );
    let max = max.min(i32::MAX as u32) as i32;
    macro_rules! run {
        ($c:expr, $sql:expr) => {
            diesel::sql_query($sql)
                .bind::<Text, _>(key)
                .bind::<Timestamp, _>(now)
                .bind::<Timestamp, _>(now + window)
                .bind::<Integer, _>(max)
                .bind::<Timestamp, _>(now - window)
                .get_result::<Counted>($c)?
        };
    }
    let row = match conn {
        DbConn::Pg(c) => run!(c, sql),
        // SQLite numbers its parameters `?N`.
        DbConn::Sqlite(c) => run!(c, sql.replace('$', "?")),
    };
    Ok((row.failures, row.locked_until))
}
