//! Storage: one connection type over PostgreSQL and SQLite, an r2d2 pool,
//! embedded migrations per backend, and the write-transaction helper.

pub mod text_enum;
pub(crate) use text_enum::text_enum;
pub mod async_pg;
pub mod schema;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{NaiveDateTime, Timelike};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};

/// One connection type for both backends (see ARCHITECTURE.md's pitfalls:
/// no `for_update`, no `on_conflict`, one-row inserts, tuple `returning`).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Initialises OpenSSL (which libpq uses for TLS to PostgreSQL) without
/// its `atexit` clean-up. Otherwise the process's exit frees OpenSSL's
/// global state while pool threads may still be using a connection, and a
/// process that finished its work can crash on the way out. Idempotent;
/// called before every libpq connection.
pub fn init_tls() {
    openssl_sys::init();
}

pub type Pool = r2d2::Pool<DbManager>;
pub type Conn = PooledConnection<DbManager>;

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// The URL decides the backend: `postgres://`/`postgresql://` → PostgreSQL;
/// `sqlite://path` or a plain path → SQLite.
pub fn backend_of(url: &str) -> (Backend, String) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        (Backend::Postgres, url.to_string())
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        (Backend::Sqlite, path.to_string())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot open the {backend} database at {target}: {cause}")]
    Connect {
        backend: &'static str,
        target: String,
        cause: String,
    },
    #[error("migrations failed: {0}")]
    Migrate(String),
    #[error("pool: {0}")]
    Pool(String),
}

/// Opens concrete connections itself, so that a failure names its real cause
/// (the derived multi-connection would only say "invalid connection url").
#[derive(Debug, Clone)]
pub struct DbManager {
    backend: Backend,
    target: String,
}

impl DbManager {
    pub fn new(url: &str) -> Self {
        let (backend, target) = backend_of(url);
        DbManager { backend, target }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the data lives, without credentials (for logs and errors).
    pub fn display_target(&self) -> String {
        match self.backend {
            Backend::Sqlite => self.target.clone(),
            Backend::Postgres => redact_url(&self.target),
        }
    }

    pub fn open(&self) -> Result<DbConn, DbSetupError> {
        let err = |cause: String| DbSetupError::Connect {
            backend: self.backend.name(),
            target: self.display_target(),
            cause,
        };
        match self.backend {
            Backend::Postgres => {
                init_tls();
                let conn = PgConnection::establish(&self.target)
                    .map_err(|e| err(e.to_string().trim().to_string()))?;
                Ok(DbConn::Pg(conn))
            }
            Backend::Sqlite => {
                if self.target != ":memory:" {
                    if let Some(parent) = PathBuf::from(&self.target).parent() {
                        if !parent.as_os_str().is_empty() {
                            std::fs::create_dir_all(parent).map_err(|e| {
                                err(format!("cannot create {}: {e}", parent.display()))
                            })?;
                        }
                    }
                }
                let mut conn =
                    SqliteConnection::establish(&self.target).map_err(|e| err(e.to_string()))?;
                // WAL for concurrent readers; FULL sync because the record chain is evidence.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;",
                )
                .map_err(|e| err(e.to_string()))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

fn redact_url(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.open().map_err(|e| {
            r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e.to_string()))
        })
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// One migrated connection and no pool, for the one-shot CLI commands: a
/// pool keeps opening connections on background threads, which can still be
/// inside libpq when a short-lived process exits.
pub fn connect_once(url: &str) -> Result<DbConn, DbSetupError> {
    let mut conn = DbManager::new(url).open()?;
    run_migrations(&mut conn)?;
    Ok(conn)
}

/// Connects once directly (to surface the real error quickly), runs the
/// migrations, then builds the pool.
pub fn connect(url: &str, pool_size: u32) -> Result<Db, DbSetupError> {
    let manager = DbManager::new(url);
    let mut first = manager.open()?;
    run_migrations(&mut first)?;
    drop(first);
    let size = match manager.backend() {
        // SQLite has one writer; a few connections serve concurrent readers.
        Backend::Sqlite => pool_size.clamp(1, 8),
        Backend::Postgres => pool_size,
    };
    let backend = manager.backend();
    let reads = match backend {
        Backend::Postgres => async_pg::AsyncReads::for_postgres_url(url),
        Backend::Sqlite => async_pg::AsyncReads::default(),
    };
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| DbSetupError::Pool(e.to_string()))?;
    Ok(Db {
        pool,
        backend,
        reads,
    })
}

/// Runs pending migrations; on PostgreSQL under an advisory lock so that two
/// instances starting together do not race.
pub fn run_migrations(conn: &mut DbConn) -> Result<(), DbSetupError> {
    let m = |e: &dyn std::fmt::Display| DbSetupError::Migrate(e.to_string());
    match conn {
        DbConn::Pg(pg) => {
            pg.batch_execute("SELECT pg_advisory_lock(7270001)")
                .map_err(|e| m(&e))?;
            let result = pg
                .run_pending_migrations(PG_MIGRATIONS)
                .map(|_| ())
                .map_err(|e| m(&e));
            pg.batch_execute("SELECT pg_advisory_unlock(7270001)")
                .map_err(|e| m(&e))?;
            result
        }
        DbConn::Sqlite(sq) => sq
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|_| ())
            .map_err(|e| m(&e)),
    }
}

pub fn has_pending_migrations(conn: &mut DbConn) -> bool {
    match conn {
        DbConn::Pg(pg) => pg.has_pending_migration(PG_MIGRATIONS).unwrap_or(true),
        DbConn::Sqlite(sq) => sq.has_pending_migration(SQLITE_MIGRATIONS).unwrap_or(true),
    }
}

/// The pool and its backend; `run` moves blocking work off the async threads.
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pub backend: Backend,
    /// Hot PostgreSQL reads on the async workers (see `async_pg`).
    pub reads: async_pg::AsyncReads,
}

