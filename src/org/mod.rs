//! People and organisation: departments (a tree), users, enforcement
//! certificates (行政执法证).

pub mod api;
pub mod rules;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{roles_from_json, Caller, Role};
use crate::db::schema::{certificates, departments, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
pub use rules::CertificateStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    Prefecture,
    County,
    Township,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 人民政府 / 街道办事处 — a government; its subtree is a region.
    Government,
    /// 职能部门 — a functional department under a government.
    Functional,
}

use crate::db::json_text;

/// A department (部门).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Department {
    pub id: String,
    pub code: String,
    pub name: String,
    /// Short name used in document numbers, e.g. 五市监.
    pub short_name: String,
    pub level: Level,
    pub kind: DepartmentKind,
    pub parent_id: Option<String>,
    /// Enforcement domains this department holds powers in.
    pub domains: Vec<String>,
}

/// A department as stored, with its place in the tree.
#[derive(Queryable, Selectable)]
#[diesel(table_name = departments)]
pub struct DepartmentRow {
    id: String,
    code: String,
    name: String,
    short_name: String,
    level: Level,
    kind: DepartmentKind,
    parent_id: Option<String>,
    path: String,
    region_path: String,
    domains: String,
}

crate::db::text_enum!(Level, DepartmentKind, CertificateStatus);

impl DepartmentRow {
    fn placed(self) -> Placed {
        Placed {
            department: Department {
                id: self.id,
                code: self.code,
                name: self.name,
                short_name: self.short_name,
                level: self.level,
                kind: self.kind,
                parent_id: self.parent_id,
                domains: serde_json::from_str(&self.domains).unwrap_or_default(),
            },
            path: self.path,
            region_path: self.region_path,
        }
    }
}

/// A department with its place in the tree.
pub struct Placed {
    pub department: Department,
    pub path: String,
    pub region_path: String,
}

pub fn find_department(conn: &mut DbConn, id: &str) -> AppResult<Option<Placed>> {
    let row: Option<DepartmentRow> = departments::table
        .find(id)
        .select(DepartmentRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(DepartmentRow::placed))
}

pub fn department_by_code(conn: &mut DbConn, code: &str) -> AppResult<Option<Placed>> {
    let id: Option<String> = departments::table
        .filter(departments::code.eq(code))
        .select(departments::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => find_department(conn, &id),
        None => Ok(None),
    }
}

pub fn list_departments(conn: &mut DbConn) -> AppResult<Vec<Department>> {
    let rows: Vec<DepartmentRow> = departments::table
        .select(DepartmentRow::as_select())
        .order(departments::path.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(|r| r.placed().department).collect())
}

/// Inserts a department under `parent` (None: a root). The path and region
/// are derived here and nowhere else.
#[allow(clippy::too_many_arguments)]
pub fn insert_department(
    conn: &mut DbConn,
    code: &str,
    name: &str,
    short_name: &str,
    level: Level,
    kind: DepartmentKind,
    parent: Option<&Placed>,
    domains: &[String],
    now: NaiveDateTime,
) -> AppResult<Department> {
    let id = uuid::Uuid::now_v7().to_string();
    let path = format!("{}{}/", parent.map(|p| p.path.as_str()).unwrap_or("/"), id);
    // A government is its own region; a functional department belongs to
    // the region of the government above it.
    let region_path = match (kind, parent) {
        (DepartmentKind::Government, _) | (_, None) => path.clone(),
        (DepartmentKind::Functional, Some(p)) => p.region_path.clone(),
    };
    diesel::insert_into(departments::table)
        .values((
            departments::id.eq(&id),
            departments::code.eq(code),
            departments::name.eq(name),
            departments::short_name.eq(short_name),
            departments::level.eq(level),
            departments::kind.eq(kind),
            departments::parent_id.eq(parent.map(|p| p.department.id.clone())),
            departments::path.eq(&path),
            departments::region_path.eq(&region_path),
            departments::domains.eq(json_text(domains)),
            departments::created_at.eq(now),
            departments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Department {
        id,
        code: code.into(),
        name: name.into(),
        short_name: short_name.into(),
        level,
        kind,
        parent_id: parent.map(|p| p.department.id.clone()),
        domains: domains.to_vec(),
    })
}

/// A user account (no password hash ever leaves the server).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department_id: String,
    /// 法律职业资格 — holds the national legal professional qualification.
    pub legal_qualification: bool,
    pub disabled: bool,
    pub created_at: String,
}

