//! `POST /auth/login`, `GET /me`, `POST /me/password`.

use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::jwt::Claims;
use super::rules::{after_failure, locked_for, password_problems, Throttle};
use super::{password, roles_from_json, Caller, Role};
use crate::audit::{self, AuditEvent};
use crate::db::schema::{login_throttle, users};
use crate::db::{write_tx, DbConn};
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::http::{ApiJson, RequestCtx};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    pub user: UserSummary,
}

enum LoginOutcome {
    Ok(UserSummary, i32),
    Bad,
    Locked(u64),
}

type LoginRow = (String, String, String, String, String, String, bool, i32);

/// 登录 — exchange a username and password for a bearer token.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong username or password (the same answer for both)", body = crate::error::Problem),
        (status = 429, description = "too many failures; see Retry-After", body = crate::error::Problem)
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LoginRequest>,
) -> AppResult<HttpResponse> {
    let ctx = req
        .extensions()
        .get::<RequestCtx>()
        .cloned()
        .unwrap_or_default();
    let LoginRequest {
        username,
        password: pw,
    } = body.0;
    let username = username.trim().to_string();
    let st = state.clone();
    let now = state.clock.now_naive();
    let outcome = state
        .db
        .run(move |conn| {
            // Argon2 runs outside any transaction; only the bookkeeping is written.
            let user: Option<LoginRow> = users::table
                .filter(users::username.eq(&username))
                .select((
                    users::id,
                    users::username,
                    users::display_name,
                    users::roles,
                    users::department_id,
                    users::password_hash,
                    users::disabled,
                    users::token_epoch,
                ))
                .first(conn)
                .optional()?;
            let throttle = load_throttle(conn, &username)?;
            let user_id = user.as_ref().map(|u| u.0.clone());
            let event = |action: &str| AuditEvent {
                actor_id: user_id.clone(),
                actor_username: Some(username.clone()),
                action: action.into(),
                target: Some(format!("user:{username}")),
                request_id: Some(ctx.request_id.clone()),
                ip: ctx.ip.clone(),
                ..Default::default()
            };
            if let Some(wait) = locked_for(throttle.as_ref(), now) {
                write_tx(conn, |c| audit::write(c, now, &event("login.throttled")))?;
                return Ok(LoginOutcome::Locked(wait));
            }
            let good = match &user {
                Some(u) => password::verify(&pw, &u.5) && !u.6,
                None => {
                    password::verify(&pw, password::decoy_hash());
                    false
                }
            };
            if !good {
                let next = after_failure(
                    throttle.as_ref(),
                    now,
                    st.settings.login_max_failures,
                    st.settings.login_lock_seconds,
                );
                write_tx(conn, |c| {
                    save_throttle(c, &username, throttle.is_some(), &next)?;
                    audit::write(c, now, &event("login.failure"))
                })?;
                return Ok(LoginOutcome::Bad);
            }
            let u = user.expect("checked above");
            write_tx(conn, |c| {
                diesel::delete(login_throttle::table.find(&username)).execute(c)?;
                audit::write(c, now, &event("login.success"))
            })?;
            Ok(LoginOutcome::Ok(
                UserSummary {
                    id: u.0,
                    username: u.1,
                    display_name: u.2,
                    roles: roles_from_json(&u.3),
                    department_id: u.4,
                },
                u.7,
            ))
        })
        .await?;
    match outcome {
        LoginOutcome::Locked(wait) => Err(AppError::too_many(
            format!("too many failed logins; try again in {wait} s"),
            wait,
        )),
        LoginOutcome::Bad => Err(AppError::unauthorized("invalid username or password")),
        LoginOutcome::Ok(user, epoch) => {
            let ttl = state.settings.token_ttl_seconds;
            let iat = state.clock.now().timestamp();
            let claims = Claims {
                sub: user.id.clone(),
                username: user.username.clone(),
                roles: user.roles.iter().map(|r| r.as_str().to_string()).collect(),
                department_id: user.department_id.clone(),
                epoch,
                iat,
                exp: iat + ttl as i64,
                jti: uuid::Uuid::now_v7().to_string(),
            };
            let token = state.jwt.issue(&claims)?;
            Ok(HttpResponse::Ok().json(LoginResponse {
                access_token: token,
                token_type: "Bearer".into(),
                expires_in: ttl,
                user,
            }))
        }
    }
}

