//! Rule profiles (规则配置): the numbers each department sets — hearing
//! thresholds, legality-review criteria — versioned by effective date, the
//! nearest department up the tree winning. Loaded from
//! `fixtures/profiles.toml`; a version in force is never changed.

pub mod rules;

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, AuditEvent};
use crate::db::schema::rule_profiles;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Code};
pub use rules::Profile;

/// One stored profile version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredProfile {
    pub id: String,
    /// None = the default of every department without its own.
    pub department_id: Option<String>,
    pub effective_from: NaiveDate,
    pub profile: Profile,
}

pub fn load_all(conn: &mut DbConn) -> AppResult<Vec<StoredProfile>> {
    let rows: Vec<(String, Option<String>, NaiveDate, String)> = rule_profiles::table
        .select((
            rule_profiles::id,
            rule_profiles::department_id,
            rule_profiles::effective_from,
            rule_profiles::content,
        ))
        .order(rule_profiles::effective_from.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(id, department_id, effective_from, content)| {
            let profile = serde_json::from_str(&content)
                .map_err(|e| AppError::internal(format!("rule profile {id}: {e}")))?;
            Ok(StoredProfile {
                id,
                department_id,
                effective_from,
                profile,
            })
        })
        .collect()
}

/// The profile in force for a department on `day`: the department's own,
/// else the nearest ancestor's (`department_path` is `/root/…/id/`), else
/// the default; the built-in defaults when nothing is stored.
pub fn in_force(profiles: &[StoredProfile], department_path: &str, day: NaiveDate) -> Profile {
    in_force_stored(profiles, department_path, day)
        .map(|p| p.profile.clone())
        .unwrap_or_default()
}

/// The stored version `in_force` reads (None: the built-in defaults).
pub fn in_force_stored<'a>(
    profiles: &'a [StoredProfile],
    department_path: &str,
    day: NaiveDate,
) -> Option<&'a StoredProfile> {
    let ancestors: Vec<&str> = department_path
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let depth = |p: &StoredProfile| match &p.department_id {
        None => Some(0),
        Some(d) => ancestors.iter().position(|a| a == d).map(|i| i + 1),
    };
    profiles
        .iter()
        .filter(|p| p.effective_from <= day)
        .filter_map(|p| depth(p).map(|d| (d, p.effective_from, p)))
        .max_by_key(|(d, from, _)| (*d, *from))
        .map(|(_, _, p)| p)
}

/// The profile a case keeps: the version in force when it was filed.
pub fn of_case(conn: &mut DbConn, profile_id: Option<&str>) -> AppResult<Profile> {
    let Some(id) = profile_id else {
        return Ok(Profile::default());
    };
    let content: String = rule_profiles::table
        .find(id)
        .select(rule_profiles::content)
        .first(conn)?;
    serde_json::from_str(&content)
        .map_err(|e| AppError::internal(format!("rule profile {id}: {e}")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfilesFile {
    profiles: Vec<ProfileFixture>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFixture {
    /// Department code; none = the default.
    #[serde(default)]
    department: Option<String>,
    effective_from: toml::value::Datetime,
    #[serde(flatten)]
    profile: Profile,
}

/// Imports `profiles.toml` (inside the caller's transaction). A stored
/// version that is already in force on `today` and differs is refused: a
/// case in flight keeps the numbers it was filed under. Returns how many
/// versions were added or updated.
pub fn import_file(
    conn: &mut DbConn,
    path: &Path,
    now: NaiveDateTime,
    today: NaiveDate,
) -> AppResult<usize> {
    let fail = |e: String| AppError::rule(Code::ImportFailed, format!("{}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let file: ProfilesFile = toml::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let mut changed = 0;
    for p in file.profiles {
        let from = crate::fixtures::toml_date(&p.effective_from)
            .ok_or_else(|| fail("effective_from must be a date".into()))?;
        let department_id = match &p.department {
            Some(code) => Some(
                crate::org::department_by_code(conn, code)?
                    .ok_or_else(|| fail(format!("unknown department {code}")))?
                    .department
                    .id,
            ),
            None => None,
        };
        let existing: Option<(String, String)> = rule_profiles::table
            .filter(rule_profiles::effective_from.eq(from))
            .select((
                rule_profiles::id,
                rule_profiles::department_id,
                rule_profiles::content,
            ))
            .load::<(String, Option<String>, String)>(conn)?
            .into_iter()
            .find(|(_, d, _)| *d == department_id)
            .map(|(id, _, c)| (id, c));
        let content = crate::db::json_text(&p.profile);
        let target = format!(
            "rule_profile:{}@{from}",
            p.department.as_deref().unwrap_or("default")
        );
        match existing {
            // Compared as profiles, not text: a field added later with a
            // default does not make a stored version "different".
            Some((_, old))
                if serde_json::from_str::<Profile>(&old).ok().as_ref() == Some(&p.profile) => {}
            Some((id, old)) => {
                if from <= today {
                    return Err(fail(format!(
                        "the profile of {} effective {from} is in force and cannot change; add a version with a later effective_from",
                        p.department.as_deref().unwrap_or("default")
                    )));
                }
                diesel::update(rule_profiles::table.find(&id))
                    .set(rule_profiles::content.eq(&content))
                    .execute(conn)?;
                let old: Option<Profile> = serde_json::from_str(&old).ok();
                let e = AuditEvent::system(crate::audit::IMPORT, "rule_profile.updated", target);
                audit::write(conn, now, &e.change(old.as_ref(), Some(&p.profile)))?;
                changed += 1;
            }
            None => {
                diesel::insert_into(rule_profiles::table)
                    .values((
                        rule_profiles::id.eq(uuid::Uuid::now_v7().to_string()),
                        rule_profiles::department_id.eq(&department_id),
                        rule_profiles::effective_from.eq(from),
                        rule_profiles::content.eq(&content),
                        rule_profiles::created_at.eq(crate::db::micros(now)),
                    ))
                    .execute(conn)?;
                let e = AuditEvent::system(crate::audit::IMPORT, "rule_profile.created", target);
                audit::write(conn, now, &e.change::<(), _>(None, Some(&p.profile)))?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}