/// A user as stored (without the password).
#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    roles: String,
    department_id: String,
    legal_qualification: bool,
    disabled: bool,
    created_at: NaiveDateTime,
}

impl UserRow {
    fn view(self) -> User {
        User {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            roles: roles_from_json(&self.roles),
            department_id: self.department_id,
            legal_qualification: self.legal_qualification,
            disabled: self.disabled,
            created_at: crate::clock::rfc3339(self.created_at),
        }
    }
}

pub fn find_user(conn: &mut DbConn, id: &str) -> AppResult<Option<User>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::view))
}

/// A new user; the caller has checked the policy and hashed the password.
#[allow(clippy::too_many_arguments)]
pub fn insert_user(
    conn: &mut DbConn,
    username: &str,
    display_name: &str,
    password_hash: &str,
    department_id: &str,
    roles: &[Role],
    legal_qualification: bool,
    now: NaiveDateTime,
) -> AppResult<User> {
    let id = uuid::Uuid::now_v7().to_string();
    let taken: i64 = users::table
        .filter(users::username.eq(username))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::conflict(format!("username {username} is taken")));
    }
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::username.eq(username),
            users::display_name.eq(display_name),
            users::password_hash.eq(password_hash),
            users::department_id.eq(department_id),
            users::roles.eq(crate::auth::roles_to_json(roles)),
            users::legal_qualification.eq(legal_qualification),
            users::disabled.eq(false),
            users::token_epoch.eq(0),
            users::password_changed_at.eq(now),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    find_user(conn, &id)?.ok_or_else(|| AppError::internal("user vanished"))
}

/// 行政执法证 — an enforcement certificate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Certificate {
    pub id: String,
    pub user_id: String,
    pub number: String,
    pub fields: Vec<String>,
    pub area_department_id: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: CertificateStatus,
    pub status_reason: Option<String>,
    /// In force today (valid status and inside its dates).
    pub in_force: bool,
}

/// A certificate as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = certificates)]
struct CertRow {
    id: String,
    user_id: String,
    number: String,
    fields: String,
    area_department_id: String,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    status: CertificateStatus,
    status_reason: Option<String>,
}

impl CertRow {
    fn view(self, today: NaiveDate) -> Certificate {
        Certificate {
            in_force: self.status == CertificateStatus::Valid
                && self.valid_from <= today
                && today <= self.valid_until,
            id: self.id,
            user_id: self.user_id,
            number: self.number,
            fields: serde_json::from_str(&self.fields).unwrap_or_default(),
            area_department_id: self.area_department_id,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            status: self.status,
            status_reason: self.status_reason,
        }
    }
}

pub fn certificates_of(
    conn: &mut DbConn,
    user_id: &str,
    today: NaiveDate,
) -> AppResult<Vec<Certificate>> {
    let rows: Vec<CertRow> = certificates::table
        .filter(certificates::user_id.eq(user_id))
        .order(certificates::valid_from.asc())
        .select(CertRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|r| r.view(today)).collect())
}

pub fn find_certificate(
    conn: &mut DbConn,
    id: &str,
    today: NaiveDate,
) -> AppResult<Option<Certificate>> {
    Ok(certificates::table
        .find(id)
        .select(CertRow::as_select())
        .first(conn)
        .optional()?
        .map(|r| r.view(today)))
}

