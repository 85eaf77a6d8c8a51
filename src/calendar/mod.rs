//! 工作日历 — the working-day calendar: published holiday tables
//! (`fixtures/holidays/<year>.toml`) and APL Art 85 day counting
//! (`rules.rs`). Loading into the service and the admin endpoint for later
//! years come with the case workflow.

pub mod rules;

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::error::{AppError, AppResult, Code};
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

fn date(d: &toml::value::Datetime) -> Option<NaiveDate> {
    let x = d.date.filter(|_| d.time.is_none())?;
    NaiveDate::from_ymd_opt(x.year.into(), x.month.into(), x.day.into())
}

/// Reads every `<year>.toml` of a holidays directory; the file name must
/// be its year.
pub fn read_dir(dir: &Path) -> AppResult<Vec<YearTable>> {
    let mut out = vec![];
    for f in crate::seed::toml_files(dir)? {
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
