//! The state every handler shares: the database, the settings, the clock
//! and the in-process caches of the capabilities.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;

/// Everything a handler may need, shared by all workers.
pub struct AppState {
    pub db: Db,
    pub settings: Settings,
    pub clock: Clock,
    pub jwt: crate::auth::jwt::JwtKeys,
    pub access_log: Arc<crate::records::access_log::AccessLogger>,
    /// Wakes the access-log flusher early when the buffer is full.
    pub access_log_wake: Arc<tokio::sync::Notify>,
    pub metrics: Arc<crate::http::metrics::Metrics>,
    pub callers: crate::auth::CallerCache,
    /// Cases as readers get them, checked against the case's version.
    pub case_views: crate::cases::view::CaseViews,
    /// Case files as their events tell them, at their case's version (the
    /// changes' starting point).
    pub case_histories: crate::cases::file::CaseFiles,
    /// Published benchmarks, items and rule profiles for lookups.
    pub discretion: crate::discretion::cache::Cache,
    /// The working-day calendar deadlines are counted with.
    pub calendar: crate::calendar::Cache,
    /// The document font, parsed on first use.
    pub document_font: crate::documents::FontCell,
    /// When this instance last wrote each session's `last_seen_at`.
    pub sessions_seen: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
    /// This process's id among the instances sharing the database (number
    /// reservations name it; see `documents::instances`).
    pub instance_id: String,
}

impl AppState {
    pub fn new(settings: Settings, db: Db) -> AppState {
        let clock = match settings.clock_start {
            Some(t) => Clock::starting_at(t),
            None => Clock::system(),
        };
        AppState {
            jwt: crate::auth::jwt::JwtKeys::new(&settings.jwt_secret),
            db,
            settings,
            clock,
            access_log: Arc::default(),
            access_log_wake: Arc::default(),
            metrics: Arc::default(),
            callers: crate::auth::new_caller_cache(),
            case_views: crate::cases::view::new_case_views(),
            case_histories: crate::cases::file::new_case_files(),
            discretion: crate::discretion::cache::new_cache(),
            calendar: crate::calendar::new_cache(),
            document_font: Default::default(),
            sessions_seen: Default::default(),
            instance_id: crate::documents::instance_id().to_string(),
        }
    }
}