pub fn certificate_by_number(
    conn: &mut DbConn,
    number: &str,
    today: NaiveDate,
) -> AppResult<Option<Certificate>> {
    Ok(certificates::table
        .filter(certificates::number.eq(number))
        .select(CertRow::as_select())
        .first(conn)
        .optional()?
        .map(|r| r.view(today)))
}

#[allow(clippy::too_many_arguments)]
pub fn insert_certificate(
    conn: &mut DbConn,
    user_id: &str,
    number: &str,
    fields: &[String],
    area_department_id: &str,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    now: NaiveDateTime,
    today: NaiveDate,
) -> AppResult<Certificate> {
    let taken: i64 = certificates::table
        .filter(certificates::number.eq(number))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::conflict(format!(
            "certificate number {number} already exists"
        )));
    }
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(certificates::table)
        .values((
            certificates::id.eq(&id),
            certificates::user_id.eq(user_id),
            certificates::number.eq(number),
            certificates::fields.eq(json_text(fields)),
            certificates::area_department_id.eq(area_department_id),
            certificates::valid_from.eq(valid_from),
            certificates::valid_until.eq(valid_until),
            certificates::status.eq(CertificateStatus::Valid),
            certificates::created_at.eq(now),
            certificates::updated_at.eq(now),
        ))
        .execute(conn)?;
    find_certificate(conn, &id, today)?.ok_or_else(|| AppError::internal("certificate vanished"))
}

/// A certificate with the region of its area, as the rules judge it.
#[derive(Queryable, Selectable)]
struct CertificateFactsRow {
    #[diesel(select_expression = certificates::number)]
    number: String,
    #[diesel(select_expression = certificates::fields)]
    fields: String,
    #[diesel(select_expression = departments::region_path)]
    region_path: String,
    #[diesel(select_expression = certificates::valid_from)]
    valid_from: NaiveDate,
    #[diesel(select_expression = certificates::valid_until)]
    valid_until: NaiveDate,
    #[diesel(select_expression = certificates::status)]
    status: CertificateStatus,
}

/// Everything the rules need to judge users as officers on a case.
pub fn officer_facts(
    conn: &mut DbConn,
    user_ids: &[String],
) -> AppResult<Vec<rules::OfficerFacts>> {
    let rows: Vec<(String, String, String, String, bool)> = users::table
        .filter(users::id.eq_any(user_ids))
        .select((
            users::id,
            users::display_name,
            users::roles,
            users::department_id,
            users::disabled,
        ))
        .load(conn)?;
    let certs: Vec<(String, CertificateFactsRow)> = certificates::table
        .inner_join(departments::table.on(departments::id.eq(certificates::area_department_id)))
        .filter(certificates::user_id.eq_any(user_ids))
        .select((certificates::user_id, CertificateFactsRow::as_select()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, display_name, roles, department_id, disabled)| rules::OfficerFacts {
                certificates: certs
                    .iter()
                    .filter(|(user, _)| *user == id)
                    .map(|(_, c)| rules::CertificateFacts {
                        number: c.number.clone(),
                        fields: serde_json::from_str(&c.fields).unwrap_or_default(),
                        area_region_path: c.region_path.clone(),
                        valid_from: c.valid_from,
                        valid_until: c.valid_until,
                        status: c.status,
                    })
                    .collect(),
                user_id: id,
                display_name,
                roles: roles_from_json(&roles),
                department_id,
                disabled,
            },
        )
        .collect())
}

/// The caller as the server sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department_id: String,
    pub department_name: String,
    pub legal_qualification: bool,
    pub certificates: Vec<crate::org::Certificate>,
}

pub fn me(conn: &mut DbConn, caller: &Caller, today: NaiveDate) -> AppResult<Me> {
    let user =
        find_user(conn, &caller.user_id)?.ok_or_else(|| AppError::unauthorized("user gone"))?;
    let dept = find_department(conn, &user.department_id)?
        .ok_or_else(|| AppError::internal("department gone"))?;
    Ok(Me {
        id: user.id.clone(),
        username: user.username,
        display_name: user.display_name,
        roles: user.roles,
        department_id: user.department_id,
        department_name: dept.department.name,
        legal_qualification: user.legal_qualification,
        certificates: certificates_of(conn, &user.id, today)?,
    })
}

