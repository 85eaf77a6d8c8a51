//! The heads' collective discussion (负责人集体讨论, APL Art 57 ¶2) and the
//! decision (作出决定, Art 57, 59; on the spot Art 51–52).

use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::rules::{check_decision, check_penalty_types, DecisionFacts};
use super::{discretion_text, judge};
use crate::auth::{scope, Caller, Role};
use crate::cases::change::{Ctx, Guard, Numbering, Step};
use crate::cases::events::*;
use crate::cases::rules::{check_supplied_time, CaseStatus, Procedure};
use crate::cases::DeadlineStatus;
use crate::clock::{china_date, rfc3339};
use crate::db::enum_str;
use crate::db::schema::users;
use crate::documents::{chinese_date, display_name, penalties_context};
use crate::error::{AppError, AppResult, Code};
use crate::execution::rules::service_due;
use crate::kernel::Fen;

impl Step for DiscussionRequest {
    const PATH: &'static str = "/cases/{id}/collective-discussion";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "负责人集体讨论 (Art 57 ¶2): recorded by a head.\nEvery attendee confirms with their own account.";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Change(scope::HEAD_ROLES)
    }

    /// Recorded by a head, attended by the department's heads, each
    /// confirming with their own account.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        ctx.moving_to(CaseStatus::CollectiveDiscussion)?;
        check_supplied_time(
            "held_at",
            self.held_at,
            Some((ctx.case.filed_at, "filing")),
            ctx.now,
        )?;
        let mut attendees: Vec<String> = vec![];
        for a in &self.attendee_ids {
            if !attendees.contains(a) {
                attendees.push(a.clone());
            }
        }
        let found: Vec<(String, String, String, bool)> = users::table
            .filter(users::id.eq_any(&attendees))
            .select((
                users::id,
                users::department_id,
                users::roles,
                users::disabled,
            ))
            .load(ctx.conn)?;
        for (i, a) in attendees.iter().enumerate() {
            let ok = found.iter().any(|(id, d, roles, disabled)| {
                id == a
                    && d == &ctx.case.department_id
                    && !disabled
                    && crate::auth::roles_from_json(roles).contains(&Role::Head)
            });
            if !ok {
                return Err(AppError::rule_on_field(
                    Code::AttendeeNotHead,
                    &format!("attendee_ids[{i}]"),
                    "集体讨论由本机关负责人参加（行政处罚法第五十七条第二款）",
                ));
            }
        }
        if !attendees.contains(&ctx.caller.user_id) {
            return Err(AppError::rule_on_field(
                Code::NotAnAttendee,
                "attendee_ids",
                "the head who records the discussion attended it",
            ));
        }
        let min = ctx.profile.collective_discussion_min_attendees as usize;
        if attendees.len() < min {
            return Err(AppError::rule_on_field(
                Code::TooFewAttendees,
                "attendee_ids",
                format!(
                    "集体讨论至少{min}名负责人参加（本部门规则配置；行政处罚法第五十七条第二款）"
                ),
            ));
        }
        for (i, d) in self.dissent.iter().enumerate() {
            if !attendees.contains(&d.user_id) {
                return Err(AppError::rule_on_field(
                    Code::NotAnAttendee,
                    &format!("dissent[{i}].user_id"),
                    "dissent is recorded for attendees",
                ));
            }
        }
        let mut request = self.clone();
        request.attendee_ids = attendees;
        let step = DiscussionStep {
            request,
            report_id: ctx.file.reports.last().map(|r| r.id.clone()),
            confirmations: vec![Confirmation {
                user_id: ctx.caller.user_id.clone(),
                at: rfc3339(ctx.now.naive_utc()),
                note: None,
            }],
        };
        // 集体讨论记录.
        let mut names = vec![];
        for a in &step.request.attendee_ids {
            names.push(display_name(ctx.conn, a)?);
        }
        let mut dissent = vec![];
        for d in &step.request.dissent {
            dissent.push(format!(
                "{}：{}",
                display_name(ctx.conn, &d.user_id)?,
                d.opinion
            ));
        }
        let extra = serde_json::json!({"discussion": {
            "held_on": chinese_date(china_date(step.request.held_at)),
            "attendees": names.join("、"), "conclusion": step.request.conclusion, "dissent": dissent.join("；"),
        }});
        ctx.issue("discussion_record", extra, Numbering::Counter)?;
        Ok(CaseEvent::CollectiveDiscussion(step))
    }
}

/// An attendee confirms the discussion record with their own account
/// (`POST /cases/{id}/collective-discussion/{discussion_id}/confirmation`).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    #[serde(default)]
    pub note: Option<String>,
}

/// The confirmation as a step: the discussion it confirms, from the path.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
pub struct ConfirmDiscussion {
    pub discussion_id: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl Step for ConfirmDiscussion {
    const PATH: &'static str = "/cases/{id}/collective-discussion/{discussion_id}/confirmation";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "An attendee confirms the collective discussion record with their own account.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Change(scope::HEAD_ROLES)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let d = ctx
            .file
            .discussions
            .iter()
            .find(|d| d.id == self.discussion_id)
            .cloned()
            .ok_or_else(|| AppError::not_found("discussion not found"))?;
        if !d.body.request.attendee_ids.contains(&ctx.caller.user_id) {
            return Err(AppError::rule(
                Code::NotAnAttendee,
                "only an attendee confirms the discussion record",
            ));
        }
        if d.body
            .confirmations
            .iter()
            .any(|c| c.user_id == ctx.caller.user_id)
        {
            return Err(AppError::conflict("already confirmed"));
        }
        let confirmation = Confirmation {
            user_id: ctx.caller.user_id.clone(),
            at: rfc3339(ctx.now.naive_utc()),
            note: self.note.clone(),
        };
        let mut body = d.body.clone();
        body.confirmations.push(confirmation.clone());
        crate::cases::store::rewrite_step(
            ctx.conn,
            &d.id,
            &CaseEvent::CollectiveDiscussion(body.clone()),
        )?;
        Ok(CaseEvent::DiscussionConfirmed(DiscussionConfirmed {
            discussion_id: d.id,
            confirmation,
            confirmed: body.confirmed(),
        }))
    }
}

