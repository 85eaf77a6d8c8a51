//! argon2id password hashes (OWASP parameters: 19 MiB, 2 passes).

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Code, FieldError};

pub fn hash(password: &str) -> AppResult<String> {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("argon2: {e}")))
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the username is unknown, so that an
/// unknown user costs the same time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash("decoy-password-never-matches").unwrap_or_default())
}

/// 400 naming the field when a password breaks the policy.
pub fn check_strength(password: &str, username: &str, field: &str) -> AppResult<()> {
    let problems = super::rules::password_problems(password, username);
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
    // Every token issued before is refused (the epoch); its sessions end too.
    super::sessions::revoke_all(conn, user_id, now)?;
    Ok(())
}