/// Stores a department's name, short name and domains.
pub fn save_department(conn: &mut DbConn, d: &Department, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(departments::table.find(&d.id))
        .set((
            departments::name.eq(&d.name),
            departments::short_name.eq(&d.short_name),
            departments::domains.eq(json_text(&d.domains)),
            departments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whose users a list shows.
pub enum UserScope {
    Region(String),
    Department(String),
}

pub fn list_users_in(
    conn: &mut DbConn,
    scope: &UserScope,
    department_id: Option<&str>,
) -> AppResult<Vec<User>> {
    let mut query = users::table
        .inner_join(departments::table)
        .select(UserRow::as_select())
        .order(users::username.asc())
        .into_boxed();
    match scope {
        UserScope::Region(path) => {
            query = query.filter(
                departments::path
                    .like(crate::db::like_prefix(path))
                    .escape(crate::db::LIKE_ESCAPE),
            )
        }
        UserScope::Department(d) => query = query.filter(users::department_id.eq(d.clone())),
    }
    if let Some(d) = department_id {
        query = query.filter(users::department_id.eq(d.to_string()));
    }
    let rows: Vec<UserRow> = query.load(conn)?;
    Ok(rows.into_iter().map(UserRow::view).collect())
}

/// The filter and page of `GET /users`.
pub struct UserListFilter {
    pub department_id: Option<String>,
    pub role: Option<Role>,
    /// Keyset: users whose username sorts after this one.
    pub after_username: Option<String>,
    pub limit: i64,
}

/// One page of users in username order (usernames are unique).
pub fn list_users_page(
    conn: &mut DbConn,
    scope: &UserScope,
    f: &UserListFilter,
) -> AppResult<Vec<User>> {
    let mut query = users::table
        .inner_join(departments::table)
        .select(UserRow::as_select())
        .order(users::username.asc())
        .limit(f.limit)
        .into_boxed();
    match scope {
        UserScope::Region(path) => query = query.filter(departments::path.like(format!("{path}%"))),
        UserScope::Department(d) => query = query.filter(users::department_id.eq(d.clone())),
    }
    if let Some(d) = &f.department_id {
        query = query.filter(users::department_id.eq(d.clone()));
    }
    if let Some(r) = f.role {
        // Roles are stored as a JSON array of names: `["officer","head"]`.
        query = query.filter(users::roles.like(format!("%\"{}\"%", r.as_str())));
    }
    if let Some(a) = &f.after_username {
        query = query.filter(users::username.gt(a.clone()));
    }
    let rows: Vec<UserRow> = query.load(conn)?;
    Ok(rows.into_iter().map(UserRow::view).collect())
}

/// Stores a user's account fields; `revoke` bumps the token epoch.
pub fn save_user(conn: &mut DbConn, u: &User, revoke: bool, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(users::table.find(&u.id))
        .set((
            users::display_name.eq(&u.display_name),
            users::roles.eq(crate::auth::roles_to_json(&u.roles)),
            users::department_id.eq(&u.department_id),
            users::legal_qualification.eq(u.legal_qualification),
            users::disabled.eq(u.disabled),
            users::token_epoch.eq(users::token_epoch + if revoke { 1 } else { 0 }),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn save_certificate(
    conn: &mut DbConn,
    id: &str,
    status: CertificateStatus,
    reason: Option<&str>,
    valid_until: NaiveDate,
    fields: &[String],
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(certificates::table.find(id))
        .set((
            certificates::status.eq(status),
            certificates::status_reason.eq(reason),
            certificates::valid_until.eq(valid_until),
            certificates::fields.eq(json_text(fields)),
            certificates::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
