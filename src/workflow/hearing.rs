//! Notice and hearing (告知, 陈述申辩, 听证; APL Art 44–45, 62–65).

use diesel::prelude::*;

use super::discretion_text;
use super::rules::{
    check_hearing, check_hearing_request, check_notice_amount, notice_periods,
    pending_hearing_request,
};
use crate::auth::{scope, Caller, Role};
use crate::cases::change::{Ctx, Guard, Numbering, Step};
use crate::cases::events::*;
use crate::cases::rules::{check_supplied_time, CaseStatus};
use crate::cases::DeadlineStatus;
use crate::clock::china_date;
use crate::db::schema::users;
use crate::documents::{chinese_date, display_name, penalties_context};
use crate::error::{AppError, AppResult, Code};

const INVESTIGATING: Guard = Guard::Change(scope::INVESTIGATING_ROLES);

impl Step for NoticeRequest {
    const PATH: &'static str = "/cases/{id}/notice";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "告知 (Art 44): notifies the current proposal.\nSets the statement and hearing-request deadlines from `served_at`. A higher amount than notified before needs `increase_reason` (Art 45).";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    /// The intended penalty of the current report, its facts, reasons and
    /// basis, the rights; the statement and hearing-request deadlines run
    /// from the notice's service.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        ctx.moving_to(CaseStatus::Notified)?;
        // A hearing requested on an earlier notice carries over: the case
        // waits for that hearing (Art 63–64).
        let carried_over = pending_hearing_request(&ctx.file).is_some();
        if carried_over {
            ctx.move_to(CaseStatus::HearingRequested);
        }
        let report = ctx.file.latest_report()?.clone();
        if report.body.request.outcome != ProposedOutcome::Penalty {
            return Err(AppError::rule(
                Code::ReportRequired,
                "only a proposed penalty is notified (行政处罚法第四十四条)",
            ));
        }
        check_supplied_time(
            "served_at",
            self.served_at,
            Some((report.at, "the report")),
            ctx.now,
        )?;
        if self.method == ServiceMethod::Electronic && !self.electronic_consent {
            return Err(AppError::rule_on_field(
                Code::ServiceMethodNotAllowed,
                "electronic_consent",
                "电子送达须经当事人同意（行政处罚法第六十一条第二款）",
            ));
        }
        let fine = fine_of(&report.body.request.penalties);
        check_notice_amount(&ctx.file, fine, self.increase_reason.as_deref())?;
        let hearing_reasons = report.body.assessment.hearing_reasons.clone();
        let served_on = china_date(self.served_at);
        let (statement_due, hearing_due) = notice_periods(
            served_on,
            !hearing_reasons.is_empty(),
            &ctx.profile,
            ctx.cal,
        );
        let mut step = NoticeStep {
            request: self.clone(),
            report_id: report.id.clone(),
            penalties: report.body.request.penalties.clone(),
            fine_fen: fine,
            hearing_right: !hearing_reasons.is_empty(),
            hearing_reasons,
            statement_due,
            hearing_request_due: hearing_due,
            document_id: None,
            document_number: None,
        };
        // 行政处罚告知书.
        let discretion = discretion_text(ctx.conn, &ctx.case.id)?;
        let extra = serde_json::json!({
            "findings": report.body.request.findings,
            "penalties": penalties_context(&step.penalties),
            "discretion": discretion,
            "statement_days": ctx.profile.statement_period_working_days,
            "hearing_right": step.hearing_right,
        });
        let doc = ctx.issue("penalty_notice", extra, Numbering::Counter)?;
        step.document_id = Some(doc.id);
        step.document_number = Some(doc.number);
        ctx.set_deadline(
            "statement",
            statement_due,
            format!(
                "《中华人民共和国行政处罚法》第四十四条、第四十五条：自告知书送达之日起{}个工作日内陈述、申辩",
                ctx.profile.statement_period_working_days
            ),
        );
        if let Some(d) = hearing_due.filter(|_| !carried_over) {
            ctx.set_deadline(
                "hearing_request",
                d,
                "《中华人民共和国行政处罚法》第六十四条第一项：告知后五日（工作日）内提出听证要求",
            );
        }
        Ok(CaseEvent::Notice(step))
    }
}

impl Step for StatementRequest {
    const PATH: &'static str = "/cases/{id}/statements";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "陈述申辩 (Art 45) or its express waiver (Art 62).";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let notice = ctx.file.current_notice().cloned().ok_or_else(|| {
            AppError::rule(
                Code::NoticeRequired,
                "a statement answers a notice (行政处罚法第四十四条、第四十五条)",
            )
        })?;
        check_supplied_time(
            "received_at",
            self.received_at,
            Some((
                notice.body.request.served_at.naive_utc(),
                "the notice's service",
            )),
            ctx.now,
        )?;
        if self.waived {
            ctx.deadline_status("statement", DeadlineStatus::Met);
        }
        Ok(CaseEvent::Statement(self.clone()))
    }
}

impl Step for HearingRequestRequest {
    const PATH: &'static str = "/cases/{id}/hearing-request";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "要求听证 (Art 63–64): only with a hearing right, within 5 working days of the notice.";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        ctx.moving_to(CaseStatus::HearingRequested)?;
        let served = ctx
            .file
            .current_notice()
            .map(|n| n.body.request.served_at.naive_utc());
        check_supplied_time(
            "requested_at",
            self.requested_at,
            served.map(|s| (s, "the notice's service")),
            ctx.now,
        )?;
        check_hearing_request(&ctx.file, china_date(self.requested_at))?;
        ctx.deadline_status("hearing_request", DeadlineStatus::Met);
        Ok(CaseEvent::HearingRequest(self.clone()))
    }
}

