//! Reading the files under `fixtures/`: the helpers every fixtures reader
//! shares (departments, items, benchmarks, profiles, holidays).

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{AppError, AppResult, Code};

pub fn fail(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::rule(Code::ImportFailed, format!("{}: {e}", path.display()))
}

/// A TOML local date (`2026-01-01`) as a date; None for a date-time or a
/// time. Shared by every fixtures reader.
pub fn toml_date(d: &toml::value::Datetime) -> Option<NaiveDate> {
    let x = d.date.filter(|_| d.time.is_none())?;
    NaiveDate::from_ymd_opt(x.year.into(), x.month.into(), x.day.into())
}

/// The `*.toml` files of a fixtures directory, in name order.
pub fn toml_files(dir: &Path) -> AppResult<Vec<std::path::PathBuf>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| fail(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

pub fn read_toml<T: for<'de> Deserialize<'de>>(path: &Path) -> AppResult<T> {
    let text = std::fs::read_to_string(path).map_err(|e| fail(path, e))?;
    toml::from_str(&text).map_err(|e| fail(path, e))
}
