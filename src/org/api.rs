//! Departments, users and certificates: reads for staff, management for
//! admins inside their region, and the public certificate check.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::rules::{is_domain, CertificateStatus};
use super::*;
use crate::audit::{self, AuditEvent};
use crate::auth::password::{check_strength, set_password};
use crate::auth::scope::may_administer;
use crate::auth::{password, Caller, Role};
use crate::db::write_tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{created, ApiJson};
use crate::kernel::shape::{check, not_blank};
use crate::state::AppState;

fn bad(field: &str, msg: &str) -> AppError {
    AppError::validation(vec![FieldError::new(field, "invalid", msg)])
}

/// Every domain (执法领域) is one the service knows.
fn known_domains(domains: &[String]) -> Result<(), ValidationError> {
    match domains.iter().find(|d| !is_domain(d)) {
        Some(d) => Err(ValidationError::new("invalid").with_message(
            format!(
                "unknown domain {d:?}; expected one of {}",
                rules::DOMAINS.join(", ")
            )
            .into(),
        )),
        None => Ok(()),
    }
}

/// A username as `rules::username_ok` reads it.
fn username_shape(u: &str) -> Result<(), ValidationError> {
    if rules::username_ok(u) {
        Ok(())
    } else {
        Err(ValidationError::new("invalid").with_message(rules::USERNAME_RULE.into()))
    }
}

/// A certificate is valid from a day to a day not before it.
fn validity_in_order(c: &NewCertificate) -> Result<(), ValidationError> {
    check(
        c.valid_until >= c.valid_from,
        "valid_until",
        "invalid",
        "must not be before valid_from",
    )
}

/// A department the admin may manage, else 404 (outside the region it is
/// not theirs to see).
fn administered(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Placed> {
    match find_department(conn, id)? {
        Some(p) if may_administer(caller, &p.path) => Ok(p),
        _ => Err(AppError::not_found("department not found")),
    }
}

#[utoipa::path(tag = "organisation", responses((status = 200, body = inline(crate::http::Page<Department>))), security(("bearer" = [])))]
#[get("/departments")]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Caller,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    // The organisation tree: hundreds of rows at most, read whole, paged by id.
    let items = state.db.run(list_departments).await?;
    Ok(crate::http::Page::slice(items, &q.page, |d| d.id.clone())?.respond())
}

#[utoipa::path(tag = "organisation", responses((status = 200, body = Department), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/departments/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let d = state
        .db
        .run(move |c| find_department(c, &id))
        .await?
        .ok_or_else(|| AppError::not_found("department not found"))?;
    Ok(HttpResponse::Ok().json(d.department))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    #[validate(custom(function = not_blank, code = "invalid", message = "must not be blank"), length(max = 64, code = "invalid", message = "at most 64 characters"))]
    pub code: String,
    #[validate(custom(function = not_blank, code = "invalid", message = "must not be blank"), length(max = 100, code = "invalid", message = "at most 100 characters"))]
    pub name: String,
    #[validate(custom(function = not_blank, code = "invalid", message = "must not be blank"), length(max = 20, code = "invalid", message = "at most 20 characters"))]
    pub short_name: String,
    pub level: Level,
    pub kind: DepartmentKind,
    pub parent_id: String,
    #[serde(default)]
    #[validate(custom(function = known_domains, code = "invalid"))]
    pub domains: Vec<String>,
}

