//! Sessions: one per login. A token's `jti` names its session, and the
//! extractor checks on every request that the session is not revoked — a
//! primary-key read of the database every instance shares (no cache), so
//! logout and revoke-all take effect at once everywhere.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::sessions;
use crate::db::DbConn;
use crate::error::AppResult;

/// How often a session's `last_seen_at` is written (at most).
pub const SEEN_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The longest user agent kept.
const USER_AGENT_MAX: usize = 256;

/// A session as its owner sees it (`GET /me/sessions`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Last request seen with this session (written at most once a minute).
    pub last_seen_at: String,
    pub expires_at: String,
    pub user_agent: Option<String>,
    /// The client address that logged in.
    pub ip: Option<String>,
    /// The session of the token this list was asked with.
    pub current: bool,
}

/// Opens a session for a login.
pub fn open(
    conn: &mut DbConn,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
    user_agent: Option<&str>,
    ip: Option<&str>,
) -> AppResult<()> {
    let agent = user_agent.map(|a| {
        a.chars()
            .filter(|c| !c.is_control())
            .take(USER_AGENT_MAX)
            .collect::<String>()
    });
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(crate::db::micros(now)),
            sessions::last_seen_at.eq(crate::db::micros(now)),
            sessions::expires_at.eq(crate::db::micros(expires_at)),
            sessions::user_agent.eq(agent),
            sessions::ip.eq(ip),
        ))
        .execute(conn)?;
    Ok(())
}

/// The query the extractor runs on every request (also on the async
/// PostgreSQL path): a row while the session is alive.
pub const ALIVE_SQL: &str = "SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL";

/// Whether the session is alive (not revoked), by the pool.
pub fn alive(conn: &mut DbConn, id: &str) -> AppResult<bool> {
    let n: i64 = sessions::table
        .filter(sessions::id.eq(id))
        .filter(sessions::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn touch(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(crate::db::micros(now)))
        .execute(conn)?;
    Ok(())
}

/// Revokes one session of a user; answers whether it was alive.
pub fn revoke(conn: &mut DbConn, user_id: &str, id: &str, now: NaiveDateTime) -> AppResult<bool> {
    let n = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(crate::db::micros(now)))
    .execute(conn)?;
    Ok(n > 0)
}

/// Revokes every session of a user; answers how many were alive.
pub fn revoke_all(conn: &mut DbConn, user_id: &str, now: NaiveDateTime) -> AppResult<usize> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(crate::db::micros(now)))
    .execute(conn)?)
}

/// A user's sessions that are neither revoked nor expired, newest first,
/// one page (`after`: the last id of the previous page).
pub fn active(
    conn: &mut DbConn,
    user_id: &str,
    current: &str,
    now: NaiveDateTime,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<SessionView>> {
    let mut q = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(crate::db::micros(now)))
        .order(sessions::id.desc())
        .limit(limit)
        .select((
            sessions::id,
            sessions::created_at,
            sessions::last_seen_at,
            sessions::expires_at,
            sessions::user_agent,
            sessions::ip,
        ))
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(sessions::id.lt(a.to_string()));
    }
    type Row = (
        String,
        NaiveDateTime,
        NaiveDateTime,
        NaiveDateTime,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| SessionView {
            current: r.0 == current,
            id: r.0,
            created_at: utc(r.1),
            last_seen_at: utc(r.2),
            expires_at: utc(r.3),
            user_agent: r.4,
            ip: r.5,
        })
        .collect())
}

fn utc(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