fn load_throttle(conn: &mut DbConn, username: &str) -> AppResult<Option<Throttle>> {
    let row: Option<(i32, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> =
        login_throttle::table
            .find(username)
            .select((
                login_throttle::failures,
                login_throttle::window_started_at,
                login_throttle::locked_until,
            ))
            .first(conn)
            .optional()?;
    Ok(
        row.map(|(failures, window_started_at, locked_until)| Throttle {
            failures,
            window_started_at,
            locked_until,
        }),
    )
}

fn save_throttle(conn: &mut DbConn, username: &str, exists: bool, t: &Throttle) -> AppResult<()> {
    if exists {
        diesel::update(login_throttle::table.find(username))
            .set((
                login_throttle::failures.eq(t.failures),
                login_throttle::window_started_at.eq(t.window_started_at),
                login_throttle::locked_until.eq(t.locked_until),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::username.eq(username),
                login_throttle::failures.eq(t.failures),
                login_throttle::window_started_at.eq(t.window_started_at),
                login_throttle::locked_until.eq(t.locked_until),
            ))
            .execute(conn)?;
    }
    Ok(())
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

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let today = state.clock.today();
    let me = state
        .db
        .run(move |conn| crate::org::me(conn, &caller, today))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password. Every token issued before is revoked.
#[utoipa::path(
    post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 400, description = "weak password", body = crate::error::Problem), (status = 403, description = "wrong current password", body = crate::error::Problem)),
    security(("bearer" = []))
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<PasswordChange>,
) -> AppResult<HttpResponse> {
    let PasswordChange {
        current_password,
        new_password,
    } = body.0;
    check_strength(&new_password, &caller.username, "new_password")?;
    if current_password == new_password {
        return Err(AppError::validation(vec![FieldError::new(
            "new_password",
            "weak_password",
            "must differ from the current password",
        )]));
    }
    let now = state.clock.now_naive();
    let own_id = caller.user_id.clone();
    state
        .db
        .run(move |conn| {
            let stored: String = users::table
                .find(&caller.user_id)
                .select(users::password_hash)
                .first(conn)?;
            if !password::verify(&current_password, &stored) {
                return Err(AppError::new(
                    actix_web::http::StatusCode::FORBIDDEN,
                    Code::WrongPassword,
                    "the current password is wrong",
                ));
            }
            let hash = password::hash(&new_password)?;
            write_tx(conn, |c| {
                set_password(c, &caller.user_id, &hash, now)?;
                audit::write(
                    c,
                    now,
                    &AuditEvent::by(
                        &caller,
                        "user.password_changed",
                        format!("user:{}", caller.username),
                    ),
                )
            })
        })
        .await?;
    state.callers.forget(&own_id);
    Ok(HttpResponse::NoContent().finish())
}

/// 400 naming the field when a password breaks the policy.
pub fn check_strength(password: &str, username: &str, field: &str) -> AppResult<()> {
    let problems = password_problems(password, username);
    if problems.is_empty() {
        return Ok(());
    }
    let mut e = AppError::validation(
        problems
            .iter()
            .map(|p| FieldError::new(field, "weak_password", p.clone()))
            .collect(),
    );
    e.code = Code::WeakPassword;
    Err(e)
}

/// Stores a new hash and revokes every token issued before (epoch + 1).
pub fn set_password(
    conn: &mut DbConn,
    user_id: &str,
    hash: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::token_epoch.eq(users::token_epoch + 1),
            users::password_changed_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