impl Step for DecisionRequest {
    const PATH: &'static str = "/cases/{id}/decision";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "作出决定: a head (general procedure) or the case's officers on the spot (simplified, Art 51–52).\nRefused before notice (Art 44/62), before the statement period ends, before a requested hearing (Art 63–65), heavier than notified (Art 45), without an approved legality review when required (Art 58), without collective discussion when required (Art 57), after the 90 days (Art 60).";
    const ISSUES_DOCUMENTS: bool = true;

    /// Only a head decides; on the spot (simplified procedure) the officers
    /// of the case do (Art 51–52). Which applies depends on the case, so
    /// the role is checked against it in `take`.
    fn guard(&self, _: &Caller) -> Guard {
        Guard::Change(scope::INVESTIGATING_ROLES)
    }

    /// The guards of `rules::check_decision`; a number from the
    /// department's counter (or the pre-numbered form of the simplified
    /// procedure); service due in 7 working days (Art 61).
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let on_the_spot = ctx.case.procedure == Procedure::Simplified;
        let investigator = ctx.case.investigators.contains(&ctx.caller.user_id);
        if !scope::may_decide(ctx.caller, on_the_spot, investigator) {
            return Err(AppError::forbidden(
                "only a head of the agency decides (行政处罚法第五十七条); on the spot, the case's officers (第五十一条、第五十二条)",
            ));
        }
        ctx.moving_to(CaseStatus::Decided)?;
        let item = ctx.item()?;
        check_penalty_types(&item, &self.penalties)?;
        let fine = fine_of(&self.penalties);
        let fine_verdict = match judge(
            ctx.conn,
            &ctx.case.id,
            fine,
            self.deviation_reason.as_deref(),
            !on_the_spot,
        ) {
            Ok(v) => v.map(|(_, v)| Ok(v)),
            Err(e) => Some(Err(e)),
        };
        let (due, _) = crate::workflow::decision_due(ctx);
        let basis = check_decision(DecisionFacts {
            procedure: ctx.case.procedure,
            party_kind: ctx.case.party_kind,
            file: &ctx.file,
            profile: &ctx.profile,
            today: ctx.today(),
            decision_due: due,
            request: self,
            fine_verdict,
        })?;
        let kind = if on_the_spot {
            "on_the_spot_decision"
        } else if self.outcome == ProposedOutcome::Penalty {
            "penalty_decision"
        } else {
            "no_penalty_decision"
        };
        let numbering = if on_the_spot {
            Numbering::Given(
                self.form_number
                    .clone()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            )
        } else {
            Numbering::Counter
        };
        let service_due = if on_the_spot {
            ctx.today()
        } else {
            service_due(ctx.today(), ctx.cal)
        };
        // 行政处罚决定书 / 不予行政处罚决定书 / 当场行政处罚决定书.
        let findings = ctx
            .file
            .reports
            .last()
            .map(|r| r.body.request.findings.clone())
            .unwrap_or_default();
        let defence = if ctx.file.hearings.iter().any(|h| h.body.party_attended) {
            "应你（单位）要求，本机关依法举行了听证，并依据听证笔录作出本决定。"
        } else if ctx.file.statements.iter().any(|s| s.body.waived) {
            "你（单位）明确表示放弃陈述、申辩。"
        } else if !ctx.file.statements.is_empty() {
            "你（单位）提出了陈述、申辩意见，本机关已进行复核。"
        } else {
            "你（单位）在规定期限内未提出陈述、申辩。"
        };
        let notified_on = ctx
            .file
            .notices
            .last()
            .map(|n| chinese_date(china_date(n.body.request.served_at)));
        let discretion = discretion_text(ctx.conn, &ctx.case.id)?;
        let extra = serde_json::json!({
            "findings": findings,
            "penalties": penalties_context(&self.penalties),
            "has_fine": fine > Fen::ZERO,
            "discretion": discretion,
            "notified_on": notified_on,
            "defence": defence,
            "reason": self.reason.clone().unwrap_or_else(|| findings.clone()),
        });
        let doc = ctx.issue(kind, extra, numbering)?;
        ctx.deadline_status("decision", DeadlineStatus::Met);
        ctx.set_deadline(
            "service",
            service_due,
            if on_the_spot {
                "《中华人民共和国行政处罚法》第五十二条：当场交付当事人"
            } else {
                "《中华人民共和国行政处罚法》第六十一条：决定书在宣告后当场交付当事人；当事人不在场的，七日（工作日）内送达"
            },
        );
        Ok(CaseEvent::Decision(DecisionStep {
            request: self.clone(),
            number: doc.number,
            fine_fen: fine,
            report_id: basis.report_id,
            legal_review_id: basis.legal_review_id,
            verdict: basis.verdict.map(|v| enum_str(&v)),
            service_due,
            document_id: Some(doc.id),
        }))
    }
}
