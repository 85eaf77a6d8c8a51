//! The investigation (调查, APL Art 54–57): the approval of a direct
//! filing, the report that ends the investigation, the periods that do not
//! count against the decision period, and the officers who conduct it
//! (reassignment, recusal).

use diesel::prelude::*;

use super::rules::{as_proposed, check_exclusion, check_penalty_types};
use super::{judge, qualified};
use crate::approvals::rules::{check_filing_approved, check_filing_to_approve, ApprovalKind};
use crate::approvals::store::filing_status;
use crate::auth::scope;
use crate::cases::change::{Ctx, Guard, Step};
use crate::cases::events::*;
use crate::cases::rules::{check_before_decision, check_transition, CaseStatus};
use crate::cases::store::set_officers;
use crate::cases::OfficerRole;
use crate::db::enum_str;
use crate::db::schema::{evidence, investigation_records};
use crate::error::{AppError, AppResult, Code};

impl Step for FilingApprovalRequest {
    const PATH: &'static str = "/cases/{id}/filing-approval";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "立案审批 (APL Art 54 ¶2): a head approves the filing of a case its officers filed directly (general procedure).\nIt answers the approval asked at filing. The investigation report waits for it (422 filing_not_approved).";

    fn guard(&self, _: &crate::auth::Caller) -> Guard {
        Guard::Approved(ApprovalKind::Filing)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        // A report needs an approved filing, so a reported case is refused here too.
        check_filing_to_approve(filing_status(ctx.conn, &ctx.case.id)?)?;
        Ok(CaseEvent::FilingApproval(self.clone()))
    }
}

impl Step for ReportRequest {
    const PATH: &'static str = "/cases/{id}/investigation-report";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "调查终结报告 (Art 57): findings and the proposed outcome.\nPenalties are judged against the attached discretion lookup (outside the law → 422 fine_outside_law; outside the tier without deviation_reason → 422). Needs evidence for a penalty (Art 40).";

    fn guard(&self, _: &crate::auth::Caller) -> Guard {
        Guard::Change(scope::INVESTIGATING_ROLES)
    }

    /// Findings and the proposed outcome, the fine judged against the
    /// attached discretion lookup, and what the proposal will need (hearing
    /// right, legality review, collective discussion).
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        // A filed case is under investigation from its first act; the
        // report ends it (Art 54, 57). A new report after the notice or the
        // hearing re-opens the investigation first (Art 45 ¶1: the party's
        // defence is checked).
        let direct = check_transition(
            ctx.case.procedure,
            ctx.case.status,
            CaseStatus::ReportSubmitted,
        );
        if direct.is_err()
            && ctx.case.status != CaseStatus::Suspended
            && check_transition(
                ctx.case.procedure,
                ctx.case.status,
                CaseStatus::Investigating,
            )
            .is_ok()
        {
            ctx.moving_to(CaseStatus::Investigating)?;
            ctx.move_to(CaseStatus::ReportSubmitted);
        } else {
            ctx.moving_to(CaseStatus::ReportSubmitted)?;
        }
        check_filing_approved(filing_status(ctx.conn, &ctx.case.id)?)?;
        let item = ctx.item()?;
        let mut assessment = Assessment::default();
        if self.outcome == ProposedOutcome::Penalty {
            if self.penalties.is_empty() {
                return Err(AppError::rule_on_field(
                    Code::InvalidValue,
                    "penalties",
                    "a proposed penalty names its penalties",
                ));
            }
            // Art 40: facts ascertained — at least one piece of evidence or record.
            let proofs: i64 = evidence::table
                .filter(evidence::case_id.eq(&ctx.case.id))
                .count()
                .get_result(ctx.conn)?;
            let records: i64 = investigation_records::table
                .filter(investigation_records::case_id.eq(&ctx.case.id))
                .count()
                .get_result(ctx.conn)?;
            if proofs + records == 0 {
                return Err(AppError::rule(
                    Code::EvidenceMissing,
                    "违法事实不清、证据不足的，不得给予行政处罚（行政处罚法第四十条）：本案尚无证据或笔录",
                ));
            }
            check_penalty_types(&item, &self.penalties)?;
            let fine = fine_of(&self.penalties);
            if let Some((id, v)) = judge(
                ctx.conn,
                &ctx.case.id,
                fine,
                self.deviation_reason.as_deref(),
                true,
            )? {
                assessment.discretion_attachment_id = Some(id);
                assessment.verdict = Some(enum_str(&v));
            }
            let proposal = as_proposed(&self.penalties);
            let p = &ctx.profile;
            assessment.hearing_reasons =
                crate::profiles::rules::hearing_reasons(p, ctx.case.party_kind, &proposal);
            assessment.legal_review_reasons = crate::profiles::rules::legal_review_reasons(
                p,
                &crate::profiles::rules::ReviewFacts {
                    party: Some(ctx.case.party_kind),
                    penalty: proposal.clone(),
                    hearing_right: !assessment.hearing_reasons.is_empty(),
                    benchmark_deviation: assessment.verdict.as_deref() == Some("deviation"),
                    major_public_interest: self.major_public_interest,
                    complex: self.complex,
                },
            );
            assessment.collective_discussion_reasons =
                crate::profiles::rules::collective_discussion_reasons(
                    p,
                    ctx.case.party_kind,
                    &proposal,
                    self.complex,
                    self.major_violation,
                );
        } else if !self.penalties.is_empty() {
            return Err(AppError::rule_on_field(
                Code::InvalidValue,
                "penalties",
                "only a proposed penalty lists penalties",
            ));
        }
        Ok(CaseEvent::Report(ReportStep {
            request: self.clone(),
            assessment,
        }))
    }
}

