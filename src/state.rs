//! The state every handler shares: the database, the settings, the clock
//! and the in-process caches of the capabilities.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::{auth, calendar, cases, discretion, documents, http, records};

/// Everything a handler may need, shared by all workers.
pub struct AppState {
    pub db: Db,
    pub settings: Settings,
    pub clock: Clock,
    pub jwt: auth::jwt::JwtKeys,
    pub access_log: Arc<records::access_log::AccessLogger>,
    /// Wakes the access-log flusher early when the buffer is full.
    pub access_log_wake: Arc<tokio::sync::Notify>,
    pub metrics: Arc<http::metrics::Metrics>,
    pub callers: auth::CallerCache,
    /// Cases as readers get them, checked against the case's version.
    pub case_views: cases::view::CaseViews,
    /// Case files as their events tell them, at their case's version (the
    /// changes' starting point).
    pub case_histories: cases::file::CaseFiles,
    /// Published benchmarks, items and rule profiles for lookups.
    pub discretion: discretion::cache::Cache,
    /// The working-day calendar deadlines are counted with.
    pub calendar: calendar::Cache,
    /// The document font, parsed on first use.
    pub document_font: documents::FontCell,
}

impl AppState {
    pub fn new(settings: Settings, db: Db) -> AppState {
        let clock = match settings.clock_start {
            Some(t) => Clock::starting_at(t),
            None => Clock::system(),
        };
        AppState {
            jwt: auth::jwt::JwtKeys::new(&settings.jwt_secret),
            db,
            settings,
            clock,
            access_log: Arc::default(),
            access_log_wake: Arc::default(),
            metrics: Arc::default(),
            callers: auth::new_caller_cache(),
            case_views: cases::view::new_case_views(),
            case_histories: cases::file::new_case_files(),
            discretion: discretion::cache::new_cache(),
            calendar: calendar::new_cache(),
            document_font: Default::default(),
        }
    }
}
