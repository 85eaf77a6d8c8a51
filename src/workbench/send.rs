//! Sending in-app messages, inside the transaction of the act that sends
//! them: one per (user, dedup key), so nothing announces itself twice.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::{roles_from_json, Role};
use crate::db::schema::{case_officers, messages, users};
use crate::db::{micros, DbConn};
use crate::error::AppResult;

/// A message about to be sent.
pub struct Message {
    pub kind: &'static str,
    /// Same key, same user: sent once.
    pub dedup_key: String,
    pub title: String,
    pub case_id: Option<String>,
    pub subject_id: Option<String>,
}

/// Sends `m` to each user who has not had it yet (in the caller's
/// transaction). One statement a user: the unique (user, dedup key) index
/// absorbs a repeat — and a concurrent duplicate — without aborting the
/// caller's transaction.
pub fn notify(
    conn: &mut DbConn,
    user_ids: &[String],
    m: &Message,
    at: NaiveDateTime,
) -> AppResult<()> {
    for user in user_ids {
        let row = (
            messages::id.eq(uuid::Uuid::now_v7().to_string()),
            messages::user_id.eq(user),
            messages::dedup_key.eq(&m.dedup_key),
            messages::kind.eq(m.kind),
            messages::title.eq(&m.title),
            messages::case_id.eq(&m.case_id),
            messages::subject_id.eq(&m.subject_id),
            messages::created_at.eq(micros(at)),
        );
        match conn {
            DbConn::Pg(c) => diesel::insert_into(messages::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_or_ignore_into(messages::table)
                .values(row)
                .execute(c)?,
        };
    }
    Ok(())
}

/// Sends `m` to the active users of a department who hold one of `roles`.
pub fn notify_department(
    conn: &mut DbConn,
    department_id: &str,
    roles: &[Role],
    m: &Message,
    at: NaiveDateTime,
) -> AppResult<()> {
    let people: Vec<(String, String)> = users::table
        .filter(users::department_id.eq(department_id))
        .filter(users::disabled.eq(false))
        .select((users::id, users::roles))
        .load(conn)?;
    let ids: Vec<String> = people
        .into_iter()
        .filter(|(_, r)| roles_from_json(r).iter().any(|r| roles.contains(r)))
        .map(|(id, _)| id)
        .collect();
    notify(conn, &ids, m, at)
}

/// Sends `m` to the officers currently on a case.
pub fn notify_case_officers(
    conn: &mut DbConn,
    case_id: &str,
    m: &Message,
    at: NaiveDateTime,
) -> AppResult<()> {
    let ids: Vec<String> = case_officers::table
        .filter(case_officers::case_id.eq(case_id))
        .filter(case_officers::role.eq(crate::kernel::OfficerRole::Officer))
        .select(case_officers::user_id)
        .load(conn)?;
    notify(conn, &ids, m, at)
}