#[utoipa::path(tag = "organisation", request_body = NewDepartment,
    responses((status = 201, body = Department), (status = 403, body = crate::error::Problem), (status = 404, description = "parent outside the admin's region", body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/departments")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<NewDepartment>,
) -> AppResult<HttpResponse> {
    caller.require_any(&[Role::Admin])?;
    let b = body.0;
    let now = state.clock.now_naive();
    let d = state
        .db
        .write(move |conn| {
            let parent = administered(conn, &caller, &b.parent_id)?;
            let d = insert_department(
                conn,
                b.code.trim(),
                b.name.trim(),
                b.short_name.trim(),
                b.level,
                b.kind,
                Some(&parent),
                &b.domains,
                now,
            )?;
            audit::write(
                conn,
                now,
                &AuditEvent::by(
                    &caller,
                    "department.created",
                    format!("department:{}", d.id),
                )
                .change::<(), _>(None, Some(&d)),
            )?;
            Ok(d)
        })
        .await?;
    Ok(created(format!("/api/v1/departments/{}", d.id), &d))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    #[validate(custom(function = not_blank, code = "invalid", message = "must not be blank"), length(max = 100, code = "invalid", message = "at most 100 characters"))]
    pub name: Option<String>,
    #[validate(custom(function = not_blank, code = "invalid", message = "must not be blank"), length(max = 20, code = "invalid", message = "at most 20 characters"))]
    pub short_name: Option<String>,
    #[validate(custom(function = known_domains, code = "invalid"))]
    pub domains: Option<Vec<String>>,
}

#[utoipa::path(tag = "organisation", request_body = DepartmentPatch,
    responses((status = 200, body = Department), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[patch("/departments/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<DepartmentPatch>,
) -> AppResult<HttpResponse> {
    caller.require_any(&[Role::Admin])?;
    let b = body.0;
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let d = state
        .db
        .write(move |conn| {
            let old = administered(conn, &caller, &id)?.department;
            let mut new = old.clone();
            if let Some(n) = b.name {
                new.name = n.trim().into();
            }
            if let Some(n) = b.short_name {
                new.short_name = n.trim().into();
            }
            if let Some(d) = b.domains {
                new.domains = d;
            }
            save_department(conn, &new, now)?;
            audit::write(
                conn,
                now,
                &AuditEvent::by(&caller, "department.updated", format!("department:{id}"))
                    .change(Some(&old), Some(&new)),
            )?;
            Ok(new)
        })
        .await?;
    Ok(HttpResponse::Ok().json(d))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserFilter {
    pub department_id: Option<String>,
    pub role: Option<Role>,
}

/// Admins list users of their region; everyone else the users of their own department.
#[utoipa::path(tag = "organisation", params(UserFilter), responses((status = 200, body = inline(crate::http::Page<User>))), security(("bearer" = [])))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Listed<UserFilter>,
) -> AppResult<HttpResponse> {
    let crate::http::Listed { filter: q, page } = q;
    let after: Option<String> = page.after()?;
    let fetch = page.fetch();
    let rows = state
        .db
        .run(move |conn| {
            let scope_ = if caller.has(Role::Admin) {
                UserScope::Region(caller.region_path.clone())
            } else {
                UserScope::Department(caller.department_id.clone())
            };
            let filter = UserListFilter {
                department_id: q.department_id,
                role: q.role,
                after_username: after,
                limit: fetch,
            };
            list_users_page(conn, &scope_, &filter)
        })
        .await?;
    Ok(crate::http::Page::keyset(rows, &page, |u| u.username.clone()).respond())
}

/// A user the caller may see: admins inside their region, others inside their department.
fn visible_user(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<(User, Placed)> {
    let user = find_user(conn, id)?.ok_or_else(|| AppError::not_found("user not found"))?;
    let dept = find_department(conn, &user.department_id)?
        .ok_or_else(|| AppError::not_found("user not found"))?;
    let visible = may_administer(caller, &dept.path) || user.department_id == caller.department_id;
    if !visible {
        return Err(AppError::not_found("user not found"));
    }
    Ok((user, dept))
}

fn administered_user(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<(User, Placed)> {
    let (user, dept) = visible_user(conn, caller, id)?;
    if !may_administer(caller, &dept.path) {
        return Err(AppError::not_found("user not found"));
    }
    Ok((user, dept))
}

#[utoipa::path(tag = "organisation", responses((status = 200, body = User), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (user, _) = state.db.run(move |c| visible_user(c, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(user))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[validate(custom(function = username_shape, code = "invalid"))]
    pub username: String,
    #[validate(custom(function = not_blank, code = "invalid", message = "must not be blank"), length(max = 64, code = "invalid", message = "at most 64 characters"))]
    pub display_name: String,
    pub password: String,
    pub department_id: String,
    #[validate(length(min = 1, code = "invalid", message = "at least one role"))]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub legal_qualification: bool,
}

#[utoipa::path(tag = "organisation", request_body = NewUser,
    responses((status = 201, body = User), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<NewUser>,
) -> AppResult<HttpResponse> {
    caller.require_any(&[Role::Admin])?;
    let b = body.0;
    check_strength(&b.password, &b.username, "password")?;
    let hash = password::hash(&b.password)?;
    let now = state.clock.now_naive();
    let user = state
        .db
        .write(move |conn| {
            administered(conn, &caller, &b.department_id)?;
            let u = insert_user(
                conn,
                &b.username,
                b.display_name.trim(),
                &hash,
                &b.department_id,
                &b.roles,
                b.legal_qualification,
                now,
            )?;
            audit::write(
                conn,
                now,
                &AuditEvent::by(&caller, "user.created", format!("user:{}", u.username))
                    .change::<(), _>(None, Some(&u)),
            )?;
            Ok(u)
        })
        .await?;
    Ok(created(format!("/api/v1/users/{}", user.id), &user))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[validate(custom(function = not_blank, code = "invalid", message = "must not be blank"), length(max = 64, code = "invalid", message = "at most 64 characters"))]
    pub display_name: Option<String>,
    #[validate(length(min = 1, code = "invalid", message = "at least one role"))]
    pub roles: Option<Vec<Role>>,
    pub department_id: Option<String>,
    pub legal_qualification: Option<bool>,
    pub disabled: Option<bool>,
}

/// Change a user. Disabling, or changing roles or department, revokes
/// every token issued before.
#[utoipa::path(tag = "organisation", request_body = UserPatch,
    responses((status = 200, body = User), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<UserPatch>,
) -> AppResult<HttpResponse> {
    caller.require_any(&[Role::Admin])?;
    let b = body.0;
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let user = state
        .db
        .write(move |conn| {
            let (old, _) = administered_user(conn, &caller, &id)?;
            if let Some(d) = &b.department_id {
                administered(conn, &caller, d)?;
            }
            let mut new = old.clone();
            if let Some(v) = b.display_name {
                new.display_name = v.trim().into();
            }
            if let Some(v) = b.roles {
                new.roles = v;
            }
            if let Some(v) = b.department_id {
                new.department_id = v;
            }
            if let Some(v) = b.legal_qualification {
                new.legal_qualification = v;
            }
            if let Some(v) = b.disabled {
                new.disabled = v;
            }
            let revoke = new.disabled != old.disabled
                || new.roles != old.roles
                || new.department_id != old.department_id;
            save_user(conn, &new, revoke, now)?;
            audit::write(
                conn,
                now,
                &AuditEvent::by(&caller, "user.updated", format!("user:{}", old.username))
                    .change(Some(&old), Some(&new)),
            )?;
            Ok(new)
        })
        .await?;
    state.callers.forget(&user.id);
    Ok(HttpResponse::Ok().json(user))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub new_password: String,
}

/// An admin sets a new password; every token issued before is revoked.
#[utoipa::path(tag = "organisation", request_body = PasswordReset,
    responses((status = 204), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[post("/users/{id}/password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<PasswordReset>,
) -> AppResult<HttpResponse> {
    caller.require_any(&[Role::Admin])?;
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let pw = body.0.new_password;
    let st = state.clone();
    let target = id.clone();
    st.db
        .run(move |conn| {
            let (user, _) = administered_user(conn, &caller, &id)?;
            check_strength(&pw, &user.username, "new_password")?;
            let hash = password::hash(&pw)?;
            write_tx(conn, |c| {
                set_password(c, &id, &hash, now)?;
                audit::write(
                    c,
                    now,
                    &AuditEvent::by(
                        &caller,
                        "user.password_reset",
                        format!("user:{}", user.username),
                    ),
                )
            })
        })
        .await?;
    state.callers.forget(&target);
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(tag = "organisation", responses((status = 200, body = inline(crate::http::Page<Certificate>)), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/users/{id}/certificates")]
pub async fn list_certificates(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::Listed,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let today = state.clock.today();
    let items = state
        .db
        .run(move |c| {
            visible_user(c, &caller, &id)?;
            certificates_of(c, &id, today)
        })
        .await?;
    Ok(crate::http::Page::slice(items, &q.page, |c| c.id.clone())?.respond())
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = validity_in_order, skip_on_field_errors = false))]
pub struct NewCertificate {
    #[validate(custom(function = not_blank, code = "invalid", message = "must not be blank"), length(max = 64, code = "invalid", message = "at most 64 characters"))]
    pub number: String,
    #[validate(length(min = 1, code = "invalid", message = "at least one field"), custom(function = known_domains, code = "invalid"))]
    pub fields: Vec<String>,
    pub area_department_id: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

#[utoipa::path(tag = "organisation", request_body = NewCertificate,
    responses((status = 201, body = Certificate), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/users/{id}/certificates")]
pub async fn create_certificate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<NewCertificate>,
) -> AppResult<HttpResponse> {
    caller.require_any(&[Role::Admin])?;
    let b = body.0;
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let today = state.clock.today();
    let cert = state
        .db
        .write(move |conn| {
            let (user, _) = administered_user(conn, &caller, &id)?;
            if find_department(conn, &b.area_department_id)?.is_none() {
                return Err(bad("area_department_id", "no such department"));
            }
            let c = insert_certificate(
                conn,
                &user.id,
                b.number.trim(),
                &b.fields,
                &b.area_department_id,
                b.valid_from,
                b.valid_until,
                now,
                today,
            )?;
            audit::write(
                conn,
                now,
                &AuditEvent::by(
                    &caller,
                    "certificate.issued",
                    format!("certificate:{}", c.number),
                )
                .change::<(), _>(None, Some(&c)),
            )?;
            Ok(c)
        })
        .await?;
    Ok(created(format!("/api/v1/certificates/{}", cert.id), &cert))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CertificatePatch {
    pub status: Option<CertificateStatus>,
    pub status_reason: Option<String>,
    pub valid_until: Option<NaiveDate>,
    #[validate(length(min = 1, code = "invalid", message = "at least one field"), custom(function = known_domains, code = "invalid"))]
    pub fields: Option<Vec<String>>,
}

#[utoipa::path(tag = "organisation",
    responses((status = 200, body = Certificate), (status = 404, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/certificates/{id}")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let today = state.clock.today();
    let cert = state
        .db
        .run(move |conn| {
            let c = find_certificate(conn, &id, today)?
                .ok_or_else(|| AppError::not_found("certificate not found"))?;
            visible_user(conn, &caller, &c.user_id)
                .map_err(|_| AppError::not_found("certificate not found"))?;
            Ok(c)
        })
        .await?;
    Ok(HttpResponse::Ok().json(cert))
}

/// Suspend (暂扣), revoke (注销) or reinstate a certificate, or change its term.
#[utoipa::path(tag = "organisation", request_body = CertificatePatch,
    responses((status = 200, body = Certificate), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[patch("/certificates/{id}")]
pub async fn update_certificate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<CertificatePatch>,
) -> AppResult<HttpResponse> {
    caller.require_any(&[Role::Admin])?;
    let b = body.0;
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let today = state.clock.today();
    let cert = state
        .db
        .write(move |conn| {
            let old = find_certificate(conn, &id, today)?
                .ok_or_else(|| AppError::not_found("certificate not found"))?;
            administered_user(conn, &caller, &old.user_id)
                .map_err(|_| AppError::not_found("certificate not found"))?;
            if old.status == CertificateStatus::Revoked
                && b.status.is_some_and(|s| s != CertificateStatus::Revoked)
            {
                return Err(AppError::conflict(
                    "a revoked certificate cannot be reinstated; issue a new one",
                ));
            }
            let status = b.status.unwrap_or(old.status);
            let valid_until = b.valid_until.unwrap_or(old.valid_until);
            if valid_until < old.valid_from {
                return Err(bad("valid_until", "must not be before valid_from"));
            }
            let fields = b.fields.clone().unwrap_or_else(|| old.fields.clone());
            let reason = b.status_reason.clone().or(old.status_reason.clone());
            save_certificate(
                conn,
                &id,
                status,
                reason.as_deref(),
                valid_until,
                &fields,
                now,
            )?;
            let new = find_certificate(conn, &id, today)?
                .ok_or_else(|| AppError::internal("certificate vanished"))?;
            audit::write(
                conn,
                now,
                &AuditEvent::by(
                    &caller,
                    "certificate.updated",
                    format!("certificate:{}", old.number),
                )
                .change(Some(&old), Some(&new)),
            )?;
            Ok(new)
        })
        .await?;
    Ok(HttpResponse::Ok().json(cert))
}

/// What a citizen learns about a certificate: whether it is good, for which
/// fields and area, and who holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCertificate {
    pub number: String,
    pub holder_name: String,
    pub department_name: String,
    pub fields: Vec<String>,
    pub area_department_name: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: CertificateStatus,
    /// In force today.
    pub valid: bool,
}

#[utoipa::path(tag = "public", responses((status = 200, body = PublicCertificate), (status = 404, body = crate::error::Problem)))]
#[get("/public/certificates/{number}")]
pub async fn public_certificate(
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> AppResult<HttpResponse> {
    let number = number.into_inner();
    let today = state.clock.today();
    let out = state
        .db
        .run(move |conn| {
            let c = certificate_by_number(conn, &number, today)?
                .ok_or_else(|| AppError::not_found("no certificate with this number"))?;
            let user = find_user(conn, &c.user_id)?
                .ok_or_else(|| AppError::not_found("no certificate with this number"))?;
            let dept = find_department(conn, &user.department_id)?
                .map(|p| p.department.name)
                .unwrap_or_default();
            let area = find_department(conn, &c.area_department_id)?
                .map(|p| p.department.name)
                .unwrap_or_default();
            Ok(PublicCertificate {
                number: c.number,
                holder_name: user.display_name,
                department_name: dept,
                fields: c.fields,
                area_department_name: area,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                status: c.status,
                valid: c.in_force,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(list);
    r.service(get_one);
    r.service(create);
    r.service(update);
    r.service(list_users);
    r.service(get_user);
    r.service(create_user);
    r.service(update_user);
    r.service(reset_password);
    r.service(list_certificates);
    r.service(create_certificate);
    r.service(get_certificate);
    r.service(update_certificate);
    r.service(public_certificate);
}