impl Db {
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// One write transaction (SQLite: `BEGIN IMMEDIATE`), run off the async threads.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
    }
}

/// Runs `f` in one write transaction. On SQLite the transaction starts with
/// `BEGIN IMMEDIATE`: a deferred one that upgrades to a writer fails under
/// concurrency with "database is locked". Nested `transaction` calls inside
/// `f` become savepoints on both backends.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Pg(_) => conn.transaction(f),
        DbConn::Sqlite(sq) => {
            AnsiTransactionManager::begin_transaction_sql(sq, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let DbConn::Sqlite(sq) = conn else {
                unreachable!("backend changed inside a transaction")
            };
            match result {
                Ok(v) => {
                    AnsiTransactionManager::commit_transaction(sq)?;
                    Ok(v)
                }
                Err(e) => {
                    AnsiTransactionManager::rollback_transaction(sq)?;
                    Err(e)
                }
            }
        }
    }
}

/// Timestamps are stored with microseconds: PostgreSQL keeps no more, and
/// equal values must compare equal on both backends.
pub fn micros(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// An enum stored as text: its serde (snake_case) name.
pub fn enum_str<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The enum a stored name stands for; None for a name no variant has.
pub fn enum_parse<T: for<'de> serde::Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// A value stored as JSON text (lists of domains, citations, …).
pub fn json_text<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The escape character of every LIKE pattern built from a user's or a
/// record's text: pass it to `.escape(LIKE_ESCAPE)`.
pub const LIKE_ESCAPE: char = '\\';

/// `text` with LIKE's wildcards (`%`, `_`) and the escape character
/// escaped, so it matches only itself.
pub fn like_literal(text: impl AsRef<str>) -> String {
    let text = text.as_ref();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '%' || c == '_' || c == LIKE_ESCAPE {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out
}

/// A LIKE pattern for "contains `text`" (use with `.escape(LIKE_ESCAPE)`).
pub fn like_contains(text: impl AsRef<str>) -> String {
    format!("%{}%", like_literal(text))
}

/// A LIKE pattern for "starts with `text`" (use with `.escape(LIKE_ESCAPE)`):
/// a department's subtree by its materialised path.
pub fn like_prefix(text: impl AsRef<str>) -> String {
    format!("{}%", like_literal(text))
}

/// A map of a diesel error to the service error, named for the entity.
pub fn not_found_as(what: &'static str) -> impl Fn(diesel::result::Error) -> AppError {
    move |e| match e {
        diesel::result::Error::NotFound => AppError::not_found(format!("{what} not found")),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_picks_backend() {
        assert_eq!(backend_of("postgres://u@h/d").0, Backend::Postgres);
        assert_eq!(backend_of("postgresql://u@h/d").0, Backend::Postgres);
        assert_eq!(
            backend_of("sqlite://./x/z.db"),
            (Backend::Sqlite, "./x/z.db".into())
        );
        assert_eq!(
            backend_of("/tmp/z.db"),
            (Backend::Sqlite, "/tmp/z.db".into())
        );
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_contains("%"), "%\\%%");
        assert_eq!(like_contains("a_b"), "%a\\_b%");
        assert_eq!(like_prefix("/r\\x/"), "/r\\\\x/%");
    }

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(
            redact_url("postgres://bob:pw@db:5432/x"),
            "postgres://bob:***@db:5432/x"
        );
        assert_eq!(redact_url("postgres://bob@db/x"), "postgres://bob@db/x");
    }
}