/// The presiding officer is staff of the case's department (an officer,
/// head or legal reviewer; that they are no investigator is `check_hearing`).
fn presiding_staff(ctx: &mut Ctx, user_id: &str) -> AppResult<String> {
    let presiding: Option<(String, String, String)> = users::table
        .filter(users::id.eq(user_id))
        .select((users::department_id, users::roles, users::display_name))
        .first(ctx.conn)
        .optional()?;
    match presiding {
        Some((d, roles, name))
            if d == ctx.case.department_id
                && crate::auth::roles_from_json(&roles)
                    .iter()
                    .any(|r| matches!(r, Role::Officer | Role::Head | Role::LegalReviewer)) =>
        {
            Ok(name)
        }
        _ => Err(AppError::rule_on_field(
            Code::OfficerUnknown,
            "presiding_officer_id",
            "the presiding officer is staff of the case's department (行政处罚法第六十四条第四项)",
        )),
    }
}

impl Step for HearingNoticeRequest {
    const PATH: &'static str = "/cases/{id}/hearing/notice";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "听证通知书 (Art 64 (2)): served at least 7 working days before the hearing.\nIt names a presiding officer who is not an investigator.";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let request = pending_hearing_request(&ctx.file).cloned().ok_or_else(|| {
            AppError::rule(
                Code::HearingNotRequested,
                "no hearing was requested (行政处罚法第六十三条)",
            )
        })?;
        check_supplied_time(
            "served_at",
            self.served_at,
            Some((request.body.requested_at.naive_utc(), "the hearing request")),
            ctx.now,
        )?;
        let as_held = HearingRequest {
            notified_at: self.served_at,
            held_at: self.hearing_at,
            place: self.place.clone(),
            presiding_officer_id: self.presiding_officer_id.clone(),
            public: self.public,
            party_attended: true,
            agents: vec![],
        };
        check_hearing(&as_held, &ctx.case.investigators, ctx.cal)?;
        let presiding = presiding_staff(ctx, &self.presiding_officer_id)?;
        let local = self.hearing_at.with_timezone(&crate::clock::china_offset());
        let extra = serde_json::json!({"hearing": {
            "at": format!("{}", local.format("%Y年%m月%d日%H时%M分")),
            "place": self.place.trim(),
            "presiding": presiding,
            "public_text": if self.public { "听证公开举行" } else { "因涉及国家秘密、商业秘密或者个人隐私，听证不公开举行" },
        }});
        ctx.issue("hearing_notice", extra, Numbering::Counter)?;
        Ok(CaseEvent::HearingNotice(self.clone()))
    }
}

impl Step for HearingRequest {
    const PATH: &'static str = "/cases/{id}/hearing";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "听证 (Art 64): notified ≥ 7 working days before, presided by a non-investigator.";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let request = pending_hearing_request(&ctx.file).cloned().ok_or_else(|| {
            AppError::rule(
                Code::HearingNotRequested,
                "no hearing was requested (行政处罚法第六十三条)",
            )
        })?;
        ctx.moving_to(CaseStatus::HearingHeld)?;
        check_supplied_time(
            "notified_at",
            self.notified_at,
            Some((request.body.requested_at.naive_utc(), "the hearing request")),
            ctx.now,
        )?;
        check_supplied_time(
            "held_at",
            self.held_at,
            Some((self.notified_at.naive_utc(), "notified_at")),
            ctx.now,
        )?;
        check_hearing(self, &ctx.case.investigators, ctx.cal)?;
        presiding_staff(ctx, &self.presiding_officer_id)?;
        // The hearing's days do not count against the 90 days.
        let taken = ctx.as_taken(self.clone());
        ctx.file.hearings.push(taken);
        let (due, basis) = crate::workflow::decision_due(ctx);
        ctx.note("decision_due", due);
        ctx.set_deadline("decision", due, basis);
        Ok(CaseEvent::Hearing(self.clone()))
    }
}

impl Step for TranscriptRequest {
    const PATH: &'static str = "/cases/{id}/hearing/transcript";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "听证笔录 (Art 64 (8), 65): signed by the party or the refusal noted.";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let h = ctx.file.hearings.last().cloned().ok_or_else(|| {
            AppError::rule(
                Code::HearingNotRequested,
                "a transcript records a hearing held (行政处罚法第六十四条第八项)",
            )
        })?;
        let presiding = display_name(ctx.conn, &h.body.presiding_officer_id)?;
        let signature = if self.party_signed {
            "当事人已核对笔录并签名。".to_string()
        } else {
            format!(
                "当事人拒绝签名。听证主持人注明：{}",
                self.refusal_note.clone().unwrap_or_default()
            )
        };
        let extra = serde_json::json!({"hearing": {
            "held_on": chinese_date(china_date(h.body.held_at)),
            "place": h.body.place, "presiding": presiding, "text": self.text, "signature": signature,
        }});
        ctx.issue("hearing_transcript", extra, Numbering::Counter)?;
        Ok(CaseEvent::Transcript(self.clone()))
    }
}
