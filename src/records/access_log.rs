//! The access log: every read of a case file (allowed or refused), kept off
//! the request path. Reads are buffered in memory and written in batches by
//! a background task, and flushed on shutdown and before the log is read.

use std::sync::Mutex;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::access_log;
use crate::db::{write_tx, Db, DbConn};
use crate::error::AppResult;

#[derive(Debug, Clone)]
pub struct AccessEntry {
    pub id: String,
    pub case_id: String,
    pub user_id: String,
    pub username: String,
    pub at: NaiveDateTime,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub allowed: bool,
}

#[derive(Insertable)]
#[diesel(table_name = access_log)]
struct Row<'a> {
    id: &'a str,
    case_id: &'a str,
    user_id: &'a str,
    username: &'a str,
    at: NaiveDateTime,
    ip: Option<&'a str>,
    request_id: Option<&'a str>,
    action: &'a str,
    allowed: bool,
}

/// Multi-row inserts in one transaction. The multi-backend connection
/// refuses multi-row inserts, so each backend's own connection runs them.
fn write_batch(conn: &mut DbConn, batch: &[AccessEntry]) -> AppResult<()> {
    write_tx(conn, |conn| {
        for chunk in batch.chunks(500) {
            let rows: Vec<Row> = chunk
                .iter()
                .map(|e| Row {
                    id: &e.id,
                    case_id: &e.case_id,
                    user_id: &e.user_id,
                    username: &e.username,
                    at: crate::db::micros(e.at),
                    ip: e.ip.as_deref(),
                    request_id: e.request_id.as_deref(),
                    action: &e.action,
                    allowed: e.allowed,
                })
                .collect();
            let q = diesel::insert_into(access_log::table).values(&rows);
            match conn {
                DbConn::Pg(c) => q.execute(c)?,
                DbConn::Sqlite(c) => q.execute(c)?,
            };
        }
        Ok(())
    })
}

#[derive(Default)]
pub struct AccessLogger {
    buffer: Mutex<Vec<AccessEntry>>,
    /// Serialises flushes so that entries keep their order in the table.
    flushing: tokio::sync::Mutex<()>,
}

/// Above this many buffered entries a request wakes the flusher early.
pub const BATCH: usize = 512;

impl AccessLogger {
    pub fn record(&self, entry: AccessEntry) -> usize {
        let mut b = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        b.push(entry);
        b.len()
    }

    pub fn pending(&self) -> usize {
        self.buffer.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Writes what is buffered in one transaction; on failure the entries go
    /// back to the front of the buffer, so none is lost.
    pub async fn flush(&self, db: &Db) -> AppResult<usize> {
        let _guard = self.flushing.lock().await;
        let batch: Vec<AccessEntry> =
            std::mem::take(&mut *self.buffer.lock().unwrap_or_else(|p| p.into_inner()));
        if batch.is_empty() {
            return Ok(0);
        }
        let n = batch.len();
        let kept = batch.clone();
        let result = db.run(move |conn| write_batch(conn, &batch)).await;
        match result {
            Ok(()) => Ok(n),
            Err(e) => {
                let mut b = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
                let newer = std::mem::take(&mut *b);
                *b = kept;
                b.extend(newer);
                Err(e)
            }
        }
    }
}

/// One read of a case file.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogEntry {
    pub at: String,
    pub user_id: String,
    pub username: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    /// False for a refused attempt (e.g. another department's officer).
    pub allowed: bool,
}

/// Every logged read of one case, oldest first.
pub fn for_case(conn: &mut DbConn, case_id: &str) -> AppResult<Vec<AccessLogEntry>> {
    let rows: Vec<AccessRow> = access_log::table
        .filter(access_log::case_id.eq(case_id))
        .order((access_log::at.asc(), access_log::id.asc()))
        .select(AccessRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| AccessLogEntry {
            at: crate::clock::rfc3339(r.at),
            user_id: r.user_id,
            username: r.username,
            ip: r.ip,
            request_id: r.request_id,
            action: r.action,
            allowed: r.allowed,
        })
        .collect())
}

/// A logged read as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = access_log)]
struct AccessRow {
    at: NaiveDateTime,
    user_id: String,
    username: String,
    ip: Option<String>,
    request_id: Option<String>,
    action: String,
    allowed: bool,
}
