//! Loading `fixtures/`: the department tree and enforcement items (both
//! modes, on a new database, and by `zhifa import`), and the demo accounts
//! (local mode only, on a new database).

use std::path::Path;

use chrono::{Months, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::audit::{self, AuditEvent, IMPORT};
use crate::auth::{password, Role};
use crate::config::Mode;
use crate::db::schema::{departments, users};
use crate::db::{write_tx, DbConn};
use crate::error::{AppError, AppResult};
use crate::fixtures::{fail, read_toml};
use crate::org::{self, DepartmentKind, Level};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentsFile {
    departments: Vec<DepartmentFixture>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentFixture {
    code: String,
    name: String,
    short_name: String,
    level: Level,
    kind: DepartmentKind,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    password: String,
    users: Vec<UserFixture>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFixture {
    username: String,
    display_name: String,
    department: String,
    roles: Vec<Role>,
    #[serde(default)]
    legal_qualification: bool,
    #[serde(default)]
    certificates: Vec<CertificateFixture>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateFixture {
    number: String,
    fields: Vec<String>,
    /// Department code of the area the certificate covers.
    area: String,
    /// Demo certificates run from a year before seeding for this many years.
    valid_years: u32,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub departments_added: usize,
    pub departments_updated: usize,
    pub items_added: usize,
    pub items_updated: usize,
    pub benchmarks_added: usize,
    pub benchmarks_updated: usize,
    pub profiles_changed: usize,
    pub holiday_years_changed: usize,
    pub rubrics_changed: usize,
}

/// Imports `departments.toml` and `items/*.toml` from `dir` in one
/// transaction: everything or nothing. Departments are matched by code.
pub fn import(conn: &mut DbConn, dir: &Path, now: NaiveDateTime) -> AppResult<ImportReport> {
    let deps: DepartmentsFile = read_toml(&dir.join("departments.toml"))?;
    for d in &deps.departments {
        if let Some(bad) = d.domains.iter().find(|x| !crate::org::rules::is_domain(x)) {
            return Err(fail(
                &dir.join("departments.toml"),
                format!("department {}: unknown domain {bad:?}", d.code),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(d) = deps
        .departments
        .iter()
        .find(|d| !seen.insert(d.code.as_str()))
    {
        return Err(fail(
            &dir.join("departments.toml"),
            format!("department {} appears twice", d.code),
        ));
    }
    let items = crate::items::read_dir(&dir.join("items"))?;
    let holidays_dir = dir.join("holidays");
    let holidays = if holidays_dir.is_dir() {
        crate::calendar::read_dir(&holidays_dir)?
    } else {
        vec![]
    };
    let benchmarks_dir = dir.join("benchmarks");
    let benchmarks = if benchmarks_dir.is_dir() {
        crate::discretion::read_fixture_dir(&benchmarks_dir)?
    } else {
        vec![]
    };
    let rubrics_dir = dir.join("rubrics");
    let rubrics = if rubrics_dir.is_dir() {
        crate::evaluation::store::read_dir(&rubrics_dir)?
    } else {
        vec![]
    };
    write_tx(conn, |conn| {
        let mut report = ImportReport::default();
        for d in &deps.departments {
            match org::department_by_code(conn, &d.code)? {
                Some(existing) => {
                    let old = existing.department.clone();
                    // Moving a department would move its subtree and every scope
                    // built on it; that is not something an import does quietly.
                    let parent_code = match &old.parent_id {
                        Some(pid) => org::find_department(conn, pid)?.map(|p| p.department.code),
                        None => None,
                    };
                    if old.level != d.level || old.kind != d.kind || parent_code != d.parent {
                        return Err(fail(
                            &dir.join("departments.toml"),
                            format!("department {}: level, kind and parent of an existing department cannot be changed by import", d.code),
                        ));
                    }
                    if old.name != d.name
                        || old.short_name != d.short_name
                        || old.domains != d.domains
                    {
                        let mut new = old.clone();
                        new.name = d.name.clone();
                        new.short_name = d.short_name.clone();
                        new.domains = d.domains.clone();
                        org::save_department(conn, &new, now)?;
                        let e = AuditEvent::system(
                            IMPORT,
                            "department.updated",
                            format!("department:{}", old.id),
                        );
                        audit::write(conn, now, &e.change(Some(&old), Some(&new)))?;
                        report.departments_updated += 1;
                    }
                }
                None => {
                    let parent = match &d.parent {
                        Some(code) => {
                            Some(org::department_by_code(conn, code)?.ok_or_else(|| {
                                fail(
                                    &dir.join("departments.toml"),
                                    format!(
                                        "department {}: parent {code} must come before it",
                                        d.code
                                    ),
                                )
                            })?)
                        }
                        None => None,
                    };
                    let new = org::insert_department(
                        conn,
                        &d.code,
                        &d.name,
                        &d.short_name,
                        d.level,
                        d.kind,
                        parent.as_ref(),
                        &d.domains,
                        now,
                    )?;
                    let e = AuditEvent::system(
                        IMPORT,
                        "department.created",
                        format!("department:{}", new.id),
                    );
                    audit::write(conn, now, &e.change::<(), _>(None, Some(&new)))?;
                    report.departments_added += 1;
                }
            }
        }
        let (added, updated) = crate::items::upsert(conn, &items, now)?;
        report.items_added = added;
        report.items_updated = updated;
        let profiles = dir.join("profiles.toml");
        if profiles.is_file() {
            report.profiles_changed = crate::profiles::import_file(
                conn,
                &profiles,
                now,
                crate::clock::china_date(now.and_utc()),
            )?;
        }
        let actor = AuditEvent::system(IMPORT, "holiday_year.import", "holiday_years");
        for t in &holidays {
            if crate::calendar::save_year(conn, t, &actor, now)? {
                report.holiday_years_changed += 1;
            }
        }
        let actor = AuditEvent::system(IMPORT, "benchmark.import", "benchmarks");
        let b = crate::discretion::import_parsed(conn, benchmarks, false, &actor, now)?;
        if !b.issues.is_empty() {
            return Err(crate::discretion::issues_error(&b.issues));
        }
        report.benchmarks_added = b.count(crate::discretion::Change::Added);
        report.benchmarks_updated = b.count(crate::discretion::Change::Updated);
        report.rubrics_changed = crate::evaluation::store::import(
            conn,
            &rubrics_dir,
            &rubrics,
            now,
            crate::clock::china_date(now.and_utc()),
        )?;
        Ok(report)
    })
}

/// A demo account, to print at start-up.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub roles: Vec<Role>,
    pub department: String,
}

/// Seeds the demo accounts of `fixtures/demo/users.toml` (local mode only).
pub fn seed_demo_users(
    conn: &mut DbConn,
    dir: &Path,
    now: NaiveDateTime,
    today: NaiveDate,
) -> AppResult<(Vec<DemoAccount>, String)> {
    let path = dir.join("demo").join("users.toml");
    let file: UsersFile = read_toml(&path)?;
    let hash = password::hash(&file.password)?;
    let accounts = write_tx(conn, |conn| {
        let mut out = vec![];
        for u in &file.users {
            let dept = org::department_by_code(conn, &u.department)?.ok_or_else(|| {
                fail(
                    &path,
                    format!("user {}: no department {}", u.username, u.department),
                )
            })?;
            let user = org::insert_user(
                conn,
                &u.username,
                &u.display_name,
                &hash,
                &dept.department.id,
                &u.roles,
                u.legal_qualification,
                now,
            )?;
            for c in &u.certificates {
                let area = org::department_by_code(conn, &c.area)?.ok_or_else(|| {
                    fail(
                        &path,
                        format!("certificate {}: no department {}", c.number, c.area),
                    )
                })?;
                let from = today.checked_sub_months(Months::new(12)).unwrap_or(today);
                let until = today
                    .checked_add_months(Months::new(12 * c.valid_years))
                    .unwrap_or(today);
                org::insert_certificate(
                    conn,
                    &user.id,
                    &c.number,
                    &c.fields,
                    &area.department.id,
                    from,
                    until,
                    now,
                    today,
                )?;
            }
            out.push(DemoAccount {
                username: u.username.clone(),
                roles: u.roles.clone(),
                department: dept.department.name.clone(),
            });
        }
        Ok::<_, AppError>(out)
    })?;
    Ok((accounts, file.password))
}

/// What start-up seeded.
#[derive(Debug, Default)]
pub struct Bootstrap {
    pub imported: Option<ImportReport>,
    pub demo: Option<(Vec<DemoAccount>, String)>,
}

/// On a new database: import the fixtures; in local mode also seed the
/// demo accounts. Never touches a database that already has data.
pub fn bootstrap(
    conn: &mut DbConn,
    fixtures: &Path,
    mode: Mode,
    now: NaiveDateTime,
    today: NaiveDate,
) -> AppResult<Bootstrap> {
    let mut out = Bootstrap::default();
    let departments: i64 = departments::table.count().get_result(conn)?;
    if departments == 0 {
        out.imported = Some(import(conn, fixtures, now)?);
    }
    let users: i64 = users::table.count().get_result(conn)?;
    if mode == Mode::Local && users == 0 {
        out.demo = Some(seed_demo_users(conn, fixtures, now, today)?);
    }
    Ok(out)
}
