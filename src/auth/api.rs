//! `POST /auth/login`, `GET /me`, `POST /me/password`.

use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::jwt::Claims;
use super::login::LoginOutcome;
use super::password::{check_strength, set_password};
use super::{password, Caller, Role};
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
    let now = state.clock.now_naive();
    let (max, lock) = (
        st.settings.login_max_failures,
        st.settings.login_lock_seconds,
    );
    let outcome = state
        .db
        .run(move |conn| super::login::authenticate(conn, &username, &pw, &ctx, now, max, lock))
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

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(login);
    r.service(me);
    r.service(change_password);
}
