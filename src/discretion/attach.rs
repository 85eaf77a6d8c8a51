//! A discretion lookup attached to a case (`POST /cases/{id}/discretion`):
//! one change of the case.

use diesel::prelude::*;

use super::rules::{judge_fine, Verdict};
use super::{refusal_error, run_lookup, AttachRequest, Attachment, LookupRequest};
use crate::auth::Caller;
use crate::cases::change::{change, Guard, How};
use crate::cases::events::{CaseEvent, DiscretionAttached};
use crate::clock::{china_date, rfc3339};
use crate::db::json_text;
use crate::db::schema::case_discretion;
use crate::error::AppResult;
use crate::kernel::Fen;
use crate::state::AppState;

/// Attaches a lookup (facts and result) to a case, as one change of it: the
/// proposed fine judged against it (refused outside the law, refused
/// outside the tier without a reason).
pub async fn attach(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: AttachRequest,
) -> AppResult<Attachment> {
    let snap = state.discretion.get(&state.db).await?;
    let day = china_date(state.clock.now());
    let how = How::guard(Guard::Change(crate::auth::scope::CHANGE_ROLES), if_match);
    let (_, attachment) = change(state, caller, case_id, how, move |ctx| {
        let (item_code, party_kind) = (ctx.case.item_code.clone(), ctx.case.party_kind);
        let req2 = LookupRequest {
            item_code: item_code.clone(),
            party_kind,
            facts: req.facts.clone(),
            proposed_fine_fen: req.proposed_fine_fen,
            deviation_reason: req.deviation_reason.clone(),
            on_date: None,
        };
        let (result, version) = run_lookup(&snap, &ctx.scope.department_path, &req2, day)?;
        let verdict = match req.proposed_fine_fen {
            Some(p) => Some(
                judge_fine(&result, p, req.deviation_reason.as_deref())
                    .map_err(|r| refusal_error(&r))?,
            ),
            None => None,
        };
        let reason = req
            .deviation_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty() && verdict == Some(Verdict::Deviation))
            .map(str::to_string);
        let attachment_id = uuid::Uuid::now_v7().to_string();
        let at = crate::db::micros(ctx.now.naive_utc());
        diesel::insert_into(case_discretion::table)
            .values((
                case_discretion::id.eq(&attachment_id),
                case_discretion::case_id.eq(&ctx.case.id),
                case_discretion::benchmark_version_id.eq(&version.id),
                case_discretion::item_code.eq(&item_code),
                case_discretion::party_kind.eq(party_kind),
                case_discretion::facts.eq(json_text(&req.facts)),
                case_discretion::result.eq(json_text(&result)),
                case_discretion::outcome.eq(result.outcome),
                case_discretion::tier.eq(result.tier),
                case_discretion::proposed_fine_fen.eq(req.proposed_fine_fen),
                case_discretion::deviation_reason.eq(&reason),
                case_discretion::verdict.eq(verdict),
                case_discretion::created_by.eq(&ctx.caller.user_id),
                case_discretion::created_at.eq(at),
            ))
            .execute(ctx.conn)?;
        let event = CaseEvent::DiscretionAttached(DiscretionAttached {
            attachment_id: attachment_id.clone(),
            benchmark_version_id: version.id.clone(),
            benchmark_version: version.version.clone(),
            outcome: serde_json::to_value(result.outcome).unwrap_or_default(),
            tier: serde_json::to_value(result.tier).unwrap_or_default(),
            fine_min_fen: result.fine_min_fen.map(Fen),
            fine_max_fen: result.fine_max_fen.map(Fen),
            proposed_fine_fen: req.proposed_fine_fen.map(Fen),
            verdict: serde_json::to_value(verdict).unwrap_or_default(),
            deviation_reason: reason.clone(),
            legal_review_required: result.legal_review_required
                || verdict == Some(Verdict::Deviation),
        });
        let attachment = Attachment {
            id: attachment_id,
            case_id: ctx.case.id.to_string(),
            benchmark_version: version,
            party_kind,
            facts: req.facts.clone(),
            flagged: verdict == Some(Verdict::Deviation),
            result,
            proposed_fine_fen: req.proposed_fine_fen,
            deviation_reason: reason,
            verdict,
            created_by: ctx.caller.user_id.clone(),
            created_at: rfc3339(at),
        };
        Ok((event, attachment))
    })
    .await?;
    Ok(attachment)
}
