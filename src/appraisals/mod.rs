//! 抽样取证 and 检测/鉴定 — sampling records, and commissions for testing
//! or appraisal whose result is notified to the party; the days from the
//! commission to the result do not count against the 90-day decision
//! period (SAMR procedure rules; 🟡 S27), entered as an excluded period
//! in the result's own transaction.

pub mod api;

use crate::auth::{scope, Caller};
use crate::cases::change::{Ctx, Guard, Step};
use crate::cases::events::*;
use crate::cases::rules::{check_before_decision, check_supplied_time};
use crate::error::{AppError, AppResult, Code};
use crate::workflow::rules::check_exclusion;

const INVESTIGATING: Guard = Guard::Change(scope::INVESTIGATING_ROLES);

impl Step for SamplingRequest {
    const PATH: &'static str = "/cases/{id}/samplings";
    const TAG: &'static str = "evidence";
    const DOC: &'static str = "抽样取证: the samples taken (name, batch, quantity, base) and whether the party signed the record.";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        check_before_decision(ctx.case.status)?;
        check_supplied_time("sampled_at", self.sampled_at, None, ctx.now)?;
        Ok(CaseEvent::Sampling(self.clone()))
    }
}

impl Step for AppraisalRequest {
    const PATH: &'static str = "/cases/{id}/appraisals";
    const TAG: &'static str = "evidence";
    const DOC: &'static str = "委托检测、检验、鉴定: the institution and the matter, commissioned between filing and today.";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        check_before_decision(ctx.case.status)?;
        let filed_on = ctx.case.filed_on();
        if self.commissioned_on < filed_on || self.commissioned_on > ctx.today() {
            return Err(AppError::rule_on_field(
                Code::DatesOutOfOrder,
                "commissioned_on",
                format!("a commission lies between filing ({filed_on}) and today"),
            ));
        }
        Ok(CaseEvent::Appraisal(self.clone()))
    }
}

impl Step for AppraisalResultRequest {
    const PATH: &'static str = "/cases/{id}/appraisals/result";
    const TAG: &'static str = "evidence";
    const DOC: &'static str = "The result of a commission, notified to the party.\nThe days from commission to result are excluded from the 90-day decision period.";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        check_before_decision(ctx.case.status)?;
        let history = crate::cases::file::history(ctx.conn, &ctx.case.id)?;
        let commission = history
            .iter()
            .find_map(|e| match &e.body {
                CaseEvent::Appraisal(a) if e.id == self.appraisal_id => Some(a.clone()),
                _ => None,
            })
            .ok_or_else(|| {
                AppError::rule_on_field(
                    Code::UnknownReference,
                    "appraisal_id",
                    "no such commission on this case",
                )
            })?;
        let answered = history.iter().any(
            |e| matches!(&e.body, CaseEvent::AppraisalResult(r) if r.appraisal_id == self.appraisal_id),
        );
        if answered {
            return Err(AppError::conflict(
                "the commission's result is recorded already",
            ));
        }
        if self.result_on < commission.commissioned_on {
            return Err(AppError::rule_on_field(
                Code::DatesOutOfOrder,
                "result_on",
                "the result comes after the commission",
            ));
        }
        let result_at = self
            .result_on
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(ctx.now);
        check_supplied_time(
            "notified_at",
            self.notified_at,
            Some((
                result_at.naive_utc() - chrono::Duration::hours(8),
                "the result",
            )),
            ctx.now,
        )?;
        // The days it took do not count against the decision period.
        let excluded = ExclusionRequest {
            kind: match commission.kind {
                AppraisalKind::Testing => ExclusionKind::Testing,
                AppraisalKind::Appraisal => ExclusionKind::Appraisal,
            },
            from: commission.commissioned_on,
            to: self.result_on,
            reason: format!(
                "{}：{}（{}）",
                commission.institution.trim(),
                commission.matter.trim(),
                self.appraisal_id
            ),
        };
        let existing: Vec<ExclusionRequest> =
            ctx.file.exclusions.iter().map(|e| e.body.clone()).collect();
        let (filed_on, today) = (ctx.case.filed_on(), ctx.today());
        check_exclusion(
            &excluded,
            filed_on,
            today,
            &existing,
            ctx.profile.exclusion_max_days,
        )?;
        let taken = ctx.as_taken(excluded.clone());
        ctx.file.exclusions.push(taken);
        let (due, basis) = crate::workflow::decision_due(ctx);
        ctx.note(
            "excluded",
            serde_json::json!({"from": excluded.from, "to": excluded.to}),
        );
        ctx.note("decision_due", due);
        ctx.set_deadline("decision", due, basis);
        ctx.also(CaseEvent::Exclusion(excluded));
        Ok(CaseEvent::AppraisalResult(self.clone()))
    }
}
