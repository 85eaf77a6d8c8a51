//! 工作日历 — the working-day calendar: published holiday tables (shipped
//! in `fixtures/holidays/<year>.toml`, later years loaded by an admin) and
//! APL Art 85 day counting (`rules.rs`).

pub mod api;
pub mod rules;

use std::path::Path;

use std::time::Duration;

use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::audit::{self, AuditEvent};
use crate::db::schema::holiday_years;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Code};
use crate::fixtures::toml_date as date;
pub use rules::{Calendar, Due, Excluded, Holiday, YearTable};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    source: String,
    #[serde(default)]
    holidays: Vec<HolidayFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    name: String,
    from: toml::value::Datetime,
    to: toml::value::Datetime,
    #[serde(default)]
    work: Vec<toml::value::Datetime>,
}

/// Reads every `<year>.toml` of a holidays directory; the file name must
/// be its year.
pub fn read_dir(dir: &Path) -> AppResult<Vec<YearTable>> {
    let mut out = vec![];
    for f in crate::fixtures::toml_files(dir)? {
        let fail = |e: String| AppError::rule(Code::ImportFailed, format!("{}: {e}", f.display()));
        let text = std::fs::read_to_string(&f).map_err(|e| fail(e.to_string()))?;
        let y: YearFile = toml::from_str(&text).map_err(|e| fail(e.to_string()))?;
        if f.file_stem().and_then(|s| s.to_str()) != Some(y.year.to_string().as_str()) {
            return Err(fail(format!(
                "the file of year {} must be named {}.toml",
                y.year, y.year
            )));
        }
        let mut holidays = vec![];
        for h in y.holidays {
            let bad = || fail(format!("{}: dates must be YYYY-MM-DD", h.name));
            holidays.push(Holiday {
                from: date(&h.from).ok_or_else(bad)?,
                to: date(&h.to).ok_or_else(bad)?,
                work: h
                    .work
                    .iter()
                    .map(|w| date(w).ok_or_else(bad))
                    .collect::<Result<_, _>>()?,
                name: h.name,
            });
        }
        if holidays
            .iter()
            .any(|h| h.from.year() != y.year && h.to.year() != y.year)
        {
            return Err(fail(format!("a holiday lies outside {}", y.year)));
        }
        out.push(YearTable {
            year: y.year,
            source: y.source,
            holidays,
        });
    }
    Ok(out)
}

/// Every stored year, in order.
pub fn load_tables(conn: &mut DbConn) -> AppResult<Vec<YearTable>> {
    let rows: Vec<(i32, String)> = holiday_years::table
        .select((holiday_years::year, holiday_years::content))
        .order(holiday_years::year.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(year, content)| {
            serde_json::from_str(&content)
                .map_err(|e| AppError::internal(format!("holiday year {year}: {e}")))
        })
        .collect()
}

fn load(conn: &mut DbConn) -> AppResult<Calendar> {
    Calendar::new(&load_tables(conn)?).map_err(AppError::internal)
}

/// The calendar requests count with (see `crate::snapshot`).
pub type Cache = crate::snapshot::Refreshing<Calendar>;

pub fn new_cache() -> Cache {
    Cache::new(Duration::from_secs(30), load)
}

/// Stores one year (inside the caller's transaction) after checking it
/// together with every other stored year. Returns whether anything changed.
pub fn save_year(
    conn: &mut DbConn,
    table: &YearTable,
    actor: &AuditEvent,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let stored = load_tables(conn)?;
    let old: Option<YearTable> = stored.iter().find(|t| t.year == table.year).cloned();
    let mut all: Vec<YearTable> = stored
        .into_iter()
        .filter(|t| t.year != table.year)
        .collect();
    all.push(table.clone());
    Calendar::new(&all).map_err(|e| AppError::rule_on_field(Code::InvalidValue, "holidays", e))?;
    if old.as_ref() == Some(table) {
        return Ok(false);
    }
    let content = crate::db::json_text(table);
    let at = crate::db::micros(now);
    if old.is_some() {
        diesel::update(holiday_years::table.find(table.year))
            .set((
                holiday_years::source.eq(&table.source),
                holiday_years::content.eq(&content),
                holiday_years::updated_at.eq(at),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(holiday_years::table)
            .values((
                holiday_years::year.eq(table.year),
                holiday_years::source.eq(&table.source),
                holiday_years::content.eq(&content),
                holiday_years::created_at.eq(at),
                holiday_years::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    let event = AuditEvent {
        action: if old.is_some() {
            "holiday_year.updated"
        } else {
            "holiday_year.created"
        }
        .into(),
        target: Some(format!("holiday_year:{}", table.year)),
        ..actor.clone()
    };
    audit::write(conn, now, &event.change(old.as_ref(), Some(table)))?;
    Ok(true)
}
