//! The audit log of the service itself: every login (success or failure)
//! and every change of configuration or rule data, with old and new values.
//! Written in the transaction of the change; mirrored to the tracing log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::audit_events;
use crate::db::DbConn;
use crate::error::AppResult;

/// The actor name of imports in the audit log.
pub const IMPORT: &str = "zhifa import";

#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub actor_id: Option<String>,
    pub actor_username: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub old_value: Option<serde_json::Value>,
    pub new_value: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

impl AuditEvent {
    pub fn by(caller: &crate::auth::Caller, action: &str, target: impl Into<String>) -> AuditEvent {
        AuditEvent {
            actor_id: Some(caller.user_id.clone()),
            actor_username: Some(caller.username.clone()),
            action: action.into(),
            target: Some(target.into()),
            request_id: Some(caller.request_id.clone()),
            ip: caller.ip.clone(),
            ..Default::default()
        }
    }

    /// An event of the service itself (an import, a CLI command), with no user behind it.
    pub fn system(actor: &str, action: &str, target: impl Into<String>) -> AuditEvent {
        AuditEvent {
            actor_username: Some(actor.into()),
            action: action.into(),
            target: Some(target.into()),
            ..Default::default()
        }
    }

    pub fn change<T: Serialize, U: Serialize>(
        mut self,
        old: Option<&T>,
        new: Option<&U>,
    ) -> AuditEvent {
        self.old_value = old.and_then(|v| serde_json::to_value(v).ok());
        self.new_value = new.and_then(|v| serde_json::to_value(v).ok());
        self
    }
}

pub fn write(conn: &mut DbConn, at: NaiveDateTime, e: &AuditEvent) -> AppResult<()> {
    // Bulk imports would flood the log; they are in the table all the same.
    if e.actor_username.as_deref() == Some(IMPORT) {
        tracing::debug!(target: "audit", action = %e.action, target_ = e.target.as_deref().unwrap_or("-"), "audit");
    } else {
        log(e);
    }
    insert(conn, at, e)
}

fn log(e: &AuditEvent) {
    tracing::info!(
        target: "audit",
        action = %e.action,
        actor = e.actor_username.as_deref().unwrap_or("-"),
        target_ = e.target.as_deref().unwrap_or("-"),
        old = %e.old_value.as_ref().map(|v| v.to_string()).unwrap_or_default(),
        new = %e.new_value.as_ref().map(|v| v.to_string()).unwrap_or_default(),
        request_id = e.request_id.as_deref().unwrap_or("-"),
        "audit"
    );
}

fn insert(conn: &mut DbConn, at: NaiveDateTime, e: &AuditEvent) -> AppResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(uuid::Uuid::now_v7().to_string()),
            audit_events::at.eq(crate::db::micros(at)),
            audit_events::actor_id.eq(&e.actor_id),
            audit_events::actor_username.eq(&e.actor_username),
            audit_events::action.eq(&e.action),
            audit_events::target.eq(&e.target),
            audit_events::old_value.eq(e.old_value.as_ref().map(|v| v.to_string())),
            audit_events::new_value.eq(e.new_value.as_ref().map(|v| v.to_string())),
            audit_events::request_id.eq(&e.request_id),
            audit_events::ip.eq(&e.ip),
        ))
        .execute(conn)?;
    Ok(())
}
