//! The login use case: throttling, password check, and the audit of every
//! attempt, success or failure.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::api::UserSummary;
use super::rules::{after_failure, locked_for, Throttle};
use super::{password, roles_from_json};
use crate::audit::{self, AuditEvent};
use crate::db::schema::{login_throttle, users};
use crate::db::{write_tx, DbConn};
use crate::error::AppResult;
use crate::http::RequestCtx;

pub enum LoginOutcome {
    /// The user and their token epoch.
    Ok(UserSummary, i32),
    Bad,
    Locked(u64),
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
    max_failures: u32,
    lock_seconds: u64,
) -> AppResult<LoginOutcome> {
    // Argon2 runs outside any transaction; only the bookkeeping is written.
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
    let throttle = load_throttle(conn, username)?;
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
    if let Some(wait) = locked_for(throttle.as_ref(), now) {
        write_tx(conn, |c| audit::write(c, now, &event("login.throttled")))?;
        return Ok(LoginOutcome::Locked(wait));
    }
    let good = match &user {
        Some(u) => password::verify(pw, &u.5) && !u.6,
        None => {
            password::verify(pw, password::decoy_hash());
            false
        }
    };
    if !good {
        let next = after_failure(throttle.as_ref(), now, max_failures, lock_seconds);
        write_tx(conn, |c| {
            save_throttle(c, username, throttle.is_some(), &next)?;
            audit::write(c, now, &event("login.failure"))
        })?;
        return Ok(LoginOutcome::Bad);
    }
    let u = user.expect("checked above");
    write_tx(conn, |c| {
        diesel::delete(login_throttle::table.find(username)).execute(c)?;
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

fn load_throttle(conn: &mut DbConn, username: &str) -> AppResult<Option<Throttle>> {
    let row: Option<(i32, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> =
        login_throttle::table
            .find(username)
            .select((
                login_throttle::failures,
                login_throttle::window_started_at,
                login_throttle::locked_until,
            ))
            .first(conn)
            .optional()?;
    Ok(
        row.map(|(failures, window_started_at, locked_until)| Throttle {
            failures,
            window_started_at,
            locked_until,
        }),
    )
}

fn save_throttle(conn: &mut DbConn, username: &str, exists: bool, t: &Throttle) -> AppResult<()> {
    if exists {
        diesel::update(login_throttle::table.find(username))
            .set((
                login_throttle::failures.eq(t.failures),
                login_throttle::window_started_at.eq(t.window_started_at),
                login_throttle::locked_until.eq(t.locked_until),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::username.eq(username),
                login_throttle::failures.eq(t.failures),
                login_throttle::window_started_at.eq(t.window_started_at),
                login_throttle::locked_until.eq(t.locked_until),
            ))
            .execute(conn)?;
    }
    Ok(())
}
