//! PostgreSQL reads on the async worker threads, for the one query every
//! case view makes (the case's version, by primary key). A diesel query
//! runs on the blocking pool: a hop to another thread and back and a test
//! query at checkout, which on a small server cost several times the query
//! itself (docs/performance.md). Here each worker thread keeps one
//! tokio-postgres connection of its own, opened on first use; concurrent
//! reads of that worker share it (the protocol pipelines them).
//!
//! It speaks no TLS, so it is used only where no TLS is wanted or needed:
//! `sslmode=disable`, or a Unix socket or loopback address unless the URL
//! says `sslmode=require`. Anywhere else,
//! after any error (for [`RETRY_AFTER`]) and on SQLite, callers ask the pool.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{Client, Config, NoTls, Statement};

/// How long a worker asks the pool instead after its connection failed.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// The async read path of one database URL; `None` inside when the URL is
/// not PostgreSQL or the path may not be used for it.
#[derive(Clone, Default)]
pub struct AsyncReads {
    config: Option<Config>,
    /// Which of the thread's connections is this database's (a process may
    /// serve more than one database, as the tests do).
    id: u64,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One worker's connection and the statements prepared on it.
struct WorkerConn {
    client: Client,
    statements: RefCell<HashMap<&'static str, Statement>>,
}

enum Slot {
    Open(Rc<WorkerConn>),
    FailedAt(Instant),
}

thread_local! {
    static SLOTS: RefCell<HashMap<u64, Slot>> = RefCell::default();
}

fn set_slot(id: u64, slot: Slot) {
    SLOTS.with(|s| {
        s.borrow_mut().insert(id, slot);
    });
}

impl AsyncReads {
    /// The async path for a PostgreSQL URL that needs no TLS; none otherwise.
    pub fn for_postgres_url(url: &str) -> AsyncReads {
        let config = url
            .parse::<Config>()
            .ok()
            .filter(needs_no_tls)
            .map(|mut c| {
                c.application_name("zhifa-reads")
                    .connect_timeout(Duration::from_secs(2));
                c
            });
        AsyncReads {
            config,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub fn enabled(&self) -> bool {
        self.config.is_some()
    }

    /// The `i32` in the first column of the one row `sql` (with `$1` = `key`)
    /// returns: `Some(None)` for no row, `None` when this path cannot answer
    /// (ask the pool).
    pub async fn i32_by_key(&self, sql: &'static str, key: &str) -> Option<Option<i32>> {
        let config = self.config.as_ref()?;
        let conn = worker_conn(self.id, config).await?;
        let answer = async {
            let statement = conn.statement(sql).await?;
            let row = conn.client.query_opt(&statement, &[&key]).await?;
            row.map(|r| r.try_get::<_, i32>(0)).transpose()
        }
        .await;
        match answer {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "async read failed; asking the pool");
                set_slot(self.id, Slot::FailedAt(Instant::now()));
                None
            }
        }
    }
}

impl WorkerConn {
    async fn statement(&self, sql: &'static str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql).await?;
        self.statements.borrow_mut().insert(sql, s.clone());
        Ok(s)
    }
}

/// This worker's connection: the open one, or a new one unless the last
/// attempt failed within `RETRY_AFTER`.
async fn worker_conn(id: u64, config: &Config) -> Option<Rc<WorkerConn>> {
    let reuse = SLOTS.with(|s| match s.borrow().get(&id) {
        Some(Slot::Open(c)) if !c.client.is_closed() => Some(Some(c.clone())),
        Some(Slot::FailedAt(at)) if at.elapsed() < RETRY_AFTER => Some(None),
        _ => None,
    });
    if let Some(c) = reuse {
        return c;
    }
    match config.connect(NoTls).await {
        Ok((client, connection)) => {
            // The connection's I/O runs on this worker, beside its requests.
            actix_rt::spawn(async move {
                let _ = connection.await;
            });
            let conn = Rc::new(WorkerConn {
                client,
                statements: RefCell::default(),
            });
            set_slot(id, Slot::Open(conn.clone()));
            Some(conn)
        }
        Err(e) => {
            tracing::warn!(error = %e, "async read connection failed; asking the pool");
            set_slot(id, Slot::FailedAt(Instant::now()));
            None
        }
    }
}

/// Plain TCP is acceptable only where the operator turned TLS off, or left
/// it at libpq's default (`prefer`) with the server on this machine. An
/// explicit `sslmode=require` is never answered without TLS.
fn needs_no_tls(config: &Config) -> bool {
    match config.get_ssl_mode() {
        SslMode::Disable => return true,
        SslMode::Prefer => {}
        _ => return false,
    }
    let hosts = config.get_hosts();
    !hosts.is_empty()
        && hosts.iter().all(|h| match h {
            Host::Unix(_) => true,
            Host::Tcp(name) => {
                name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn used_only_where_no_tls_is_needed() {
        let on = |url: &str| AsyncReads::for_postgres_url(url).enabled();
        assert!(on("postgres://postgres@127.0.0.1:5432/test"));
        assert!(on("postgres://u@localhost/zhifa"));
        assert!(on("postgres://u@[::1]:5432/zhifa"));
        assert!(on("postgres://u@db.internal/zhifa?sslmode=disable"));
        assert!(on("host=/var/run/postgresql dbname=zhifa"));
        assert!(!on("postgres://u@db.internal/zhifa"));
        assert!(!on("postgres://u@10.0.0.5/zhifa?sslmode=require"));
        assert!(!on("postgres://u@127.0.0.1/zhifa?sslmode=require"));
        assert!(!on("postgres://u@127.0.0.1,db.internal/zhifa"));
        assert!(!on("sqlite://zhifa-data/zhifa.db"));
    }
}