impl Step for ExclusionRequest {
    const PATH: &'static str = "/cases/{id}/exclusions";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "Testing, appraisal, public notice or expert review days that do not count against the 90 days.\nAfter filing, not after today, not inverted, not overlapping, at most the profile's span.";

    fn guard(&self, _: &crate::auth::Caller) -> Guard {
        Guard::Change(scope::INVESTIGATING_ROLES)
    }

    /// 不计入办案期限的期间: the decision day moves on by their days.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        check_before_decision(ctx.case.status)?;
        let existing: Vec<ExclusionRequest> =
            ctx.file.exclusions.iter().map(|e| e.body.clone()).collect();
        let (filed_on, today) = (ctx.case.filed_on(), ctx.today());
        check_exclusion(
            self,
            filed_on,
            today,
            &existing,
            ctx.profile.exclusion_max_days,
        )?;
        let taken = ctx.as_taken(self.clone());
        ctx.file.exclusions.push(taken);
        let (due, basis) = crate::workflow::decision_due(ctx);
        ctx.note("decision_due", due);
        ctx.set_deadline("decision", due, basis);
        Ok(CaseEvent::Exclusion(self.clone()))
    }
}

impl Step for ReassignRequest {
    const PATH: &'static str = "/cases/{id}/officers";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "承办人变更: a head gives the case to other officers of the department, valid for it today (Art 42).";

    fn guard(&self, _: &crate::auth::Caller) -> Guard {
        Guard::Approved(ApprovalKind::Reassignment)
    }

    /// An officer withdrawn from the case (回避) never returns.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let recused = |u: &String| {
            ctx.case
                .people
                .iter()
                .any(|p| &p.user_id == u && p.role == OfficerRole::Recused)
        };
        if let Some(i) = self.officer_ids.iter().position(recused) {
            return Err(AppError::rule_on_field(
                Code::OfficerRecused,
                &format!("officer_ids[{i}]"),
                "该执法人员已回避，不得再承办本案（行政处罚法第四十三条）",
            ));
        }
        let certs = qualified(ctx, &self.officer_ids, "officer_ids")?;
        set_officers(ctx.conn, &ctx.case.id, &certs, ctx.now.naive_utc())?;
        let from = ctx.case.investigators.clone();
        ctx.note("from", from);
        ctx.note(
            "to",
            certs
                .iter()
                .map(|(u, c)| serde_json::json!({"user_id": u, "certificate_number": c}))
                .collect::<Vec<_>>(),
        );
        Ok(CaseEvent::Reassignment(self.clone()))
    }
}

impl Step for RecusalRequest {
    const PATH: &'static str = "/cases/{id}/recusals";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "回避 (Art 43): a head decides; a withdrawn officer loses access; two valid officers must remain.";

    fn guard(&self, _: &crate::auth::Caller) -> Guard {
        Guard::Approved(ApprovalKind::Recusal)
    }

    /// A head decides on an officer's or the party's request; the
    /// investigation goes on meanwhile. A withdrawn officer loses all access
    /// to the case, and at least two valid officers must remain.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        if !ctx.case.investigators.contains(&self.officer_id) {
            return Err(AppError::rule_on_field(
                Code::OfficerUnknown,
                "officer_id",
                "not an officer of this case",
            ));
        }
        if self.approved {
            let remaining: Vec<String> = ctx
                .case
                .investigators
                .iter()
                .filter(|o| **o != self.officer_id)
                .cloned()
                .collect();
            qualified(ctx, &remaining, "officer_id").map_err(|e| {
                if e.code == Code::TooFewOfficers {
                    AppError::rule_on_field(
                        Code::TooFewOfficers,
                        "officer_id",
                        "回避后本案执法人员不足两人，请先变更承办人（行政处罚法第四十二条、第四十三条）",
                    )
                } else {
                    e
                }
            })?;
            crate::cases::store::recuse_officer(ctx.conn, &ctx.case.id, &self.officer_id)?;
        }
        Ok(CaseEvent::Recusal(self.clone()))
    }
}
