//! Authentication and the caller: login, JWT, password hashing, roles, and
//! the one extractor every protected handler takes.

pub mod api;
pub mod extract;
pub mod jwt;
pub mod login;
pub mod password;
pub mod rules;
pub mod scope;
pub mod sessions;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::users;
use crate::error::{AppError, AppResult};

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
    /// The session of the token (its `jti`).
    pub session_id: String,
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

/// A caller's account as the extractor reads it (cached briefly).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct CallerRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: String,
    pub department_id: String,
    pub disabled: bool,
    pub token_epoch: i32,
    #[diesel(select_expression = crate::db::schema::departments::path)]
    pub department_path: String,
    #[diesel(select_expression = crate::db::schema::departments::region_path)]
    pub region_path: String,
}

/// How long a caller's account row is reused without asking the database.
/// Changes made through this instance (password, disabling, roles) drop the
/// entry at once; another instance sees them within this time.
pub const CALLER_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(1);

/// An in-process cache in front of the account lookup every request makes.
pub type CallerCache = crate::snapshot::Expiring<CallerRow>;

pub fn new_caller_cache() -> CallerCache {
    CallerCache::new(CALLER_CACHE_TTL, 10_000)
}
