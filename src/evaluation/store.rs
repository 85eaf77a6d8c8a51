//! Rubrics, batches and evaluations in the database.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::rubric::{rubric_problems, Rubric};
use crate::audit::{self, AuditEvent};
use crate::cases::rules::Procedure;
use crate::db::schema::rubrics;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::fixtures::fail;

/// A stored rubric version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredRubric {
    pub id: String,
    pub effective_from: NaiveDate,
    #[serde(flatten)]
    pub rubric: Rubric,
}

#[derive(Debug, serde::Deserialize)]
struct RubricFixture {
    effective_from: toml::value::Datetime,
    #[serde(flatten)]
    rubric: Rubric,
}

/// The rubrics of a fixtures directory, each with its effective date;
/// every problem refuses the file.
pub fn read_dir(dir: &Path) -> AppResult<Vec<(Rubric, NaiveDate)>> {
    let mut out = vec![];
    for path in crate::fixtures::toml_files(dir)? {
        let f: RubricFixture = crate::fixtures::read_toml(&path)?;
        let from = crate::fixtures::toml_date(&f.effective_from)
            .ok_or_else(|| fail(&path, "effective_from must be a date"))?;
        let problems = rubric_problems(&f.rubric);
        if !problems.is_empty() {
            return Err(fail(&path, problems.join("; ")));
        }
        out.push((f.rubric, from));
    }
    Ok(out)
}

/// Imports rubric versions (inside the caller's transaction). A version
/// is identified by code and version: an identical one is left alone; a
/// changed one is refused once in force (an evaluation keeps the version
/// it was scored under) — add a version instead. Returns how many changed.
pub fn import(
    conn: &mut DbConn,
    dir: &Path,
    list: &[(Rubric, NaiveDate)],
    now: NaiveDateTime,
    today: NaiveDate,
) -> AppResult<usize> {
    let mut changed = 0;
    for (r, from) in list {
        let existing: Option<(String, NaiveDate, String)> = rubrics::table
            .filter(rubrics::code.eq(&r.code))
            .filter(rubrics::version.eq(r.version))
            .select((rubrics::id, rubrics::effective_from, rubrics::content))
            .first(conn)
            .optional()?;
        let content = crate::db::json_text(r);
        let target = format!("rubric:{}@{}", r.code, r.version);
        match existing {
            Some((_, f, old))
                if f == *from && serde_json::from_str::<Rubric>(&old).ok().as_ref() == Some(r) => {}
            Some((id, f, old)) => {
                if f <= today {
                    return Err(fail(
                        dir,
                        format!("rubric {} version {} is in force since {f} and cannot change; add a version", r.code, r.version),
                    ));
                }
                diesel::update(rubrics::table.find(&id))
                    .set((
                        rubrics::content.eq(&content),
                        rubrics::effective_from.eq(from),
                    ))
                    .execute(conn)?;
                let old: Option<Rubric> = serde_json::from_str(&old).ok();
                let e = AuditEvent::system(crate::audit::IMPORT, "rubric.updated", target);
                audit::write(conn, now, &e.change(old.as_ref(), Some(r)))?;
                changed += 1;
            }
            None => {
                diesel::insert_into(rubrics::table)
                    .values((
                        rubrics::id.eq(uuid::Uuid::now_v7().to_string()),
                        rubrics::code.eq(&r.code),
                        rubrics::version.eq(r.version),
                        rubrics::effective_from.eq(from),
                        rubrics::content.eq(&content),
                        rubrics::created_at.eq(crate::db::micros(now)),
                    ))
                    .execute(conn)?;
                let e = AuditEvent::system(crate::audit::IMPORT, "rubric.created", target);
                audit::write(conn, now, &e.change::<(), _>(None, Some(r)))?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

/// Every stored rubric version, oldest first.
pub fn all(conn: &mut DbConn) -> AppResult<Vec<StoredRubric>> {
    let rows: Vec<(String, NaiveDate, String)> = rubrics::table
        .order((rubrics::code.asc(), rubrics::version.asc()))
        .select((rubrics::id, rubrics::effective_from, rubrics::content))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, effective_from, content)| {
            let rubric = serde_json::from_str(&content)
                .map_err(|e| AppError::internal(format!("rubric {id}: {e}")))?;
            Ok(StoredRubric {
                id,
                effective_from,
                rubric,
            })
        })
        .collect()
}

/// The rubric in force on `day` for a procedure: of `code` when given (it
/// must be for that procedure), else of any code; the latest effective
/// date, then the highest version, wins.
pub fn in_force<'a>(
    all: &'a [StoredRubric],
    procedure: Procedure,
    code: Option<&str>,
    day: NaiveDate,
) -> Option<&'a StoredRubric> {
    all.iter()
        .filter(|r| r.rubric.procedure == procedure && r.effective_from <= day)
        .filter(|r| code.is_none_or(|c| r.rubric.code == c))
        .max_by_key(|r| (r.effective_from, r.rubric.version))
}
