//! The `Caller` extractor every protected handler takes: the token checked,
//! the account loaded (or taken from the one-second cache), never anything
//! from the request body.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use diesel::prelude::*;

use super::{roles_from_json, Caller, CallerRow};
use crate::db::schema::{departments, users};

use crate::error::AppError;
use crate::http::RequestCtx;
use crate::state::AppState;

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
            // The session is read on every request (no cache): a logout on
            // any instance refuses the token at once on every other.
            let alive = match state
                .db
                .reads
                .i32_by_key(super::sessions::ALIVE_SQL, &claims.jti)
                .await
            {
                Some(row) => row.is_some(),
                None => {
                    let sid = claims.jti.clone();
                    state
                        .db
                        .run(move |conn| super::sessions::alive(conn, &sid))
                        .await?
                }
            };
            if !alive {
                return Err(AppError::unauthorized("session ended; log in again"));
            }
            note_seen(&state, &claims.jti);
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
                                .select(CallerRow::as_select())
                                .first(conn)
                                .optional()?)
                        })
                        .await?
                }
            };
            let row = row.ok_or_else(|| AppError::unauthorized("invalid token"))?;
            if row.disabled || row.token_epoch != claims.epoch {
                return Err(AppError::unauthorized("token revoked"));
            }
            if !from_cache {
                // Only a fresh row restarts the clock, so other instances' changes show within the TTL.
                state.callers.put(row.id.clone(), row.clone());
            }
            Ok(Caller {
                roles: roles_from_json(&row.roles),
                user_id: row.id,
                username: row.username,
                display_name: row.display_name,
                department_id: row.department_id,
                department_path: row.department_path,
                region_path: row.region_path,
                request_id: ctx.request_id,
                ip: ctx.ip,
                session_id: claims.jti,
            })
        })
    }
}

/// Writes the session's `last_seen_at` at most once per `SEEN_EVERY` per
/// instance, after the request (never in its way).
fn note_seen(state: &web::Data<AppState>, session_id: &str) {
    let due = {
        let mut seen = state
            .sessions_seen
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        match seen.get(session_id) {
            Some(t) if now.duration_since(*t) < super::sessions::SEEN_EVERY => false,
            _ => {
                if seen.len() >= 10_000 {
                    seen.clear();
                }
                seen.insert(session_id.to_string(), now);
                true
            }
        }
    };
    if due {
        let (state, sid) = (state.clone(), session_id.to_string());
        actix_rt::spawn(async move {
            let now = state.clock.now_naive();
            if let Err(e) = state
                .db
                .run(move |conn| super::sessions::touch(conn, &sid, now))
                .await
            {
                tracing::debug!(error = %e.detail, "session last-seen not written");
            }
        });
    }
}
