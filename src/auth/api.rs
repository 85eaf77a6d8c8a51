//! `POST /auth/login`, `GET /me`, `POST /me/password`.

use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::jwt::Claims;
use super::login::LoginOutcome;
use super::password::{check_strength, set_password};
use super::{password, Caller};
use crate::audit::{self, AuditEvent};
use crate::db::schema::users;
use crate::db::write_tx;
use crate::error::{AppError, AppResult, Code};
use crate::http::{ApiJson, RequestCtx};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

pub use super::login::UserSummary;

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    pub user: UserSummary,
}

/// 登录 — exchange a username and password for a bearer token.
#[utoipa::path(tag = "auth",
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
    let (address, user_agent) = (
        ctx.ip.clone(),
        req.headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    );
    let now = state.clock.now_naive();
    let limits = super::login::Limits {
        max_failures: st.settings.login_max_failures,
        lock_seconds: st.settings.login_lock_seconds,
        address_max_failures: st.settings.login_address_max_failures,
        address_lock_seconds: st.settings.login_address_lock_seconds,
    };
    let outcome = state
        .db
        .run(move |conn| super::login::authenticate(conn, &username, &pw, &ctx, now, limits))
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
                // The token's id is its session's.
                jti: uuid::Uuid::now_v7().to_string(),
            };
            let token = state.jwt.issue(&claims)?;
            let (sid, uid) = (claims.jti.clone(), user.id.clone());
            let expires = now + chrono::Duration::seconds(ttl as i64);
            state
                .db
                .run(move |conn| {
                    super::sessions::open(
                        conn,
                        &sid,
                        &uid,
                        now,
                        expires,
                        user_agent.as_deref(),
                        address.as_deref(),
                    )
                })
                .await?;
            Ok(HttpResponse::Ok().json(LoginResponse {
                access_token: token,
                token_type: "Bearer".into(),
                expires_in: ttl,
                user,
            }))
        }
    }
}

#[utoipa::path(tag = "auth", responses((status = 200, body = crate::org::Me), (status = 401, body = crate::error::Problem)), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let today = state.clock.today();
    let me = state
        .db
        .run(move |conn| crate::org::me(conn, &caller, today))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = a_new_password, skip_on_field_errors = false))]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// The new password is not the current one.
fn a_new_password(p: &PasswordChange) -> Result<(), validator::ValidationError> {
    crate::kernel::shape::check(
        p.current_password != p.new_password,
        "new_password",
        "weak_password",
        "must differ from the current password",
    )
}

/// Change one's own password. Every token issued before is revoked.
#[utoipa::path(tag = "auth", request_body = PasswordChange,
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

/// 退出登录 — ends the session of this token: the token is refused from
/// now on, on every instance. The caller's other sessions go on.
#[utoipa::path(tag = "auth",
    responses((status = 204, description = "the session is ended"), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let now = state.clock.now_naive();
    state
        .db
        .write(move |conn| {
            super::sessions::revoke(conn, &caller.user_id, &caller.session_id, now)?;
            audit::write(
                conn,
                now,
                &AuditEvent::by(
                    &caller,
                    "session.logout",
                    format!("session:{}", caller.session_id),
                ),
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    pub revoked: usize,
}

/// Ends every session of the caller, this one included (a lost phone):
/// all their tokens are refused from now on, on every instance.
#[utoipa::path(tag = "auth",
    responses((status = 200, body = Revoked), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/me/sessions:revoke-all")]
pub async fn revoke_all_sessions(
    state: web::Data<AppState>,
    caller: Caller,
) -> AppResult<HttpResponse> {
    let now = state.clock.now_naive();
    let revoked = state
        .db
        .write(move |conn| {
            let n = super::sessions::revoke_all(conn, &caller.user_id, now)?;
            audit::write(
                conn,
                now,
                &AuditEvent::by(
                    &caller,
                    "session.revoke_all",
                    format!("user:{}", caller.username),
                ),
            )?;
            Ok(n)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Revoked { revoked }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SessionsQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The caller's active sessions (not ended, not expired), newest first;
/// `current` marks the one this request came with.
#[utoipa::path(tag = "auth", params(SessionsQuery),
    responses((status = 200, body = inline(crate::http::Page<super::sessions::SessionView>)), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/me/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<SessionsQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let limit = crate::http::page_limit(q.limit)?;
    let now = state.clock.now_naive();
    let mut items = state
        .db
        .run(move |conn| {
            super::sessions::active(
                conn,
                &caller.user_id,
                &caller.session_id,
                now,
                q.cursor.as_deref(),
                limit + 1,
            )
        })
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more {
        items.last().map(|s| s.id.clone())
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(crate::http::Page { items, next_cursor }))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(login);
    r.service(logout);
    r.service(me);
    r.service(change_password);
    r.service(list_sessions);
    r.service(revoke_all_sessions);
}
