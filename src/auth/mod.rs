//! Authentication and the caller: login, JWT, password hashing, roles, and
//! the one extractor every protected handler takes.

pub mod api;
pub mod jwt;
pub mod login;
pub mod password;
pub mod rules;
pub mod scope;

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{departments, users};
use crate::error::{AppError, AppResult};
use crate::http::RequestCtx;
use crate::state::AppState;

/// Roles (the `roles` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 执法人员 — certified frontline officer
    Officer,
    /// 辅助人员 — uncertified support staff; never counts as an officer
    Auxiliary,
    /// 负责人 — head of an agency
    Head,
    /// 法制审核人员 — legal reviewer
    LegalReviewer,
    /// 执法监督人员 — supervisor (justice bureau)
    Supervisor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Auxiliary => "auxiliary",
            Role::Head => "head",
            Role::LegalReviewer => "legal_reviewer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        crate::db::enum_parse(s)
    }
}

pub fn roles_from_json(text: &str) -> Vec<Role> {
    serde_json::from_str::<Vec<String>>(text)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| Role::parse(r))
        .collect()
}

pub fn roles_to_json(roles: &[Role]) -> String {
    serde_json::to_string(&roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

/// The authenticated caller, loaded fresh from the database on every
/// request: identity always comes from the token, never from a body.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department_id: String,
    /// Materialised path of the caller's department (`/root/…/dept/`).
    pub department_path: String,
    /// Path of the government the department belongs to: the supervisor's
    /// and the admin's scope (their region's subtree).
    pub region_path: String,
    pub request_id: String,
    pub ip: Option<String>,
    /// Set when a head's decision on an approval (审批) runs the act it
    /// asked for: the act settles that approval in its own transaction.
    pub approving: Option<crate::approvals::Approving>,
}

impl Caller {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// 403 unless the caller holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> AppResult<()> {
        if self.has_any(roles) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(AppError::forbidden(format!(
                "this needs one of the roles: {}",
                names.join(", ")
            )))
        }
    }
}

pub type CallerRow = (
    String,
    String,
    String,
    String,
    String,
    bool,
    i32,
    String,
    String,
);

/// How long a caller's account row is reused without asking the database.
/// Changes made through this instance (password, disabling, roles) drop the
/// entry at once; another instance sees them within this time.
pub const CALLER_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(1);

/// An in-process cache in front of the account lookup every request makes.
pub type CallerCache = crate::snapshot::Expiring<CallerRow>;

pub fn new_caller_cache() -> CallerCache {
    CallerCache::new(CALLER_CACHE_TTL, 10_000)
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let ctx = req
            .extensions()
            .get::<RequestCtx>()
            .cloned()
            .unwrap_or_default();
        let token = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string());
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            let token = token.ok_or_else(|| AppError::unauthorized("missing bearer token"))?;
            let claims = state.jwt.check(&token, state.clock.now().timestamp())?;
            let user_id = claims.sub.clone();
            let cached = state.callers.get(&user_id);
            let from_cache = cached.is_some();
            let row: Option<CallerRow> = match cached {
                Some(row) => Some(row),
                None => {
                    state
                        .db
                        .run(move |conn| {
                            Ok(users::table
                                .inner_join(departments::table)
                                .filter(users::id.eq(&user_id))
                                .select((
                                    users::id,
                                    users::username,
                                    users::display_name,
                                    users::roles,
                                    users::department_id,
                                    users::disabled,
                                    users::token_epoch,
                                    departments::path,
                                    departments::region_path,
                                ))
                                .first(conn)
                                .optional()?)
                        })
                        .await?
                }
            };
            let row = row.ok_or_else(|| AppError::unauthorized("invalid token"))?;
            if row.5 || row.6 != claims.epoch {
                return Err(AppError::unauthorized("token revoked"));
            }
            if !from_cache {
                // Only a fresh row restarts the clock, so other instances' changes show within the TTL.
                state.callers.put(row.0.clone(), row.clone());
            }
            Ok(Caller {
                user_id: row.0,
                username: row.1,
                display_name: row.2,
                roles: roles_from_json(&row.3),
                department_id: row.4,
                department_path: row.7,
                region_path: row.8,
                request_id: ctx.request_id,
                ip: ctx.ip,
                approving: None,
            })
        })
    }
}
