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
            })
        })
    }
}
